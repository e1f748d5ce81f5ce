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
        check_int(self.eval_samples, "eval_samples", 100)
        check_positive(self.median_tol, "median_tol")
        check_placement(self)


QUICK = dict(seeds=4, steps=800, eval_samples=8000)
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
    median = float(np.median(err_final))
    # Tolerances. median_tol (5%): at the end of the cosine schedule the SGD noise on A is ~1e-3
    # relative; the remaining error comes from directions of z with small variance, where A
    # converges at rate lr_pred·λ_min(WΣWᵀ); 5% leaves room for that slow mode in a minority of seeds.
    # The empirical A* carries Monte Carlo error; its scale is measured from a second independent
    # draw (difference / √2); 6 such scales (a generous z for a per-seed max of a norm) is the tolerance.
    mc_tol = 6 * mc_scale
    checks = [
        {"name": "median ‖A − A*‖/‖A*‖ small", "passed": median <= cfg.median_tol,
         "detail": f"median {median:.4f} (tol {cfg.median_tol}), per seed {np.round(err_final, 4).tolist()}"},
        {"name": "every seed moved towards A* (≥ 10× closer)", "passed": bool(np.all(err_final * 10 <= err_init)),
         "detail": f"initial errors {np.round(err_init, 3).tolist()}"},
        {"name": "A* from embeddings = population A*", "passed": bool(np.all(pop_vs_emp <= mc_tol)),
         "detail": f"max rel diff {pop_vs_emp.max():.4f} (Monte Carlo tol per seed ≥ {mc_tol.min():.4f})"},
        {"name": "A* is non-trivial (not I)", "passed": bool(np.all(dist_identity > 0.1)),
         "detail": f"‖A* − I‖/‖I‖ min {dist_identity.min():.3f}"},
    ]
    table = [{"seed": s, "err_init": float(e0), "err_final": float(e1), "pop_vs_emp": float(pe),
              "sv_min_W": float(sv), "dist_A*_to_I": float(di)}
             for s, e0, e1, pe, sv, di in zip(seeds, err_init, err_final, pop_vs_emp, sv_min, dist_identity)]
    return {"checks": checks, "table": table,
            "summary": f"linear SimSiam, {cfg.seeds} seeds: median ‖A − A*‖/‖A*‖ {median:.4f} after {cfg.steps} steps",
            "median_error": median, "errors_final": err_final.tolist(), "errors_initial": err_init.tolist(),
            "steps": res.steps.tolist(), "error_history": err_hist.tolist()}


def _plotting():
    from sslverify.numerics import plotting

    return plotting


def plot(results: dict, out_dir: Path) -> list:
    P = _plotting()
    fig, axes = P.figure(1, 1)
    ax = axes[0]
    steps = np.asarray(results["steps"])
    errs = np.asarray(results["error_history"])
    for k in range(errs.shape[1]):
        ax.plot(np.maximum(steps, 1), errs[:, k], lw=1, alpha=0.8)
    ax.set_yscale("log")
    ax.set_xscale("log")
    ax.set_xlabel("SGD step")
    ax.set_ylabel("‖A − A*(W)‖_F / ‖A*‖_F (population A*)")
    ax.set_title("predictor vs E-step optimum A* = Σ₂₁Σ₁₁⁻¹")
    return [P.save(fig, Path(out_dir) / "predictor_error.png")]


SPEC = ExperimentSpec(name="found_em_predictor", config=Config, run=run, plot=plot, quick=QUICK, full=FULL,
                      description=__doc__.splitlines()[0])

if __name__ == "__main__":
    raise SystemExit(main(SPEC))
