"""Checks for the experiment-only claims of Ziyin et al. (App. B).

``ziyin.norm-collapse`` (App. B, Fig. 3): the source states that with output normalization the
smallest eigenvalues of WᵀW collapse "much before the noise reaches" the smallest feature variance
a_min.  The claim has two parts, decided separately from the measured numbers of
experiments/verify_norm_collapse.py:
(i) qualitative: normalized InfoNCE collapses at σ² < a_min (the order-statistic interval of the
    median onset ratio ρ = σ²_onset/a_min lies below 1) while the unnormalized control does not;
(ii) quantitative: "far below" = ρ ≤ ¼ (the experiment's ``far_below``), decided by the interval.
Verdict: measurement invalid (not converged, or the control collapses) -> underspecified; interval
entirely ≥ 1 (normalization does not collapse before a_min) -> refuted; interval straddling 1 (the
onset is not reproducible across replicas) or (ii) undecided -> underspecified; (i) and (ii) hold ->
confirmed; (i) holds, (ii) fails -> corrected (the correction is the measured ρ with its interval).
"""
from __future__ import annotations

import math
import pathlib

from theory.claims import Outcome


def _fmt(x: float) -> str:
    return "none" if not math.isfinite(x) else f"{x:.3f}"


def check_norm_collapse(quick: bool, out_dir: pathlib.Path) -> Outcome:
    from numerics.experiment import run_experiment

    res = run_experiment("verify_norm_collapse", quick=quick, out_dir=out_dir)
    checks = {c["name"]: bool(c["passed"]) for c in res["checks"]}
    lo, hi = res["onset_ratio_interval"]
    med, thr = res["onset_ratio"], res["far_below_threshold"]
    details = {"onset_ratio": med, "onset_ratio_interval": [lo, hi], "coverage": res["onset_ratio_coverage"],
               "onset_ratios": res["onset_ratios"], "a_min": res["a_min"], "far_below_threshold": thr,
               "checks": checks, "normalized_collapsed_at_sigma0": res["normalized_collapsed_at_sigma0"],
               "experiment": "verify_norm_collapse", "experiment_passed": bool(res["passed"]),
               "experiment_summary": res["summary"]}
    est = f"ρ = σ²_onset/a_min = {_fmt(med)} [{_fmt(lo)}, {_fmt(hi)}] ({res['onset_ratio_coverage']:.0%})"
    if not checks["training converged (loss plateau)"]:
        return Outcome("underspecified", f"training did not converge; {est}", details)
    if not checks["(i) unnormalized control does not collapse on the same grid"]:
        return Outcome("underspecified", f"the unnormalized control collapses too; {est}", details)
    if lo >= 1.0:
        return Outcome("refuted", f"normalization does not collapse before σ² reaches a_min: {est}", details)
    if not hi < 1.0:
        return Outcome("underspecified", f"onset not reproducible across replicas (interval reaches past a_min): "
                       f"{est}; {res['normalized_collapsed_at_sigma0']} replica(s) collapsed already at σ = 0", details)
    if res["far_below"] is None:
        return Outcome("underspecified", f"collapse below a_min, but 'far below' (ρ ≤ {thr:g}) undecided: {est}",
                       details)
    if res["far_below"]:
        return Outcome("confirmed", f"collapse far below a_min: {est} ≤ {thr:g}; control does not collapse", details)
    return Outcome("corrected", f"collapse before a_min but not far below: {est} > {thr:g}; control does not collapse",
                   details)
