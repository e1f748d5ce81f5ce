"""found.em-predictor / found.sg-no-predictor second methods and the sphere-energy input checks, on tiny inputs:
the 1-d autograd re-check of the M-step gradients (_em_autograd_1d), SymPy's negative-cosine gradient, the exact
F64 edges of the two decisions, and the unit-norm tolerance of the sphere energies.
"""
from __future__ import annotations

import copy
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from sslverify.theory.found import uniformity
from sslverify.verdicts.builtin import found as fd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from found_evidence import ev_of  # noqa: E402


# ----------------------------------------------------------------------------- _em_autograd_1d
def _cond_var(s: float, sig2: float, w: float) -> float:
    """Var(z₂|z₁) for z_i = w(x + η_i), Var x = s, Var η_i = σ² (hand-derived Gaussian conditioning):
    Var z₁ − Cov(z₁, z₂)²/Var z₁ = w²(s+σ²) − w²s²/(s+σ²)."""
    return w * w * (s + sig2) - w * w * s * s / (s + sig2)


def test_em_autograd_1d_point_and_closed_form():
    """At (s, σ², w) = (2, ½, ½) the record's closed form 2σ²w(2s+σ²)/(s+σ²) is exactly 9/10 (fractions by hand);
    the point is echoed under its keys, and autograd's ∂_w E Var(z₂|z₁) is the central difference of the hand-derived
    conditional variance."""
    s, sig2, w = 2.0, 0.5, 0.5
    m = {"stopgrad_mstep_gradient": "0", "grad_conditional_variance": "2*sigma2*w*(2*s + sigma2)/(s + sigma2)"}
    out = fd._em_autograd_1d(m, s, sig2, w)
    assert (out["s"], out["sigma2"], out["w"]) == (s, sig2, w)
    expected = Fraction(2) * Fraction(1, 2) * Fraction(1, 2) * (2 * 2 + Fraction(1, 2)) / (2 + Fraction(1, 2))
    assert expected == Fraction(9, 10)
    assert abs(out["formula_var"] - float(expected)) < 1e-15  # a few float64 operations on O(1) numbers
    h = 1e-5
    fdiff = (_cond_var(s, sig2, w + h) - _cond_var(s, sig2, w - h)) / (2 * h)
    # Var is quadratic in w, so the central difference is exact up to round-off ~1e-16/h ≈ 1e-11
    assert abs(out["norm_var"] - fdiff) < 1e-9
    assert abs(out["sympy_var"] - 0.9) < 1e-15 and out["sympy_sg"] == 0.0  # SymPy strings above, evaluated
    assert out["norm_sg"] < 1e-12  # the sg M-step gradient is 0 (record); float64 round-off


# ----------------------------------------------------------------------------- SymPy ∇_z D of the negative cosine
def test_sympy_neg_cosine_gradient_default_is_three_dimensional():
    """Default d = 3: ∇_z(−aᵀz/(‖a‖‖z‖)) = −a/(‖a‖‖z‖) + (aᵀz) z/(‖a‖‖z‖³); at a = (1,2,2), z = (0,3,4)
    (‖a‖ = 3, ‖z‖ = 5, aᵀz = 14) that is (−25, −8, 6)/375 worked by hand."""
    g = fd._sympy_neg_cosine_gradient()
    got = np.array(g((1.0, 2.0, 2.0), (0.0, 3.0, 4.0)), dtype=float)
    assert np.max(np.abs(got - np.array([-25.0, -8.0, 6.0]) / 375)) < 1e-15  # float64 round-off of O(0.1) values


# ----------------------------------------------------------------------------- decide_em_predictor F64 edges
def _em_verdict(edit):
    e = copy.deepcopy(ev_of("found.em-predictor"))
    edit(e["derivation"], e)
    return fd.decide_em_predictor(e)


def test_em_predictor_autograd_zero_sg_edge():
    """Autograd's sg gradient counts as zero only strictly below F64: at exactly F64 (SymPy agreeing, same value)
    autograd no longer sees the counterexample that SymPy sees — inconclusive; at ½F64 it still does."""
    def at(v):
        return lambda d, e: d["autograd_1d"].update(norm_sg=v, sympy_sg=v)
    assert _em_verdict(at(0.5 * fd.F64)).verdict == "corrected"
    assert _em_verdict(at(fd.F64)).verdict == "inconclusive"


