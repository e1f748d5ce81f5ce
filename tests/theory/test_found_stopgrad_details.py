"""theory.found.stopgrad: the negative cosine itself, the default dimension, and toy_curvatures entries that
exercise2_findings does not pass on (the symmetric-loss gradient, the real placeholders h′, h″).

Complements test_found_stopgrad.py, which reads the findings strings.
"""
from __future__ import annotations

import pytest
import sympy as sp

from sslverify.theory.found import stopgrad


# ----------------------------------------------------------------------------- D(p, z) = −pᵀz/(‖p‖‖z‖)
@pytest.mark.parametrize("p, z, expected", [
    ([1, 0], [1, 0], -1),                 # identical directions: cosine 1, D = −1
    ([1, 0], [-2, 0], 1),                 # opposite directions: cosine −1, D = +1
    ([3, 4], [4, 3], sp.Rational(-24, 25)),  # cosine (12 + 12)/(5·5) = 24/25
    ([1, 0], [0, 5], 0),                  # orthogonal: D = 0
])
def test_neg_cosine_values(p, z, expected):
    """D is the NEGATIVE cosine: hand-computed cosines of small integer vectors, exact rationals."""
    assert sp.simplify(stopgrad.neg_cosine(sp.Matrix(p), sp.Matrix(z)) - expected) == 0


# ----------------------------------------------------------------------------- default dimension
def test_cosine_gradient_default_dimension_is_3():
    """The default call works in R³: the unnormalised gradient −∇_z aᵀz at z = a is −a = (−a1, −a2, −a3)."""
    r = stopgrad.cosine_gradient_at_target()
    assert r["zero_at_a"] is True
    assert r["inner_product_gradient_at_a"] == ["-a1", "-a2", "-a3"]


# ----------------------------------------------------------------------------- toy_curvatures entries
def test_symmetric_toy_loss_has_zero_gradient():
    """L_sym = (θ − (θ + ε))² = ε² does not depend on θ: ∂L_sym/∂θ = 0 (and ∂² = 0)."""
    t = stopgrad.toy_curvatures()
    assert t["sym_gradient"] == 0
    assert t["sym_second"] == 0


def test_placeholders_for_h_derivatives_are_real():
    """h: R → R, so h′ and h″ are real; the placeholders are the real symbols "hp", "hpp" the findings print.

    With h′ real the matched autograd curvature 2h′² and the substitution curvature 2(h′ − 1)² are ≥ 0, which
    SymPy can only conclude from a real h′."""
    t = stopgrad.toy_curvatures()
    assert t["hp"] == sp.Symbol("hp", real=True)
    assert t["hpp"] == sp.Symbol("hpp", real=True)
    assert t["pred_autograd_second_matched"].is_nonnegative is True
    assert t["subst_pred_second_matched"].is_nonnegative is True
    assert t["pred_autograd_second_matched"].is_real is True


# ----------------------------------------------------------------------------- exercise2_findings' comparisons
def _sketch_world(sg_field):
    """toy_curvatures as it would be if the note's sketch were right: (b) has zero curvature, the predictor
    curvature is 2h′² under BOTH readings; only the sg field is chosen by the caller."""
    hp, hpp = sp.Symbol("hp", real=True), sp.Symbol("hpp", real=True)
    th = stopgrad.TH
    return {"sym_second": sp.Integer(0), "sg_autograd_second": sp.Integer(0), "sg_field": sg_field,
            "sg_field_jacobian": sp.diff(sg_field, th), "pred_autograd_second_matched": 2 * hp**2,
            "pred_field_jacobian_matched": 2 * hp * (hp - 1), "subst_sg_second": sp.Integer(0),
            "subst_pred_second_matched": 2 * hp**2, "hp": hp, "hpp": hpp}


def test_findings_accept_the_sketch_when_the_derivation_agrees(monkeypatch):
    """With derived quantities equal to the sketch's ((b): curvature 0 AND field 0; predictor curvature 2h′² also
    when sg(z₂) is substituted first), the findings' note-flags must come out True — they are comparisons, not
    constants."""
    monkeypatch.setattr(stopgrad, "toy_curvatures", lambda: _sketch_world(sp.Integer(0)))
    f = stopgrad.exercise2_findings()
    assert f["note_sg_zero_curvature_ok"] is True
    assert f["subst_note_2hp2_ok"] is True
    assert f["subst_is_2_hp_minus_1_sq"] is False  # 2h′² − 2(h′ − 1)² = 4h′ − 2 ≢ 0


def test_findings_need_zero_field_as_well_as_zero_curvature(monkeypatch):
    """(b) 'constant in θ' needs the sg field to vanish too: curvature 0 with field −2ε is still not the sketch."""
    monkeypatch.setattr(stopgrad, "toy_curvatures", lambda: _sketch_world(-2 * stopgrad.EPS))
    assert stopgrad.exercise2_findings()["note_sg_zero_curvature_ok"] is False
