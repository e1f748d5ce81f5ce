"""found.sg-no-predictor, found.sg-hessian (note: "Stop-Gradient", Exercise 2)."""
from __future__ import annotations

from sslverify.theory.found import stopgrad
from sslverify.verdicts.builtin import found as checks


def test_cosine_gradient_zero_at_target():
    # "The Predictor as a Bottleneck": ∇_z D(c, z)|_{z=c} = 0 for the cosine D (not for −cᵀz)
    r = stopgrad.cosine_gradient_at_target(3)
    assert r["zero_at_a"]
    assert r["inner_product_gradient_at_a"] == ["-a1", "-a2", "-a3"]
    assert stopgrad.symmetric_partials_agree(2)


def test_sg_gradient_is_half_symmetric_torch():
    # autograd with detach(): sg gradient = ½ symmetric gradient; zero at collapse W = 0
    r = checks._torch_sg_gradients(seed=3)
    assert r["max_abs_sg_minus_half_sym"] < 1e-12  # float64 gradients of O(1) cosines
    assert r["max_abs_grad_at_collapse"] < 1e-12  # exactly 0 mathematically; float64 round-off only


def test_toy_curvatures():
    # Exercise 2: (a) 0; (b) autograd curvature 2 and field −2ε (the sketch says constant); predictor 2h′², field 2h′(h′−1)
    f = stopgrad.exercise2_findings()
    assert f["sym_second"] == "0"
    assert f["sg_autograd_second"] == "2" and f["sg_field"] == "-2*epsilon" and f["sg_field_jacobian"] == "0"
    assert f["note_2hp2_ok"] and not f["note_sg_zero_curvature_ok"]
    assert f["pred_field_jacobian_matched"] == "2*hp*(hp - 1)"
    assert f["identity_predictor_curvature"] == "2" and f["identity_predictor_field_jacobian"] == "0"


def test_toy_torch_double_backward():
    # second method for Exercise 2 (torch double backward through detach(), finite differences of the field)
    t = checks._torch_toy(hp=0.6)
    assert abs(t["sg_autograd_second"] - 2) < 1e-12  # float64 double backward of a quadratic: exact up to round-off
    assert abs(t["pred_autograd_second"] - 0.72) < 1e-12  # same
    assert abs(t["pred_field_jacobian_fd"] - 2 * 0.6 * (0.6 - 1)) < 1e-6  # central difference, step 1e-6: rounding ~1e-10


def test_substitution_reading():
    # the sketch's own reading of (b) (substitute sg(z₂) = θ + ε first): (b) is then 0, but the predictor curvature at
    # the matched point is 2(h′ − 1)², not 2h′² — SymPy, and torch without detach (0.32 at h′ = 0.6, vs 0.72 with sg)
    f = stopgrad.exercise2_findings()
    assert f["subst_sg_second"] == "0"
    assert f["subst_pred_second_matched"] == "2*(hp - 1)**2" and not f["subst_note_2hp2_ok"]
    t = checks._torch_toy(hp=0.6)
    assert abs(t["pred_second_no_sg"] - 2 * (0.6 - 1) ** 2) < 1e-12  # float64 double backward of a quadratic
    assert abs(t["pred_autograd_second"] - 2 * 0.6**2) < 1e-12
