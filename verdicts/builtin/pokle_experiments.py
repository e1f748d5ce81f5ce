"""The experiment-backed claims of Pokle et al. (002, §5.2.2, Figs. 1–7, Table 1): pokle.cl-vs-ncl, pokle.predictor,
pokle.table1.

Each is a split check: ``*_evidence`` runs the experiment (``experiments/pokle_figures.py``,
``experiments/pokle_table1.py``) and a pure ``extract_*`` keeps the compact evidence (checks by their stable keys, the
source's setting next to the run's, the per-comparison power); the decorated ``decide_*`` decides:

1. the source leaves a setting the claim depends on unstated or lost → ``underspecified``, naming what is missing
   (issue 9: a mismatch at a different setting is "not reproduced", never a correction);
2. the run is not at the source's stated setting → ``inconclusive`` (a confirmed / corrected verdict needs one);
3. the run did not converge by its stated criterion, or cannot detect the effect the source claims → ``inconclusive``;
4. otherwise the comparison decides (confirmed / corrected / refuted).

The recorded fixtures (tests/theory/fixtures/pokle.*.json) come from quick runs:
``python -m sslverify.verdicts.evidence pokle.table1 pokle.cl-vs-ncl pokle.predictor``.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import torch

from sslverify.experiments import run_experiment
from sslverify.numerics.dual_nets import Setting, train_dual
from sslverify.theory.pokle.power import min_detectable_difference
from sslverify.verdicts.record import Outcome, Reading, Source, claim, inconclusive

# ----------------------------------------------------------------------------- record constants
F = "002_ec8a1187d51f1301.txt"
TE = "tests/experiments/"
D = "tests/theory/test_decisions_pokle.py::"
DATA = ("x = Mz + ε, d = 10, p = m = 50, n = 1000 samples, M = seeded QR, symmetric latents (one-hot e_j in Fig. 1), "
        "independent Bernoulli(½) masks (eq. 3), SGD from N(0, 1/(pd)) with zero bias, SReLU (ReLU in Table 1), normalised outputs")
NOISE = "σ₀ = log d / d read as a standard deviation (§4.1 Θ(log d/d); §4.2's N(0, log d/d) read as numpy-style (mean, std))"
SHRUNK = ("our run is shrunk for a CPU: 1200 SGD steps of batch 128 at lr 0.5, 3 seeds (source: 8000 epochs of batch 512 at "
          "lr 0.025, 5 or 3 runs); convergence criterion: loss flat over the last quarter of training")
Q_TRAIN = ("§4.2: \"For optimization, we use stochastic gradient descent (SGD) with a learning rate of 0.025 to train the model for "
           "8000 epochs with batch size of 512. By default, the masking probability of random masks is 0.5, unless specified "
           "otherwise. In general, we use the dimensions m=50, p=50 and d=10\"")
Q_DATA = ("§4.2: \"We use the data generating process described in section 4.1 to generate a synthetic dataset with 1000 data "
          "samples.\"; \"The noise ε ∈ R^p is sampled i.i.d. from N(0, log d / d).\"; §4.1: \"All empirical results assume a small "
          "Gaussian noise with σ₀ = Θ(log d / d).\" and eq. 1 \"ε ~ N(0, σ₀² I_p)\"")
Q_INIT = ("§4.2: \"We sample each of the entries of these weight matrices from a Gaussian distribution N(0, Θ(1/(pd))); and we "
          "always initialize the bias to be zero.\"")
Q_METRIC = ("§5: \"intuitively high Minimum max-cosine is the most indicative of the success of a SSL algorithm, as it suggests "
            "that even the worst alignment of dictionary and neurons is good\"")
Q_TAU = "§4.1: \"τ is the temperature parameter\" (no value for τ is given anywhere in the source)"
def read_sigma(still_missing: str) -> tuple[Reading, ...]:
    """The two readings of the noise scale; under either, the claim's own missing settings (``still_missing``) remain."""
    return (
        Reading("σ₀ = log d / d as a standard deviation (≈ 0.23)", "underspecified",
                f"§4.1's σ₀ = Θ(log d/d) is a statement about σ₀ itself; read so, the source still omits {still_missing}",
                primary=True),
        Reading("σ₀² = log d / d (eq. 1's N(0, σ₀²I) convention, σ₀ ≈ 0.48)", "underspecified",
                "§4.2 writes N(0, log d / d) in the notation where eq. 1's second argument is the variance; this "
                f"contradicts σ₀ = Θ(log d/d), and {still_missing} stay missing"),
    )


