"""found.bn-near-collapse (and bn-variance, bn-collapse-gradient): |∂ẑ_b/∂z_b| of batch norm vs σ.

One BN feature, batch z_b = c + σu_b with u centred and of unit batch variance (so the biased batch
variance is exactly σ²), u drawn from seeded Gaussians; many (σ, seed) columns go through one
``torch.nn.BatchNorm1d`` (training mode, float64, eps = ε, weight γ), which normalises each column
independently, and autograd gives the diagonal Jacobian.  Compared with the derived closed form
γ/√(σ² + ε)·[1 − 1/N − u_b²σ²/(N(σ² + ε))] (theory/found/batchnorm.py) and with the note's
γ(1 − 1/N)/σ: slope −1 for σ ≫ √ε, plateau γ(1 − 1/N)/√ε for σ ≪ √ε, batch mean γ(1 − 2/N)/σ
(not γ(1 − 1/N)/σ) in between, and exactly ~0 for N = 2.

The same columns also go through BatchNorm1d with eps = 0, the note's own definition of σ_j (no ε):
there the output batch variance is γ² and the diagonal γ(1 − 1/N − u_b²/N)/σ at every σ > 0.

Every entry of ``checks`` has a stable ``key``; claim decisions read checks by key.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from sslverify.numerics.device import check_placement, resolve_device
from sslverify.numerics.experiment import ExperimentSpec, main
from sslverify.numerics.validation import check_int, check_nonnegative, check_positive


@dataclass(frozen=True)
class Config:
    batch_size: int = 4  # N
    eps: float = 1e-5  # BatchNorm1d default
    gamma: float = 1.5
    sigma_min: float = 1e-6
    sigma_max: float = 10.0
    n_sigma: int = 31
    seeds: int = 64
    seed: int = 0
    device: str = "auto"
    dtype: str = "float64"

    def validate(self) -> None:
        check_int(self.batch_size, "batch_size", 2)
        check_nonnegative(self.eps, "eps")
        check_positive(self.gamma, "gamma")
        check_nonnegative(self.sigma_min, "sigma")
        check_positive(self.sigma_max, "sigma_max")
        if not self.sigma_min < self.sigma_max:
            raise ValueError(f"sigma_min must be < sigma_max, got {self.sigma_min} >= {self.sigma_max}")
        if self.sigma_min <= 0:
            raise ValueError("sigma_min must be > 0 for a log-spaced grid")
        check_int(self.n_sigma, "n_sigma", 5)
        check_int(self.seeds, "seeds", 1)
        check_placement(self)


QUICK = dict(n_sigma=13, seeds=8)
FULL = dict(n_sigma=61, seeds=512)


def unit_batch(n: int, cols: int, seed: int) -> torch.Tensor:
    """(N, cols) centred columns with biased batch variance exactly 1."""
    g = torch.Generator().manual_seed(seed)
    u = torch.randn(n, cols, generator=g, dtype=torch.float64)
    u = u - u.mean(0, keepdim=True)
    return u / u.pow(2).mean(0, keepdim=True).sqrt()


def bn_diag_autograd(z: torch.Tensor, gamma: float, eps: float) -> tuple[torch.Tensor, torch.Tensor]:
    """(∂ẑ_b/∂z_b for every b and column, output) through torch.nn.BatchNorm1d in training mode (ε > 0)
    or through the note's formula written out (ε = 0, which torch's BatchNorm rejects)."""
    n, m = z.shape
    z = z.clone().requires_grad_(True)
    if eps > 0:
        bn = torch.nn.BatchNorm1d(m, eps=eps, affine=True, track_running_stats=False).to(z.device, z.dtype).train()
        with torch.no_grad():
            bn.weight.fill_(gamma)
            bn.bias.fill_(0.3)
        out = bn(z)
    else:  # torch's BatchNorm refuses eps = 0 in training: the note's formula, written out
        out = note_batchnorm(z, gamma, 0.3)
    diag = torch.empty(n, m, dtype=z.dtype, device=z.device)
    for b in range(n):
        (g,) = torch.autograd.grad(out[b].sum(), z, retain_graph=True)  # columns independent
        diag[b] = g[b]
    return diag, out.detach()


def note_batchnorm(z: torch.Tensor, gamma: float, beta: float) -> torch.Tensor:
    """The note's BN: γ(z − μ)/σ + β with σ = √((1/N)Σ(z − μ)²) (no ε), per column (σ > 0 required)."""
    mu = z.mean(0, keepdim=True)
    sd = (z - mu).pow(2).mean(0, keepdim=True).sqrt()
    if bool((sd == 0).any()):
        raise ValueError("note_batchnorm: a column has zero batch variance (σ_j = 0: BN undefined, as the note says)")
    return gamma * (z - mu) / sd + beta


