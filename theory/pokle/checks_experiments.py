"""Checks of the experiment-backed pokle.* claims (Figs. 1–7, Table 1): each re-runs its experiment
(``numerics.experiment.run_experiment``) and computes the verdict from the measured numbers."""
from __future__ import annotations

from pathlib import Path

from numerics.experiment import run_experiment
from theory.claims import Outcome


def _check(results: dict, name: str) -> bool:
    return next(bool(c["passed"]) for c in results["checks"] if c["name"] == name)


# ----------------------------------------------------------------------------- Table 1
def check_table1(quick: bool, out_dir: Path) -> Outcome:
    r = run_experiment("reproduce_pokle_table1", quick=quick, out_dir=out_dir)
    converged = _check(r, "SimSiam loss converged (flat over the last quarter)") and _check(r, "SimSiam min max-cos not falling at the end")
    ss = [t for t in r["table"] if t["method"] == "simsiam"]
    above = all(r["simsiam_above_paper"])
    # every run within the paper's mean ± 2 std (or below): the failure reproduces
    within = all(min(t["min_per_seed"]) <= t["paper_min_mean"] + 2 * t["paper_min_std"] for t in ss)
    if converged and above:
        verdict = "corrected"
    elif converged and within:
        verdict = "confirmed"
    else:
        verdict = "underspecified"
    mins = ", ".join(f"β={t['sparsity']}: {t['min_mean']:.2f} vs {t['paper_min_mean']:.2f}" for t in ss)
    return Outcome(verdict, f"simplified SimSiam min max-cos (ours vs Table 1) {mins}; SimSiam loss flat: {converged}",
                   {"table": r["table"], "checks": r["checks"], "seconds": r.get("seconds")},
                   [str(p) for p in r.get("plots", [])])


# ----------------------------------------------------------------------------- Figs. 1–7
def _fig_checks(r: dict, tag: str) -> dict[str, bool]:
    return {c["name"]: bool(c["passed"]) for c in r["checks"] if c["name"].startswith(tag)}


def check_cl_vs_ncl(quick: bool, out_dir: Path) -> Outcome:
    r = run_experiment("reproduce_pokle_figures", quick=quick, out_dir=out_dir)
    T = {t["setting"]: t for t in r["table"]}
    flat = _check(r, "losses flat over the last quarter")
    c = _fig_checks(r, "[cl-vs-ncl]")
    ncl_fails = c["[cl-vs-ncl] NCL from random init stays below the success level (Figs. 1–3)"]
    cl_median = c["[cl-vs-ncl] CL median max-cos > NCL median + 0.1 with BN (Fig. 2)"]
    cl_min_low = c["[cl-vs-ncl] CL min max-cos also below the success level (Figs. 1–2)"]
    if flat and ncl_fails and cl_median and cl_min_low:
        verdict = "corrected"  # the contrast holds for the median, not for the minimum the figures plot
    elif flat and ncl_fails and cl_median and not cl_min_low:
        verdict = "confirmed"  # CL recovers every atom, NCL does not
    elif flat and not ncl_fails:
        verdict = "refuted"  # NCL recovers from random init too
    else:
        verdict = "underspecified"  # not converged or no CL advantage at all: cannot decide at this size
    fig2 = [k for k in T if k.startswith("fig2")]
    return Outcome(verdict, "min / median max-cos at the end: " + ", ".join(
        f"{k}: {T[k]['min_maxcos_final']:.2f}/{T[k]['median_maxcos_final']:.2f}" for k in ["fig1 NCL one-hot", "fig1 CL one-hot"] + fig2)
        + f"; losses flat: {flat}", {"table": r["table"], "checks": r["checks"]}, [str(p) for p in r.get("plots", [])])


def check_predictor(quick: bool, out_dir: Path) -> Outcome:
    r = run_experiment("reproduce_pokle_figures", quick=quick, out_dir=out_dir)
    T = {t["setting"]: t for t in r["table"]}
    flat = _check(r, "losses flat over the last quarter")
    c = _fig_checks(r, "[predictor]")
    pred_helps = c["[predictor] warm start + predictor ends above warm start alone in every seed, and above its start"]
    random_fails = c["[predictor] random init + predictor stays below the success level (Fig. 6)"]
    fig7_wrong = c["[predictor] Fig. 7 as stated (c = 2): starts ≈ 0.99, not 0.62, and row normalisation loses > 0.1"]
    c1_start = c["[predictor] the paper's start 0.62 matches c = 1 (within 0.12)"]
    if flat and pred_helps and random_fails and fig7_wrong and c1_start:
        verdict = "corrected"  # predictor part holds; the row-normalisation part (Fig. 7 as stated) does not
    elif flat and pred_helps and random_fails and not fig7_wrong:
        verdict = "confirmed"
    elif flat and not pred_helps:
        verdict = "refuted"
    else:
        verdict = "underspecified"
    keys = ["fig4 NCL warm c=1", "fig5 NCL warm c=1 + predictor", "fig6 NCL random + predictor",
            "fig7 NCL warm c=2 + row norm", "fig7 NCL warm c=1 + row norm"]
    return Outcome(verdict, "min max-cos start → end: " + ", ".join(
        f"{k[5:]}: {T[k]['min_maxcos_init']:.2f}→{T[k]['min_maxcos_final']:.2f}" for k in keys) + f"; losses flat: {flat}",
        {"table": r["table"], "checks": r["checks"]}, [str(p) for p in r.get("plots", [])])
