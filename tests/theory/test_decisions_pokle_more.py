"""pokle.thm1b's reading decisions at their exact thresholds, their messages, and what thm1b_evidence passes on.

The readings compare float64 losses with EXACT_TOL = 1e-12 (float64 round-off bound, pokle.EXACT_TOL). Values
exactly AT a threshold are built so that the compared float expressions are bit-identical (``x - TOL`` against
``x - TOL``, or a bound of 0.0 so that ``|v − 0|`` is ``v`` exactly); the written rule (≥ / ≤ vs strict) then fixes
the expected reading by hand.
"""
from __future__ import annotations

import ast
import inspect

import pytest

from sslverify.verdicts.builtin import pokle as pk

TOL = 1e-12  # pokle.EXACT_TOL


def _rec(fn, seen, result):
    sig = inspect.signature(fn)

    def fake(*args, **kwargs):
        b = sig.bind(*args, **kwargs)
        b.apply_defaults()
        seen.append((fn.__name__, dict(b.arguments)))
        return result
    return fake


# ----------------------------------------------------------------------------- A.16 read literally
def _a16(best_minus=TOL, n=1, dist=1e-6):
    L = 0.75
    pt = {"best": L - best_minus, "loss_at_I": L, "n_near_best": n, "max_perm_distance_near_best": dist}
    return {"a16_literal": {"d2": dict(pt), "d3": dict(pt)}}


def test_a16_reading_thresholds_are_inclusive():
    """best = L(I) − TOL, one best point, distance exactly 1e-6: every rule is '≥'/'≤', so the reading is proved."""
    assert pk._reading_a16(_a16()) == "proved"
    assert pk._reading_a16(_a16(n=0)) == "inconclusive"  # no best point found: nothing to call a permutation


def test_a16_reading_at_the_tolerance_is_not_below():
    """With a non-permutation best point the reading is not proved; best exactly L(I) − TOL is round-off, not
    'below L(I)', so it is inconclusive (corrected needs best < L(I) − TOL)."""
    assert pk._reading_a16(_a16(dist=1.1e-6)) == "inconclusive"
    assert pk._reading_a16(_a16(best_minus=2 * TOL, dist=1.1e-6)) == "corrected"


# ----------------------------------------------------------------------------- cosine S
def _cos(best=0.0, inner=1.0):
    return {"bound": 0.0, "cosine_S": {"best": best, "loss_at_I": 0.0, "max_perm_distance_near_best": 0.5,
                                       "W_prime_unit_columns": True, "perm_distance_W_prime": 0.8,
                                       "cosine_loss_W_prime": 0.0, "inner_product_loss_W_prime": inner}}


def test_cosine_reading_at_bound_is_inclusive_and_inner_product_strict():
    """bound 0.0: |best − 0| = TOL exactly is 'at the bound' (≤); the inner product must exceed bound + TOL strictly."""
    assert pk._reading_cosine(_cos(best=TOL)) == "refuted"
    assert pk._reading_cosine(_cos(best=2 * TOL)) == "inconclusive"
    assert pk._reading_cosine(_cos(inner=TOL)) == "inconclusive"  # inner = bound + TOL: not above it
    assert pk._reading_cosine(_cos(inner=2 * TOL)) == "refuted"


# ----------------------------------------------------------------------------- x′ ≠ x
def _distinct(sym=True, d2_best=-TOL, fin_below=TOL, n=1):
    pt = lambda best: {"best": best, "loss_at_I": TOL, "n_near_best": n, "max_perm_distance_near_best": 1e-6}  # noqa: E731
    fin = {"best": 0.5 - fin_below, "loss_at_I": 0.5, "n_near_best": n, "max_perm_distance_near_best": 1e-6, "B": 3}
    return {"bound": 0.0, "distinct": {"symbolic": {"bound_identity": sym}, "d2": pt(d2_best), "d3": pt(0.0), "finite_B": fin}}


def test_distinct_reading_thresholds_are_inclusive():
    """bound 0: d2 best = −TOL, finite-B best = L(I) − TOL (round-off, not below), L(I) − bound = TOL exactly,
    one best point at distance exactly 1e-6 — all within the written tolerances, so proved."""
    v, why = pk._reading_distinct(_distinct())
    assert v == "proved", why


def test_distinct_reading_messages_name_what_failed():
    """Refuted names the search that went below (here only finite_B); inconclusive says nothing was below (True)."""
    v, why = pk._reading_distinct(_distinct(sym=False, fin_below=2 * TOL))
    assert v == "refuted" and "['finite_B']" in why
    v, why = pk._reading_distinct(_distinct(n=0))
    assert v == "inconclusive" and "nothing below the bound True" in why and "permutations False" in why


# ----------------------------------------------------------------------------- i.i.d. negatives
def _iid(**ce_over):
    ce = {"limit_loss_I": 1.0, "limit_loss_minus_I": 1.0 - TOL, "limit_loss_W_gstar": (1.0 - TOL) - TOL,
          "finite_B1e5_LI_minus_LnegI": TOL}
    ce.update(ce_over)
    return {"iid": {"symbolic": {"a": True}, "counterexample": ce,
                    "d2": {"best": 0.3 - TOL, "loss_at_I": 0.3, "max_perm_distance_near_best": 0.0},
                    "condition_holds": {"2": True}}}