def closed_form(u: torch.Tensor, sigma: torch.Tensor, gamma: float, eps: float) -> torch.Tensor:
    n = u.shape[0]
    s2 = sigma**2
    return gamma / torch.sqrt(s2 + eps) * (1 - 1 / n - u**2 * s2 / (n * (s2 + eps)))


def measure(n: int, cfg: Config, sigmas: np.ndarray, seed: int, eps: float | None = None) -> dict:
    eps = cfg.eps if eps is None else eps
    S, K = len(sigmas), cfg.seeds
    u = unit_batch(n, S * K, seed)
    sig = torch.as_tensor(np.repeat(sigmas, K), dtype=torch.float64)
    c = 0.7
    z = c + sig * u
    diag, out = (t.cpu() for t in bn_diag_autograd(z.to(resolve_device(cfg.device)), cfg.gamma, eps))
    pred = closed_form(u, sig, cfg.gamma, eps)
    var_out = out.var(0, unbiased=False)
    var_pred = cfg.gamma**2 * sig**2 / (sig**2 + eps)
    # at very small σ, z = c + σu loses the last bits of σu to rounding in float64: relative error
    # of the deviations ~ eps64·|c|/σ; restrict the exactness comparison to where that is < 1e-9
    ok = torch.as_tensor(np.repeat(2.2e-16 * c / sigmas < 1e-9, K))
    # error relative to the size of the individual terms γ/√(σ²+ε) (the N = 2 diagonal is a
    # cancellation of O(1/σ) terms down to O(ε/σ³), so relative-to-value would measure rounding)
    scale = cfg.gamma / torch.sqrt(sig**2 + eps)
    rel = ((diag - pred).abs() / scale)[:, ok]
    rel_var = ((var_out - var_pred).abs() / var_pred)[ok]
    return {"diag_mean": diag.mean(0).view(S, K).mean(1).numpy(), "diag_absmean": diag.abs().mean(0).view(S, K).mean(1).numpy(),
            "pred_mean": pred.mean(0).view(S, K).mean(1).numpy(), "max_rel_autograd": float(rel.max()),
            "var_out": var_out.view(S, K).mean(1).numpy(), "max_rel_var": float(rel_var.max())}


