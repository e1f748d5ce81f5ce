"""found.em-predictor / found.linear-predictor: the trained SimSiam predictor approaches A* = Σ₂₁Σ₁₁⁻¹.

Linear SimSiam (encoder z = Wx, linear predictor p = Az, stop-gradient on the target branch,
symmetrised MSE loss, the note's E-step surrogate) on Gaussian data x ~ N(0, Σ_x) with additive
augmentation x_i = x + η_i, η_i ~ N(0, σ²I), fresh samples every step, plain SGD, K seeds in one
tensor program (``numerics.ssl_nets.train_linear_siamese``).  After training, A* is computed from
the trained encoder's embeddings of fresh view pairs (the least-squares predictor of the
symmetrised loss, Exercise 3) and from the population covariances at every recorded step.

Prediction (note, "SimSiam as EM", Exercise 3): the predictor tracks the E-step optimum, so
‖A − A*(W)‖_F / ‖A*‖_F → 0.  The predictor learns faster than the encoder (lr_pred = 10·lr),
the EM regime the note describes.

M-step (the note: "The M-step therefore minimizes the conditional variance Var(z₂|z₁)"): the run also
reports the population E tr Var(z₂|z₁) of the trained encoder relative to its initial value, beside
plain gradient descent on E tr Var(z₂|z₁) itself from the same initial W with the same steps and
learning-rate schedule (theory/found/em_predictor.py).  If the stop-gradient M-step minimised the
conditional variance the two would agree; the derivation says they do not (descent on it collapses W).

Every entry of ``checks`` has a stable ``key``; claim decisions read checks by key.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from sslverify.numerics.device import check_placement
from sslverify.numerics.experiment import ExperimentSpec, main
from sslverify.numerics.ssl_nets import empirical_predictor, population_predictor, train_linear_siamese
from sslverify.numerics.validation import check_int, check_nonnegative, check_positive
from sslverify.theory.found.em_predictor import cond_var, descend_cond_var, population_mstep


@dataclass(frozen=True)
class Config:
    n: int = 6  # input dimension
    d: int = 3  # embedding dimension
    spectrum: tuple = (4.0, 3.0, 2.0, 1.0, 0.5, 0.25)  # eigenvalues of Σ_x (random rotation)
    sigma: float = 0.7  # augmentation noise std
    seeds: int = 8
    steps: int = 2000
    batch: int = 128
    lr: float = 0.01
    lr_pred: float = 0.1
    init_scale: float = 1.0
    eval_samples: int = 20000
    median_tol: float = 0.05
    seed: int = 0
    device: str = "auto"
    dtype: str = "float64"

    def validate(self) -> None:
        check_int(self.n, "n", 1)
        check_int(self.d, "d", 1)
        if self.d > self.n:
            raise ValueError(f"d must be <= n, got d={self.d}, n={self.n}")
        if len(self.spectrum) != self.n or any(float(s) <= 0 for s in self.spectrum):
            raise ValueError(f"spectrum must hold n={self.n} positive eigenvalues, got {self.spectrum}")
        check_nonnegative(self.sigma, "sigma")
        check_int(self.seeds, "seeds", 1)
        check_int(self.steps, "steps", 1)
        check_int(self.batch, "batch", 2)
        check_positive(self.lr, "lr")
        check_positive(self.lr_pred, "lr_pred")
        # W = 0 is a fixed point of the stop-gradient dynamics (and A* = Σ₂₁Σ₁₁⁻¹ is undefined there)
        check_positive(self.init_scale, "init_scale")
        check_int(self.eval_samples, "eval_samples", 100)
        check_positive(self.median_tol, "median_tol")
        check_placement(self)


QUICK = dict(seeds=8, steps=800, eval_samples=8000)  # 8 seeds: see the power line of found.em-predictor
FULL = dict(seeds=32, steps=8000, eval_samples=100000)


def data_covariance(cfg: Config) -> np.ndarray:
    rng = np.random.default_rng(cfg.seed)
    q, r = np.linalg.qr(rng.standard_normal((cfg.n, cfg.n)))
    q = q * np.sign(np.diag(r))
    return q @ np.diag(np.asarray(cfg.spectrum, float)) @ q.T


def _rel(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return (a - b).flatten(-2).norm(dim=-1) / b.flatten(-2).norm(dim=-1)


def run(cfg: Config, out_dir: Path) -> dict:
    Sx = data_covariance(cfg)
    C = cfg.sigma**2 * np.eye(cfg.n)
    seeds = [cfg.seed * 1000 + k for k in range(cfg.seeds)]
    res = train_linear_siamese(Sx, C, cfg.d, seeds, method="simsiam", loss="mse", steps=cfg.steps, batch=cfg.batch,
                               lr=cfg.lr, lr_pred=cfg.lr_pred, lr_schedule="cosine", init_scale=cfg.init_scale,
                               record_every=max(1, cfg.steps // 40), device=cfg.device, dtype=cfg.dtype)
    with torch.no_grad():
        A_pop_hist = population_predictor(res.W_hist, res.Wt_hist, Sx, C)  # (R, K, d, d)
        err_hist = _rel(res.A_hist, A_pop_hist).numpy()  # (R, K)
        A_emp = empirical_predictor(res.W, res.W_target, Sx, C, cfg.eval_samples, seed=cfg.seed + 7)
        err_final = _rel(res.A, A_emp).numpy()
        err_init = err_hist[0]
        pop_vs_emp = _rel(A_emp, A_pop_hist[-1]).numpy()
        A_emp2 = empirical_predictor(res.W, res.W_target, Sx, C, cfg.eval_samples, seed=cfg.seed + 8)
        mc_scale = (_rel(A_emp, A_emp2).numpy() / np.sqrt(2))  # one draw's Monte Carlo error, per seed
        sv_min = torch.linalg.svdvals(res.W).min(-1).values.numpy()
        eye = torch.eye(cfg.d, dtype=torch.float64)
        dist_identity = _rel(A_emp, eye.expand_as(A_emp)).numpy()
    # M-step: population conditional variance of the trained encoder vs descent on it (same init/schedule)
    W_desc = descend_cond_var(res.W_hist[0], Sx, C, cfg.steps, cfg.lr, "cosine")  # needs autograd
    with torch.no_grad():
        cv_init, cv_final = cond_var(res.W_hist[0], Sx, C).numpy(), cond_var(res.W, Sx, C).numpy()
        cv_desc = cond_var(W_desc, Sx, C).numpy()
    ratio_trained, ratio_descent = cv_final / cv_init, cv_desc / cv_init
    cos_init = np.array([population_mstep(w, Sx, C)["cos_sg_var"] for w in res.W_hist[0].numpy()])
    median = float(np.median(err_final))
    # Tolerances. median_tol (5%): at the end of the cosine schedule the SGD noise on A is ~1e-3
    # relative; the remaining error comes from directions of z with small variance, where A
    # converges at rate lr_pred·λ_min(WΣWᵀ); 5% leaves room for that slow mode in a minority of seeds.
    # The empirical A* carries Monte Carlo error; its scale is measured from a second independent
    # draw (difference / √2); 6 such scales (a generous z for a per-seed max of a norm) is the tolerance.
    mc_tol = 6 * mc_scale
    # M-step separation: descent on E tr Var(z₂|z₁) shrinks it by orders of magnitude (→ collapse); the
    # sg-trained encoder keeps it at O(1) of its start.  100× is far from both (~1e-5 vs ~1 measured):
    # it only asks that the two dynamics are not the same, not how far apart they are.
    sep = ratio_trained / ratio_descent
    checks = [
        {"key": "median_error_small", "name": "median ‖A − A*‖/‖A*‖ small", "passed": median <= cfg.median_tol,
         "detail": f"median {median:.4f} (tol {cfg.median_tol}), per seed {np.round(err_final, 4).tolist()}"},
        {"key": "moved_towards_a_star", "name": "every seed moved towards A* (≥ 10× closer)",
         "passed": bool(np.all(err_final * 10 <= err_init)), "detail": f"initial errors {np.round(err_init, 3).tolist()}"},
        {"key": "empirical_equals_population", "name": "A* from embeddings = population A*",
         "passed": bool(np.all(pop_vs_emp <= mc_tol)),
         "detail": f"max rel diff {pop_vs_emp.max():.4f} (Monte Carlo tol per seed ≥ {mc_tol.min():.4f})"},
        {"key": "a_star_nontrivial", "name": "A* is non-trivial (not I)", "passed": bool(np.all(dist_identity > 0.1)),
         "detail": f"‖A* − I‖/‖I‖ min {dist_identity.min():.3f}"},
        {"key": "sg_training_is_not_descent_on_cond_var",
         "name": "sg training ≠ descent on E tr Var(z₂|z₁) (ratio of final/initial ≥ 100× apart)",
         "passed": bool(np.all(sep >= 100)),
         "detail": f"trained final/initial {np.round(ratio_trained, 3).tolist()}, "
                   f"descent on Var {np.array2string(ratio_descent, precision=2)}"},
    ]
    table = [{"seed": s, "err_init": float(e0), "err_final": float(e1), "pop_vs_emp": float(pe),
              "sv_min_W": float(sv), "dist_A*_to_I": float(di), "cond_var_ratio_trained": float(rt),
              "cond_var_ratio_descent": float(rd), "cos_sg_var_init": float(ci)}
             for s, e0, e1, pe, sv, di, rt, rd, ci in zip(seeds, err_init, err_final, pop_vs_emp, sv_min, dist_identity,
                                                          ratio_trained, ratio_descent, cos_init)]
    return {"checks": checks, "table": table,
            "summary": f"linear SimSiam, {cfg.seeds} seeds: median ‖A − A*‖/‖A*‖ {median:.4f} after {cfg.steps} steps",
            "median_error": median, "errors_final": err_final.tolist(), "errors_initial": err_init.tolist(),
            "mc_scale": mc_scale.tolist(), "dist_identity": dist_identity.tolist(), "sv_min_W": sv_min.tolist(),
            "cond_var_ratio_trained": ratio_trained.tolist(), "cond_var_ratio_descent": ratio_descent.tolist(),
            "cos_sg_var_init": cos_init.tolist(),
            "steps": res.steps.tolist(), "error_history": err_hist.tolist()}


def _plotting():
    from sslverify.numerics import plotting

    return plotting


CLAIMS = ("found.em-predictor", "found.linear-predictor")  # the claims this experiment is evidence for (titles)


def plot(results: dict, out_dir: Path) -> list:
    P = _plotting()
    cfg = results.get("config", {})
    fig, axes = P.figure(1, 1, width=6.0, height=4.4)
    ax = axes[0]
    P.claim_title(fig, CLAIMS, "the trained SimSiam predictor A against the E-step optimum A* = Σ₂₁Σ₁₁⁻¹ "
                               "(the note: A tracks A*, so the error → 0)")
    steps = np.asarray(results["steps"])
    errs = np.asarray(results["error_history"])  # (records, seeds)
    for k in range(errs.shape[1]):
        ax.plot(np.maximum(steps, 1), errs[:, k], lw=1, alpha=0.8, color="tab:blue",
                label=f"‖A − A*(W)‖_F / ‖A*‖_F, one line per seed ({errs.shape[1]} seeds)" if k == 0 else "_nolegend_")
    tol = cfg.get("median_tol")
    if tol is not None:
        P.threshold_line(ax, y=tol, label=f"threshold: median final error ≤ {tol:g} (pass)")
    if "median_error" in results:
        ax.scatter([max(steps.max(), 1)], [results["median_error"]], marker="D", color="tab:red", zorder=3,
                   label="median final error (A* from fresh embeddings)")
    ax.set_yscale("log")
    ax.set_xscale("log")
    ax.set_xlabel("SGD step (log scale)")
    ax.set_ylabel("‖A − A*(W)‖_F / ‖A*‖_F\n(A*: population optimum for the current W)")
    ax.set_title(f"linear SimSiam, n = {cfg.get('n', '?')}, d = {cfg.get('d', '?')}, σ = {cfg.get('sigma', '?')}, "
                 f"lr_pred = {cfg.get('lr_pred', '?')}", fontsize=9)
    ax.legend(fontsize=7)
    return [P.save(fig, Path(out_dir) / "predictor_error.png")]


SPEC = ExperimentSpec(name="found_em_predictor", config=Config, run=run, plot=plot, quick=QUICK, full=FULL,
                      description=__doc__.splitlines()[0])

if __name__ == "__main__":
    raise SystemExit(main(SPEC))