def test_iid_reading_strict_thresholds():
    """Every 'beats' comparison is strict: differences of exactly TOL are round-off, so nothing beats I: proved."""
    v, why = pk._reading_iid(_iid())
    assert v == "proved" and why == "i.i.d. negatives: nothing beats the permutations at this (τ, α)"


@pytest.mark.parametrize("over, name", [
    (dict(limit_loss_minus_I=0.5, limit_loss_W_gstar=0.5 - TOL), "limit_minus_I_below_I"),
    (dict(limit_loss_W_gstar=0.0), "limit_W_gstar_below_minus_I"),
    (dict(finite_B1e5_LI_minus_LnegI=0.5), "finite_B_I_above_minus_I"),
])
def test_iid_inconclusive_names_the_checks_that_fail(over, name):
    """One check beats I, the rest do not: inconclusive, naming exactly the four failing checks (not the passing one)."""
    v, why = pk._reading_iid(_iid(**over))
    failing = {"limit_minus_I_below_I", "limit_W_gstar_below_minus_I", "finite_B_I_above_minus_I", "grid_below_I",
               "condition_fails_d2"} - {name}
    assert v == "inconclusive"
    listed = why.split("(", 1)[1].rsplit(", symbolic", 1)[0]
    assert sorted(ast.literal_eval(listed)) == sorted(failing)  # the message holds the Python list of failing names


def test_iid_inconclusive_names_grid_and_condition():
    """Grid below I and the condition failing, the limits not: the limit/finite checks are the ones listed."""
    ev = _iid()
    ev["iid"]["d2"]["best"] = 0.0
    ev["iid"]["condition_holds"]["2"] = False
    v, why = pk._reading_iid(ev)
    assert v == "inconclusive"
    assert "['limit_minus_I_below_I', 'limit_W_gstar_below_minus_I', 'finite_B_I_above_minus_I']" in why
    ev["iid"]["d2"]["best"] = 0.3 - TOL
    v, why = pk._reading_iid(ev)
    assert "'grid_below_I'" in why and "condition_fails_d2" not in why


# ----------------------------------------------------------------------------- thm1b_evidence plumbing
def test_thm1b_evidence_passes_quick_and_the_readings_tau_alpha(monkeypatch):
    """The gather's sizes and (τ, α) reach every sub-gather: quick by default (d = 2 symbolic), quick=False → d = 3,
    and A.16 / cosine get the (τ, α) that readings_evidence reports (0.25 here, not their 0.5 default)."""
    seen = []
    pt = {"best": 0.0, "loss_at_I": 0.0, "n_near_best": 1, "max_perm_distance_near_best": 0.0}
    rd = {"tau": 3.0, "alpha": 0.25, "bound": -0.1875, "distinct": {}, "iid": {"d2": pt},
          "condition_e_tau_1_minus_alpha_le_d_minus_alpha": {"2": True}}
    from sslverify.theory.pokle import negatives as NG
    monkeypatch.setattr(pk.LS, "limit_derivative", lambda: {"matches_closed_form": True, "derivative_zero_at_g_star": True})
    monkeypatch.setattr(pk, "thm1b_counterexample", lambda *a, **k: {})
    monkeypatch.setattr(NG, "readings_evidence", _rec(NG.readings_evidence, seen, rd))
    monkeypatch.setattr(NG, "distinct_symbolic", _rec(NG.distinct_symbolic, seen, {"ok": True}))
    monkeypatch.setattr(NG, "a16_literal_evidence", _rec(NG.a16_literal_evidence, seen, {}))
    monkeypatch.setattr(NG, "cosine_reading_evidence", _rec(NG.cosine_reading_evidence, seen, {}))
    pk.thm1b_evidence()
    got = dict(seen)
    assert got["readings_evidence"]["quick"] is True and got["distinct_symbolic"]["d"] == 2
    assert got["a16_literal_evidence"] == {"tau": 3.0, "alpha": 0.25, "quick": True}
    assert (got["cosine_reading_evidence"]["tau"], got["cosine_reading_evidence"]["alpha"]) == (3.0, 0.25)
    seen.clear()
    pk.thm1b_evidence(quick=False)
    got = dict(seen)
    assert got["distinct_symbolic"]["d"] == 3 and got["a16_literal_evidence"]["quick"] is False


# ----------------------------------------------------------------------------- the i.i.d. counterexample's numbers
def test_thm1b_counterexample_stationary_loss_and_batch_size():
    """τ = 5, α = ½, d = 2: e^{τg*} = (d−α)/(1−α) = 3, W(g*)'s ReLU columns are (cos θ, 0), (0, cos θ), so G = g*·I and
    L(g*) = −τα²g* + α log((1.5 + 1.5)/2) = −¼ ln 3 + ½ ln 1.5 (worked by hand); float64 throughout, so round-off
    ~1e-16 and 1e-12 is ample (float32 would miss by ~1e-8). The finite-batch entry is the B = 10⁵ identity its key names."""
    import math

    ce = pk.thm1b_counterexample()
    assert abs(ce["g_star"] - math.log(3) / 5) < 1e-15  # one log and a division in float64
    assert abs(ce["limit_loss_W_gstar"] - (-0.25 * math.log(3) + 0.5 * math.log(1.5))) < 1e-12
    assert ce["finite_B1e5_LI_minus_LnegI"] == pk.LS.finite_batch_loss_identity(100000, 5.0, 0.5, 2)
    assert ce["finite_B1e5_LI_minus_LnegI"] != pk.LS.finite_batch_loss_identity(100001, 5.0, 0.5, 2)
