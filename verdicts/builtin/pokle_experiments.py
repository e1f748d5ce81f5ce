"""Checks of the experiment-backed pokle.* claims (Figs. 1–7, Table 1): each re-runs its experiment
(``numerics.experiment.run_experiment``) and computes the verdict from the measured numbers.

Records: Records of the experiment-backed Pokle et al. claims (002, Figs. 1–7, Table 1; issue 5).

Checks: theory/pokle/checks_experiments.py; experiments: experiments/reproduce_pokle_{figures,table1}.py.
Numbers quoted below are from the default (CPU-sized) runs; the checks recompute them.
"""
from __future__ import annotations

from pathlib import Path

from sslverify.experiments import run_experiment
from sslverify.verdicts.record import Outcome
from sslverify.verdicts.record import Source, claim

# ----------------------------------------------------------------------------- record constants
F = "002_ec8a1187d51f1301.txt"
TE = "tests/experiments/"
DATA = ("x = Mz + ε, d = 10, p = m = 50, n = 1000 samples, M = seeded QR, symmetric latents (one-hot e_j in Fig. 1), "
        "independent Bernoulli(½) masks (eq. 3), SGD from N(0, 1/(pd)) with zero bias, SReLU (ReLU in Table 1), normalised outputs")
NOISE = "σ₀ = log d / d read as a standard deviation (§4.1 Θ(log d/d); §4.2's N(0, log d/d) read as numpy-style (mean, std))"
SHRUNK = ("shrunk for a CPU: 1200 SGD steps of batch 128 at lr 0.5 (paper ≈ 16,000 steps of batch 512 at lr 0.025; lr·steps "
          "600 vs 400), 3 seeds (paper 5 or 3); convergence judged by flat loss over the last quarter of training")


def _check(results: dict, name: str) -> bool:
    return next(bool(c["passed"]) for c in results["checks"] if c["name"] == name)


# ----------------------------------------------------------------------------- Table 1
@claim("pokle.table1", Source(F, "§5.2.2", "Table 1"),
      "Simplified SimCLR (linear encoder + BN + ReLU + linear projector, NT-Xent) and simplified SimSiam (same encoder + linear "
      "predictor, negative cosine with stop-gradient) at Pr(sparse) = 0.1/0.2/0.3 reach max / median / min max-cosine "
      "SimCLR 0.96/0.96/0.95, 0.92/0.93/0.88, 0.60/0.70/0.51 (loss still slowly decreasing: lower bounds) and SimSiam "
      "0.95/0.95/0.95, 0.88/0.84/0.73, 0.78/0.65/0.57 (loss flat) — SimSiam's minimum lies above Table 1's in every run.",
      (DATA.replace("SReLU (ReLU in Table 1)", "ReLU after BN (Table 1's text)"), NOISE, SHRUNK,
       "NT-Xent temperature 0.2, batch 128 (not given in the source)"),
      "corrected",
      correction="Table 1's SimSiam minimum max-cosine 0.47/0.45/0.37 (the basis of 'SimSiam fails to recover the support') does "
                 "not reproduce: every SimSiam run ends above the paper's mean + std (seeds 0.75–0.80, 0.58–0.76, 0.55–0.59), "
                 "with a flat loss and a non-falling metric. Max and median agree with Table 1 except SimSiam at 0.3 (median "
                 "0.73 vs 0.45); what remains of the contrast is SimCLR's higher median (by 0.04/0.09/0.15).",
      evidence=("experiments/pokle_table1.py", TE + "test_pokle_table1.py::test_tiny_table1",
                TE + "test_pokle_table1.py::test_flatness_helpers"))
def check_table1(quick: bool, out_dir: Path) -> Outcome:
    r = run_experiment("pokle_table1", quick=quick, out_dir=out_dir)
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