#: What each claim's source text leaves out or has lost (issue 9: per claim, accurate).  §4.2 fixes the masking
#: probability at 0.5 "unless specified otherwise": it is lost only where a caption overrides it (Table 1, Fig. 7).
GAP_SIGMA = "the noise scale (§4.2's N(0, log d / d) vs §4.1's σ₀ = Θ(log d/d): a standard deviation or a variance)"
GAP_SRELU = ("whether the SReLU bias b (eq. 14, 'we always initialize the bias to be zero') is trained, and how b ≥ 0 is "
             "kept (the theory's Assumption 4 holds it fixed)")
GAPS = {
    "table1": ("the masking probability of Table 1 (its caption: 'we sample the diagonal entries in random masks from "
               "Bernoulli(' — the value that overrides §4.2's default 0.5 is lost)",
               "the NT-Xent temperature τ (not given anywhere; the τ sweep of pokle.cl-vs-ncl shows the contrastive outcome "
               "moves with τ in this data model)",
               GAP_SIGMA,
               "the widths of the linear projector and predictor (we use m × m)"),
    "cl-vs-ncl": ("the temperature τ of eq. 9 (not given anywhere; our τ sweep shows that it changes the outcome)",
                  "whether the similarity S of eq. 9 is taken on normalised representations (§4.1's formula is lost, but App. A "
                  "(A.16) uses S = ⟨ReLU(WDx), ReLU(WD′x′)⟩, an inner product of the activations; Fig. 1 normalises them, "
                  "Fig. 2's caption does not say)",
                  "the Pr(sparse) levels of Figs. 2–3 and all plotted values (only in the figure images)",
                  GAP_SIGMA, GAP_SRELU),
    "predictor": ("Pr(sparse) (β) for Figs. 4–7 (not stated)",
                  "Fig. 7's masking probability (its caption: 'probability of random masking is' — lost; Figs. 4–6 use "
                  "§4.2's default 0.5)",
                  "Fig. 5's starting value ('increases on average from around to 0.87' — lost)",
                  GAP_SIGMA, GAP_SRELU),
}


def _gaps(key: str) -> str:
    return "; ".join(f"({i}) {g}" for i, g in enumerate(GAPS[key], 1))


def _same(a, b) -> bool:
    """Two setting values agree (numbers to relative 1e-9: float round-off of steps/epochs arithmetic; else equality)."""
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return math.isclose(float(a), float(b), rel_tol=1e-9)
    return a == b


def setting_gaps(source: dict, run: dict) -> tuple[list[str], list[str]]:
    """(keys the source does not give, keys where the run differs from what the source gives)."""
    missing = sorted(k for k, v in source.items() if v is None)
    differs = sorted(k for k, v in source.items() if v is not None and not _same(run.get(k), v))
    return missing, differs


def underpowered(power: list[dict]) -> list[dict]:
    """Comparisons whose smallest detectable effect is not below the effect the source claims (or is not finite)."""
    return [r for r in power if not (math.isfinite(r["mde"]) and r["mde"] < r["source_effect"])]


def _validity(ev: dict, keys: tuple[str, ...], differs: list[str]) -> Outcome | None:
    """Steps 2–3 of the module docstring: an inconclusive Outcome, or None when the run can decide."""
    if differs:
        return inconclusive(f"the run is not at the source's setting (differs in {differs}: ours "
                            f"{ {k: ev['run_setting'].get(k) for k in differs} }, source "
                            f"{ {k: ev['source_setting'][k] for k in differs} }); a confirmed / corrected verdict needs a run "
                            "at the stated setting", {"differs": differs})
    bad = [k for k in keys if not ev["checks"][k]]
    if bad:
        return inconclusive(f"the run did not converge by its criterion ({bad} failed)", {"failed": bad})
    weak = underpowered(ev["power"])
    if weak:
        return inconclusive("underpowered: " + "; ".join(f"{r['comparison']}: smallest detectable {r['mde']:.3g} ≥ claimed "
                                                          f"{r['source_effect']:.3g} ({r['n_seeds']} seeds)" for r in weak)
                            + " — more seeds needed", {"underpowered": weak})
    return None


