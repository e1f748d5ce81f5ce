"""The nonlinear-h toy points of found.sg-hessian (Exercise 2): the SymPy evaluation (_sympy_toy_points), the torch
autograd evaluation (_torch_toy_point) and the agreement check (_toy_points_check), on tiny direct inputs.

Independent references: h(θ) = θ_m + h′·sin(θ − θ_m) + h″·(1 − cos(θ − θ_m)) differentiated by hand, evaluated with
mpmath at 50 digits (then rounded once to float64), and synthetic point lists built here.
"""
from __future__ import annotations

import math

import mpmath
import pytest

from sslverify.verdicts.builtin import found as fd

TH_M = fd.TOY_THETA_M


def _closed_form(theta, eps, hp, hpp, mp=False):
    """h − c, h′, h″ and the TOY_KEYS quantities by hand (c = θ + ε; curvature 2h′² + 2(h − c)h″ etc.)."""
    m = mpmath if mp else math
    if mp:
        theta, eps, hp, hpp, thm = (mpmath.mpf(str(v)) for v in (theta, eps, hp, hpp, TH_M))
    else:
        thm = TH_M
    u = theta - thm
    h = thm + hp * m.sin(u) + hpp * (1 - m.cos(u))
    h1 = hp * m.cos(u) + hpp * m.sin(u)
    h2 = -hp * m.sin(u) + hpp * m.cos(u)
    d = h - (theta + eps)
    return {"h_minus_target": d, "h1": h1, "h2": h2,
            "sg_second": 2, "sg_field": -2 * eps,                         # (θ − sg(θ + ε))²: 2(θ − θ − ε), curvature 2
            "curvature": 2 * h1 ** 2 + 2 * d * h2,                        # target held fixed
            "curvature_no_sg": 2 * (h1 - 1) ** 2 + 2 * d * h2,            # target θ + ε differentiated too
            "field": 2 * d * h1,                                          # ∂_φ (h(φ) − c)² at φ = θ
            "field_jacobian": 2 * h1 * (h1 - 1) + 2 * d * h2}             # d/dθ of 2(h(θ) − θ − ε)h′(θ)


# ----------------------------------------------------------------------------- SymPy side
@pytest.fixture(scope="module")
def sympy_default():
    return fd._sympy_toy_points()


def test_sympy_points_default_predictor_and_labels(sympy_default):
    """Called with its defaults the SymPy side uses h′ = 0.6 (the claim's h′), so h′(θ_m) = 0.6 exactly at the matched
    point (cos 0 = 1, sin 0 = 0); every point carries its name, θ and ε as given in TOY_POINTS."""
    assert [(p["name"], p["theta"], p["eps"]) for p in sympy_default] == list(fd.TOY_POINTS)
    assert sympy_default[0]["h1"] == 0.6 and sympy_default[0]["h2"] == fd.TOY_HPP


@pytest.mark.parametrize("i", [0, 1])
def test_sympy_points_are_the_correctly_rounded_values(sympy_default, i):
    """SymPy evaluates at 30 digits, so each float is the correctly rounded float64 of the exact value: equal (==) to the
    hand-derived closed form evaluated by mpmath at 50 digits and rounded once."""
    name, x, e = fd.TOY_POINTS[i]
    mpmath.mp.dps = 50
    try:
        ref = _closed_form(x, e, 0.6, fd.TOY_HPP, mp=True)
    finally:
        mpmath.mp.dps = 15
    p = sympy_default[i]
    for key in ("h_minus_target", "h1", "h2"):
        assert p[key] == float(ref[key]), key
    for tk, sk in fd.TOY_KEYS:
        assert p[sk] == float(ref[tk]), sk


@pytest.mark.parametrize("hp, hpp", [(0.9, 0.9), (1.3, 0.55), (0.05, -0.25)])
def test_sympy_points_correctly_rounded_for_other_predictors(hp, hpp):
    """Same exact-rounding check for two other predictors h′, h″: 30-digit SymPy values round to the same float64 as the
    50-digit mpmath closed form (==); these (h′, h″) are ones where a 15-digit evaluation is off by one ulp in h − c,
    h′, h″ or (at h′ = 0.05, h″ = −0.25) the substitution-reading curvature, so the comparison is sharp at the last bit."""
    pts = fd._sympy_toy_points(hp, hpp)
    mpmath.mp.dps = 50
    try:
        refs = [_closed_form(x, e, hp, hpp, mp=True) for _, x, e in fd.TOY_POINTS]
    finally:
        mpmath.mp.dps = 15
    for p, ref in zip(pts, refs):
        for key in ("h_minus_target", "h1", "h2"):
            assert p[key] == float(ref[key]), (p["name"], key)
        for tk, sk in fd.TOY_KEYS:
            assert p[sk] == float(ref[tk]), (p["name"], sk)


# ----------------------------------------------------------------------------- torch side
@pytest.mark.parametrize("theta, eps, hp, hpp", [(-0.5, 0.25, 0.6, 0.5), (TH_M, 0.0, 0.6, 1.0), (1.1, -0.3, 1.4, -0.7)])
def test_torch_point_matches_hand_derivatives(theta, eps, hp, hpp):
    """torch autograd at one (θ, ε) equals the hand-derived closed form for any h′, h″ (h″ ≠ 1 included): float64 of
    O(1) sin/cos expressions with ~20 operations, round-off ~1e-15, so found's F64 (1e-12) is ample."""
    got = fd._torch_toy_point(theta, eps, hp, hpp)
    ref = _closed_form(theta, eps, hp, hpp)
    assert got["theta"] == theta and got["eps"] == eps
    for key, want in ref.items():
        assert abs(got[key] - want) < fd.F64, key


