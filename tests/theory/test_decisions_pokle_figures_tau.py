"""pokle.cl-vs-ncl / pokle.predictor in detail: the τ-sweep rule (tau_effect) at its thresholds, what the cl-vs-ncl
decision keeps and reports, the pure extraction of the figure evidence, and what the figure gathers pass on.

Inputs are hand-made where the expected value must be worked by hand (per-seed values chosen as binary fractions,
so that means and differences are exact in float64); decisions start from the committed fixture (``evidence_of``).
"""
from __future__ import annotations

import json
import sys
import math
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from sslverify.experiments import pokle_figures as pf
from sslverify.verdicts.builtin import pokle_experiments as PE
from sslverify.verdicts.registry import builtin_claims

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_decisions_pokle import complete  # noqa: E402  (evidence as if settings, convergence, power were met)

CLAIMS = builtin_claims()
CL = CLAIMS["pokle.cl-vs-ncl"]
HERE = Path(__file__).resolve().parent


def _sweep(cl: dict, ncl: list, drift: float = 0.01, ncl_drift: float | None = None) -> dict:
    """A τ sweep with CL's minimum max-cosines per temperature (per seed), NCL's, and each run's loss drift."""
    runs = {t: {"min_final": list(v), "median_final": list(v), "loss_drift": drift} for t, v in cl.items()}
    nd = drift if ncl_drift is None else ncl_drift
    return {"setting": {}, "cl": runs, "ncl": {"min_final": list(ncl), "median_final": list(ncl), "loss_drift": nd}}


# A sweep in which τ changes nothing: every temperature gives the same per-seed values (paired change exactly 0)
NO_TAU_EFFECT = _sweep({"0.05": [0.25, 0.5, 0.75], "1.0": [0.25, 0.5, 0.75]}, [0.5, 0.5, 0.5])


# ============================================================================= tau_effect
def test_tau_effect_picks_worst_and_best_temperature_by_mean():
    """The worst / best T are those with the lowest / highest mean CL minimum (not the smallest key as text):
    means 0.75 at T = 0.05, 0.5 at T = 0.5, 0.25 at T = 1.0, so worst 1.0, best 0.05, paired change 0.5 exactly."""
    sw = _sweep({"0.05": [0.75] * 3, "0.5": [0.5] * 3, "1.0": [0.25] * 3}, [0.5] * 3)
    te = PE.tau_effect(sw, 0.25)
    assert (te["worst_T"], te["best_T"]) == (1.0, 0.05)
    assert te["change"] == 0.5 and te["mde"] == 0.0  # zero seed spread: the MDE is 0 (se = 0)
    assert te["shown"] is True


def test_tau_effect_change_equal_to_claim_counts():
    """A paired change exactly equal to the claimed contrast is 'at least the claim' (docstring): 0.75 − 0.5 = 0.25
    in every seed (binary fractions, exact), claimed 0.25 → shown; claimed just above it → not shown."""
    sw = _sweep({"0.2": [0.5] * 3, "1.0": [0.75] * 3}, [0.5] * 3)
    assert PE.tau_effect(sw, 0.25)["shown"] is True
    assert PE.tau_effect(sw, math.nextafter(0.25, 1.0))["shown"] is False


def test_tau_effect_no_change_is_never_shown():
    """Identical per-seed values at every T: the change (0) is not above its MDE (0, no spread), so τ is not shown to
    matter — even against a claimed contrast of 0."""
    te = PE.tau_effect(NO_TAU_EFFECT, 0.0)
    assert te["change"] == 0.0 and te["mde"] == 0.0
    assert te["shown"] is False


@pytest.mark.parametrize("cl_drift, ncl_drift", [(0.01, 0.5), (0.5, 0.01)])
def test_tau_effect_needs_every_run_converged(cl_drift, ncl_drift):
    """One non-converged run (loss drift 0.5 > FLAT_TOL = 0.1), CL or NCL, leaves τ's effect undecided and says why."""
    sw = _sweep({"0.2": [0.25] * 3, "1.0": [0.75] * 3}, [0.5] * 3, drift=cl_drift, ncl_drift=ncl_drift)
    te = PE.tau_effect(sw, 0.25)
    assert te["flat"] is False and te["shown"] is None
    assert te["why"] == "a τ-sweep run did not converge by the loss-drift criterion"


