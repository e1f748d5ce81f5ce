"""§1.3, Fig. 1a: does the origin turn from a saddle into a local minimum of L(aW*) as the augmentation
σ² grows?  Measured in three model classes.

c2 := ½ d²/da² [L(aW*) + γ‖aW*‖²_F] at a = 0, W* the trained last layer (Fig. 1's protocol: train, then rescale
the last layer W → aW with everything else fixed).

1. Linear model f = Wx (the class of §1.1's explanation), weighted InfoNCE (eq. 3), several σ at γ = 0 and, as a
   control, several weight decays γ.  c2 by Monte Carlo (``expected_loss``, common random numbers, Richardson
   finite differences).  Derived (theory/ziyin/expansion.py): c2 = −Tr[W* B W*ᵀ] + γ‖W*‖²_F with the fixed-data
   B = (N/K)(Â0 − m mᵀ), K = N − 1 + α — C cancels, so c2 < 0 for every σ at γ = 0 and the origin is a minimum
   iff γ > max_i b_i.  Source (§1.1): B = A0 − (1−α)C/N, so the origin becomes a minimum once (1−α)σ²/N > max a_i.
2. Fixed nonlinear features f = W tanh(x) (elementwise), weight decay γ = ``nl_gamma`` (the source's Fig. 1 run
   used weight decay), W trained at each σ.  Derived (theory/ziyin/nonlinear_features.py, from the loss):
   c2 = −(N/K)Tr[W* Ĉov_i(m(x̂_i)) W*ᵀ] + γ‖W*‖²_F with m(x̂) = E_ε tanh(x̂ + ε) (Gauss–Hermite): augmentation
   acts only by smoothing the features, the conditional covariance cancels; for tanh Ĉov(m) shrinks as σ grows,
   so c2 changes sign — Fig. 1a's phenomenon, with a mechanism other than the source's B.
3. A trained two-layer tanh network φ_θ(x) = tanh(V2 tanh(V1 x)) with a linear last layer (App. C's "three-layer
   nonlinear network with output dimension 2"; the closest a CPU gets to Fig. 1's ResNet18), weight decay
   ``nl_gamma`` on every layer.  The same formula with the trained φ_θ (m by Monte Carlo).
In arms 2 and 3 c2 is measured by torch autograd through the actual loss (exact second derivative in a, Monte
Carlo over noise draws), a method independent of the quadrature / formula that predicts it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from sslverify.numerics.data import gaussian_dataset, isotropic_noise
from sslverify.numerics.experiment import ExperimentSpec, main
from sslverify.numerics.losses import weighted_infonce
from sslverify.numerics.sweep import run_sweep, weights
from sslverify.numerics.trainer import LinearProblem, TrainSettings, expected_loss
from sslverify.theory.ziyin import nonlinear_features as nf
from sslverify.theory.ziyin.expansion import predicted_B_fixed_dataset

DT = torch.float64


@dataclass(frozen=True)
class Config:
    d: int = 4
    n: int = 8  # small N so the source's threshold (1−α)σ²/N > a is reached on the σ grid
    alpha: float = 0.0  # NT-xent form of eq. 3: the source's C term is largest
    sigmas: tuple = (0.0, 1.0, 2.0, 4.0, 6.0)  # σ=6: source's B < 0 when max a < 4.5
    gamma_sigma: float = 1.0  # σ of the weight-decay control arm
    gamma_fracs: tuple = (0.5, 2.0)  # γ = frac · max_i b_i (derived threshold at frac = 1)
    seeds: int = 2
    seed: int = 0
    steps: int = 3000
    lr: float = 6e-4
    lr_schedule: str = "cosine"
    h: float = 1e-2  # finite-difference scale: c2 ≈ (L(hW*) − L(0))/h², bias O(h²)
    blocks: int = 16  # independent Monte Carlo blocks (standard errors)
    draws: int = 4096  # noise draws per block (c2 at σ = 8 needs SE ≪ |c2|: SE/|c2| ∝ σ²/(a√(N·draws·blocks)))
    scan_draws: int = 32  # noise draws per block for the Fig. 1a scan (plot only)
    scan_points: int = 13
    z: float = 5.0  # tolerance in standard errors (false alarm < 1e-6 per comparison)
    device: str = "auto"
    dtype: str = "float64"
    noise_device: str = "cpu"  # "device": augmentation drawn on the GPU (own stream; numerics.trainer)
    # nonlinear arms (2: fixed tanh features, 3: trained two-layer tanh network)
    nonlinear: bool = True
    nl_sigmas: tuple = (0.0, 1.0, 2.0, 3.0, 5.0)
    nl_d: int = 2  # input dimension (data N(0, I))
    nl_d1: int = 2  # output dimension of the last layer (App. C: 2)
    nl_n: int = 16  # data set size N
    nl_replicas: int = 2  # independent data sets / inits per σ
    nl_gamma: float = 0.1  # fixed features: weight decay penalty γ‖W‖²_F (the reviewer's γ)
    net_gamma: float = 0.01  # trained network: γ‖θ‖²_F on every layer (Fig. 1: weight decay on the whole ResNet)
    nl_steps: int = 2000  # Adam steps, fixed features
    net_steps: int = 3000  # Adam steps, trained network
    nl_lr: float = 1e-2  # peak lr (cosine to 0)
    net_hidden: int = 16
    net_features: int = 4  # width of φ_θ (input of the last layer)
    nl_draws: int = 256  # noise draws per Monte Carlo block
    nl_blocks: int = 8  # independent blocks (standard errors)

    def validate(self) -> "Config":
        if self.d < 1 or self.n < 2:
            raise ValueError(f"d must be >= 1 and n >= 2, got d={self.d}, n={self.n}")
        if not 0 <= self.alpha <= 1:
            raise ValueError(f"alpha must lie in [0, 1], got {self.alpha}")
        if len(self.sigmas) < 2 or any(s < 0 for s in self.sigmas) or self.gamma_sigma < 0:
            raise ValueError(f"sigmas must hold >= 2 values >= 0, got {self.sigmas}")
        if any(f <= 0 or f == 1 for f in self.gamma_fracs):
            raise ValueError(f"gamma_fracs must be > 0 and != 1 (the threshold itself is undecidable), got {self.gamma_fracs}")
        if self.seeds < 1 or self.blocks < 2 or self.draws < 1 or self.scan_points < 3:
            raise ValueError("seeds >= 1, blocks >= 2, draws >= 1, scan_points >= 3 required")
        if not 0 < self.h <= 0.1:
            raise ValueError(f"h must lie in (0, 0.1], got {self.h}")
        from sslverify.numerics.validation import check_int, check_positive

        # z multiplies every standard error of a sign test: z ≤ 0 would call a curvature within noise decided
        check_positive(self.z, "z")
        check_int(self.steps, "steps", 1)
        check_positive(self.lr, "lr")
        check_int(self.scan_draws, "scan_draws", 1)
        if len(self.nl_sigmas) < 2 or any(s < 0 for s in self.nl_sigmas) or list(self.nl_sigmas) != sorted(self.nl_sigmas):
            raise ValueError(f"nl_sigmas must hold >= 2 increasing values >= 0, got {self.nl_sigmas}")
        if min(self.nl_d, self.nl_d1, self.net_hidden, self.net_features, self.nl_replicas) < 1 or self.nl_n < 2:
            raise ValueError("nl_d, nl_d1, net_hidden, net_features, nl_replicas must be >= 1 and nl_n >= 2")
        if not (self.nl_gamma > 0 and self.net_gamma > 0):
            raise ValueError(f"nl_gamma and net_gamma must be > 0 (without a positive quadratic term c2 ≤ 0 for every φ), "
                             f"got {self.nl_gamma}, {self.net_gamma}")
        if min(self.nl_steps, self.net_steps, self.nl_draws) < 1 or self.nl_blocks < 2 or not self.nl_lr > 0:
            raise ValueError("nl_steps, net_steps, nl_draws must be >= 1, nl_blocks >= 2 and nl_lr > 0")
        return self


QUICK = dict(sigmas=(0.0, 2.0, 6.0), seeds=1, steps=1500, blocks=8, draws=1024, scan_points=7, scan_draws=16,
             nl_steps=1500, net_steps=2000)
FULL = dict(d=8, n=16, sigmas=(0.0, 1.0, 2.0, 4.0, 8.0, 16.0), seeds=3, steps=5000, blocks=32, draws=2048)


def _mc(problems, W, settings, cfg, seed0, draws=None):
    """(K, blocks) block means of E_ε L at W (K, d1, d0); the same seeds at every W (common random numbers).
    ``W`` a list: one such array per entry, the noise of each block drawn once for all of them."""
    per_block = [expected_loss(problems, W, settings, draws=draws or cfg.draws, seed=seed0 + 7919 * r)
                 for r in range(cfg.blocks)]
    if isinstance(W, list):
        return [np.stack([blk[i] for blk in per_block], axis=1) for i in range(len(W))]
    return np.stack(per_block, axis=1)


def _linear(cfg: Config, out_dir: Path) -> dict:
    """Arm 1: the linear model (σ arms at γ = 0, weight-decay arms)."""
    A0 = np.eye(cfg.d)
    problems, info = [], []
    for j in range(cfg.seeds):
        data_seed = cfg.seed * 1000 + j
        X = gaussian_dataset(cfg.n, A0, data_seed).numpy()
        B = predicted_B_fixed_dataset(X, cfg.alpha)
        bmax = float(np.linalg.eigvalsh(B)[-1])
        arms = [("sigma", float(s), 0.0) for s in cfg.sigmas]
        arms += [("gamma", cfg.gamma_sigma, f * bmax) for f in cfg.gamma_fracs]
        for arm, s, g in arms:
            problems.append(LinearProblem(A0=A0, C=isotropic_noise(cfg.d, s), d1=cfg.d, n=cfg.n, alpha=cfg.alpha,
                                          gamma=g, seed=data_seed + 10_000, data_seed=data_seed,
                                          tags={"arm": arm, "sigma": s, "gamma": g, "replica": j}))
            info.append({"arm": arm, "sigma": s, "gamma": g, "replica": j, "X": X, "B": B, "bmax": bmax})
    settings = TrainSettings(loss="weighted_infonce", steps=cfg.steps, lr=cfg.lr, lr_schedule=cfg.lr_schedule,
                             device=cfg.device, dtype=cfg.dtype, noise_device=cfg.noise_device, progress=False)
    recs = run_sweep(problems, settings, store=out_dir / "runs")
    W = weights(recs)
    K = len(problems)
    L0 = math.log(cfg.n - 1 + cfg.alpha)  # W = 0: every kernel is 1 (exact, no noise dependence)
    # Richardson extrapolation of (L(hW) − L0)/h² from h and 2h removes the O(h²) bias (c4 h²),
    # leaving O(h⁴); the same seeds at both scales keep the Monte Carlo errors correlated.
    # Evaluated along the unit direction W*/‖W*‖_F (so float rounding of L − L0 does not depend on how
    # small W* is, e.g. when weight decay collapsed it) and rescaled by ‖W*‖²_F.
    nrm2 = (W**2).sum((1, 2)).clamp_min(1e-300)
    Wu = W / nrm2.sqrt().view(-1, 1, 1)
    at_h, at_2h = _mc(problems, [cfg.h * Wu, 2 * cfg.h * Wu], settings, cfg, 1)
    d1 = (at_h - L0) / cfg.h**2
    d2 = (at_2h - L0) / (2 * cfg.h) ** 2
    c2_blocks = (4 * d1 - d2) / 3 * nrm2.numpy()[:, None]
    c2 = c2_blocks.mean(1)
    c2_se = c2_blocks.std(1, ddof=1) / math.sqrt(cfg.blocks)
    a_grid = np.linspace(0.0, 1.5, cfg.scan_points)
    scan = np.stack([m - L0 for m in _mc(problems, [a * W for a in a_grid], settings, cfg, 1, cfg.scan_draws)],
                    axis=1)  # (K, A, blocks)
    scan_mean, scan_se = scan.mean(2), scan.std(2, ddof=1) / math.sqrt(cfg.blocks)

    rows = []
    for k, (p, it) in enumerate(zip(problems, info)):
        Wk = W[k].numpy()
        w2 = float(np.sum(Wk**2))
        X = it["X"]
        A0hat = X.T @ X / cfg.n  # the source's A0: empirical (uncentred) data covariance
        B_src = A0hat - (1 - cfg.alpha) / cfg.n * np.asarray(p.C)
        c2_der = float(-np.trace(Wk @ it["B"] @ Wk.T) + p.gamma * w2)
        c2_src = float(-np.trace(Wk @ B_src @ Wk.T) + p.gamma * w2)
        # "origin is a local minimum" in every direction, not only along W*:
        der_min = bool(p.gamma > it["bmax"])
        src_min = bool(p.gamma > float(np.linalg.eigvalsh(B_src)[-1]))
        rows.append({"arm": it["arm"], "sigma": it["sigma"], "gamma": p.gamma, "replica": it["replica"],
                     "W_norm2": w2, "c2_mc": float(c2[k]), "c2_mc_se": float(c2_se[k]), "c2_derived": c2_der,
                     "c2_source": c2_src, "curv_per_norm2_mc": float(c2[k] / w2),
                     "derived_origin_min": der_min, "source_origin_min": src_min,
                     "measured_sign": int(np.sign(c2[k])), "bmax": it["bmax"]})
    z = cfg.z
    # tolerance: z Monte Carlo standard errors + the O(h⁴) remainder of the Richardson step, bounded by
    # 1e-6 (h⁴ = 1e-8 times a loss-scale constant ≲ 100) per unit ‖W*‖² (exact when σ = 0: SE = 0)
    # + float64 rounding of L ≈ log K at tiny W*, amplified by 1/h² and the Richardson weights (≤ 5/3·2)
    fl = 10 * np.finfo(float).eps * abs(L0) / cfg.h**2
    tol = [z * r["c2_mc_se"] + (1e-6 + fl) * r["W_norm2"] for r in rows]
    match = [abs(r["c2_mc"] - r["c2_derived"]) <= t for r, t in zip(rows, tol)]
    sig_rows = [r for r in rows if r["arm"] == "sigma"]
    gam_rows = [r for r in rows if r["arm"] == "gamma"]
    neg_all = all(r["c2_mc"] + z * r["c2_mc_se"] < 0 for r in sig_rows)
    gam_ok = all((r["c2_mc"] - z * r["c2_mc_se"] > 0) if r["derived_origin_min"] else (r["c2_mc"] + z * r["c2_mc_se"] < 0)
                 for r in gam_rows)
    src_pos = [r for r in sig_rows if r["c2_source"] > 0]
    src_wrong = [r for r in rows if (r["c2_source"] > 0) != (r["c2_mc"] > 0)]
    # power: the smallest |c2| the σ arms resolve is z·SE; the source's predicted c2 > 0 where its B < 0
    src_pos_margin = [r["c2_source"] / max(r["c2_mc_se"], 1e-300) for r in src_pos]
    checks = [
        {"key": "linear_mc_matches_derived", "name": "MC curvature = derived −Tr[W*BW*ᵀ] + γ‖W*‖²", "passed": all(match),
         "detail": f"{sum(match)}/{len(match)} configs within {z} SE + 1e-6‖W*‖² + float rounding (max |diff| = "
                   f"{max(abs(r['c2_mc'] - r['c2_derived']) / t for r, t in zip(rows, tol)):.2f} of tolerance)"},
        {"key": "linear_saddle_every_sigma", "name": "linear: origin stays a saddle for every σ (γ = 0)", "passed": neg_all,
         "detail": "c2 (MC) per σ: " + ", ".join(f"σ={r['sigma']:g}: {r['c2_mc']:.3g}±{r['c2_mc_se']:.1g}" for r in sig_rows)},
        {"key": "linear_weight_decay_threshold", "name": "linear weight decay: origin a minimum iff γ > max b_i",
         "passed": gam_ok,
         "detail": ", ".join(f"γ/max b={r['gamma'] / r['bmax']:.2g}: c2={r['c2_mc']:.3g}±{r['c2_mc_se']:.1g}" for r in gam_rows)},
        {"key": "linear_grid_reaches_source_regime", "name": "σ grid reaches the source's 'origin is a minimum' regime",
         "passed": len(src_pos) > 0 and min(src_pos_margin, default=0.0) > z,
         "detail": f"{len(src_pos)} σ-arm configs where the source's B gives c2 > 0, by ≥ "
                   f"{min(src_pos_margin, default=0.0):.3g} SE (the test discriminates at {z} SE)"},
    ]
    return {"checks": checks, "rows": rows, "source_sign_mismatches": len(src_wrong), "source_agrees": not src_wrong,
            "neg_all": neg_all, "gam_ok": gam_ok, "a_grid": a_grid.tolist(), "scan_mean": scan_mean.tolist(),
            "scan_se": scan_se.tolist(), "source_positive_margin_se": min(src_pos_margin, default=0.0)}


# ----------------------------------------------------------------------------- nonlinear arms (§1.3's class)
def _phi_net(Z: torch.Tensor, params: dict | None) -> torch.Tensor:
    """Features φ(Z), batched over configurations (leading dim K): fixed elementwise tanh (params None) or
    the trained two-layer tanh network tanh(V2 tanh(V1 z)) of App. C (params {"V1": (K,h,d), "V2": (K,f,h)})."""
    if params is None:
        return torch.tanh(Z)
    return torch.tanh(torch.tanh(Z @ params["V1"].transpose(1, 2)) @ params["V2"].transpose(1, 2))


def _train_nonlinear(cfg: Config, X: torch.Tensor, sig: torch.Tensor, net: bool, gamma: float, seed: int):
    """Full-batch Adam on weighted InfoNCE (eq. 3) + γ Σ‖θ‖²_F (penalty on every trained matrix), fresh
    augmentation every step, cosine lr.  X (K, N, d) fixed data sets, sig (K,) noise levels.  Returns the last
    layer W (K, d1, f), the feature parameters (None for fixed tanh features) and the loss history (records, K)."""
    g = torch.Generator().manual_seed(seed)
    K, N, d = X.shape
    f = cfg.net_features if net else d
    W = (0.5 * torch.randn(K, cfg.nl_d1, f, generator=g, dtype=DT) / math.sqrt(f)).requires_grad_(True)
    params, trained = None, [W]
    if net:
        params = {"V1": (torch.randn(K, cfg.net_hidden, d, generator=g, dtype=DT) / math.sqrt(d)).requires_grad_(True),
                  "V2": (torch.randn(K, f, cfg.net_hidden, generator=g, dtype=DT)
                         / math.sqrt(cfg.net_hidden)).requires_grad_(True)}
        trained += list(params.values())
    steps = cfg.net_steps if net else cfg.nl_steps
    opt = torch.optim.Adam(trained, lr=cfg.nl_lr)
    s = sig.view(K, 1, 1)
    hist = []
    for step in range(steps):
        for grp in opt.param_groups:
            grp["lr"] = cfg.nl_lr * 0.5 * (1 + math.cos(math.pi * step / steps))
        F1 = _phi_net(X + s * torch.randn(K, N, d, generator=g, dtype=DT), params)
        F2 = _phi_net(X + s * torch.randn(K, N, d, generator=g, dtype=DT), params)
        loss = weighted_infonce(F1 @ W.transpose(1, 2), F2 @ W.transpose(1, 2), cfg.alpha, fused=True)
        loss = loss + gamma * sum((p**2).sum((1, 2)) for p in trained)
        opt.zero_grad()
        loss.sum().backward()
        opt.step()
        if step % 50 == 0 or step == steps - 1:
            hist.append(loss.detach().numpy().copy())
    if not all(np.isfinite(h).all() for h in hist):
        raise RuntimeError("nonlinear arm diverged (non-finite loss)")
    return W.detach(), (None if params is None else {k: v.detach() for k, v in params.items()}), np.array(hist)


def _c2_measured(cfg: Config, X, sig, W, params, gamma: float, seed: int) -> np.ndarray:
    """Per block: c2 = ½ d²/da² E_ε[L(aW)] + γ‖W‖²_F at a = 0 with the features fixed, by torch autograd through
    the actual (unfused) loss, averaged over ``nl_draws`` independent noise draws.  Returns (K, blocks)."""
    g = torch.Generator().manual_seed(seed)
    K, N, d = X.shape
    R = cfg.nl_draws
    pr = None if params is None else {k: v.repeat_interleave(R, 0) for k, v in params.items()}
    s = sig.repeat_interleave(R).view(K * R, 1, 1)
    Xr = X.repeat_interleave(R, 0)
    out = []
    for _ in range(cfg.nl_blocks):
        with torch.no_grad():
            F1 = _phi_net(Xr + s * torch.randn(K * R, N, d, generator=g, dtype=DT), pr)
            F2 = _phi_net(Xr + s * torch.randn(K * R, N, d, generator=g, dtype=DT), pr)
        t = torch.zeros(K, dtype=DT, requires_grad=True)
        Wa = (t.view(K, 1, 1) * W).repeat_interleave(R, 0)
        loss = weighted_infonce(F1 @ Wa.transpose(1, 2), F2 @ Wa.transpose(1, 2), cfg.alpha)  # (K·R,)
        (g1,) = torch.autograd.grad(loss.view(K, R).mean(1).sum(), t, create_graph=True)
        (g2,) = torch.autograd.grad(g1.sum(), t)
        out.append(0.5 * g2.numpy())
    return np.stack(out, 1) + gamma * (W**2).sum((1, 2)).numpy()[:, None]


def _c2_derived(cfg: Config, X, sig, W, params, gamma: float, seed: int) -> np.ndarray:
    """Per block: c2 = −(N/K)Tr[W Ĉov_i(m(x̂_i)) Wᵀ] + γ‖W‖²_F (theory/ziyin/nonlinear_features.py), m = E_ε φ(x̂_i+ε).
    Fixed tanh: m by Gauss–Hermite (every block the same, exact to quadrature).  Trained network: m by Monte Carlo,
    Ĉov as the cross-covariance of two independent halves of the draws (unbiased: the draws' own noise does not
    inflate it).  Returns (K, blocks)."""
    K, N, d = X.shape
    Wn = W.numpy()
    wd = gamma * (Wn**2).sum((1, 2))
    if params is None:
        c2 = []
        for k in range(K):
            B = nf.fixed_dataset_B(nf.smoothed("tanh", X[k].numpy(), float(sig[k])), cfg.alpha)
            c2.append(-np.trace(Wn[k] @ B @ Wn[k].T) + wd[k])
        return np.repeat(np.array(c2)[:, None], cfg.nl_blocks, 1)
    g = torch.Generator().manual_seed(seed)
    R = cfg.nl_draws
    Kc = N - 1 + cfg.alpha
    out = np.zeros((K, cfg.nl_blocks))
    for j in range(cfg.nl_blocks):
        halves = []
        for _ in range(2):
            with torch.no_grad():
                Z = X[:, None] + sig.view(K, 1, 1, 1) * torch.randn(K, R, N, d, generator=g, dtype=DT)
                halves.append(_phi_net(Z.reshape(K, R * N, d), params).view(K, R, N, -1).mean(1).numpy())
        for k in range(K):
            a, b = halves[0][k] - halves[0][k].mean(0), halves[1][k] - halves[1][k].mean(0)
            cov = (a.T @ b + b.T @ a) / (2 * N)
            out[k, j] = -(N / Kc) * np.trace(Wn[k] @ cov @ Wn[k].T) + wd[k]
    return out


def _c2_source(cfg: Config, X, sig, W, params, gamma: float, seed: int) -> np.ndarray:
    """The source's c2 with its own definitions for a general φ (§1): A0 = E φ(x̂)φ(x̂)ᵀ (clean data, mean over
    the set), Σ = E φ(x)φ(x)ᵀ, C = Σ − A0, B = A0 − (1−α)C/N (§1.1); Σ by Monte Carlo (``nl_draws`` draws)."""
    g = torch.Generator().manual_seed(seed)
    K, N, d = X.shape
    with torch.no_grad():
        F0 = _phi_net(X, params).numpy()
        Z = X[:, None] + sig.view(K, 1, 1, 1) * torch.randn(K, cfg.nl_draws, N, d, generator=g, dtype=DT)
        F = _phi_net(Z.reshape(K, -1, d), params).numpy()
    Wn = W.numpy()
    out = []
    for k in range(K):
        A0 = F0[k].T @ F0[k] / N
        S = F[k].T @ F[k] / F.shape[1]
        B = A0 - (1 - cfg.alpha) / N * (S - A0)
        out.append(-np.trace(Wn[k] @ B @ Wn[k].T) + gamma * float((Wn[k] ** 2).sum()))
    return np.array(out)


def _nonlinear(cfg: Config) -> dict:
    """Arms 2 (fixed tanh features) and 3 (trained two-layer tanh network)."""
    z = cfg.z
    sigs = [float(s) for s in cfg.nl_sigmas for _ in range(cfg.nl_replicas)]
    reps = [j for _ in cfg.nl_sigmas for j in range(cfg.nl_replicas)]
    X = torch.stack([gaussian_dataset(cfg.nl_n, np.eye(cfg.nl_d), cfg.seed * 1000 + 300 + j) for j in reps])
    sig = torch.tensor(sigs, dtype=DT)
    rows, checks, out = [], [], {}
    for arm, net in (("features", False), ("network", True)):
        gamma = cfg.net_gamma if net else cfg.nl_gamma
        W, params, hist = _train_nonlinear(cfg, X, sig, net, gamma, cfg.seed * 1000 + (77 if net else 55))
        w2 = (W**2).sum((1, 2)).numpy()
        # along the unit direction W*/‖W*‖_F (W* itself can be ~0 where the origin is a minimum): c2 per ‖W*‖²
        Wu = W / torch.as_tensor(np.sqrt(np.maximum(w2, 1e-300)), dtype=DT).view(-1, 1, 1)
        meas = _c2_measured(cfg, X, sig, Wu, params, gamma, cfg.seed * 1000 + 11)
        der = _c2_derived(cfg, X, sig, Wu, params, gamma, cfg.seed * 1000 + 13)
        src = _c2_source(cfg, X, sig, Wu, params, gamma, cfg.seed * 1000 + 17)
        nb = cfg.nl_blocks
        m, m_se = meas.mean(1), meas.std(1, ddof=1) / math.sqrt(nb)
        dv, d_se = der.mean(1), der.std(1, ddof=1) / math.sqrt(nb)
        tail = hist[int(0.8 * len(hist)):]
        arm_rows = []
        for k in range(len(sigs)):
            arm_rows.append({"arm": arm, "sigma": sigs[k], "gamma": gamma, "replica": reps[k], "W_norm2": float(w2[k]),
                             "c2_mc": float(m[k]), "c2_mc_se": float(m_se[k]), "c2_derived": float(dv[k]),
                             "c2_derived_se": float(d_se[k]), "c2_source": float(src[k]),
                             "curv_per_norm2_mc": float(m[k]), "final_loss": float(tail[:, k].mean())})
        rows += arm_rows
        se_tot = np.sqrt(m_se**2 + d_se**2)
        # tolerance: z combined standard errors + float64 rounding of the per-draw second derivatives at a unit
        # direction (sums of O(N²) terms of size O(1): 1e-12 absolute)
        ok = np.abs(m - dv) <= z * se_tot + 1e-12
        lo = [r for r in arm_rows if r["sigma"] == min(cfg.nl_sigmas)]
        hi = [r for r in arm_rows if r["sigma"] == max(cfg.nl_sigmas)]
        neg_lo = all(r["c2_mc"] + z * r["c2_mc_se"] < 0 for r in lo)
        pos_hi = all(r["c2_mc"] - z * r["c2_mc_se"] > 0 for r in hi)
        src_wrong = sum((r["c2_source"] > 0) != (r["c2_derived"] > 0) for r in arm_rows)
        # power: |c2| in standard errors at the ends of the σ grid (rows without Monte Carlo noise — σ = 0, or features
        # that weight decay made exactly constant — are decided exactly and do not limit it: inf if all are)
        margin = min([abs(r["c2_mc"]) / r["c2_mc_se"] for r in lo + hi if r["c2_mc_se"] > 0], default=math.inf)
        out[arm] = {"mc_matches": bool(ok.all()), "neg_lo": neg_lo, "pos_hi": pos_hi, "source_sign_wrong": int(src_wrong),
                    "end_margin_se": float(margin), "max_se": float(m_se.max())}
        what = "fixed tanh features" if arm == "features" else "trained tanh network"
        checks += [
            {"key": f"{arm}_mc_matches_derived", "name": f"{what}: autograd MC c2 = derived −(N/K)Tr[WĈov(m)Wᵀ] + γ‖W‖²",
             "passed": bool(ok.all()),
             "detail": f"{int(ok.sum())}/{ok.size} configs within {z} combined SE; max |diff|/SE = "
                       f"{float(np.max(np.abs(m - dv) / (se_tot + 1e-12))):.2f}"},
            {"key": f"{arm}_crossing", "name": f"{what}: c2 < 0 at σ = {min(cfg.nl_sigmas):g}, > 0 at σ = {max(cfg.nl_sigmas):g} (γ = {gamma:g})",
             "passed": bool(neg_lo and pos_hi),
             "detail": "c2 per ‖W*‖² per σ (replica 0): " + ", ".join(
                 f"σ={r['sigma']:g}: {r['c2_mc']:.3g}±{r['c2_mc_se']:.1g}" for r in arm_rows if r["replica"] == 0)
                       + f"; source's B (own definitions) has the wrong sign in {src_wrong}/{len(arm_rows)}"},
        ]
    return {"checks": checks, "rows": rows, "summary": out}


def run(cfg: Config, out_dir: Path) -> dict:
    lin = _linear(cfg, out_dir)
    checks, rows = list(lin["checks"]), list(lin["rows"])
    nl = None
    if cfg.nonlinear:
        nl = _nonlinear(cfg)
        checks += nl["checks"]
        rows += nl["rows"]
    keys = [c["key"] for c in checks]
    assert len(set(keys)) == len(keys), keys
    summary = (f"linear: c2 < 0 at every σ (γ = 0): {lin['neg_all']}, source's sign wrong in "
               f"{lin['source_sign_mismatches']}/{len(lin['rows'])}; weight-decay threshold γ > max b: {lin['gam_ok']}")
    if nl:
        for arm in ("features", "network"):
            s = nl["summary"][arm]
            summary += f"; {arm}: c2 − at σ_min {s['neg_lo']}, + at σ_max {s['pos_hi']}, MC = derived {s['mc_matches']}"
    return {"checks": checks, "table": rows, "summary": summary, "source_agrees": lin["source_agrees"],
            "source_sign_mismatches": lin["source_sign_mismatches"],
            "source_positive_margin_se": lin["source_positive_margin_se"],
            "nonlinear": None if nl is None else nl["summary"], "nl_sigmas": list(cfg.nl_sigmas),
            "a_grid": lin["a_grid"], "scan_mean": lin["scan_mean"], "scan_se": lin["scan_se"]}


def _plotting():
    from sslverify.numerics import plotting

    return plotting


CLAIMS = ("ziyin.origin-stability",)  # the claim this experiment is evidence for (plot titles)
ZERO = "c2 = 0: saddle below, local minimum above"


def plot(results: dict, out_dir: Path) -> list:
    P = _plotting()
    rows = results["table"]
    a = np.asarray(results["a_grid"])
    m, se = np.asarray(results["scan_mean"]), np.asarray(results["scan_se"])
    fig, axes = P.figure(1, 4, width=4.6, height=3.9)
    P.claim_title(fig, CLAIMS, "is the origin a saddle or a minimum of L(aW*)? Curvature c2 = ½ d²/da² [L(aW*) + "
                               "γ‖aW*‖²] at a = 0: Monte Carlo / autograd vs the derived formula vs the source's B")
    ci = 0
    for k, r in enumerate(rows[: len(m)]):  # the scan covers the linear arms (first rows of the table)
        if r["replica"] != 0 or r["arm"] not in ("sigma", "gamma"):
            continue
        lab = f"σ = {r['sigma']:g}, γ = 0" if r["arm"] == "sigma" else f"γ = {r['gamma']:.2g}, σ = {r['sigma']:g}"
        ls = "-" if r["arm"] == "sigma" else "--"
        y = m[k] / max(abs(m[k]).max(), 1e-300)  # each curve scaled to max |ΔL| = 1 (W* norms differ by σ)
        axes[0].errorbar(a, y, yerr=se[k] / max(abs(m[k]).max(), 1e-300), fmt=ls, color=P.COLORS[ci % 7],
                         label=lab, capsize=1)
        ci += 1
    axes[0].axhline(0, color="k", lw=0.6, label="L(aW*) = L(0)")
    axes[0].set_xlabel("a (scale of the trained last layer W*)")
    axes[0].set_ylabel("[L(aW*) − L(0)] / max_a |L(aW*) − L(0)|")
    axes[0].set_title("linear model, Fig. 1a's protocol (bars: MC SE)", fontsize=9)
    axes[0].legend(fontsize=6)
    for ax, arm, key, xl in ((axes[1], "sigma", "sigma", "augmentation σ (C = σ²I), γ = 0"),
                             (axes[2], "gamma", "gamma", "weight decay γ")):
        rr = [r for r in rows if r["arm"] == arm]
        x = np.array([r[key] for r in rr])
        n2 = np.array([r["W_norm2"] for r in rr])
        ax.errorbar(x, [r["c2_mc"] / q for r, q in zip(rr, n2)], yerr=[r["c2_mc_se"] / q for r, q in zip(rr, n2)],
                    fmt="o", label="measured: Monte Carlo (± SE)", capsize=2)
        ax.plot(x, [r["c2_derived"] / q for r, q in zip(rr, n2)], "x", ms=7,
                label="derived: −Tr[W*BW*ᵀ] + γ‖W*‖², B = (N/K)Ĉov")
        ax.plot(x, [r["c2_source"] / q for r, q in zip(rr, n2)], "s", mfc="none",
                label="source: B = A0 − (1−α)C/N")
        ax.axhline(0, color="k", lw=0.6, label=ZERO)
        bmaxes = sorted({r["bmax"] for r in rr if r.get("bmax") is not None}) if arm == "gamma" else []
        for j, bm in enumerate(bmaxes):  # one per data set (replica)
            P.threshold_line(ax, x=bm, ls=":", label="derived: origin a minimum iff γ > max_i b_i (per data set)"
                             if j == 0 else "_nolegend_")
        ax.set_xlabel(xl + (f", σ = {rr[0]['sigma']:g}" if arm == "gamma" and rr else ""))
        ax.set_ylabel("c2 / ‖W*‖²_F")
        ax.set_title(f"linear model: curvature at the origin vs {'σ' if arm == 'sigma' else 'γ'}", fontsize=9)
        ax.legend(fontsize=6)
    ax = axes[3]
    for ci, arm in enumerate(("features", "network")):
        rr = [r for r in rows if r["arm"] == arm]
        if not rr:
            continue
        x = np.array([r["sigma"] for r in rr]) + 0.05 * ci
        what = "tanh features" if arm == "features" else "trained tanh network"
        ax.errorbar(x, [r["c2_mc"] for r in rr], yerr=[r["c2_mc_se"] for r in rr], fmt="o", color=P.COLORS[ci],
                    capsize=2, label=f"{what}: autograd MC (γ = {rr[0]['gamma']:g})")
        ax.plot(x, [r["c2_derived"] for r in rr], "x", ms=7, color=P.COLORS[ci], label=f"{what}: derived")
        ax.plot(x, [r["c2_source"] for r in rr], "s", mfc="none", color=P.COLORS[ci], label=f"{what}: source's B")
    ax.axhline(0, color="k", lw=0.6, label=ZERO)
    ax.set_yscale("symlog", linthresh=1e-2)
    ax.set_xlabel("augmentation σ (network arm drawn +0.05)")
    ax.set_ylabel("c2 (symlog: linear within ±0.01)")
    ax.set_title("nonlinear: tanh features / trained tanh network", fontsize=9)
    ax.legend(fontsize=6)
    return [P.save(fig, Path(out_dir) / "origin_stability.png")]


SPEC = ExperimentSpec(name="ziyin_origin_stability", config=Config, run=run, plot=plot, quick=QUICK, full=FULL,
                      description=__doc__.splitlines()[0], sweeps=True)

if __name__ == "__main__":
    raise SystemExit(main(SPEC))
