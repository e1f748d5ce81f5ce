"""Ziyin Thm 1 (verdicts/builtin/ziyin_landscape.py): the numeric half of the gather, the symbolic flags it keeps,
the strict round-off bounds of the decision, and the Monte Carlo view sampler's handling of its inputs.

Expected values come from the committed snapshot of a real quick run (tests/theory/snapshots/ziyin.thm1.json), from
stand-in Newton / residual results whose aggregate is worked by hand, or from the same call on float64 inputs.
"""
from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from sslverify.verdicts.builtin import ziyin_landscape as ck

HERE = Path(__file__).resolve().parent


def _snapshot() -> dict:
    """The reviewed evidence of a real quick ziyin.thm1 run, deep-copied for editing."""
    raw = json.loads((HERE / "snapshots" / "ziyin.thm1.json").read_text(encoding="utf-8"))
    return copy.deepcopy(raw["evidence"])


# ----------------------------------------------------------------------------- decision: strict round-off bounds
@pytest.mark.parametrize("path, value", [
    (("forward", "worst_grad"), 1e-9),  # GRAD_TOL: constructed points must be strictly below it
    (("newton", "worst_form"), 1e-8),  # FORM_TOL: converged Newton points must be strictly below it
])
def test_thm1_value_exactly_at_tolerance_is_inconclusive(path, value):
    """A round-off bound is a strict upper limit: a value equal to it does not re-check, so Thm 1 stays inconclusive
    (the unedited snapshot is 'proved', so the edit alone changes the verdict)."""
    ev = _snapshot()
    assert ck.decide_thm1(copy.deepcopy(ev)).verdict == "proved"
    ev[path[0]][path[1]] = value
    assert ck.decide_thm1(ev).verdict == "inconclusive"


# ----------------------------------------------------------------------------- gather: thm1_numeric
def test_thm1_numeric_default_reproduces_the_quick_snapshot():
    """thm1_numeric() with its defaults is the quick gather's size (6 draws, seed 0): the counts of the committed real
    quick run are reproduced exactly, and the round-off maxima stay far below the decision bounds."""
    snap = _snapshot()
    out = ck.thm1_numeric()
    assert out["forward"]["points"] == snap["forward"]["points"] == 14
    assert out["newton"]["tried"] == snap["newton"]["tried"] == 6
    assert out["newton"]["converged"] == snap["newton"]["converged"]
    # float64 round-off of O(1) quantities: 1e3 below the 1e-9 / 1e-8 decision bounds on any BLAS
    assert out["forward"]["worst_grad"] < 1e-12 and out["newton"]["worst_form"] < 1e-11


class _StandInNewton:
    """newton_stationary stand-in: returns the start point with the given final max|∇L| per draw."""

    def __init__(self, gs):
        self.gs, self.k = list(gs), 0

    def __call__(self, W0, B, S):
        g = self.gs[self.k]
        self.k += 1
        return np.asarray(W0), g


@pytest.mark.parametrize("residuals, worst", [
    # the commutator dominates in the first converged draw, the later draw is smaller: max = 2e-9
    ([{"commutator": 2e-9, "eig_distance": 1e-12}, {"commutator": 1e-12, "eig_distance": 1e-13}], 2e-9),
    # the eigenvalue distance dominates in the first converged draw: max = 3e-9
    ([{"commutator": 1e-12, "eig_distance": 3e-9}, {"commutator": 1e-13, "eig_distance": 1e-12}], 3e-9),
])
def test_thm1_numeric_worst_form_is_max_over_converged_draws(monkeypatch, residuals, worst):
    """worst_form is the largest of both form residuals over all converged draws; a draw whose max|∇L| equals the
    stopping rule NEWTON_GTOL = 1e-10 is not 'below' it, so it is neither converged nor form-checked."""
    monkeypatch.setattr(ck.la, "newton_stationary", _StandInNewton([1e-10, 0.0, 0.0]))
    seen = []

    def form_residual(W, B, S):
        seen.append(W.shape)
        return residuals[len(seen) - 1]

    monkeypatch.setattr(ck.la, "thm1_form_residual", form_residual)
    out = ck.thm1_numeric(n=3)
    assert out["newton"] == {"tried": 3, "converged": 2, "worst_form": worst}
    assert len(seen) == 2