@pytest.mark.parametrize("sw", [None, {}])
def test_tau_effect_without_sweep_says_so(sw):
    """No sweep in the evidence: undecided, and the reason names the missing sweep."""
    assert PE.tau_effect(sw, 0.2) == {"shown": None, "why": "no τ sweep in the evidence"}


# ============================================================================= decide_cl_vs_ncl
def _only_tau(ev):
    ev["source_setting"]["sparsities"] = ev["run_setting"]["sparsities"]
    return ev


def test_cl_vs_ncl_reports_why_the_sweep_cannot_tell(evidence_of):
    """τ the only gap and no sweep: inconclusive, and the reason carries the sweep's 'why'."""
    ev = _only_tau(evidence_of(CL))
    ev["tau_sweep"] = None
    out = CL.decide(ev)
    assert out.verdict == "inconclusive"
    assert "(no τ sweep in the evidence)" in out.reason


def test_cl_vs_ncl_drops_tau_when_sweep_shows_no_effect(evidence_of):
    """A sweep with no τ effect removes τ from the missing settings: with only τ missing, nothing is missing (the
    quick run then differs from the source's setting → inconclusive); with Pr(sparse) missing too, it stays
    underspecified naming only the sparsities."""
    ev = _only_tau(evidence_of(CL))
    ev["tau_sweep"] = NO_TAU_EFFECT
    out = CL.decide(ev)
    assert out.verdict == "inconclusive" and "lr" in out.details["differs"]
    ev = _only_tau(evidence_of(CL))
    ev["tau_sweep"] = NO_TAU_EFFECT
    ev["run_setting"] = dict(ev["source_setting"], tau=0.2)  # the run at the source's setting: nothing differs
    ev["checks"] = {k: True for k in ev["checks"]}
    for p in ev["power"]:
        p["mde"] = 0.5 * p["source_effect"]
    out = CL.decide(ev)
    assert out.verdict == "confirmed"
    assert set(out.details) == {"missing", "differs", "checks", "tau_effect"}
    assert out.details["missing"] == [] and out.details["differs"] == []
    ev = evidence_of(CL)
    ev["tau_sweep"] = NO_TAU_EFFECT
    out = CL.decide(ev)
    assert out.verdict == "underspecified"
    assert out.details["missing"] == ["sparsities"] and "['sparsities']" in out.reason


def test_cl_vs_ncl_without_power_rows_claims_nothing_finite(evidence_of):
    """No power rows: the claimed contrast is +∞ (min of nothing), which no finite τ change reaches, so τ is not
    shown to matter and its absence does not block (a run at the source's setting, converged: confirmed)."""
    ev = _only_tau(evidence_of(CL))
    ev["power"] = []
    ev["tau_sweep"] = _sweep({"0.2": [0.25] * 3, "1.0": [0.75] * 3}, [0.5] * 3)
    ev["run_setting"] = dict(ev["source_setting"], tau=0.2)
    ev["checks"] = {k: True for k in ev["checks"]}
    out = CL.decide(ev)
    te = out.details["tau_effect"]
    assert te["claimed"] == math.inf and te["change"] == 0.5 and te["shown"] is False
    assert out.verdict == "confirmed" and out.details["missing"] == []


def test_cl_vs_ncl_needs_the_source_setting(evidence_of):
    """Complete, converged, powered evidence but our lr differs from the source's 0.025: inconclusive, naming lr."""
    ev = complete(evidence_of(CL))
    ev["run_setting"]["lr"] = 0.5
    out = CL.decide(ev)
    assert out.verdict == "inconclusive"
    assert out.details == {"differs": ["lr"]}