# ============================================================================= Table 1
def extract_table1(results: dict) -> dict:
    """The compact evidence of pokle.table1 from the experiment's results (pure)."""
    rows = results["table"]
    return {"source_setting": dict(results["source_setting"]), "run_setting": dict(results["run_setting"]),
            "checks": {c["key"]: bool(c["passed"]) for c in results["checks"]},
            "simsiam": [{"sparsity": r["sparsity"], "min_per_seed": r["min_per_seed"], "paper_min_mean": r["paper_min_mean"],
                         "paper_min_std": r["paper_min_std"]} for r in rows if r["method"] == "simsiam"],
            "simclr": [{"sparsity": r["sparsity"], "min_mean": r["min_mean"], "median_mean": r["median_mean"],
                        "paper_min_mean": r["paper_min_mean"]} for r in rows if r["method"] == "simclr"],
            "power": [{**p, "comparison": f"SimSiam min vs Table 1, β={p['sparsity']}"} for p in results["power"]]}


def table1_evidence(quick: bool, out_dir: Path) -> dict:
    return extract_table1(run_experiment("pokle_table1", quick=quick, out_dir=out_dir))


@claim("pokle.table1", Source(F, "§5.2.2", "Table 1"),
       "Simplified SimCLR (linear encoder + BN + ReLU + linear projector, NT-Xent) recovers the ground-truth support and simplified "
       "SimSiam (same encoder + linear predictor, negative cosine) does not: Table 1's minimum max-cosine SimCLR 0.83/0.90/0.57 vs "
       "SimSiam 0.47/0.45/0.37 (± std over 5 runs) at Pr(sparse) = 0.1/0.2/0.3.",
       (DATA.replace("SReLU (ReLU in Table 1)", "ReLU after BN (Table 1's text)"), NOISE, SHRUNK,
        "our run: NT-Xent temperature 0.2, mask probability ½ (neither is given for Table 1: §4.2's default ½ is overridden "
        "by Table 1's lost value)"),
       "underspecified",
       correction="Table 1's setting is incomplete in the source. Missing or lost: " + _gaps("table1") + ". A run at the "
                  "stated setting (8000 epochs, batch 512, lr 0.025, 5 runs) with the mask probability and τ given would decide "
                  "it. At our shrunk setting (1200 steps, lr 0.5 = 20×, batch 128, τ = 0.2, mask ½, 3 "
                  "seeds) every SimSiam run ends above Table 1's mean + std (minimum max-cosine 0.78/0.65/0.57 vs 0.47/0.45/0.37, "
                  "SimSiam loss flat) and SimCLR's loss is still decreasing (flatness 0.068 > 0.03; minimum max-cosine "
                  "0.60/0.70/0.51, below SimSiam's at 0.1 and 0.2): Table 1 is not reproduced there, which is not a correction of it.",
       evidence=("experiments/pokle_table1.py", TE + "test_pokle_table1.py::test_tiny_table1",
                 TE + "test_pokle_table1.py::test_flatness_helpers", TE + "test_pokle_table1.py::test_table1_evidence_schema",
                 D + "test_table1_decisions"),
       definitions=(
           "Table 1 caption: \"Pr(sparse) indicates the probability Pr(z_i = ±1), i ∈ [d] in the sparse coding vector z. We report "
           "mean ± std. deviation over 5 runs. ... Note that we sample the diagonal entries in random masks from Bernoulli( for "
           "these experiments.\"",
           "§5.2.2: \"Simplified-SimCLR uses a linear projector in addition to a linear encoder, and optimizes the normalized "
           "temperature-scaled cross entropy loss (Chen et al. (2020)). Simplified-Simsiam architecture uses a linear predictor, "
           "and minimizes negative cosine similarity ... Both the architectures use batch-normalization layer and ReLU activation "
           "after the encoder. We observe that Simplified-SimCLR successfully recovers the ground-truth support but "
           "Simplified-Simsiam fails to do so, as evident by its low value of Minimum Max-Cosine.\"",
           Q_TRAIN, Q_DATA, Q_INIT, Q_TAU, Q_METRIC),
       readings=read_sigma("Table 1's masking probability and τ"),
       power=("Quick run (1 seed): no seed spread, nothing detectable (MDE = ∞). Default run (3 seeds): the smallest "
              "SimSiam-vs-Table-1 difference detectable at 5 % level / 80 % power (Table 1's own std over its 5 runs included) "
              "is 0.19 / 0.31 / 0.09 at Pr(sparse) 0.1 / 0.2 / 0.3, below the SimCLR − SimSiam contrast Table 1 claims "
              "(0.36 / 0.45 / 0.20): enough seeds, but the run is not at the source's (partly lost) setting."),
       gather=table1_evidence)
