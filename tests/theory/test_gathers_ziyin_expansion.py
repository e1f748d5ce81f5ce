"""What the Ziyin expansion family's evidence functions do that no other test pins (decision edges:
test_decision_edges_ziyin_expansion.py).

test_decisions_ziyin_expansion.py moves recorded evidence across each decision's threshold; test_decisions.py and
test_snapshots.py decide the recorded fixtures.  Neither runs the evidence functions (every claim of the family
has a recorded fixture) nor the exact boundary of each comparison.  Here:

* the derivation-only gathers, re-run live, reproduce their recorded quick-size evidence (the fixture is a
  real run of the same code, so a changed seed, size or formula shows), and the numbers they report mean what
  their names say (a relative residual is the relative error of the identity, checked by injecting a known error);
* ``expansion_evidence`` wiring, with the expensive brute-force expansions replaced by recorders: which cases
  it checks (a non-commuting A0, C among them at full size), that a failing case / residual / lemma shows in the
  evidence, and that the full run's Monte Carlo target is the quartic term of the derived closed form;
* the ``extract_*`` readers of experiment results on small hand-made results (contested runs, defaults);
"""
from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from sslverify.verdicts.builtin import ziyin_expansion as zx
from sslverify.verdicts.evidence import jsonable, load_fixture
from sslverify.verdicts.registry import get_claim

_spec = importlib.util.spec_from_file_location("_zx_snapshots", Path(__file__).with_name("test_snapshots.py"))
_snap = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_snap)
differences = _snap.differences  # NUM_RTOL 1e-6 / NUM_ATOL 1e-9: round-off across machines, see test_snapshots


def _decide(cid, ev):
    return get_claim(cid).decide(ev)


@pytest.fixture
def ev(evidence_of, request):
    return evidence_of(get_claim(request.param))


# ============================================================================= derivation gathers vs their records
def test_eq2_gather_reproduces_its_record():
    ev = jsonable(zx.eq2_evidence(True))
    assert not differences(load_fixture("ziyin.eq2"), ev)
    # and the numbers are what the claim says: eq2 = eq1/N − log N at N = 6, eq2 far from eq1
    N = ev["N"]
    assert N == 6 and set(ev["symbolic_residuals"]) == {"2", "3", "4"}
    # float64 sums of O(10) log-sum-exp terms: 1e-12 relative (the decision's FLOAT_REL)
    assert abs(ev["eq2"] - (ev["eq1"] / N - math.log(N))) <= 1e-12 * abs(ev["eq2"])
    assert abs(ev["eq2"] - ev["eq1"]) > 1
    # the default is the quick size (the size the fixture records)
    assert set(zx.eq2_evidence()["symbolic_residuals"]) == {"2", "3", "4"}


def test_eq2_gather_reports_the_relative_residual_and_shifts(monkeypatch):
    # inject a known error into eq. 2: the reported residual must be |error| / |eq2|, and the negatives-only shifts
    # eq2_neg − eq1/N of the two W's must be the two injected shifts
    calls = []

    def fake(W, Xh, E, Ep, En):
        calls.append((W, E, Ep, En))
        N = Xh.shape[0]
        eq1 = 3.0 + 2.0 * len(calls)
        return {"eq1": eq1, "eq2": eq1 / N - math.log(N) + 1e-3, "eq2_negatives_only": eq1 / N + 0.25 * len(calls)}

    monkeypatch.setattr(zx.en, "eq1_eq2", fake)
    ev = zx.eq2_evidence(True)
    eq2 = 5.0 / 6 - math.log(6) + 1e-3
    assert ev["relative_residual"] == pytest.approx(1e-3 / abs(eq2), rel=1e-9)  # float64 round-off of O(1) terms
    assert ev["negatives_only_shift"] == pytest.approx([0.25, 0.5], rel=1e-12)  # same: plain float64 sums
    # both evaluations use the same noise draw (scaled by ½), at two different W (the second twice the scale)
    (W1, E1, P1, N1), (W2, E2, P2, N2) = calls
    for a, b in ((E1, E2), (P1, P2), (N1, N2)):
        assert np.array_equal(a, b)
    assert W1.shape == W2.shape == (2, 3) and not np.allclose(W1, W2)