@pytest.mark.parametrize("off, verdict", [((), "confirmed"), (("cl_min_above_success",), "corrected"),
                                          (("cl_min_above_success", "cl_median_above_ncl"), "refuted")])
def test_cl_vs_ncl_verdicts_keep_their_details(evidence_of, off, verdict):
    """Decided outcomes report nothing missing or different, the checks read, and the τ sweep's reading (the
    fixture's sweep shows τ matters: change 0.23 > claimed 0.20, see test_decisions_pokle)."""
    ev = complete(evidence_of(CL))
    for k in off:
        ev["checks"][k] = False
    out = CL.decide(ev)
    assert out.verdict == verdict
    assert set(out.details) == {"missing", "differs", "checks", "tau_effect"}
    assert out.details["missing"] == [] and out.details["differs"] == [] and out.details["checks"] == ev["checks"]
    assert out.details["tau_effect"]["shown"] is True


# ============================================================================= setting_gaps / _same
def test_setting_not_recorded_by_the_run_differs():
    """A setting the source gives but the run does not record (None) or records as text is a difference, not an
    error and not a match."""
    assert PE.setting_gaps({"lr": 0.025}, {}) == ([], ["lr"])
    assert PE.setting_gaps({"lr": 0.025}, {"lr": "0.025"}) == ([], ["lr"])


# ============================================================================= extract_figures
def _results():
    """Hand-made experiment results: one table row per figure, power rows of both claims, warm-start readings."""
    rows = [{"setting": f"{f} row", "figure": f, "min_maxcos_init": 0.25, "min_maxcos_final": 0.5,
             "median_maxcos_final": 0.75} for f in ("fig1", "fig2", "fig3", "fig4", "fig5", "fig6", "fig7")]
    return {"source_setting": {"common": {"lr": 0.025}, "cl-vs-ncl": {"tau": None}, "predictor": {"warm_c": 1.0}},
            "run_setting": {"common": {"lr": 0.5}, "cl-vs-ncl": {"tau": 0.2}, "predictor": {"warm_c": 1.0}},
            "checks": [{"key": "losses_flat", "passed": 1}, {"key": "fig7_rises", "passed": 0}],
            "table": rows,
            "power": [{"claim": "cl-vs-ncl", "mde": 0.1, "source_effect": 0.2},
                      {"claim": "predictor", "mde": 0.1, "source_effect": 0.23}],
            "warm_start_readings": {"rows": {"c1": 0.75, "c2": 0.99}}}


def test_extract_predictor_keeps_figs_4_to_7_and_warm_starts():
    """pokle.predictor's evidence: Figs. 4–7 rows only, its own settings / power, the warm-start readings, no sweep."""
    res = _results()
    ev = PE.extract_figures(res, "predictor", {"ignored": True})
    assert [t["setting"] for t in ev["table"]] == ["fig4 row", "fig5 row", "fig6 row", "fig7 row"]
    assert ev["table"][0] == {"setting": "fig4 row", "min_init": 0.25, "min_final": 0.5, "median_final": 0.75}
    assert ev["source_setting"] == {"lr": 0.025, "warm_c": 1.0} and ev["run_setting"] == {"lr": 0.5, "warm_c": 1.0}
    assert ev["checks"] == {"losses_flat": True, "fig7_rises": False}
    assert ev["power"] == [res["power"][1]]
    assert ev["warm_start_readings"] == {"rows": {"c1": 0.75, "c2": 0.99}}
    assert set(ev) == {"source_setting", "run_setting", "checks", "table", "power", "warm_start_readings"}


def test_extract_cl_vs_ncl_keeps_figs_1_to_3_and_the_sweep():
    """pokle.cl-vs-ncl's evidence: Figs. 1–3 rows only, its own power row, the τ sweep passed in, no warm starts."""
    res = _results()
    sweep = {"cl": {}, "ncl": {}}
    ev = PE.extract_figures(res, "cl-vs-ncl", sweep)
    assert [t["setting"] for t in ev["table"]] == ["fig1 row", "fig2 row", "fig3 row"]
    assert ev["source_setting"] == {"lr": 0.025, "tau": None} and ev["power"] == [res["power"][0]]
    assert ev["tau_sweep"] is sweep
    assert set(ev) == {"source_setting", "run_setting", "checks", "table", "power", "tau_sweep"}