@claim("pokle.cl-vs-ncl", Source(F, "§5.2.2", "Figs. 1–3"),
      "From random initialisation, non-contrastive training (eq. 4, alternating online/target, with or without BN, one- or "
      "two-layer encoder) ends with a low minimum max-cosine (≈ 0.4–0.55, median ≈ 0.67); contrastive training (NT-Xent, "
      "shared encoder) recovers MOST atoms with BN (median max-cosine ≈ 0.86–0.88, > NCL + 0.1) but its minimum max-cosine "
      "stays low as well (≈ 0.36 one-hot without BN, ≈ 0.5–0.6 k-sparse with BN), all with flat losses.",
      (DATA, NOISE, SHRUNK, "NT-Xent temperature 0.2 (not given in the source); Figs. 2–3 at Pr(sparse) ∈ {0.1, 0.3}",
       "success = min max-cosine ≥ 0.8"),
      "corrected",
      correction="Figs. 1–2 claim CL recovers the dictionary (high MINIMUM max-cosine) where NCL fails. At the paper's stated "
                 "setting (shrunk schedule, losses flat) the minimum max-cosine of CL is as low as NCL's (Fig. 1 one-hot: CL 0.36 "
                 "vs NCL 0.39; Fig. 2: CL 0.50/0.60 vs NCL 0.54/0.52 at Pr(sparse) 0.1/0.3); the contrast survives only in the "
                 "MEDIAN max-cosine (CL 0.88/0.86 vs NCL 0.67/0.68). With zero-initialised SReLU bias the one-hot CL network "
                 "starts linear, and a linear encoder's NT-Xent loss is invariant under rotations of the features, so nothing "
                 "forces neurons onto atoms.",
      counterexample="Fig. 1 setting (one-hot latents, SReLU, no BN, CL), 3 seeds, 1200 steps at lr 0.5: min max-cosine "
                     "0.37/0.36/0.37 with the loss flat over the last quarter.",
      evidence=("experiments/pokle_figures.py", TE + "test_pokle_figures.py::test_tiny_figures"))
def check_cl_vs_ncl(quick: bool, out_dir: Path) -> Outcome:
    r = run_experiment("pokle_figures", quick=quick, out_dir=out_dir)
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


@claim("pokle.predictor", Source(F, "§5.2.2", "Figs. 4–7"),
      "With BN and Pr(sparse) = 0.2: a warm start (c = 1) plus a linear predictor raises the minimum max-cosine (0.74 → 0.79; "
      "above the warm start without predictor, 0.72 → 0.73, in every seed); a predictor from random init fails (0.49). Fig. 7 "
      "as stated (c = 2, row normalisation, no predictor) starts at ≈ 0.99 and LOSES accuracy (→ 0.66); the reported start "
      "0.62 matches c = 1 (start 0.71), where row normalisation ends at 0.74.",
      (DATA, NOISE, SHRUNK, "Figs. 4–7 at Pr(sparse) = 0.2 (not given in the source); BN in every Fig. 4–7 encoder (§5.2.2)",
       "warm start: rows = random atoms covering every atom + N(0, p^(−c)) noise per entry"),
      "corrected",
      correction="The predictor part reproduces only in direction (+0.05 within 1200 steps, paper +0.13 to 0.87; the curve is "
                 "still rising slowly), and warm start alone does not clearly decrease (0.72 → 0.73, dips to 0.65 first). The "
                 "row-normalisation part (Fig. 7) is wrong as stated: with c = 2 the warm start has noise std 0.02 per entry, so "
                 "the minimum max-cosine starts at 0.99, not 0.62, and row-normalised NCL without a predictor drives it down to "
                 "0.66; the printed start 0.62 corresponds to c = 1, for which row normalisation gives 0.71 → 0.74, not 0.85.",
      counterexample="Fig. 7 with c = 2, row normalisation, BN, Pr(sparse) = 0.2, 3 seeds, 1200 steps at lr 0.5: min "
                     "max-cosine 0.99 → 0.59/0.70/0.69 with the loss flat.",
      evidence=("experiments/pokle_figures.py", TE + "test_pokle_figures.py::test_tiny_figures",
                TE + "test_pokle_figures.py::test_warm_start_noise_scale"))
def check_predictor(quick: bool, out_dir: Path) -> Outcome:
    r = run_experiment("pokle_figures", quick=quick, out_dir=out_dir)
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