def test_prop6_gather_reproduces_its_record():
    ev = jsonable(zx.derive_prop6())
    assert not differences(load_fixture("ziyin.prop6"), ev)
    assert ev["lemma_zero"] is True


def test_ncrit_and_sigma_derivations_reproduce_their_records():
    for cid, fn in (("ziyin.ncrit", zx.derive_ncrit), ("ziyin.sigma-scaling", zx.derive_sigma_scaling)):
        live = jsonable(fn())
        fx = load_fixture(cid)
        assert not differences({k: fx[k] for k in live}, live), cid
    d = zx.derive_ncrit()
    # N = 30 against the source's own N_crit forms: main text 22.5 (no collapse, 30 > 22.5), eq. 7 0.044 (collapse)
    assert d["main_collapses_at_witness"] is False and d["eq7_collapses_at_witness"] is True
    assert d["B_min_eig_full_rank_data"] > 0


# ============================================================================= expansion_evidence wiring
def _symmetric_psd(M) -> bool:
    A = np.array(M, dtype=float)
    return np.allclose(A, A.T) and np.linalg.eigvalsh(A).min() >= 0


def _quartic(W, A0, C, N, alpha):
    """Order-4 term of the derived expansion (the module's QUARTIC, written out here):
    E4 = ((N−1)/K²)·{[¾(N−2) + α] Tr S² + (α/2) Tr P² + (α/2)(Tr WA0Wᵀ)²}, S = W(A0+C)Wᵀ, P = WCWᵀ."""
    W, A0, C = (np.asarray(x, dtype=float) for x in (W, A0, C))
    K = N - 1 + alpha
    S, P = W @ (A0 + C) @ W.T, W @ C @ W.T
    ta = np.trace(W @ A0 @ W.T)
    return (N - 1) / K**2 * ((0.75 * (N - 2) + alpha) * np.trace(S @ S) + alpha / 2 * np.trace(P @ P)
                             + alpha / 2 * ta**2)


def _stub_expansion(monkeypatch, *, bad_case=None, bad_result=(1, 0), closed=(0, 0), lemma_bad=None, symbolic=False):
    """Replace the expensive brute-force / symbolic parts by recorders; returns the list of brute-force calls."""
    calls = []

    def brute(N, d, A0=None, C=None):
        calls.append((N, d, A0, C))
        return ("b2", N, d), "b4", "W", "A0", "C"

    def minus_closed(b2, b4, tq, N):
        return bad_result if (b2[1], b2[2]) == bad_case else (0, 0)

    monkeypatch.setattr(zx.ex, "brute_force_population", brute)
    monkeypatch.setattr(zx.ex, "trace_quantities", lambda W, A0, C: {})
    monkeypatch.setattr(zx.ex, "brute_minus_closed", minus_closed)
    monkeypatch.setattr(zx.ex, "closed_form_residuals", lambda: closed)
    monkeypatch.setattr(zx.ex, "quadratic_moment_lemma", lambda d: sp.Integer(1) if d == lemma_bad else sp.Integer(0))
    if not symbolic:
        z = sp.Integer(0)
        monkeypatch.setattr(zx.ex, "derived_orders", lambda: (z, z))
        monkeypatch.setattr(zx.ex, "source_orders", lambda: (z, z))
        monkeypatch.setattr(zx.ex, "source_mechanism_E2", lambda: z)
    return calls


def test_expansion_gather_symbolic_part_reproduces_its_record(monkeypatch):
    # everything but the brute-force cases (stubbed to pass, their list checked below) is the real derivation
    calls = []
    monkeypatch.setattr(zx.ex, "brute_force_population", lambda N, d, A0=None, C=None: calls.append((N, d)) or
                        (("b2", N, d), "b4", "W", "A0", "C"))
    monkeypatch.setattr(zx.ex, "trace_quantities", lambda W, A0, C: {})
    monkeypatch.setattr(zx.ex, "brute_minus_closed", lambda b2, b4, tq, N: (0, 0))
    ev = jsonable(zx.expansion_evidence(True))
    assert not differences(load_fixture("ziyin.expansion"), ev)
    assert ev["closed_form_zero"] is True and ev["lemma_zero"] is True
    assert ev["source_mechanism_reproduces_source"] is True


