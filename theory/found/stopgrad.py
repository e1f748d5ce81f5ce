"""Stop-gradient at the collapsed point (foundations note, "Stop-Gradient: A Formal Analysis",
"The Predictor as a Bottleneck" and Exercise 2).

A stop-gradient loss is not a function of θ alone; two different "second derivatives" exist:

* the *autograd curvature*: differentiate twice with the target held constant (what
  ``torch.autograd`` returns through ``detach()``): ∂²/∂θ² (h(θ) − c)² then c := z₂(θ);
* the *update-field Jacobian*: the stop-gradient update direction is g(θ) = ∂_θ L|_{c = z₂(θ)},
  and linear stability of gradient descent θ ← θ − ηg(θ) is decided by g′(θ).

Derived here with SymPy (torch cross-checks live in the tests and in ``checks``):

* no predictor: the stop-gradient gradient of ½D(sg z₁, z₂) + ½D(sg z₂, z₁) equals ½∇_θ D(z₁, z₂)
  because D is symmetric; for the negative cosine D it vanishes whenever z₁ = z₂ (collapse included);
* Exercise 2 toy z₁ = θ, z₂ = θ + ε: L_sym'' = 0; L_sg has autograd curvature 2 (not 0) and
  update field g = −2ε (not 0 for ε ≠ 0), g′ = 0; with a predictor h the autograd curvature is
  2h′² + 2(h − c)h″ (= 2h′² where h(θ) = c, for *every* h, h = id included) and g′ = 2h′(h′ − 1).
* the other reading of the sketch — substitute sg(z₂) = θ + ε *before* differentiating (sg acting as
  the identity), which is what makes its (b) "constant in θ" — gives for the predictor loss
  (h(θ) − θ − ε)² the curvature 2(h′ − 1)² + 2(h − θ − ε)h″, i.e. 2(h′ − 1)² at the matched point,
  not 2h′²: under neither reading are the sketch's (b) and its 2h′² both right.
"""
from __future__ import annotations

from functools import lru_cache

import sympy as sp

TH, EPS, C = sp.symbols("theta epsilon c", real=True)
h = sp.Function("h")


def neg_cosine(p: sp.Matrix, z: sp.Matrix) -> sp.Expr:
    """D(p, z) = −pᵀz / (‖p‖‖z‖) (the note's negative cosine similarity)."""
    return -(p.T * z)[0, 0] / (sp.sqrt((p.T * p)[0, 0]) * sp.sqrt((z.T * z)[0, 0]))


@lru_cache(maxsize=None)
def cosine_gradient_at_target(d: int = 3) -> dict:
    """∇_z D(a, z) at z = a vanishes (symbolic a ∈ R^d); for D = −aᵀz it would be −a."""
    a = sp.Matrix(sp.symbols(f"a1:{d + 1}", real=True))
    z = sp.Matrix(sp.symbols(f"z1:{d + 1}", real=True))
    Dz = neg_cosine(a, z)
    grad = sp.Matrix([sp.diff(Dz, zi) for zi in z])
    at_a = grad.subs(dict(zip(z, a))).applyfunc(sp.simplify)
    # without normalisation D = −aᵀz the gradient at z = a is −a ≠ 0 (a Riemannian, not Euclidean, zero)
    raw = sp.Matrix([sp.diff(-(a.T * z)[0, 0], zi) for zi in z]).subs(dict(zip(z, a)))
    return {"zero_at_a": at_a == sp.zeros(d, 1), "inner_product_gradient_at_a": [str(e) for e in raw]}


@lru_cache(maxsize=None)
def symmetric_partials_agree(d: int = 2) -> bool:
    """∂D(z₂, z₁)/∂z₁ = ∂D(z₁, z₂)/∂z₁: the sg gradient is half the symmetric-loss gradient."""
    z1 = sp.Matrix(sp.symbols(f"x1:{d + 1}", real=True))
    z2 = sp.Matrix(sp.symbols(f"y1:{d + 1}", real=True))
    lhs = sp.Matrix([sp.diff(neg_cosine(z2, z1), v) for v in z1])
    rhs = sp.Matrix([sp.diff(neg_cosine(z1, z2), v) for v in z1])
    return (lhs - rhs).applyfunc(sp.simplify) == sp.zeros(d, 1)