def _descent(d, e):
    """Every method says the sg M-step descends E Var (the 'confirmed' branch)."""
    d["mstep_1d"].update(sg_gradient=d["mstep_1d"]["grad_cond_var"], stopgrad_equals_grad_var=True)
    for pt in ("autograd_1d", "autograd_1d_generic"):
        d[pt].update(norm_sg=d[pt]["norm_var"], sympy_sg=d[pt]["sympy_var"])
    d["general_position"]["cos_sg_var"] = [1.0, 1.0]
    e["experiment"]["checks"]["sg_training_is_not_descent_on_cond_var"] = False


def test_em_predictor_sg_agreement_edge():
    """|autograd sg − SymPy sg| must be strictly below F64: exactly F64 is a disagreement (inconclusive), 0.9·F64 is
    agreement (the confirmed branch is reached)."""
    def gap(v):
        return lambda d, e: (_descent(d, e), d["autograd_1d"].update(sympy_sg=0.0, norm_sg=v))
    assert _em_verdict(gap(0.9 * fd.F64)).verdict == "confirmed"
    out = _em_verdict(gap(fd.F64))
    assert out.verdict == "inconclusive" and "disagree on the 1-d M-step" in out.reason


@pytest.mark.parametrize("wrong", [
    lambda s, q, w: 2 * q / w * (2 * s + q) / (s + q),   # w in the denominator: equal at the quoted w = 1
    lambda s, q, w: 2 * q * w * (2 / s + q) / (s + q),   # 2/s for 2s: equal at the quoted s = 1
])
def test_em_predictor_closed_form_checked_at_the_generic_point(wrong):
    """The record's closed form is compared with autograd at both points: a wrong power of s or w agrees at the
    quoted (s, σ², w) = (1, 0.49, 1) but not at (2.3, 0.7, 0.6) (there 2σ²w(2s+σ²)/(s+σ²) = 1.484 by hand), so the
    decision must turn inconclusive instead of keeping its verdict on a formula that was never re-checked."""
    def edit(d, e):
        for pt in ("autograd_1d", "autograd_1d_generic"):
            p = d[pt]
            p["formula_var"] = wrong(p["s"], p["sigma2"], p["w"])
    assert abs(2 * 0.7 * 0.6 * (2 * 2.3 + 0.7) / (2.3 + 0.7) - 1.484) < 1e-12  # the hand value (float64 round-off)
    assert _em_verdict(lambda d, e: None).verdict == "corrected"
    out = _em_verdict(edit)
    assert out.verdict == "inconclusive" and "closed form" in out.reason


# ----------------------------------------------------------------------------- decide_sg_no_predictor F64 edge
def _sg_ev(vs: float) -> dict:
    return {"cosine_gradient_zero_at_target": True, "symmetric_partials": True, "inner_product_gradient_at_target": "-a",
            "torch": {"max_abs_sg_minus_half_sym": 0.0, "max_abs_grad_at_collapse": 0.0,
                      "max_abs_sg_minus_sympy_cosine": vs, "max_abs_sg_grad": 0.5}}


def test_sg_no_predictor_sympy_agreement_edge():
    """torch vs SymPy negative-cosine gradient must agree strictly below F64: exactly F64 is inconclusive."""
    assert fd.decide_sg_no_predictor(_sg_ev(0.5 * fd.F64)).verdict == "proved"
    assert fd.decide_sg_no_predictor(_sg_ev(fd.F64)).verdict == "inconclusive"


# ----------------------------------------------------------------------------- sphere energies: unit-norm tolerance
PAIR = np.array([[1.0, 0.0, 0.0], [-1.0, 0.0, 0.0]])


@pytest.mark.parametrize("fn", [uniformity.sphere2_energy, uniformity.sphere_energy])
def test_energies_unit_norm_tolerance(fn):
    """Points count as unit vectors within 1e-12 in norm: 1 + 1e-13 is accepted (same energy as the exact pair to
    round-off), 1 + 1e-10 raises ValueError naming points."""
    w = np.array([0.5, 0.5])
    exact, _, _ = fn(w, PAIR)
    near, _, _ = fn(w, PAIR * (1 + 1e-13))
    assert abs(near - exact) < 1e-10 * abs(exact)  # inner products move by ~2e-13, energy e^{s·t} by ~1e-12 relative
    with pytest.raises(ValueError, match="points"):
        fn(w, PAIR * (1 + 1e-10))