def test_expansion_gather_cases_and_failures(monkeypatch):
    calls = _stub_expansion(monkeypatch)
    ev = zx.expansion_evidence(True)
    assert ev["brute_force"] == [[2, 1, True], [3, 1, True], [4, 1, True], [2, 2, True]]
    assert "mc_quartic" not in ev
    assert [c[:2] for c in calls] == [(2, 1), (3, 1), (4, 1), (2, 2)]
    calls.clear()
    assert zx.expansion_evidence()["brute_force"] == ev["brute_force"]  # the default is the quick size
    # the d = 2 case: a valid (symmetric PSD) A0, C pair
    (_, _, A0, C), = [c for c in calls if c[1] == 2]
    assert _symmetric_psd(A0) and _symmetric_psd(C)
    # a failing brute-force case (either order) or closed form or lemma dimension shows in the evidence
    for case in ((2, 1), (3, 1), (4, 1), (2, 2)):
        for bad in ((1, 0), (0, 1)):
            monkeypatch.undo()
            _stub_expansion(monkeypatch, bad_case=case, bad_result=bad)
            got = zx.expansion_evidence(True)["brute_force"]
            assert [x[2] for x in got] == [c != case for c in ((2, 1), (3, 1), (4, 1), (2, 2))], (case, bad)
    for closed in ((0, sp.Symbol("x")), (sp.Symbol("x"), 0)):
        monkeypatch.undo()
        _stub_expansion(monkeypatch, closed=closed)
        assert zx.expansion_evidence(True)["closed_form_zero"] is False, closed
    for d in (1, 2):  # the quadratic-moment lemma is checked in the scalar and in a matrix case
        monkeypatch.undo()
        _stub_expansion(monkeypatch, lemma_bad=d)
        assert zx.expansion_evidence(True)["lemma_zero"] is False, d


def test_expansion_gather_full_size_cases_and_monte_carlo_target(monkeypatch):
    calls = _stub_expansion(monkeypatch)
    mc = []

    def fake_mc(W, A0, C, N, alpha, t=0.5, n=100_000, seed=0):
        mc.append(dict(W=W, A0=A0, C=C, N=N, alpha=alpha, t=t, n=n, seed=seed))
        return float(_quartic(W, A0, C, N, alpha)), 1e-9

    monkeypatch.setattr(zx.en, "mc_quartic_richardson", fake_mc)
    ev = zx.expansion_evidence(False)
    # full size: d = 2 at N = 2 and 3, each with a commuting (diagonal) and a non-commuting A0, C
    assert [x[:2] for x in ev["brute_force"]] == [[2, 1], [3, 1], [4, 1], [2, 2], [2, 2], [3, 2], [3, 2]]
    assert all(x[2] is True for x in ev["brute_force"])
    d2 = [c for c in calls if c[1] == 2]
    commute = []
    for N, _, A0, C in d2:
        A, Cm = np.array(A0, dtype=float), np.array(C, dtype=float)
        assert _symmetric_psd(A) and _symmetric_psd(Cm)
        commute.append((N, bool(np.allclose(A @ Cm, Cm @ A))))
    assert sorted(commute) == [(2, False), (2, True), (3, False), (3, True)]
    # the Monte Carlo quartic: its "derived" is the quartic term of the closed form at the same W, A0, C, N, α
    (call,) = mc
    q = ev["mc_quartic"]
    assert set(q) == {"mean", "se", "derived"}
    assert q["derived"] == pytest.approx(_quartic(call["W"], call["A0"], call["C"], call["N"], call["alpha"]),
                                         rel=1e-9)  # float64: log K and order 2 subtracted from O(1) terms
    assert q["mean"] == pytest.approx(q["derived"], rel=1e-9)  # same W, A0, C, N, α in both calls
    assert call["N"] == 4 and call["alpha"] == 0.5
    A, Cm = np.asarray(call["A0"], dtype=float), np.asarray(call["C"], dtype=float)
    assert _symmetric_psd(A) and _symmetric_psd(Cm) and not np.allclose(A @ Cm, Cm @ A)
    # Richardson over s = t, t/2 has bias O(t⁴): the step must be small; 2·10⁵ draws for a reproducible seed
    assert 0 < call["t"] <= 0.5 and call["n"] >= 200_000 and isinstance(call["seed"], int)
    assert _decide("ziyin.expansion", jsonable(ev)).verdict == "proved"  # the stubbed derivation equals the source