def decide_table1(ev: dict) -> Outcome:
    missing, differs = setting_gaps(ev["source_setting"], ev["run_setting"])
    ours = ", ".join(f"β={s['sparsity']}: SimSiam {sum(s['min_per_seed']) / len(s['min_per_seed']):.2f} vs {s['paper_min_mean']:.2f}"
                     for s in ev["simsiam"])
    details = {"missing": missing, "differs": differs, "checks": ev["checks"]}
    if missing:
        return Outcome("underspecified", f"the source does not give {missing} for Table 1 (its caption's mask probability is "
                       f"lost; no τ anywhere); at our setting (differs in {differs}) min max-cos {ours} — not reproduced, not "
                       "a correction", details)
    bad = _validity(ev, ("simsiam_loss_flat", "simsiam_min_not_falling", "simclr_loss_flat"), differs)
    if bad is not None:
        return bad
    if ev["checks"]["simsiam_above_paper"]:
        return Outcome("corrected", f"at the source's setting every SimSiam run ends above Table 1's mean + std: {ours}", details)
    if ev["checks"]["simsiam_within_paper"]:
        return Outcome("confirmed", f"at the source's setting SimSiam's minimum max-cosine is Table 1's: {ours}", details)
    return inconclusive(f"SimSiam ends between Table 1's mean + std and mean + 2 std: {ours}", details)


# ============================================================================= Figs. 1–7
def extract_figures(results: dict, claim_key: str, tau_sweep: dict | None = None) -> dict:
    """The compact evidence of pokle.cl-vs-ncl ('cl-vs-ncl') or pokle.predictor ('predictor') (pure); cl-vs-ncl also
    carries the τ sweep (``tau_sweep``, None when not run)."""
    src, run = results["source_setting"], results["run_setting"]
    figs = ("fig1", "fig2", "fig3") if claim_key == "cl-vs-ncl" else ("fig4", "fig5", "fig6", "fig7")
    ev = {"source_setting": {**src["common"], **src[claim_key]}, "run_setting": {**run["common"], **run[claim_key]},
          "checks": {c["key"]: bool(c["passed"]) for c in results["checks"]},
          "table": [{"setting": t["setting"], "min_init": t["min_maxcos_init"], "min_final": t["min_maxcos_final"],
                     "median_final": t["median_maxcos_final"]} for t in results["table"] if t["figure"] in figs],
          "power": [p for p in results["power"] if p["claim"] == claim_key]}
    if claim_key == "predictor":
        ev["warm_start_readings"] = results["warm_start_readings"]
    else:
        ev["tau_sweep"] = tau_sweep
    return ev


def figures_evidence(claim_key: str, quick: bool, out_dir: Path) -> dict:
    sweep = tau_sweep() if claim_key == "cl-vs-ncl" else None
    return extract_figures(run_experiment("pokle_figures", quick=quick, out_dir=out_dir), claim_key, sweep)


#: The τ sweep of pokle.cl-vs-ncl: Fig. 2's setting (BN + SReLU, Pr(sparse) = 0.1, the experiment's data per seed) at CPU
#: size, CL at four NT-Xent temperatures T = 1/τ_eq9 and NCL once (it has no τ), paired over 3 seeds.  ~15 s on one core.
TAU_SWEEP = {"temperatures": (0.05, 0.2, 0.5, 1.0), "beta": 0.1, "seeds": 3, "steps": 350, "n": 500, "batch": 128,
             "lr": 0.5}
FLAT_TOL = 0.1  # the experiment's convergence criterion (pokle_figures.Config.flat_tol): late loss drift ≤ 10 % of its change