# ----------------------------------------------------------------------------- the agreement check on synthetic points
def _pts(h_minus_target=(0.0, 0.5), h2=(1.0, 1.0), h1=(0.0, 0.0), curv_offset=(0.0, 0.0)):
    """Torch and SymPy point lists that agree exactly, with the curvature = 2h′² + 2(h − c)h″ (+ offset)."""
    tp, sp_ = [], []
    for j, (name, x, e) in enumerate(fd.TOY_POINTS):
        d, a2, a1 = h_minus_target[j], h2[j], h1[j]
        curv = 2 * a1 ** 2 + 2 * d * a2 + curv_offset[j]
        t = {"name": name, "theta": x, "eps": e, "h_minus_target": d, "h1": a1, "h2": a2, "sg_second": 2.0,
             "sg_field": -2 * e, "curvature": curv, "curvature_no_sg": 1.0, "field": 0.0, "field_jacobian": 0.25 + j}
        s = {"name": name, "theta": x, "eps": e, "h_minus_target": d, "h1": a1, "h2": a2}
        s.update({sk: t[tk] for tk, sk in fd.TOY_KEYS})
        tp.append(t)
        sp_.append(s)
    return {"torch": {"points": tp}, "sympy_points": sp_}


def test_points_check_passes_and_reports_the_numbers():
    """Agreeing points with h = c and h″ = 1 at the matched point and 2(h − c)h″ = 1 off it pass; the numbers carry
    h′ and the field Jacobian of each point as given."""
    ev = _pts(h1=(0.6, 0.2))
    why, nums = fd._toy_points_check(ev)
    assert why is None
    for j, (name, _, _) in enumerate(fd.TOY_POINTS):
        assert nums[name]["h1"] == (0.6, 0.2)[j] and nums[name]["field_jacobian"] == 0.25 + j
        assert nums[name]["note_2hp2"] == 2 * (0.6, 0.2)[j] ** 2


def test_points_check_missing_points_message():
    """No points: the reason says they are missing (exact text) and no numbers come back."""
    assert fd._toy_points_check({"torch": {}, "sympy_points": None}) == (
        "the nonlinear-h points are missing from the evidence", {})


def test_points_check_disagreement_boundary():
    """|torch − SymPy| = F64 exactly (0 vs 1e-12) is a disagreement (strict <); the numbers returned are both point lists."""
    ev = _pts()
    ev["torch"]["points"][1]["sg_field"] = ev["sympy_points"][1]["sg_field"] = 0.0
    ev["torch"]["points"][1]["sg_field"] = fd.F64
    why, nums = fd._toy_points_check(ev)
    assert why is not None and why.startswith("SymPy and torch autograd disagree on sg_field")
    assert set(nums) == {"torch_points", "sympy_points"}
    assert nums["torch_points"] is ev["torch"]["points"] and nums["sympy_points"] is ev["sympy_points"]


def test_points_check_curvature_record_boundary():
    """torch's curvature F64 away from 2h′² + 2(h − c)h″ (h′ = 0, h − c = 0 at the matched point: record 0, curvature
    exactly 1e-12, on both sides so they agree) fails the record check; the numbers are both point lists."""
    ev = _pts(curv_offset=(fd.F64, 0.0))
    why, nums = fd._toy_points_check(ev)
    assert why is not None and why.startswith("torch's curvature")
    assert set(nums) == {"torch_points", "sympy_points"}


def test_points_check_matched_h_equals_target_boundary():
    """|h − c| = F64 exactly at the matched point is not h(θ) = target (strict <)."""
    why, nums = fd._toy_points_check(_pts(h_minus_target=(fd.F64, 0.5)))
    assert why == "the matched point does not have h(θ) = target"
    assert set(nums) == {"matched", "unmatched"}


def test_points_check_matched_h2_boundary():
    """|h″| = TOY_TERM_MIN exactly at the matched point is enough (≥); just below it is not, with the exact reason."""
    assert fd._toy_points_check(_pts(h2=(fd.TOY_TERM_MIN, 1.0)))[0] is None
    why, _ = fd._toy_points_check(_pts(h2=(0.09, 1.0)))
    assert why == "the matched point has h″ ≈ 0 (|h″| < TOY_TERM_MIN): it cannot show that h″ drops out there"


def test_points_check_off_target_term_boundary():
    """|2(h − c)h″| = TOY_TERM_MIN exactly off target (2·0.5·0.1 = 0.1 in float64) is enough (≥); 2·0.5·0.09 is not."""
    assert 2 * 0.5 * fd.TOY_TERM_MIN == fd.TOY_TERM_MIN
    assert fd._toy_points_check(_pts(h2=(1.0, fd.TOY_TERM_MIN)))[0] is None
    why, _ = fd._toy_points_check(_pts(h2=(1.0, 0.09)))
    assert why == ("the off-target point does not separate 2h′² from the curvature (|2(h − c)h″| < TOY_TERM_MIN): "
                   "the second method has no power there")
