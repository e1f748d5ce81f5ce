"""Prop 2 / Thm 1 (Ziyin et al. §1.1, App. E.2–E.3): trained linear models against the predicted global minimum.

(a) The effective quartic loss L = −Tr[W(B − γI)Wᵀ] + Tr[WΣWᵀWΣWᵀ] (loss="quartic"), B = A0 − kC with
    per-direction c_i so that m (positive eigenvalues of B − γI) runs over 0…d0, weight decay γ, d1 < d0,
    commuting and non-commuting (A0, C).  Prediction: WᵀW = Thm 1's global minimum
    (``theory.ziyin.landscape.predicted_gram``), rank min(m, d*) (Prop 2).
(b) The weighted InfoNCE itself (eq. 3, loss="weighted_infonce") on a fixed dataset of N points with fresh
    augmentation ε ~ N(0, C) every step.  Two predictions:
    * derived: order 2 = −(N/(N−1+α)) Tr[W(Â0 − m mᵀ)Wᵀ] (``expansion.predicted_B_fixed_dataset``; C cancels),
      order 4 = the exact noise expectation of ½ Var_w(u) computed here (``fixed_dataset_orders``); the
      prediction is the numerical minimiser of log K + E2 + E4 + γ‖W‖²;
    * source: B = Â0 − ((1−α)/N) C (§1.1), quartic Tr[WΣWᵀWΣWᵀ], Σ = Â0 + C, minimum from Thm 1.
    Where they disagree on the rank, a paired Monte Carlo estimate of E_ε[L] (common noise) compares the
    derived minimiser with the same point with the source's collapsed directions projected out.
"""
from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from numerics.data import commuting_pair, empirical_second_moment, gaussian_dataset, noncommuting_pair
from numerics.experiment import ExperimentSpec, main
from numerics.losses import weighted_infonce
from numerics.metrics import rank_above
from numerics.sweep import run_sweep
from numerics.trainer import LinearProblem, TrainSettings
from numerics.validation import check_alpha, check_int, check_nonnegative, check_positive
from theory.ziyin import expansion, landscape

NAME = "verify_prop2"


def _plotting():
    """experiments/_plotting.py, loaded by path (the scripts run both as files and in-process)."""
    name = "sslverify_experiments__plotting"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("_plotting.py"))
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        spec.loader.exec_module(mod)
    return sys.modules[name]


# ----------------------------------------------------------------------------- derived fixed-dataset expansion
def fixed_dataset_orders(W: torch.Tensor, X: torch.Tensor, C: torch.Tensor, alpha: float):
    """(E2, E4): noise expectations of the order-W² and order-W⁴ terms of the anchor-mean weighted InfoNCE
    (eq. 3) for a fixed dataset X (N×d0) and fresh ε, ε' ~ N(0, C).

    Per anchor i the candidates are j = 1..N (j = i is the positive, weight α/K; j ≠ i negatives, 1/K;
    K = N−1+α), u_j = −½|m_j + Wη_j|², m_j = W(x̂_i − x̂_j), Cov(Wη_j, Wη_k) = P(1 + δ_jk), P = WCWᵀ.
    ℓ = log K − u_i + E_w[u] + ½Var_w[u] + O(u³); Isserlis gives E u_j u_k = ¼[μ_jμ_k + 2P₂ + 4m_jᵀPm_k]
    + δ_jk ¼[6P₂ + 4m_jᵀPm_j], μ_j = |m_j|² + 2Tr P.  Checked against Monte Carlo in the tests.
    """
    N = X.shape[0]
    K = N - 1 + alpha
    w = torch.full((N, N), 1.0 / K, dtype=W.dtype)
    w.diagonal().fill_(alpha / K)
    M = (X[:, None, :] - X[None, :, :]) @ W.T  # (N, N, d1)
    P = W @ C @ W.T
    TP, P2 = torch.trace(P), (P * P).sum()
    mu = (M * M).sum(-1) + 2 * TP
    mPm = ((M @ P) * M).sum(-1)
    mbar = (w[..., None] * M).sum(1)
    Ewmu = (w * mu).sum(1)
    E2 = TP - 0.5 * Ewmu
    E4 = ((w * mu**2).sum(1) - Ewmu**2 + 6 * P2 * (1 - (w * w).sum(1)) + 8 * (w * mPm).sum(1)
          - 4 * ((mbar @ P) * mbar).sum(1) - 4 * (w * w * mPm).sum(1)) / 8
    return E2.mean(), E4.mean()