# ============================================================================= the gathers
@pytest.mark.parametrize("key", ["cl-vs-ncl", "predictor"])
@pytest.mark.parametrize("quick", [True, False])
def test_figures_gather_passes_size_folder_and_runs_sweep_only_for_cl(monkeypatch, tmp_path, key, quick):
    """figures_evidence runs pokle_figures at the caller's size and folder; only cl-vs-ncl runs the (≈ 15 s) τ sweep."""
    calls = {"run": [], "sweep": 0, "extract": []}

    def fake_run(name, quick=True, out_dir=None, echo=False, **overrides):  # run_experiment's own defaults
        calls["run"].append((name, quick, out_dir, overrides))
        return "RESULTS"

    def fake_sweep():
        calls["sweep"] += 1
        return "SWEEP"

    monkeypatch.setattr(PE, "run_experiment", fake_run)
    monkeypatch.setattr(PE, "tau_sweep", fake_sweep)
    monkeypatch.setattr(PE, "extract_figures", lambda res, k, sw=None: calls["extract"].append((res, k, sw)) or "EV")
    assert PE.figures_evidence(key, quick, tmp_path) == "EV"
    assert calls["run"] == [("pokle_figures", quick, tmp_path, {})]
    assert calls["sweep"] == (1 if key == "cl-vs-ncl" else 0)
    assert calls["extract"] == [("RESULTS", key, "SWEEP" if key == "cl-vs-ncl" else None)]


# ============================================================================= tau_sweep (training stubbed)
def _fake_train(seen):
    """A stand-in for train_dual: records its keyword arguments, returns (steps // record_every + 1) records."""
    def fake(X, M, arch, loss, **kw):
        seen.append(dict(kw, loss=loss, K=len(arch)))
        R, K = kw["steps"] // kw["record_every"] + 1, len(arch)
        maxcos = np.zeros((R, K, 3))
        maxcos[-1, :, 1], maxcos[-1, :, 2] = 0.75, 0.5
        return SimpleNamespace(maxcos=maxcos, loss=np.ones((R, K)))
    return fake


def test_tau_sweep_setting_is_the_fixtures(monkeypatch):
    """The sweep's reported setting equals the committed fixture's (JSON: the temperatures as a list)."""
    seen = []
    monkeypatch.setattr(PE, "train_dual", _fake_train(seen))
    monkeypatch.setattr(pf, "make_data", lambda cfg, beta, s: (torch.zeros(4, 3), torch.zeros(3, 2)))
    sw = PE.tau_sweep()
    fx = json.loads((HERE / "fixtures" / "pokle.cl-vs-ncl.json").read_text(encoding="utf-8"))["evidence"]["tau_sweep"]
    assert sw["setting"] == fx["setting"]
    assert set(sw["cl"]) == set(fx["cl"]) and len(seen) == 5  # four CL temperatures and one NCL run


@pytest.mark.parametrize("steps, every", [(350, 8), (80, 2), (16, 1)])
def test_tau_sweep_records_on_the_experiments_schedule(monkeypatch, steps, every):
    """The sweep records its curves like pokle_figures.run (≈ 40 records, at least every step), so its loss drift is
    the experiment's criterion: 350 steps → every 8th, 80 → every 2nd (40 records), 16 (< 40) → every step."""
    seen = []
    monkeypatch.setattr(PE, "TAU_SWEEP", dict(PE.TAU_SWEEP, steps=steps, seeds=1))
    monkeypatch.setattr(PE, "train_dual", _fake_train(seen))
    monkeypatch.setattr(pf, "make_data", lambda cfg, beta, s: (torch.zeros(4, 3), torch.zeros(3, 2)))
    PE.tau_sweep()
    assert {s["record_every"] for s in seen} == {every}