# ----------------------------------------------------------------------------- gather: thm1_evidence
def _stub_symbolic(monkeypatch, residuals):
    h1, h2, l1, l2 = sp.symbols("h1 h2 l1 l2", real=True)
    monkeypatch.setattr(ck.la, "thm1_symbolic_residuals", lambda: residuals)
    monkeypatch.setattr(ck.la, "thm1_diag_solutions",
                        lambda: [{h1: 0, h2: 0}, {h1: l1 / 2, h2: 0}, {h1: 0, h2: l2 / 2}, {h1: l1 / 2, h2: l2 / 2}])


def test_thm1_evidence_flags_each_symbolic_step(monkeypatch):
    """A step is proved only when it has residuals and all are 0: a nonzero residual (x) and a step with no residuals
    at all are both False; a step whose residuals are all 0 is True."""
    x = sp.Symbol("x")
    _stub_symbolic(monkeypatch, {"zero": [sp.Integer(0), sp.Integer(0)], "nonzero": [sp.Integer(0), x],
                                 "empty": []})
    monkeypatch.setattr(ck, "thm1_numeric", lambda n: {"forward": {}, "newton": {}})
    ev = ck.thm1_evidence()
    assert ev["symbolic"] == {"zero": True, "nonzero": False, "empty": False}
    assert ev["diag_solutions_ok"] is True


def test_thm1_evidence_default_is_the_quick_snapshot_size(monkeypatch):
    """thm1_evidence() defaults to the quick size: its numeric part equals the committed quick snapshot's counts
    (6 Newton draws, 14 constructed points); the symbolic part is stubbed (proved elsewhere, 2 s of SymPy)."""
    _stub_symbolic(monkeypatch, {"grad": [sp.Integer(0)]})
    snap = _snapshot()
    ev = ck.thm1_evidence()
    assert ev["newton"]["tried"] == snap["newton"]["tried"] == ck.THM1_SIZES.at(True).n
    assert ev["forward"]["points"] == snap["forward"]["points"]


# ----------------------------------------------------------------------------- Monte Carlo views: input handling
A0 = np.array([[2.0, 0.5], [0.5, 1.0]])  # entries exact in float32, Cholesky factors (√2, ...) are not
C = np.array([[0.5, -0.25], [-0.25, 1.5]])
W = np.array([[0.5, -0.25], [0.125, 0.75]])


@pytest.mark.parametrize("arg", ["A0", "C"])
def test_mc_two_views_covariances_are_used_in_float64(arg):
    """A float32 covariance with float32-exact entries gives the same draws as the float64 one: its Cholesky factor
    is taken in float64 (a float32 factor would differ by ~1e-8 relative, e.g. √2)."""
    mats = {"A0": A0, "C": C}
    ref = ck._mc_two_views(A0, C, W, draws=7, seed=3)
    mats[arg] = mats[arg].astype(np.float32)
    got = ck._mc_two_views(mats["A0"], mats["C"], W, draws=7, seed=3)
    for r, g in zip(ref, got):
        assert g.dtype == np.float64
        # identical float64 operations on identical values: equal to the last bit (float32 factors: ~1e-8 off)
        np.testing.assert_array_equal(g, r)


def test_mc_two_views_exact_weights_give_float_features():
    """W given exactly (a SymPy matrix of rationals, as the symbolic derivations produce) gives the same float64
    features as its float64 value (W's entries are binary fractions, so the float64 value is exact)."""
    Wx = sp.Matrix([[sp.Rational(1, 2), sp.Rational(-1, 4)], [sp.Rational(1, 8), sp.Rational(3, 4)]])
    ref = ck._mc_two_views(A0, C, W, draws=5, seed=1)
    got = ck._mc_two_views(A0, C, Wx, draws=5, seed=1)
    for r, g in zip(ref, got):
        assert g.dtype == np.float64
        np.testing.assert_array_equal(g, r)  # same float64 product on the same values
