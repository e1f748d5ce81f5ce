"""Decisions of the stop-gradient found.* claims (sg-no-predictor, sg-hessian) on modified evidence:
each must give a verdict different from the recorded one, and their torch second methods must be able to disagree
with SymPy.  Conventions as in test_decisions_found.py.
"""
from __future__ import annotations

import sys
from pathlib import Path


from sslverify.verdicts.builtin import found as fd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_decisions_found import CLAIMS, decide, ev, one, variant  # noqa: E402,F401  (ev: the shared fixture)


# ----------------------------------------------------------------------------- stop-gradient
@one("found.sg-no-predictor")
def test_sg_no_predictor_decision_boundaries(ev):
    cid = "found.sg-no-predictor"
    at = lambda v: (lambda e: e["torch"].__setitem__("max_abs_grad_at_collapse", v))  # noqa: E731
    assert decide(cid, variant(ev, at(0.9 * fd.F64))) == "proved"
    assert decide(cid, variant(ev, at(1.1 * fd.F64))) == "inconclusive"  # torch disagrees with SymPy
    assert decide(cid, variant(ev, lambda e: (at(1e-3)(e), e.__setitem__("cosine_gradient_zero_at_target", False)))) == "refuted"
    assert decide(cid, variant(ev, lambda e: (e["torch"].__setitem__("max_abs_sg_minus_half_sym", 1e-3),
                                              e.__setitem__("symmetric_partials", False)))) == "inconclusive"
    # torch's sg gradient at a non-collapsed point vs SymPy's negative-cosine gradient (chain rule): agreement < F64
    vs = lambda v: (lambda e: e["torch"].__setitem__("max_abs_sg_minus_sympy_cosine", v))  # noqa: E731
    assert decide(cid, variant(ev, vs(0.9 * fd.F64))) == "proved"
    assert decide(cid, variant(ev, vs(1.1 * fd.F64))) == "inconclusive"
    assert decide(cid, variant(ev, vs(float("nan")))) == "inconclusive"
    assert decide(cid, variant(ev, lambda e: e["torch"].pop("max_abs_sg_minus_sympy_cosine"))) == "inconclusive"
    # ... checked before the refutation: a "non-vanishing gradient" of a D that is not the cosine refutes nothing
    assert decide(cid, variant(ev, lambda e: (at(1e-3)(e), e.__setitem__("cosine_gradient_zero_at_target", False),
                                              vs(1e-3)(e)))) == "inconclusive"


def test_sg_no_predictor_torch_sees_the_cosine(monkeypatch):
    """The two old torch residuals are 0 for ANY symmetric D: a cosine over the wrong axis (samples instead of features)
    leaves them at round-off, only the comparison with SymPy's negative-cosine gradient sees it; a wrong SymPy
    gradient (the unnormalised −pᵀz) is seen the same way."""
    import torch
    cid = "found.sg-no-predictor"
    ev = fd.sg_no_predictor_evidence()
    assert decide(cid, ev) == "proved"
    assert ev["torch"]["max_abs_sg_grad"] > 1e-2  # the compared gradient is not trivially 0
    cos = torch.nn.functional.cosine_similarity
    with monkeypatch.context() as m:
        m.setattr(torch.nn.functional, "cosine_similarity", lambda p, z, dim=-1: cos(p, z, dim=0))
        t = fd._torch_sg_gradients()
    assert t["max_abs_sg_minus_half_sym"] < fd.F64 and t["max_abs_grad_at_collapse"] < fd.F64  # blind to the axis
    assert t["max_abs_sg_minus_sympy_cosine"] > 1e-3
    assert decide(cid, {**ev, "torch": t}) == "inconclusive"
    inner = lambda d=3: (lambda a, z: [-ai for ai in a])  # noqa: E731  (∇_z of −aᵀz)
    monkeypatch.setattr(fd, "_sympy_neg_cosine_gradient", inner)
    t = fd._torch_sg_gradients()
    assert t["max_abs_sg_minus_sympy_cosine"] > 1e-3
    assert decide(cid, {**ev, "torch": t}) == "inconclusive"