# ============================================================================= experiment plumbing
def test_experiment_passes_size_and_folder(monkeypatch, tmp_path):
    import sslverify.experiments as exps

    seen = []
    monkeypatch.setattr(exps, "run_experiment", lambda name, quick="unset", out_dir="unset": seen.append(
        (name, quick, out_dir)) or {"ok": name})
    assert zx._experiment("ziyin_ncrit", True, tmp_path) == {"ok": "ziyin_ncrit"}
    assert zx._experiment("ziyin_ncrit", False, tmp_path) == {"ok": "ziyin_ncrit"}
    assert seen == [("ziyin_ncrit", True, tmp_path), ("ziyin_ncrit", False, tmp_path)]


@pytest.mark.parametrize("fn,name,key,stubs", [
    ("collapse_threshold_evidence", "ziyin_ncrit", "ncrit", ("derive_collapse_counterexample", "extract_ncrit")),
    ("ncrit_evidence", "ziyin_ncrit", "ncrit", ("derive_ncrit", "extract_ncrit")),
    ("sigma_scaling_evidence", "ziyin_sigma_scaling", "sigma", ("derive_sigma_scaling", "extract_sigma")),
    ("origin_stability_evidence", "ziyin_origin_stability", "experiment", ("derive_origin_stability", "extract_origin")),
    ("weight_decay_evidence", "ziyin_prop2", "prop2", ("extract_prop2_weight_decay",)),
])
def test_experiment_backed_gathers_pass_size_and_folder(monkeypatch, tmp_path, fn, name, key, stubs):
    seen = []
    monkeypatch.setattr(zx, "_experiment", lambda n, quick, out_dir: seen.append((n, quick, out_dir)) or {"run": n})
    for s in stubs:
        monkeypatch.setattr(zx, s, (lambda *a: {"derived": True}) if s.startswith("derive") else (lambda res: res))
    for quick in (True, False):
        ev = getattr(zx, fn)(quick, tmp_path)
        assert ev[key] == {"run": name}
    assert seen == [(name, True, tmp_path), (name, False, tmp_path)]


def test_weight_decay_gather_numbers(monkeypatch, tmp_path):
    monkeypatch.setattr(zx, "_experiment", lambda n, quick, out_dir: {})
    monkeypatch.setattr(zx, "extract_prop2_weight_decay", lambda res: res)
    ev = zx.weight_decay_evidence(True, tmp_path)
    # a = 1, c = 4, N = 2, α = 0, γ = ½: b = (N−1)/K = 1, curvature −2b·a + 2γ = −1; threshold γ* = b·a = 1
    # (torch convention 2); the source's condition (1−α)c/N + γ = 2.5 ≥ 1 says collapse
    assert ev["curvature"] == pytest.approx(-1.0, abs=1e-15)  # float64 products of small integers and ½: exact
    assert ev["derived_threshold"] == 1.0 and ev["torch_threshold"] == 2.0
    assert ev["curvature_at_threshold"] == pytest.approx(0.0, abs=1e-15)  # same: exact up to one rounding
    assert ev["curvature_at_threshold_c100"] == pytest.approx(0.0, abs=1e-15)
    assert ev["source_predicts_collapse"] is True


# ============================================================================= extract_* on hand-made results
def _row(gamma=0.0, main=1, derived=3, eigs=(4.0, 2.0, 1.0), grown=3, unresolved=0):
    return {"gamma": gamma, "pred_main": main, "pred_derived": derived, "derived_eigs": list(eigs),
            "grown_rank": grown, "n_unresolved": unresolved}


def test_checks_by_key():
    assert zx.checks_by_key({}) == {}
    res = {"checks": [{"key": "a", "passed": 1}, {"name": "no key", "passed": True}, {"key": "b", "passed": 0}]}
    assert zx.checks_by_key(res) == {"a": True, "b": False}


