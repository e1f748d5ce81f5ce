"""App. B, Fig. 3: with output normalization f → f/‖f‖, InfoNCE collapses the smallest eigen-
directions of WᵀW at an augmentation strength σ² far below the smallest feature variance a_min.

Setting: the data/training of verify_sigma_scaling (fixed dataset from N(0, I_d), fresh isotropic
augmentation C = σ²I, full-batch Adam), once with normalized outputs and once without (control).
The normalized loss is invariant to W → cW, so spectra are compared normalized: r_i = λ_i / Σλ.

Definitions (stated before measuring):
* collapse at σ²: the median over replicas of r_min(σ²)/r_min(0) drops below ``collapse_frac`` (1%);
* onset σ²_onset: log-log interpolation of that median between the last grid point above and the
  first below the threshold;
* "far below the feature variance": σ²_onset ≤ ``far_below`` · a_min (¼), a_min the smallest
  eigenvalue of the dataset's (centred) empirical covariance.
"""
from __future__ import annotations

import importlib.util
import math
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from numerics.data import gaussian_dataset, isotropic_noise
from numerics.experiment import ExperimentSpec, main
from numerics.sweep import run_sweep
from numerics.trainer import LinearProblem, TrainSettings


@dataclass(frozen=True)
class Config:
    d: int = 8
    n: int = 64
    sigma2s: tuple = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)  # augmentation variances σ²; first must be 0
    seeds: int = 3
    seed: int = 0
    steps: int = 5000  # App. B
    lr: float = 6e-4  # App. B
    lr_schedule: str = "cosine"
    collapse_frac: float = 0.01
    far_below: float = 0.25
    n_smallest: int = 3
    ref_floor: float = 1e-6  # r_min(0) below this: the σ = 0 reference is itself collapsed
    device: str = "auto"

    def validate(self) -> "Config":
        if self.d < 2 or self.n < self.d + 1:
            raise ValueError(f"d must be >= 2 and n >= d + 1, got d={self.d}, n={self.n}")
        s = list(self.sigma2s)
        if len(s) < 3 or s[0] != 0 or s != sorted(s) or len(set(s)) != len(s):
            raise ValueError(f"sigma2s must be >= 3 strictly increasing values starting at 0, got {self.sigma2s}")
        if self.seeds < 1 or self.steps < 1 or self.lr <= 0:
            raise ValueError("seeds, steps must be >= 1 and lr > 0")
        if not 0 < self.collapse_frac < 1 or not 0 < self.far_below <= 1:
            raise ValueError("collapse_frac must lie in (0, 1) and far_below in (0, 1]")
        if not 1 <= self.n_smallest <= self.d:
            raise ValueError(f"n_smallest must lie in [1, d], got {self.n_smallest}")
        return self


QUICK = dict(sigma2s=(0.0, 0.01, 0.1, 0.3, 1.0), seeds=2, steps=2000, lr=1.5e-3)
FULL = dict(d=32, n=100, seeds=5, sigma2s=(0.0, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.2, 0.3, 1.0))


def onset(s2: np.ndarray, ratio: np.ndarray, frac: float) -> float | None:
    """First σ² where ``ratio`` (≥ frac at σ² = 0) falls below ``frac``; log-log interpolation."""
    below = np.nonzero(ratio < frac)[0]
    if below.size == 0:
        return None
    i = int(below[0])
    if i == 0:
        return 0.0
    x0, x1, y0, y1 = s2[i - 1], s2[i], ratio[i - 1], ratio[i]
    if x0 <= 0:  # previous point is σ² = 0: no log interpolation possible, report the grid point
        return float(x1)
    t = (math.log(frac) - math.log(y0)) / (math.log(y1) - math.log(y0))
    return float(math.exp(math.log(x0) + t * (math.log(x1) - math.log(x0))))


def _normalized(recs, seeds, S, d):
    e = np.clip(np.array([r["gram_eigs"] for r in recs]).reshape(seeds, S, d), 0, None)
    return e / e.sum(-1, keepdims=True)