def run(cfg: Config, out_dir: Path) -> dict:
    N, g, eps = cfg.batch_size, cfg.gamma, cfg.eps
    sigmas = np.logspace(np.log10(cfg.sigma_min), np.log10(cfg.sigma_max), cfg.n_sigma)
    m = measure(N, cfg, sigmas, cfg.seed)
    m2 = measure(2, cfg, sigmas, cfg.seed + 1)
    m0 = measure(N, cfg, sigmas, cfg.seed + 2, eps=0.0)  # the note's σ_j, no ε
    m0_2 = measure(2, cfg, sigmas, cfg.seed + 3, eps=0.0)
    var0_dev = float(np.max(np.abs(m0["var_out"] / g**2 - 1)))
    root = np.sqrt(eps)
    fit = sigmas >= 30 * root  # ε/σ² ≤ 1/900: the exact curve is a power law to ~1e-3 there
    slope, intercept = np.polyfit(np.log(sigmas[fit]), np.log(m["diag_mean"][fit]), 1)
    plateau = sigmas <= 0.01 * root  # σ²/ε ≤ 1e-4
    plateau_pred = g * (1 - 1 / N) / root
    plateau_rel = float(np.max(np.abs(m["diag_mean"][plateau] / plateau_pred - 1))) if plateau.any() else float("nan")
    note = g * (1 - 1 / N) / sigmas
    ratio = m["diag_mean"][fit] / note[fit]
    ratio_pred = (N - 2) / (N - 1)
    n2_ratio = float(np.max(np.abs(m2["diag_mean"][fit]) / (g * 0.5 / sigmas[fit])))
    var_small = float(m["var_out"][0] / g**2)
    # ε = 0 (the note's definition): batch mean of the diagonal is exactly γ(1−2/N)/σ at every σ
    ratio0 = m0["diag_mean"] / note
    n2_ratio0 = float(np.max(np.abs(m0_2["diag_mean"]) / (g * 0.5 / sigmas)))
    checks = [
        # float64 autograd vs the closed form: agreement to ~1e-10 relative (condition ~ 1 away from the
        # rounding-limited σ, which is excluded inside measure())
        {"key": "autograd_matches_derived", "name": "BatchNorm1d autograd = derived Jacobian",
         "passed": max(m["max_rel_autograd"], m2["max_rel_autograd"], m0["max_rel_autograd"], m0_2["max_rel_autograd"]) < 1e-8,
         "detail": f"max rel err {max(m['max_rel_autograd'], m2['max_rel_autograd']):.2e} (ε = {eps:g}), "
                   f"{max(m0['max_rel_autograd'], m0_2['max_rel_autograd']):.2e} (ε = 0)"},
        {"key": "output_variance", "name": "output batch variance = γ²σ²/(σ²+ε)", "passed": m["max_rel_var"] < 1e-8,
         "detail": f"max rel err {m['max_rel_var']:.2e}; at σ = {sigmas[0]:.0e}: Var/γ² = {var_small:.3e} (not 1)"},
        # same float64 rounding argument as above; at ε = 0 the prediction is γ² for every σ > 0
        {"key": "output_variance_eps0", "name": "ε = 0 (note's σ_j): output batch variance = γ² at every σ",
         "passed": m0["max_rel_var"] < 1e-8, "detail": f"max |Var/γ² − 1| = {var0_dev:.2e} down to σ = {sigmas[0]:.0e}"},
        # slope tolerance 0.01: the exact curve deviates from σ^{-1} by ≤ ε/σ² ≤ 1/900 in the window
        {"key": "slope_minus_one", "name": "slope −1 for σ ≫ √ε", "passed": abs(slope + 1) < 0.01,
         "detail": f"fitted slope {slope:.4f} on σ ∈ [{sigmas[fit][0]:.1e}, {sigmas[fit][-1]:.1e}]"},
        # plateau tolerance 1e-3: relative deviation of the exact value from γ(1−1/N)/√ε is O(σ²/ε) ≤ 1e-4
        {"key": "plateau", "name": "plateau γ(1−1/N)/√ε for σ ≪ √ε", "passed": plateau.any() and plateau_rel < 1e-3,
         "detail": f"max rel deviation {plateau_rel:.2e} from {plateau_pred:.4g}"},
        # batch mean of u_b² is exactly 1, so the mean is γ(1−2/N)/σ up to ε/σ² ≤ 1/900
        {"key": "batch_mean_ratio", "name": "batch-mean diag / note's γ(1−1/N)/σ = (N−2)/(N−1)",
         "passed": bool(np.all(np.abs(ratio / ratio_pred - 1) < 3e-3)),
         "detail": f"measured ratio {ratio.min():.4f}..{ratio.max():.4f}, derived {ratio_pred:.4f}, note 1"},
        # ε = 0: no ε/σ² term, so the ratio is (N−2)/(N−1) up to float64 rounding (≤ 1e-9 relative here)
        {"key": "batch_mean_ratio_eps0", "name": "ε = 0: batch-mean diag / note's value = (N−2)/(N−1) at every σ",
         "passed": bool(np.all(np.abs(ratio0 / ratio_pred - 1) < 1e-8)),
         "detail": f"measured {ratio0.min():.6f}..{ratio0.max():.6f} on σ ∈ [{sigmas[0]:.0e}, {sigmas[-1]:.0e}]"},
        {"key": "n2_diag_zero", "name": "N = 2: diag ≈ 0, not γ/(2σ)", "passed": n2_ratio < 1e-2,
         "detail": f"max |diag| / (γ/(2σ)) = {n2_ratio:.2e} for σ ≥ 30√ε"},
        # ε = 0, N = 2: the diagonal is exactly 0; float64 leaves a cancellation residue ≲ 1e-12 of γ/(2σ)
        {"key": "n2_diag_zero_eps0", "name": "ε = 0, N = 2: diag = 0 at every σ", "passed": n2_ratio0 < 1e-8,
         "detail": f"max |diag| / (γ/(2σ)) = {n2_ratio0:.2e}"},
    ]
    table = [{"sigma": float(s), "diag_mean_N": float(a), "derived_mean_N": float(p), "note_N": float(nt),
              "diag_mean_N2": float(b), "var_out_over_gamma2": float(v / g**2)}
             for s, a, p, nt, b, v in zip(sigmas, m["diag_mean"], m["pred_mean"], note, m2["diag_mean"], m["var_out"])]
    return {"checks": checks, "table": table,
            "summary": f"BN N={N}, ε={eps:g}: slope {slope:.3f} for σ ≫ √ε, plateau γ(1−1/N)/√ε, mean/note = {ratio.mean():.3f}",
            "slope": float(slope), "intercept": float(intercept), "sigmas": sigmas.tolist(),
            "diag_mean": m["diag_mean"].tolist(), "derived_mean": m["pred_mean"].tolist(), "note": note.tolist(),
            "diag_mean_n2": m2["diag_mean"].tolist(), "plateau": plateau_pred, "ratio_pred": ratio_pred,
            "ratio_measured": float(ratio.mean()), "ratio_min": float(ratio.min()), "ratio_max": float(ratio.max()),
            "n2_ratio": n2_ratio, "fit_lo": float(sigmas[fit][0]), "plateau_rel": plateau_rel,
            "max_rel_autograd": max(m["max_rel_autograd"], m2["max_rel_autograd"]),
            "max_rel_autograd_eps0": max(m0["max_rel_autograd"], m0_2["max_rel_autograd"]),
            "var_over_gamma2_smallest_sigma": var_small, "var0_max_dev": var0_dev,
            "ratio_eps0_min": float(ratio0.min()), "ratio_eps0_max": float(ratio0.max()), "n2_ratio_eps0": n2_ratio0,
            "batch_size": N, "eps": eps, "gamma": g, "seeds": cfg.seeds}