def test_extract_ncrit_contested_runs():
    res = {"passed": True, "thresholds": {"tau": 0.01}, "checks": [{"key": "decisive", "passed": True}],
           "rows": [_row(eigs=(1.0, 0.2, 0.05)),               # contested: directions 1, 2 at 0.2, 0.05
                    _row(main=2, derived=2, grown=2),           # not contested (same prediction)
                    _row(main=1, derived=2, grown=1, eigs=(2.0, 0.5), unresolved=1),  # contested, did not grow
                    _row(gamma=0.5, main=0, derived=3, grown=0)],  # weight decay: not a plain run
           "landscape": [{"z_projected": 12.0}, {"z_projected": 7.5}], "summary": "s"}
    ev = zx.extract_ncrit(res)
    assert ev["contested_runs"] == 2 and ev["grew"] == 1 and ev["unresolved_contested"] == 1
    assert ev["weakest_contested_over_tau"] == pytest.approx(0.05 / 0.01, rel=1e-12)  # float64 division
    assert ev["landscape_min_z"] == 7.5 and ev["summary"] == "s" and ev["passed"] is True
    # nothing contested, no landscape, no summary: power 0 (the decision then says underpowered), z 0, ""
    bare = zx.extract_ncrit({"passed": False, "thresholds": {"tau": 0.01}, "rows": [_row(main=3, derived=3)]})
    assert bare["contested_runs"] == 0 and bare["weakest_contested_over_tau"] == 0.0
    assert bare["landscape_min_z"] == 0.0 and bare["summary"] == "" and bare["checks"] == {}


def test_extract_prop2_weight_decay_contested_runs():
    def r(source, derived, eigs, grown, unresolved=0, gamma=0.1):
        return {"gamma": gamma, "source_rank": source, "derived_rank": derived, "derived_eigs": list(eigs),
                "grown_rank": grown, "n_unresolved": unresolved}

    res = {"passed": True, "thresholds": {"tau_b": 0.1},
           "infonce": [r(1, 2, (1.0, 0.3), grown=2, unresolved=1),   # contested, weakest 0.3 (the smaller one first)
                       r(1, 2, (2.0, 1.0), grown=1),                  # contested, 0.5, did not grow
                       r(2, 2, (1.0, 0.9), grown=2),                  # not contested
                       r(0, 2, (1.0, 1e-3), grown=2, gamma=0.0)],     # no weight decay: not counted
           "summary": "p"}
    ev = zx.extract_prop2_weight_decay(res)
    assert ev["runs"] == 3 and ev["contested_runs"] == 2 and ev["grew"] == 1 and ev["unresolved"] == 1
    assert ev["weakest_contested_over_tau"] == pytest.approx(0.3 / 0.1, rel=1e-12)  # float64 division
    assert ev["summary"] == "p" and ev["tau"] == 0.1
    bare = zx.extract_prop2_weight_decay({"passed": True, "thresholds": {"tau_b": 0.1}, "infonce": [r(2, 2, (1.0, 1.0), 2)]})
    assert bare["contested_runs"] == 0 and bare["weakest_contested_over_tau"] == 0.0 and bare["summary"] == ""


def test_extract_sigma_and_origin_defaults():
    res = {"passed": True, "checks": [], "slope_measured": -3.7, "slope_se": 0.1, "slope_derived_fit": -3.8,
           "slope_tolerance": 0.7, "slopes_per_seed": [-3.6, -3.8]}
    ev = zx.extract_sigma(res)
    assert ev["summary"] == "" and ev["seeds"] == 2 and ev["slope_measured"] == -3.7
    o = zx.extract_origin({"passed": True, "source_positive_margin_se": 47.0, "source_sign_mismatches": 0})
    assert o["features_end_margin_se"] == 0.0 and o["network_end_margin_se"] == 0.0
    assert o["features_source_sign_wrong"] == 0 and o["summary"] == ""
    o = zx.extract_origin({"passed": True, "source_positive_margin_se": 1.0, "source_sign_mismatches": 0,
                           "nonlinear": {"features": {"end_margin_se": 11.0, "source_sign_wrong": 3}}})
    assert o["features_end_margin_se"] == 11.0 and o["features_source_sign_wrong"] == 3
    assert o["network_end_margin_se"] == 0.0