@one("found.sg-hessian")
def test_sg_hessian_decision_boundaries(ev):
    cid = "found.sg-hessian"
    assert decide(cid, variant(ev, lambda e: e["symbolic"].__setitem__("note_sym_ok", False))) == "inconclusive"
    # if (b) were constant in θ (both methods), the sketch would hold under the primary reading
    note_right = variant(ev, lambda e: (e["symbolic"].update(sg_autograd_second="0", sg_field="0"),
                                        e["torch"].__setitem__("sg_autograd_second", 0.0)))
    assert decide(cid, note_right) == "proved"
    assert decide(cid, variant(ev, lambda e: e["torch"].__setitem__("sg_autograd_second", 2 + 1.1 * fd.F64))) == "inconclusive"
    assert decide(cid, variant(ev, lambda e: e["torch"].__setitem__("sg_autograd_second", 2 + 0.9 * fd.F64))) == "corrected"
    fd0 = 2 * 0.6 * (0.6 - 1)
    assert decide(cid, variant(ev, lambda e: e["torch"].__setitem__("pred_field_jacobian_fd", fd0 + 1.1 * fd.FD_TOL))) == "inconclusive"
    assert decide(cid, variant(ev, lambda e: e["torch"].__setitem__("pred_second_no_sg", 0.72))) == "inconclusive"
    assert decide(cid, variant(ev, lambda e: e["symbolic"].__setitem__("sg_autograd_second", "Derivative(x)"))) == "inconclusive"


def _point(e, name, side):
    """The ``name`` point of evidence e: side "torch" (torch autograd) or "sympy" (SymPy expressions evaluated)."""
    pts = e["torch"]["points"] if side == "torch" else e["sympy_points"]
    return next(p for p in pts if p["name"] == name)


def _set_point(e, name, h_minus_target=None, h2=None, curvature_offset=0.0):
    """Set h − c and/or h″ at a point on BOTH sides and the curvature to the record's 2h′² + 2(h − c)h″ (+ offset)."""
    for side, key in (("torch", "curvature"), ("sympy", "pred_autograd_second")):
        p = _point(e, name, side)
        if h_minus_target is not None:
            p["h_minus_target"] = h_minus_target
        if h2 is not None:
            p["h2"] = h2
        p[key] = 2 * p["h1"] ** 2 + 2 * p["h_minus_target"] * p["h2"] + curvature_offset