@lru_cache(maxsize=None)
def toy_curvatures() -> dict:
    """Exercise 2 toy model z₁ = θ, z₂ = θ + ε, squared loss; every quantity at general (θ, ε)."""
    sym = (TH - (TH + EPS)) ** 2
    sg = (TH - C) ** 2  # target held constant, then c := θ + ε
    pred = (h(TH) - C) ** 2
    target = {C: TH + EPS}
    out = {
        "sym_second": sp.simplify(sp.diff(sym, TH, 2)),
        "sym_gradient": sp.simplify(sp.diff(sym, TH)),
        "sg_autograd_second": sp.simplify(sp.diff(sg, TH, 2).subs(target)),
        "sg_field": sp.simplify(sp.diff(sg, TH).subs(target)),
        "pred_autograd_second": sp.simplify(sp.diff(pred, TH, 2).subs(target)),
        "pred_field": sp.simplify(sp.diff(pred, TH).subs(target)),
    }
    # reading "substitute first": the target is θ + ε as a function of θ (no stop-gradient at all)
    out["subst_sg_second"] = sp.simplify(sp.diff((TH - (TH + EPS)) ** 2, TH, 2))
    out["subst_pred_second"] = sp.simplify(sp.diff((h(TH) - (TH + EPS)) ** 2, TH, 2))
    out["sg_field_jacobian"] = sp.simplify(sp.diff(out["sg_field"], TH))
    out["pred_field_jacobian"] = sp.simplify(sp.diff(out["pred_field"], TH))
    # at the collapsed/matched point the predictor output equals the target: h(θ) = θ + ε
    hp, hpp = sp.Symbol("hp", real=True), sp.Symbol("hpp", real=True)

    def at_match(e):
        e = e.subs(sp.Derivative(h(TH), (TH, 2)), hpp).subs(sp.Derivative(h(TH), TH), hp)
        return sp.simplify(e.subs(h(TH), TH + EPS))

    out["pred_autograd_second_matched"] = at_match(out["pred_autograd_second"])
    out["pred_field_jacobian_matched"] = at_match(out["pred_field_jacobian"])
    out["subst_pred_second_matched"] = at_match(out["subst_pred_second"])
    out["hp"], out["hpp"] = hp, hpp
    return out


def exercise2_findings() -> dict:
    """Compare the derived quantities with the note's sketch (JSON-able)."""
    t = toy_curvatures()
    hp = t["hp"]
    return {
        "sym_second": str(t["sym_second"]),
        "sg_autograd_second": str(t["sg_autograd_second"]),
        "sg_field": str(t["sg_field"]),
        "sg_field_jacobian": str(t["sg_field_jacobian"]),
        "pred_autograd_second_matched": str(t["pred_autograd_second_matched"]),
        "pred_field_jacobian_matched": str(t["pred_field_jacobian_matched"]),
        # the note: (a) 0; (b) "also a constant in θ" (so 0); predictor 2h'(θ)² > 0 "when h ≠ id"
        "note_sym_ok": t["sym_second"] == 0,
        "note_sg_zero_curvature_ok": t["sg_autograd_second"] == 0 and t["sg_field"] == 0,
        "note_2hp2_ok": sp.simplify(t["pred_autograd_second_matched"] - 2 * hp**2) == 0,
        "identity_predictor_curvature": str(t["pred_autograd_second_matched"].subs(hp, 1)),
        "identity_predictor_field_jacobian": str(t["pred_field_jacobian_matched"].subs(hp, 1)),
        # reading "substitute sg(z₂) = θ + ε first": (b) is then constant, but the predictor curvature is 2(h′−1)²
        "subst_sg_second": str(t["subst_sg_second"]),
        "subst_pred_second_matched": str(t["subst_pred_second_matched"]),
        "subst_note_2hp2_ok": sp.simplify(t["subst_pred_second_matched"] - 2 * hp**2) == 0,
        "subst_is_2_hp_minus_1_sq": sp.simplify(t["subst_pred_second_matched"] - 2 * (hp - 1) ** 2) == 0,
    }