def tau_sweep() -> dict:
    """CL's final minimum / median max-cosine per seed at each temperature and NCL's, with each run's loss drift
    (``pokle_figures.change_ratio``: |last eighth − the eighth ending at ¾| / total change)."""
    from sslverify.experiments import pokle_figures as pf

    sw = TAU_SWEEP
    cfg = pf.Config(n=sw["n"], seeds=sw["seeds"], steps=sw["steps"], batch=sw["batch"], lr=sw["lr"])
    data = [pf.make_data(cfg, sw["beta"], s) for s in range(sw["seeds"])]
    X, M = torch.stack([x for x, _ in data]), torch.stack([m for _, m in data])
    arch = [Setting(bn=True)] * sw["seeds"]

    def run(loss: str, temperature: float) -> dict:
        r = train_dual(X, M, arch, loss, m=cfg.m, steps=sw["steps"], batch=sw["batch"], lr=sw["lr"], alpha=cfg.alpha,
                       tau=temperature, record_every=max(1, sw["steps"] // 40), seed=cfg.seed * 1000 + (1 if loss == "ncl" else 2))
        return {"min_final": [round(float(v), 6) for v in r.maxcos[-1, :, 2]],
                "median_final": [round(float(v), 6) for v in r.maxcos[-1, :, 1]],
                "loss_drift": float(pf.change_ratio(r.loss).max())}

    return {"setting": {k: list(v) if isinstance(v, tuple) else v for k, v in sw.items()},
            "cl": {str(t): run("cl", t) for t in sw["temperatures"]}, "ncl": run("ncl", 1.0)}


def tau_effect(sw: dict | None, claimed: float) -> dict:
    """Whether the sweep shows that τ changes the outcome: every run converged (loss drift ≤ FLAT_TOL), and the paired
    change of CL's minimum max-cosine between the worst and the best temperature is both detectable (mean > its MDE at
    5 % / 80 %, theory.pokle.power) and at least the CL − NCL contrast the source claims.  Also CL − NCL per T."""
    if not sw:
        return {"shown": None, "why": "no τ sweep in the evidence"}
    cl, ncl = sw["cl"], sw["ncl"]["min_final"]
    mean = {t: float(np.mean(r["min_final"])) for t, r in cl.items()}
    lo, hi = min(mean, key=mean.get), max(mean, key=mean.get)
    diff = [b - a for a, b in zip(cl[lo]["min_final"], cl[hi]["min_final"])]
    change, mde = float(np.mean(diff)), min_detectable_difference(diff)
    flat = all(r["loss_drift"] <= FLAT_TOL for r in cl.values()) and sw["ncl"]["loss_drift"] <= FLAT_TOL
    vs_ncl = {t: {"mean": float(np.mean([a - b for a, b in zip(r["min_final"], ncl)])),
                  "mde": min_detectable_difference([a - b for a, b in zip(r["min_final"], ncl)])} for t, r in cl.items()}
    out = {"flat": flat, "worst_T": float(lo), "best_T": float(hi), "cl_min_by_T": mean, "ncl_min": float(np.mean(ncl)),
           "change": change, "mde": mde, "claimed": claimed, "cl_minus_ncl_by_T": vs_ncl}
    if not flat:
        return {**out, "shown": None, "why": "a τ-sweep run did not converge by the loss-drift criterion"}
    return {**out, "shown": bool(change > mde and change >= claimed),
            "why": f"CL min max-cos {mean[lo]:.2f} at T = {lo} vs {mean[hi]:.2f} at T = {hi} (paired change {change:.2f}, "
                   f"detectable {mde:.2f}, claimed CL − NCL contrast {claimed:.2f}); NCL {np.mean(ncl):.2f}"}


def cl_vs_ncl_evidence(quick: bool, out_dir: Path) -> dict:
    return figures_evidence("cl-vs-ncl", quick, out_dir)


def predictor_evidence(quick: bool, out_dir: Path) -> dict:
    return figures_evidence("predictor", quick, out_dir)


def _curves(ev: dict) -> str:
    return ", ".join(f"{t['setting']}: {t['min_init']:.2f}→{t['min_final']:.2f} (median {t['median_final']:.2f})" for t in ev["table"])


@claim("pokle.cl-vs-ncl", Source(F, "§5.2.2", "Figs. 1–3"),
       "From random initialisation, contrastive training (NT-Xent, shared encoder) recovers the dictionary — high minimum "
       "max-cosine across sparsity levels — while non-contrastive training (eq. 4, alternating online/target, with or without "
       "BN, one- or two-layer encoder) does not.",
       (DATA, NOISE, SHRUNK, "our run: NT-Xent temperature 0.2 (eq. 9's τ = 5), Figs. 2–3 at Pr(sparse) ∈ {0.1, 0.3}, mask ½ "
        "(§4.2's default, which Figs. 1–3 do not override)", "success = min max-cosine ≥ 0.8",
        "τ sweep (Fig. 2's setting, Pr(sparse) 0.1, BN + SReLU, n = 500, 350 SGD steps of batch 128 at lr 0.5, 3 seeds): CL at "
        "NT-Xent temperature T = 0.05, 0.2, 0.5, 1 (eq. 9's τ = 1/T) and NCL, on the experiment's data per seed"),
       "underspecified",
       correction="The contrastive half cannot be run as stated. Missing or lost: " + _gaps("cl-vs-ncl") + ". That τ matters "
                  "is shown, not assumed: in Fig. 2's setting at CPU size (Pr(sparse) 0.1, 3 seeds, losses flat) CL's minimum "
                  "max-cosine is 0.36 / 0.44 / 0.58 / 0.55 at NT-Xent temperature T = 0.05 / 0.2 / 0.5 / 1 (eq. 9's τ = 20 / 5 / "
                  "2 / 1) — a paired change of 0.23 between T = 0.05 and 0.5 (detectable 0.03), more than the CL − NCL contrast "
                  "the source claims (0.20) — while NCL (no τ) ends at 0.53: depending on τ, CL ends 0.17 below NCL or 0.06 "
                  "above it (the review's own run of Fig. 1's one-hot setting, one seed after 16,000 steps, saw 0.961 at eq. 9's "
                  "τ = 1 vs 0.472 at τ = 10). A run at the stated setting (8000 epochs, batch 512, lr 0.025, mask ½) "
                  "with τ, S and the Pr(sparse) levels stated would decide it. At our shrunk "
                  "setting (1200 steps, lr 0.5 = 20×, batch 128, τ = 0.2, 3 seeds, losses flat) NCL stays low as claimed (minimum "
                  "max-cosine 0.39 Fig. 1, 0.54/0.52 Fig. 2, 0.51/0.46 Fig. 3), and CL's minimum is not higher: Fig. 1 one-hot "
                  "0.36 (paired CL − NCL −0.03, detectable 0.06: a powered null), Fig. 2 0.50/0.60 (detectable 0.43/0.39 > the "
                  "claimed 0.20: underpowered); only CL's median is higher (0.88/0.86 vs 0.67/0.68). Not reproduced at a "
                  "different setting, not a correction.",
       evidence=("experiments/pokle_figures.py", TE + "test_pokle_figures.py::test_tiny_figures",
                 TE + "test_pokle_figures.py::test_figures_evidence_schema", D + "test_cl_vs_ncl_decisions",
                 D + "test_cl_vs_ncl_tau_sweep", D + "test_tau_sweep_schema_and_tiny_run"),
       definitions=(
           "§5.2.2: \"Both of these figures show that when encoder is a one layer ReLU network, NCL has lower values of Minimum "
           "Max-Cosine which indicates that it has failed to recover the correct support of ground truth dictionary M, whereas CL "
           "is able to learn good representations across different levels of sparsity as shown by its high values of Minimum "
           "Max-Cosine.\"",
           "Fig. 1: \"We normalize the representations before computing the loss and use a symmetric ReLU after the linear "
           "encoder. The latent z is one-hot encoded. Reported numbers are averaged over 5 different runs.\"",
           "Fig. 2: \"We include Batch Normalization ... layer and symmetric ReLU activation after the linear encoder. Psparse "
           "indicates Pr(z_i = ±1), i ∈ [d] in the sparse coding vector z.\"",
           "§4.1, after eq. 9: \"representing the similarity of two vectors y₁ and y₂\" — the formula of S before these words is "
           "lost in the text",
           Q_TRAIN, Q_DATA, Q_INIT, Q_TAU, Q_METRIC),
       readings=read_sigma("τ, the formula of S and Figs. 2–3's Pr(sparse) levels"),
       power=("τ sweep (3 seeds, paired): the change of CL's minimum max-cosine over τ is detectable from 0.03 at 5 % / 80 % "
              "(observed 0.23, at least the claimed 0.20), so the sweep shows that τ matters; the CL − NCL differences per τ "
              "are detectable only from 0.21–0.24 (observed −0.17 … +0.06), so it does not show which way CL vs NCL goes. "
              "Quick run (1 seed): nothing detectable (MDE = ∞). Default run (3 seeds), paired CL − NCL minimum max-cosine "
              "(same data per seed), 5 % level / 80 % power: detectable 0.06 in Fig. 1 (observed −0.03), 0.43 and 0.39 in Fig. 2 "
              "at Pr(sparse) 0.1 / 0.3 (observed −0.03, +0.08) against a claimed contrast of 0.20 (the smallest the source "
              "quotes for CL vs NCL: Table 1, Pr(sparse) 0.3). Fig. 2 would need ≥ 6 seeds at its observed spread (seed std 0.14 / 0.13); it decides only once the source's "
              "setting is complete."),
       gather=cl_vs_ncl_evidence)
def decide_cl_vs_ncl(ev: dict) -> Outcome:
    missing, differs = setting_gaps(ev["source_setting"], ev["run_setting"])
    claimed = min((p["source_effect"] for p in ev["power"]), default=math.inf)
    te = tau_effect(ev.get("tau_sweep"), claimed)
    details = {"missing": missing, "differs": differs, "checks": ev["checks"], "tau_effect": te}
    if "tau" in missing:
        if te["shown"] is None and missing == ["tau"]:
            return inconclusive(f"τ is the only missing setting and the τ sweep cannot tell whether it matters ({te['why']})",
                                details)
        if te["shown"] is False:  # the sweep shows τ does not move the outcome: its absence does not block a verdict
            missing = [k for k in missing if k != "tau"]
            details["missing"] = missing
    if missing:
        tau_txt = f"; τ changes the outcome: {te['why']}" if te["shown"] else ""
        return Outcome("underspecified", f"the source does not give {missing} for Figs. 1–3{tau_txt}; at our setting (differs "
                       f"in {differs}): {_curves(ev)} — not reproduced, not a correction", details)
    bad = _validity(ev, ("losses_flat",), differs)
    if bad is not None:
        return bad
    c = ev["checks"]
    if c["ncl_below_success"] and c["cl_min_above_success"]:
        return Outcome("confirmed", f"CL recovers every atom, NCL does not: {_curves(ev)}", details)
    if c["ncl_below_success"] and c["cl_median_above_ncl"]:
        return Outcome("corrected", f"the contrast holds for the median max-cosine only, not for the minimum: {_curves(ev)}", details)
    return Outcome("refuted", f"no CL advantage at the source's setting: {_curves(ev)}", details)


@claim("pokle.predictor", Source(F, "§5.2.2", "Figs. 4–7"),
       "With BN: a warm-started encoder alone loses minimum max-cosine (Fig. 4); warm start plus a linear predictor raises it to "
       "0.87 (Fig. 5); a predictor from random init fails (Fig. 6); warm start with c = 2 and row normalisation, no predictor, "
       "raises it from around 0.62 to 0.85 (Fig. 7).",
       (DATA, NOISE, SHRUNK, "our run: Figs. 4–7 at Pr(sparse) = 0.2 (not given) and mask probability ½ (§4.2's default for "
        "Figs. 4–6; Fig. 7's own value is lost)",
        "warm start: rows = random atoms covering every atom + N(0, p^(−c)) noise per entry",
        "no temperature enters: Figs. 4–7 are non-contrastive (eq. 4 / eq. 5), so τ is not a gap of this claim"),
       "underspecified",
       correction="Figs. 4–7's setting is incomplete in the source. Missing or lost: " + _gaps("predictor") + ". A run at the "
                  "stated setting with Pr(sparse), Fig. 7's mask probability and Fig. 5's start given would decide it. Fig. 7's "
                  "'from around 0.62' is not the typical value at initialisation for c = 2 under either reading of the warm start "
                  "(rows of W = atoms, every atom drawn: ≈ 0.99; the literal columns: ≈ 0.23; c = 1, rows: ≈ 0.72); atoms drawn "
                  "independently can miss one, which lowers the start of that run only. At our shrunk setting (lr 20×, batch "
                  "128, 1200 steps, Pr(sparse) 0.2, mask ½, 3 seeds, losses flat): Fig. 4 0.72 → 0.73 (no fall), Fig. 5 0.74 → 0.79 "
                  "(above Fig. 4 in every seed, +0.06), Fig. 6 0.49, Fig. 7 with c = 2 0.99 → 0.66 (c = 1: 0.71 → 0.74): not "
                  "reproduced at a different setting, not a correction.",
       evidence=("experiments/pokle_figures.py", TE + "test_pokle_figures.py::test_tiny_figures",
                 TE + "test_pokle_figures.py::test_warm_start_noise_scale", TE + "test_pokle_figures.py::test_figures_evidence_schema",
                 D + "test_predictor_decisions"),
       definitions=(
           "§5.2.2: \"we initialize the columns of the matrix W with random columns of the dictionary matrix M and add Gaussian "
           "noise N(0, σ²I) with σ = 1/p^{c/2} ... For the results in this section, we use c=1. As we use p=50 for these "
           "experiments, we have σ ≈ 0.141.\"",
           "§5.2.2: \"Figure 4 shows that for non-contrastive loss with warm start, Minimum Max-Cosine decreases as the training "
           "proceeds\"; \"from Figure 5 ... We observe that Minimum Max-Cosine increases on average from around to 0.87 as the "
           "training proceeds.\"; \"Figure 6 shows that in the absence of 'warm-started' encoder, even with a predictor, NCL ... "
           "fails to learn the ground truth representations.\"",
           "Fig. 7 caption: \"The warm start parameter c=2 and probability of random masking is\" [value lost]; §5.2.2: \"In "
           "Figure 7, where we normalize the rows of encoder, we observe that Minimum Max-Cosine increases on average from around "
           "0.62 to 0.85 as the training proceeds.\"",
           "§5.2.2: \"for all the experiments in this subsection the encoder includes a batch normalization layer.\"",
           Q_TRAIN, Q_DATA, Q_INIT, Q_METRIC),
       readings=(
           Reading("warm start: rows of W (neurons) = random atoms + noise", "underspecified",
                   "eq. 12 compares neurons (rows of W) with atoms, so 'near the optimum' means rows near atoms; Pr(sparse), "
                   "Fig. 7's mask probability, Fig. 5's start, the noise scale and the SReLU bias's treatment stay missing "
                   "(c = 2 starts at ≈ 0.99, not 0.62)", primary=True),
           Reading("warm start: columns of W = random atoms + noise (the literal words)", "underspecified",
                   "W ∈ R^{m×p} has columns of length m = p = 50, so the words are well formed; they start far from the "
                   "optimum (≈ 0.23 for c = 2), and the same settings stay missing (no τ: the loss is non-contrastive)"),
       ),
       power=("Quick run (1 seed): nothing detectable (MDE = ∞). Default run (3 seeds), 5 % level / 80 % power: paired Fig. 5 − "
              "Fig. 4 detectable 0.09 (observed +0.06), Fig. 7's end − start detectable 0.19 (observed −0.33), both below the "
              "only change the source quotes, Fig. 7's 0.62 → 0.85 = 0.23; it decides only once the source's setting is complete."),
       gather=predictor_evidence)
def decide_predictor(ev: dict) -> Outcome:
    missing, differs = setting_gaps(ev["source_setting"], ev["run_setting"])
    ws = ev["warm_start_readings"]
    starts = "; ".join(f"{name}: " + ", ".join(f"{c} {v:.2f}" for c, v in r.items()) for name, r in ws.items())
    details = {"missing": missing, "differs": differs, "checks": ev["checks"], "warm_start_min_maxcos": ws}
    if missing:
        return Outcome("underspecified", f"the source does not give {missing} for Figs. 4–7; warm-start minimum max-cosine at "
                       f"initialisation ({starts}) vs Fig. 7's 'around 0.62' with c = 2; at our setting (differs in {differs}): "
                       f"{_curves(ev)} — not reproduced, not a correction", details)
    bad = _validity(ev, ("losses_flat",), differs)
    if bad is not None:
        return bad
    c = ev["checks"]
    if not c["fig5_predictor_rises"]:
        return Outcome("refuted", f"the predictor does not help from a warm start: {_curves(ev)}", details)
    if c["fig4_warm_falls"] and c["fig6_below_success"] and c["fig7_rises"]:
        return Outcome("confirmed", f"Figs. 4–7 reproduce: {_curves(ev)}", details)
    return Outcome("corrected", f"the predictor helps, but not every part of Figs. 4–7 reproduces "
                   f"({[k for k in ('fig4_warm_falls', 'fig6_below_success', 'fig7_rises') if not c[k]]}): {_curves(ev)}", details)