def derived_minimizer(X, C, alpha: float, gamma: float, d1: int, seed: int = 0, basis=None):
    """argmin_W E2 + E4 + γ‖W‖² (L-BFGS, float64).  ``basis`` (d0×r, orthonormal): restrict W's rows to
    span(basis) — exact when C is isotropic and basis spans the centred data (E2, E4 depend on W only
    through W(x̂_i − x̂_j) and WWᵀ, and a component outside grows E4).  Returns (W, final grad norm)."""
    X = torch.as_tensor(np.asarray(X), dtype=torch.float64)
    C = torch.as_tensor(np.asarray(C), dtype=torch.float64)
    U = torch.eye(X.shape[1], dtype=torch.float64) if basis is None else torch.as_tensor(basis, dtype=torch.float64)
    Xr, Cr = X @ U, U.T @ C @ U
    g = torch.Generator().manual_seed(seed)
    V = (0.1 * torch.randn(d1, U.shape[1], generator=g, dtype=torch.float64)).requires_grad_(True)
    opt = torch.optim.LBFGS([V], lr=1, max_iter=400, tolerance_grad=1e-12, tolerance_change=1e-18,
                            history_size=50, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        e2, e4 = fixed_dataset_orders(V, Xr, Cr, alpha)
        loss = e2 + e4 + gamma * (V * V).sum()
        loss.backward()
        return loss

    for _ in range(3):
        opt.step(closure)
    closure()
    return (V.detach() @ U.T).numpy(), float(V.grad.norm())


def source_gram(X, C, alpha: float, gamma: float, d1: int) -> np.ndarray:
    """The source's prediction: Thm 1 global minimum with B = Â0 − ((1−α)/N)C − γI, Σ = Â0 + C."""
    A_hat = empirical_second_moment(torch.as_tensor(np.asarray(X)))
    N = np.asarray(X).shape[0]
    B = expansion.source_B(A_hat, C, N, alpha) - gamma * np.eye(len(C))
    return landscape.predicted_gram(B, A_hat + np.asarray(C), d1)


def n_positive(B) -> int:
    return landscape.num_positive(B)


def paired_expected_loss(X, C, alpha: float, Ws: list, draws: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """E_ε[L] (eq. 3, anchor mean) at every W in ``Ws`` on the same noise draws: (means, per-draw values)."""
    X = torch.as_tensor(np.asarray(X), dtype=torch.float64)
    N, d0 = X.shape
    Lc = torch.as_tensor(np.linalg.cholesky(np.asarray(C) + 1e-300 * np.eye(d0)), dtype=torch.float64)
    g = torch.Generator().manual_seed(seed)
    e1 = torch.randn(draws, N, d0, generator=g, dtype=torch.float64) @ Lc.T
    e2 = torch.randn(draws, N, d0, generator=g, dtype=torch.float64) @ Lc.T
    vals = []
    for W in Ws:
        Wt = torch.as_tensor(np.asarray(W), dtype=torch.float64)
        vals.append(weighted_infonce((X + e1) @ Wt.T, (X + e2) @ Wt.T, alpha))
    v = torch.stack(vals, 1).numpy()
    return v.mean(0), v


def sorted_eigs(G) -> np.ndarray:
    return np.sort(np.linalg.eigvalsh(0.5 * (np.asarray(G) + np.asarray(G).T)))


def count_above(eigs, thr: float) -> int:
    """rank with an absolute threshold; uses ``rank_above`` (relative to λ_max) when λ_max > thr."""
    e = torch.as_tensor(np.asarray(eigs, dtype=np.float64))
    lam = float(e.abs().max())
    return 0 if lam <= thr else int(rank_above(e, thr / lam))


# ----------------------------------------------------------------------------- config
@dataclass(frozen=True)
class Config:
    seed: int = 0
    device: str = "auto"
    n_init: int = 2  # random initialisations per configuration
    # (a) quartic
    d0: int = 4
    a_eigs: tuple = (3.0, 2.2, 1.5, 1.0)  # A0 eigenvalues
    c_eigs: tuple = (1.0, 1.6, 2.4, 3.2)  # C eigenvalues: thresholds k_i = a_i/c_i = 3, 1.375, 0.625, 0.3125
    ks: tuple = (0.15, 0.45, 1.0, 2.0, 4.0)  # B = A0 − kC: m = 4, 3, 2, 1, 0 (commuting, γ = 0)
    quartic_gamma: float = 0.8
    d1_small: int = 2
    quartic_steps: int = 3000
    quartic_lr: float = 1e-2
    # (b) weighted InfoNCE
    n_data: int = 8
    infonce_a: tuple = (1.0, 0.6, 0.35, 0.15)  # population A0 eigenvalues of the data
    infonce_r: tuple = (0.25, 0.5, 1.0, 2.0)  # C = σ² diag(r): weakest data direction, strongest augmentation
    sigmas: tuple = (0.5, 1.0, 1.5, 2.5)
    alphas: tuple = (0.0, 0.5)
    infonce_steps: int = 8000
    # Adam on the augmented loss has a noise-driven collapse of weak, strongly augmented directions that grows
    # with lr (lr 1e-2/3e-3 drive them to ~1e-8 relative, lr 1e-3 x 12000 steps brings them back near the
    # derived values): 1e-3 with a cosine schedule is the largest rate that CPU time allows
    infonce_lr: float = 1e-3
    mc_draws: int = 16000  # paired Monte Carlo draws for E_ε[L] (effects ~1e-3, per-draw sd ~0.03-0.1)

    def validate(self) -> "Config":
        check_int(self.seed, "seed", 0)
        check_int(self.n_init, "n_init", 1)
        check_int(self.d0, "d0", 2)
        for name in ("a_eigs", "c_eigs", "infonce_a", "infonce_r"):
            v = getattr(self, name)
            if len(v) != self.d0:
                raise ValueError(f"{name} must have d0 = {self.d0} entries, got {len(v)}")
            for x in v:
                check_positive(x, name)
        if not self.ks:
            raise ValueError("ks must hold at least one value")
        for k in self.ks:
            check_nonnegative(k, "ks")
        check_nonnegative(self.quartic_gamma, "quartic_gamma")
        check_int(self.d1_small, "d1_small", 1)
        if self.d1_small >= self.d0:
            raise ValueError(f"d1_small must be < d0 = {self.d0}, got {self.d1_small}")
        check_int(self.quartic_steps, "quartic_steps", 1)
        check_int(self.infonce_steps, "infonce_steps", 1)
        check_positive(self.quartic_lr, "quartic_lr")
        check_positive(self.infonce_lr, "infonce_lr")
        check_int(self.n_data, "n_data", self.d0 + 1)  # full-rank centred data: no data-rank collapse in (b)
        if not self.sigmas or not self.alphas:
            raise ValueError("sigmas and alphas must be non-empty")
        for s in self.sigmas:
            check_positive(s, "sigmas")
        for a in self.alphas:
            check_alpha(a, "alphas")
        check_int(self.mc_draws, "mc_draws", 100)
        return self


QUICK = dict(n_init=1, ks=(0.15, 1.0, 4.0), quartic_steps=1500, sigmas=(1.0, 2.5), alphas=(0.0,),
             infonce_steps=2500, mc_draws=1000)
FULL = dict(n_init=4, quartic_steps=6000, infonce_steps=8000, sigmas=(0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0),
            alphas=(0.0, 0.5, 1.0), mc_draws=20000)


# ----------------------------------------------------------------------------- (a) quartic
def _quartic_problems(cfg: Config) -> list[LinearProblem]:
    probs = []
    for commuting in (True, False):
        A0, C = (commuting_pair(cfg.a_eigs, cfg.c_eigs, seed=cfg.seed + 11) if commuting
                 else noncommuting_pair(cfg.a_eigs, cfg.c_eigs, seed=cfg.seed + 23))
        for k in cfg.ks:
            for gamma, d1 in ((0.0, cfg.d0), (cfg.quartic_gamma, cfg.d0), (0.0, cfg.d1_small)):
                for r in range(cfg.n_init):
                    probs.append(LinearProblem(A0=A0, C=C, d1=d1, B=A0 - k * C, gamma=gamma, seed=cfg.seed * 1000 + r,
                                               tags={"part": "quartic", "commuting": commuting, "k": k}))
    return probs


def _quartic_rows(cfg: Config, records: list[dict]) -> list[dict]:
    rows = []
    for rec in records:
        p = rec["problem"]
        A0, C, B, gamma, d1 = (np.asarray(p["A0"]), np.asarray(p["C"]), np.asarray(p["B"]), p["gamma"], p["d1"])
        Sigma, Beff = A0 + C, B - gamma * np.eye(len(B))
        G = landscape.predicted_gram(Beff, Sigma, d1)
        Wstar = landscape.weights_from_gram(G, d1)
        W = np.asarray(rec["W"])
        grad = landscape.quartic_grad(W, B, Sigma, gamma)
        # Stopping rule -> tolerance: near the minimum orbit, ‖W − W*‖ ≤ ‖∇L‖/h_min to first order (h_min: the
        # smallest Hessian eigenvalue transverse to the O(d1) orbit, whose symmetry_dim directions are flat);
        # Weyl: |λ_i(WᵀW) − λ_i(G*)| ≤ ‖WᵀW − G*‖₂ ≤ 2‖W*‖₂δ + δ².  Factor 2 on δ covers the neglected
        # second-order change of the Hessian over the distance δ.
        hess = np.linalg.eigvalsh(landscape.quartic_hessian(Wstar, B, Sigma, gamma))
        h_min = float(hess[landscape.symmetry_dim(Wstar):].min())
        delta = 2 * float(np.linalg.norm(grad)) / max(h_min, 1e-300)
        pred = sorted_eigs(G)
        # + float64 round-off of eigvalsh on a d0×d0 Gram matrix (backward stable: ≲ d0·eps·λ_max; ×10 margin)
        tol = 2 * float(np.linalg.norm(Wstar, 2)) * delta + delta**2 + 10 * len(B) * np.finfo(float).eps * max(pred.max(), 1.0)
        meas = np.asarray(rec["gram_eigs"], dtype=float)
        rows.append({
            "part": "a_quartic", "commuting": p["tags"]["commuting"], "k": p["tags"]["k"], "gamma": gamma, "d1": d1,
            "seed": p["seed"], "m": n_positive(Beff), "pred_rank": landscape.predicted_rank(Beff, Sigma, d1),
            "pred_eigs": pred.tolist(), "meas_eigs": meas.tolist(), "max_abs_err": float(np.abs(meas - pred).max()),
            "tol": tol, "grad_norm": float(np.linalg.norm(grad)), "h_min": h_min,
            "lam_max_pred": float(pred.max()), "wnorm2": float(np.sum(W * W)),
        })
    return rows


# ----------------------------------------------------------------------------- (b) weighted InfoNCE
def _infonce_problems(cfg: Config) -> list[LinearProblem]:
    probs = []
    A0, R = commuting_pair(cfg.infonce_a, cfg.infonce_r)
    _, Rn = noncommuting_pair(cfg.infonce_a, cfg.infonce_r, seed=cfg.seed + 31)
    data_seed = cfg.seed + 7
    X = gaussian_dataset(cfg.n_data, A0, data_seed).numpy()
    for commuting, Rm in ((True, R), (False, Rn)):
        for sigma in cfg.sigmas:
            C = sigma**2 * Rm
            for alpha in cfg.alphas:
                # weight decay between the 2nd and 3rd smallest eigenvalues of the derived B: collapses two
                # directions by the derived rule (the source's B is smaller, so it collapses them as well)
                b = np.sort(np.linalg.eigvalsh(expansion.predicted_B_fixed_dataset(X, alpha)))
                gamma_mid = float(np.sqrt(b[1] * b[2]))
                for gamma, d1 in ((0.0, cfg.d0), (gamma_mid, cfg.d0), (0.0, cfg.d1_small)):
                    for r in range(cfg.n_init):
                        probs.append(LinearProblem(
                            A0=A0, C=C, d1=d1, n=cfg.n_data, alpha=alpha, gamma=gamma, seed=cfg.seed * 1000 + 100 + r,
                            data_seed=data_seed, tags={"part": "infonce", "commuting": commuting, "sigma": sigma}))
    return probs


def _infonce_rows(cfg: Config, records: list[dict]) -> list[dict]:
    cache: dict = {}
    rows = []
    for rec in records:
        p = rec["problem"]
        A0, C, alpha, gamma, d1, n = (np.asarray(p["A0"]), np.asarray(p["C"]), p["alpha"], p["gamma"], p["d1"], p["n"])
        X = gaussian_dataset(n, A0, p["data_seed"]).numpy()
        key = (p["tags"]["commuting"], p["tags"]["sigma"], alpha, gamma, d1)
        if key not in cache:
            Wd, gnorm = derived_minimizer(X, C, alpha, gamma, d1, seed=cfg.seed)
            Bd = expansion.predicted_B_fixed_dataset(X, alpha) - gamma * np.eye(len(C))
            A_hat = empirical_second_moment(torch.as_tensor(X))
            Bs = expansion.source_B(A_hat, C, n, alpha) - gamma * np.eye(len(C))
            cache[key] = dict(Wd=Wd, gnorm=gnorm, der=sorted_eigs(Wd.T @ Wd), src=sorted_eigs(source_gram(X, C, alpha, gamma, d1)),
                              der_rank=min(n_positive(Bd), d1), src_rank=min(n_positive(Bs), d1), Bs=Bs)
        c = cache[key]
        meas = np.asarray(rec["gram_eigs"], dtype=float)
        W = np.asarray(rec["W"])
        rows.append({
            "part": "b_infonce", "commuting": p["tags"]["commuting"], "sigma": p["tags"]["sigma"], "alpha": alpha,
            "gamma": gamma, "d1": d1, "seed": p["seed"], "derived_rank": c["der_rank"], "source_rank": c["src_rank"],
            "meas_eigs": meas.tolist(), "derived_eigs": c["der"].tolist(), "source_eigs": c["src"].tolist(),
            "derived_min_grad": c["gnorm"], "wnorm2": float(np.sum(W * W)),
            "dev_derived": float(np.linalg.norm(meas - c["der"]) / np.linalg.norm(c["der"])),
            "dev_source": float(np.linalg.norm(meas - c["src"]) / max(np.linalg.norm(c["src"]), 1e-300)),
            "_key": key,
        })
    return rows, cache


def _landscape_tests(cfg: Config, rows: list[dict], cache: dict, records: list[dict]) -> list[dict]:
    """Where the source predicts fewer directions than the derived B: paired MC of E_ε[L] at the derived
    minimiser W_d, at W_d with the source's collapsed directions projected out, and at the trained W."""
    out = []
    seen = set()
    for row, rec in zip(rows, records):
        key = row["_key"]
        if key in seen or row["source_rank"] >= row["derived_rank"]:
            continue
        seen.add(key)
        c = cache[key]
        p = rec["problem"]
        X = gaussian_dataset(p["n"], np.asarray(p["A0"]), p["data_seed"]).numpy()
        C = np.asarray(p["C"])
        # source's collapsed subspace: directions v with vᵀB_s v ≤ 0 in Σ's metric; project onto the positive
        # eigenspace of B_s (exact for commuting A0, C where both share the eigenbasis)
        ev, V = np.linalg.eigh(c["Bs"])
        keep = V[:, ev > 0]
        Wc = c["Wd"] @ keep @ keep.T
        Wt = np.asarray(rec["W"])
        means, v = paired_expected_loss(X, C, row["alpha"], [c["Wd"], Wc, Wt], cfg.mc_draws, cfg.seed + 99)
        gam = row["gamma"]
        reg = [gam * float(np.sum(np.asarray(w) ** 2)) for w in (c["Wd"], Wc, Wt)]
        d_proj = (v[:, 1] + reg[1]) - (v[:, 0] + reg[0])  # > 0: removing the source-collapsed directions costs loss
        d_tr = (v[:, 2] + reg[2]) - (v[:, 0] + reg[0])
        se = lambda d: float(d.std(ddof=1) / np.sqrt(len(d)))  # noqa: E731
        out.append({"commuting": key[0], "sigma": key[1], "alpha": key[2], "gamma": key[3], "d1": key[4],
                    "source_rank": row["source_rank"], "derived_rank": row["derived_rank"],
                    "dL_projected": float(d_proj.mean()), "se_projected": se(d_proj),
                    "z_projected": float(d_proj.mean() / se(d_proj)),
                    "dL_trained": float(d_tr.mean()), "se_trained": se(d_tr)})
    return out


# ----------------------------------------------------------------------------- run
def run(cfg: Config, out_dir: Path) -> dict:
    store = Path(out_dir) / "runs"
    # (a) quartic: cosine schedule takes Adam's step to 0, so the end point is a stationary point to the
    # accuracy measured by the final gradient norm (used for the tolerance above)
    qs = TrainSettings(loss="quartic", steps=cfg.quartic_steps, lr=cfg.quartic_lr, lr_schedule="cosine",
                       device=cfg.device, record_every=100)
    qrows = _quartic_rows(cfg, run_sweep(_quartic_problems(cfg), qs, store=store))
    # rank threshold: geometric mean of the largest optimizer bound (an eigenvalue below it is zero within
    # the stopping rule) and the smallest predicted nonzero eigenvalue
    floor_q = max(r["tol"] for r in qrows)
    nz = [e for r in qrows for e in r["pred_eigs"] if e > 1e-12 * max(1.0, r["lam_max_pred"])]
    thr_q = float(np.sqrt(max(floor_q, 1e-300) * min(nz)))
    for r in qrows:
        r["meas_rank"] = count_above(r["meas_eigs"], thr_q)
    # (b) weighted InfoNCE
    bs = TrainSettings(loss="weighted_infonce", steps=cfg.infonce_steps, lr=cfg.infonce_lr, lr_schedule="cosine",
                       device=cfg.device, record_every=100)
    brecs = run_sweep(_infonce_problems(cfg), bs, store=store)
    brows, cache = _infonce_rows(cfg, brecs)
    # noise floor of trained InfoNCE weights: relative eigenvalues in directions that BOTH predictions call zero
    # (weight-decay collapse, γ above the derived and the source eigenvalue); the rank threshold lies between
    # this floor and the smallest derived nonzero eigenvalue (geometric mean).
    floor_b, nz_b = [], []
    for r in brows:
        meas = np.asarray(r["meas_eigs"])
        zeros = len(meas) - max(r["derived_rank"], r["source_rank"])
        if r["gamma"] > 0 and zeros > 0:
            floor_b.append(float(meas[:zeros].max() / meas.max()))
        der = np.asarray(r["derived_eigs"])
        nz_b.extend((der[len(der) - r["derived_rank"]:] / der.max()).tolist())
    fl = max(floor_b) if floor_b else float("nan")
    rtol_b = float(np.sqrt(fl * min(nz_b))) if floor_b else 1e-3
    for r in brows:
        r["meas_rank"] = int(rank_above(torch.tensor(r["meas_eigs"]), rtol_b))
    land = _landscape_tests(cfg, brows, cache, brecs)
    for r in brows:
        r.pop("_key", None)
    return _assemble(cfg, qrows, brows, land, dict(thr_q=thr_q, floor_q=floor_q, floor_b=fl, rtol_b=rtol_b,
                                                   min_nz_b=min(nz_b)))


def _assemble(cfg, qrows, brows, land, thr) -> dict:
    checks = []
    bad = [r for r in qrows if r["meas_rank"] != r["pred_rank"]]
    ms = sorted({r["m"] for r in qrows})
    checks.append({"name": "quartic rank == min(m, d*)", "passed": not bad,
                   "detail": f"{len(qrows) - len(bad)}/{len(qrows)} configs; m covers {ms}; threshold {thr['thr_q']:.2e} "
                             f"(optimizer bound ≤ {thr['floor_q']:.1e})"})
    checks.append({"name": "quartic m spans 0..d0", "passed": set(range(cfg.d0 + 1)) <= set(ms),
                   "detail": f"m values {ms}"})
    worst = max(qrows, key=lambda r: r["max_abs_err"] / r["tol"])
    checks.append({"name": "quartic eigenvalues = Thm 1 global min (within stopping-rule bound)",
                   "passed": all(r["max_abs_err"] <= r["tol"] for r in qrows),
                   "detail": f"worst err/tol = {worst['max_abs_err'] / worst['tol']:.2f} (err {worst['max_abs_err']:.1e})"})
    rel = max(r["tol"] / max(r["lam_max_pred"], 1e-12) for r in qrows if r["pred_rank"] > 0)
    checks.append({"name": "quartic stopping bound is tight (tol ≤ 1e-3 λ_max)", "passed": rel <= 1e-3,
                   "detail": f"max tol/λ_max = {rel:.1e}"})
    badb = [r for r in brows if r["meas_rank"] != r["derived_rank"]]
    checks.append({"name": "InfoNCE rank == derived prediction", "passed": not badb,
                   "detail": f"{len(brows) - len(badb)}/{len(brows)} configs; rtol {thr['rtol_b']:.1e} between floor "
                             f"{thr['floor_b']:.1e} and smallest derived nonzero {thr['min_nz_b']:.1e}"
                             + (f"; mismatches at σ={sorted({r['sigma'] for r in badb})}" if badb else "")})
    checks.append({"name": "InfoNCE rank threshold resolvable (floor < smallest derived nonzero / 10)",
                   "passed": bool(thr["floor_b"] * 10 < thr["min_nz_b"]),
                   "detail": f"floor {thr['floor_b']:.1e}, smallest derived nonzero {thr['min_nz_b']:.1e}"})
    diff = [r for r in brows if r["source_rank"] != r["derived_rank"]]
    follows_der = sum(r["meas_rank"] == r["derived_rank"] for r in diff)
    follows_src = sum(r["meas_rank"] == r["source_rank"] for r in diff)
    checks.append({"name": "where source and derived ranks differ, trained rank follows derived",
                   "passed": bool(diff) and follows_der == len(diff),
                   "detail": f"{len(diff)} configs differ: trained = derived in {follows_der}, = source in {follows_src}"})
    checks.append({"name": "source's B = A0 − (1−α)C/N predicts the trained rank", "passed": follows_src == len(diff),
                   "detail": f"source prediction wrong in {len(diff) - follows_src}/{len(diff)} configs where it differs "
                             "(expected to FAIL if the derived B is right)", "expected_to_fail": True})
    if land:
        ok = all(t["z_projected"] > 5 for t in land)
        checks.append({"name": "landscape: removing the source-collapsed directions raises E[L] (z > 5)",
                       "passed": ok, "detail": f"{len(land)} cases, min z = {min(t['z_projected'] for t in land):.1f}"})
    by_w = sorted(brows, key=lambda r: r["wnorm2"])
    summary = (f"quartic: {sum(r['meas_rank'] == r['pred_rank'] for r in qrows)}/{len(qrows)} ranks = min(m,d*); "
               f"InfoNCE: trained rank = derived in {len(brows) - len(badb)}/{len(brows)}, = source in "
               f"{sum(r['meas_rank'] == r['source_rank'] for r in brows)}/{len(brows)}")
    table = [{k: v for k, v in r.items() if k not in ("pred_eigs", "meas_eigs", "derived_eigs", "source_eigs")}
             for r in qrows + brows]
    return {"checks": _split_expected(checks), "table": table, "summary": summary, "quartic": qrows, "infonce": brows,
            "landscape": land, "thresholds": thr,
            "deviation_vs_wnorm": [{"wnorm2": r["wnorm2"], "dev_derived": r["dev_derived"], "dev_source": r["dev_source"],
                                    "sigma": r["sigma"], "alpha": r["alpha"], "commuting": r["commuting"]} for r in by_w]}


def _split_expected(checks: list[dict]) -> list[dict]:
    """The source-prediction row records a finding: it is reported under ``findings`` semantics by turning
    'the source predicts the trained rank' into its negation 'the source's prediction FAILED where it differs'."""
    out = []
    for c in checks:
        if c.pop("expected_to_fail", False):
            c = {"name": "source's prediction fails where it differs from the derived one",
                 "passed": not c["passed"], "detail": c["detail"]}
        out.append(c)
    return out


# ----------------------------------------------------------------------------- plot
def plot(results: dict, out_dir: Path) -> list[str]:
    P = _plotting()
    out_dir = Path(out_dir)
    files = []
    q, b = results["quartic"], results["infonce"]
    fig, axes = P.figure(1, 2)
    P.scatter_pred_vs_measured(axes[0], [r["pred_rank"] for r in q], [r["meas_rank"] for r in q], jitter=0.12,
                               label="quartic", xlabel="min(m, d*)", ylabel="measured rank")
    P.scatter_pred_vs_measured(axes[0], [r["derived_rank"] for r in b], [r["meas_rank"] for r in b], jitter=0.12,
                               seed=1, label="InfoNCE vs derived", marker="s", identity=False)
    axes[0].legend()
    axes[0].set_title("Prop 2: rank of trained WᵀW")
    P.scatter_pred_vs_measured(axes[1], [r["source_rank"] for r in b], [r["meas_rank"] for r in b], jitter=0.12,
                               label="InfoNCE vs source B", color="tab:red", xlabel="source-predicted rank",
                               ylabel="measured rank")
    axes[1].legend()
    files.append(P.save(fig, out_dir / "prop2_rank.png"))

    fig, axes = P.figure(1, 1, width=5)
    floor = 1e-8
    P.scatter_pred_vs_measured(axes[0], [e for r in q for e in r["pred_eigs"]], [e for r in q for e in r["meas_eigs"]],
                               log=True, floor=floor, label="quartic vs Thm 1")
    P.scatter_pred_vs_measured(axes[0], [e for r in b for e in r["derived_eigs"]], [e for r in b for e in r["meas_eigs"]],
                               log=True, floor=floor, label="InfoNCE vs derived", marker="s", identity=False)
    P.scatter_pred_vs_measured(axes[0], [e for r in b for e in r["source_eigs"]], [e for r in b for e in r["meas_eigs"]],
                               log=True, floor=floor, label="InfoNCE vs source", marker="x", identity=False)
    axes[0].legend()
    axes[0].set_title(f"eigenvalues of WᵀW (values < {floor:g} drawn at {floor:g})")
    files.append(P.save(fig, out_dir / "prop2_eigs.png"))

    fig, axes = P.figure(1, 1, width=5)
    dv = results["deviation_vs_wnorm"]
    for comm, col in ((True, "tab:blue"), (False, "tab:orange")):
        sel = [r for r in dv if r["commuting"] == comm]
        axes[0].scatter([r["wnorm2"] for r in sel], [r["dev_derived"] for r in sel], color=col, s=14,
                        label=f"derived ({'commuting' if comm else 'non-commuting'})")
        axes[0].scatter([r["wnorm2"] for r in sel], [r["dev_source"] for r in sel], color=col, marker="x", s=14,
                        label=f"source ({'commuting' if comm else 'non-commuting'})")
    axes[0].set_xscale("log")
    axes[0].set_yscale("log")
    axes[0].set_xlabel("‖W‖_F² (trained)")
    axes[0].set_ylabel("‖λ_meas − λ_pred‖ / ‖λ_pred‖")
    axes[0].legend()
    axes[0].set_title("weighted InfoNCE: deviation from the order-4 prediction")
    files.append(P.save(fig, out_dir / "prop2_deviation.png"))
    return files


SPEC = ExperimentSpec(name=NAME, config=Config, run=run, plot=plot, quick=QUICK, full=FULL,
                      description=__doc__.splitlines()[0])

if __name__ == "__main__":
    raise SystemExit(main(SPEC))