@one("found.sg-hessian")
def test_sg_hessian_nonlinear_points_edges(ev):
    cid = "found.sg-hessian"
    # the live points: h(θ) = target at the matched one; off it the record's 2(h − c)h″ ≈ 0.95 separates 1.13 from 2h′²
    on, off = _point(ev, "matched", "torch"), _point(ev, "unmatched", "torch")
    assert abs(on["h_minus_target"]) < fd.F64 and abs(on["curvature"] - 0.72) < fd.F64 and on["h2"] == 1.0
    assert abs(off["curvature"] - 1.1324718692953624) < fd.F64 and abs(2 * off["h1"] ** 2 - 0.1791993706230187) < fd.F64
    assert off["h_minus_target"] > 0.4 and off["h2"] > 1.0
    # every compared quantity at each point, SymPy side moved by 0.9 / 1.1 F64 (torch untouched)
    keys = [("h_minus_target", "h_minus_target"), ("h1", "h1"), ("h2", "h2")] + list(fd.TOY_KEYS)
    for name in ("matched", "unmatched"):
        for _, sk in keys:
            for k, want in ((0.9, "corrected"), (1.1, "inconclusive")):
                e = variant(ev, lambda e: _point(e, name, "sympy").__setitem__(sk, _point(e, name, "sympy")[sk] + k * fd.F64))
                assert decide(cid, e) == want, (name, sk, k)
    # torch's curvature must be the record's 2h′² + 2(h − c)h″ (both methods moved together, so they still agree)
    for name in ("matched", "unmatched"):
        assert decide(cid, variant(ev, lambda e: _set_point(e, name, curvature_offset=0.9 * fd.F64))) == "corrected"
        assert decide(cid, variant(ev, lambda e: _set_point(e, name, curvature_offset=1.1 * fd.F64))) == "inconclusive"
    # the matched point must have h(θ) = target
    assert decide(cid, variant(ev, lambda e: _set_point(e, "matched", h_minus_target=0.9 * fd.F64))) == "corrected"
    assert decide(cid, variant(ev, lambda e: _set_point(e, "matched", h_minus_target=1.1 * fd.F64))) == "inconclusive"
    # ... and h″ ≠ 0 there (|h″| ≥ TOY_TERM_MIN), or h″ dropping out where h(θ) = target is not seen
    for sign in (1, -1):
        assert decide(cid, variant(ev, lambda e: _set_point(e, "matched", h2=sign * 1.1 * fd.TOY_TERM_MIN))) == "corrected"
        assert decide(cid, variant(ev, lambda e: _set_point(e, "matched", h2=sign * 0.9 * fd.TOY_TERM_MIN))) == "inconclusive"
    # power: the off-target point must show |2(h − c)h″| ≥ TOY_TERM_MIN (h″ = 1 here), either sign of h − c
    m = fd.TOY_TERM_MIN
    for sign in (1, -1):
        assert decide(cid, variant(ev, lambda e: _set_point(e, "unmatched", sign * 0.55 * m, 1.0))) == "corrected"
        assert decide(cid, variant(ev, lambda e: _set_point(e, "unmatched", sign * 0.45 * m, 1.0))) == "inconclusive"
    # a linear h off the matched point (h″ = 0, what the old check used): no power -> inconclusive
    assert decide(cid, variant(ev, lambda e: _set_point(e, "unmatched", h2=0.0))) == "inconclusive"
    # points missing, reordered or renamed
    assert decide(cid, variant(ev, lambda e: e.pop("sympy_points"))) == "inconclusive"
    assert decide(cid, variant(ev, lambda e: e["torch"].pop("points"))) == "inconclusive"
    assert decide(cid, variant(ev, lambda e: e["torch"]["points"].reverse())) == "inconclusive"
    assert decide(cid, variant(ev, lambda e: e["sympy_points"].pop())) == "inconclusive"
    # the reason prints the off-target numbers
    assert "1.13 = 2h′² + 2(h − c)h″ ≠ 2h′² = 0.18" in CLAIMS[cid].decide(ev).reason


def test_sg_hessian_nonlinear_torch_can_disagree(monkeypatch):
    """The second method can now disagree about the 2(h − c)h″ term: a SymPy derivation that dropped it (curvature
    2h′² everywhere) still passes every matched-point comparison, and with a linear h (the old check) it agrees with
    torch everywhere; with the nonlinear h torch disagrees off the matched point and the verdict is inconclusive.
    The other way round, a torch h that is not the SymPy h (linear instead of nonlinear) is seen too."""
    import sympy as sp
    from sslverify.theory.found import stopgrad
    cid = "found.sg-hessian"
    assert decide(cid, fd.sg_hessian_evidence()) == "corrected"
    real = stopgrad.toy_curvatures()
    wrong = {**real, "pred_autograd_second": 2 * sp.Derivative(stopgrad.h(stopgrad.TH), stopgrad.TH) ** 2}
    with monkeypatch.context() as m:
        m.setattr(stopgrad, "toy_curvatures", lambda: wrong)
        ev = fd.sg_hessian_evidence()
    out = CLAIMS[cid].decide(ev)
    assert out.verdict == "inconclusive" and "curvature (SymPy: pred_autograd_second) at the unmatched point" in out.reason
    assert abs(_point(ev, "matched", "sympy")["pred_autograd_second"] - _point(ev, "matched", "torch")["curvature"]) < fd.F64
    # for every LINEAR h (what the old check used) the wrong and the right expression coincide: it could not disagree
    a, b, th = sp.Symbol("a"), sp.Symbol("b"), stopgrad.TH
    lin_h = lambda e: e.replace(stopgrad.h, sp.Lambda(th, a * th + b)).doit()  # noqa: E731
    assert sp.simplify(lin_h(real["pred_autograd_second"]) - lin_h(wrong["pred_autograd_second"])) == 0
    # torch computing with another h than SymPy's (h″ dropped on the torch side only)
    lin = lambda t, hp, hpp=fd.TOY_HPP: fd.TOY_THETA_M + hp * (t - fd.TOY_THETA_M)  # noqa: E731
    monkeypatch.setattr(fd, "_toy_h", lin)
    assert decide(cid, fd.sg_hessian_evidence()) == "inconclusive"