def _plotting():
    from sslverify.numerics import plotting

    return plotting


CLAIMS = ("found.bn-near-collapse",)  # the claim this experiment is evidence for (plot titles)


def plot(results: dict, out_dir: Path) -> list:
    P = _plotting()
    N = results.get("batch_size", "N")
    fig, axes = P.figure(1, 1, width=6.2, height=4.6)
    ax = axes[0]
    P.claim_title(fig, CLAIMS, f"BatchNorm's diagonal Jacobian |∂ẑ_b/∂z_b| near collapse (batch std σ → 0), N = {N}, "
                               f"ε = {results.get('eps', 'ε'):g}, γ = {results.get('gamma', 'γ'):g}: autograd vs "
                               "the derived formula vs the note's γ(1−1/N)/σ")
    s = np.asarray(results["sigmas"])
    ax.loglog(s, results["diag_mean"], "o", ms=4, label="measured: BatchNorm1d autograd (mean over the batch)")
    ax.loglog(s, results["derived_mean"], "-", lw=1, label="derived: γ/√(σ²+ε)·[1 − 1/N − u_b²σ²/(N(σ²+ε))]")
    ax.loglog(s, results["note"], "--", lw=1, label="note: γ(1 − 1/N)/σ")
    ax.axhline(results["plateau"], color="0.5", ls=":", lw=1, label="derived plateau γ(1 − 1/N)/√ε (σ ≪ √ε)")
    n2 = np.abs(np.asarray(results["diag_mean_n2"]))
    ax.loglog(s, np.maximum(n2, 1e-12), "x", ms=4, label="measured, N = 2 (|value|, drawn ≥ 1e-12)")
    ax.axvline(results["fit_lo"], color="0.6", lw=1, label=f"slope fit from σ = {results['fit_lo']:.2g} (σ ≫ √ε)")
    ax.set_xlabel("σ (batch standard deviation of the feature)")
    ax.set_ylabel("|∂ẑ_b/∂z_b| (batch mean)")
    ax.set_title(f"fitted slope for σ ≫ √ε: {results['slope']:.3f} (derived −1)", fontsize=9)
    ax.legend(fontsize=7)
    return [P.save(fig, Path(out_dir) / "bn_gradient.png")]


SPEC = ExperimentSpec(name="found_bn_gradient", config=Config, run=run, plot=plot, quick=QUICK, full=FULL,
                      description=__doc__.splitlines()[0],
                      dtypes=("float64",))  # autograd vs closed form at float64 round-off (1e-8 checks)

if __name__ == "__main__":
    raise SystemExit(main(SPEC))