def run(cfg: Config, out_dir: Path) -> dict:
    s2 = np.asarray(cfg.sigma2s, dtype=float)
    A0 = np.eye(cfg.d)
    problems, a_min = [], []
    for j in range(cfg.seeds):
        data_seed = cfg.seed * 1000 + j
        X = gaussian_dataset(cfg.n, A0, data_seed).numpy()
        a_min.append(float(np.linalg.eigvalsh(np.cov(X.T, bias=True))[0]))
        for v in s2:
            problems.append(LinearProblem(A0=A0, C=isotropic_noise(cfg.d, math.sqrt(v)), d1=cfg.d, n=cfg.n,
                                          alpha=1.0, seed=data_seed + 10_000, data_seed=data_seed,
                                          tags={"sigma2": float(v), "replica": j}))
    base = dict(steps=cfg.steps, lr=cfg.lr, lr_schedule=cfg.lr_schedule, device=cfg.device, progress=False)
    S, k = len(s2), cfg.n_smallest
    out = {}
    for name, norm in (("normalized", True), ("unnormalized", False)):
        recs = run_sweep(problems, TrainSettings(normalize=norm, **base), store=out_dir / "runs")
        r = _normalized(recs, cfg.seeds, S, cfg.d)  # (seeds, S, d) ascending
        # a replica whose σ = 0 reference is itself collapsed (r_min(0) below ref_floor) has no
        # meaningful relative drop: excluded from the median and counted
        ok = r[:, 0, 0] >= cfg.ref_floor
        rel = np.full((cfg.seeds, S), np.nan)
        rel[ok] = r[ok, :, 0] / r[ok, :1, 0]  # r_min(σ²)/r_min(0) per replica
        med = np.nanmedian(rel, axis=0) if ok.any() else np.full(S, np.nan)
        out[name] = {"r": r[:, :, :k], "rel": rel, "median_rel": med, "excluded": int((~ok).sum()),
                     "onset": onset(s2, med, cfg.collapse_frac) if ok.any() else None}
    amin = float(np.mean(a_min))
    on = out["normalized"]["onset"]
    ratio = None if on is None else on / amin
    un_min = float(np.nanmin(out["unnormalized"]["median_rel"]))
    checks = [
        {"name": "normalized model collapses within the σ² grid", "passed": on is not None,
         "detail": f"median r_min(σ²)/r_min(0) reaches {np.nanmin(out['normalized']['median_rel']):.3g} "
                   f"({out['normalized']['excluded']} replica(s) already collapsed at σ = 0 excluded) "
                   f"(collapse threshold {cfg.collapse_frac}); onset σ² = {on}"},
        {"name": "onset far below a_min", "passed": ratio is not None and ratio <= cfg.far_below,
         "detail": f"σ²_onset / a_min = {ratio if ratio is None else round(ratio, 4)} (a_min = {amin:.3f}, "
                   f"'far below' = ratio ≤ {cfg.far_below})"},
        {"name": "unnormalized control does not collapse", "passed": un_min >= cfg.collapse_frac,
         "detail": f"min over σ² ≤ {s2.max():g} of median r_min(σ²)/r_min(0) = {un_min:.3g} "
                   f"(threshold {cfg.collapse_frac})"},
    ]
    table = []
    for i, v in enumerate(s2):
        row = {"sigma2": float(v), "sigma2_over_amin": float(v / amin)}
        for name in out:
            row[f"{name}_rmin"] = float(np.median(out[name]["r"][:, i, 0]))
            row[f"{name}_rel"] = float(out[name]["median_rel"][i])
        table.append(row)
    summary = (f"normalized InfoNCE: onset σ²/a_min = {ratio if ratio is None else round(ratio, 4)} "
               f"(collapse = r_min below {cfg.collapse_frac:g} of its σ=0 value; a_min = {amin:.3f}); "
               f"unnormalized min relative r_min = {un_min:.3g}")
    return {"checks": checks, "table": table, "summary": summary, "onset_sigma2": on, "onset_ratio": ratio,
            "a_min": amin, "a_min_per_replica": a_min, "sigma2s": s2.tolist(),
            "normalized_r": out["normalized"]["r"].tolist(), "unnormalized_r": out["unnormalized"]["r"].tolist(),
            "unnormalized_min_rel": un_min, "excluded_replicas": out["normalized"]["excluded"],
            "normalized_median_rel": out["normalized"]["median_rel"].tolist()}


def _plotting():
    name = "sslverify_experiments__plotting"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("_plotting.py"))
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        spec.loader.exec_module(mod)
    return sys.modules[name]


def plot(results: dict, out_dir: Path) -> list:
    P = _plotting()
    s2 = np.asarray(results["sigma2s"])
    x = np.where(s2 > 0, s2, s2[1] / 3)  # σ² = 0 drawn one third of a step left of the first grid point
    fig, axes = P.figure(1, 2)
    for ax, name in zip(axes, ("normalized", "unnormalized")):
        r = np.asarray(results[f"{name}_r"])  # (seeds, S, k)
        for q in range(r.shape[2]):
            med = np.median(r[:, :, q], axis=0)
            ax.plot(x, np.clip(med, 1e-12, None), "o-", color=P.COLORS[q], ms=3, label=f"λ{q + 1}/Σλ")
        ax.axvline(results["a_min"], color="k", ls="--", lw=1, label="a_min")
        if name == "normalized" and results["onset_sigma2"]:
            ax.axvline(results["onset_sigma2"], color="tab:red", ls=":", lw=1, label="onset")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("σ² (leftmost point: σ² = 0)")
        ax.set_ylabel("normalized smallest eigenvalues of WᵀW")
        ax.set_title(f"{name} InfoNCE (App. B, Fig. 3)")
        ax.legend(fontsize=7)
    return [P.save(fig, Path(out_dir) / "norm_collapse.png")]


SPEC = ExperimentSpec(name="verify_norm_collapse", config=Config, run=run, plot=plot, quick=QUICK, full=FULL,
                      description=__doc__.splitlines()[0])

if __name__ == "__main__":
    raise SystemExit(main(SPEC))
