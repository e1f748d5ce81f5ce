"""found.*: decision edges of the EM, linear-BYOL, batch-norm and NT-Xent claims that test_decisions_found.py does
not pin (evidence exactly ON a threshold; the details of decided outcomes).  The other found claims:
test_decision_edges_found.py.
"""
from __future__ import annotations

import copy
import sys
from pathlib import Path

from sslverify.verdicts.builtin import found as fd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from found_evidence import ev_of  # noqa: E402

# ----------------------------------------------------------------------------- SimSiam as EM
def test_em_predictor_thresholds_and_confirmed_branch():
    ev = ev_of("found.em-predictor")
    assert fd.decide_em_predictor(ev).verdict == "corrected"
    d = lambda e: e["derivation"]  # noqa: E731

    def verdict(edit):
        e = copy.deepcopy(ev)
        edit(e)
        return fd.decide_em_predictor(e).verdict

    # envelope residual exactly ENVELOPE_TOL still holds (rule: > ENVELOPE_TOL fails)
    assert verdict(lambda e: d(e)["general_position"].__setitem__("envelope_residual", [fd.ENVELOPE_TOL])) == "corrected"
    # SymPy's counterexample needs BOTH a zero sg gradient AND sg ≠ ∇Var: without the second, autograd's disagrees
    assert verdict(lambda e: d(e)["mstep_1d"].__setitem__("stopgrad_equals_grad_var", True)) == "inconclusive"
    # autograd's 1-d counterexample: |sg| < F64 (exactly F64 is not zero), |∇Var − SymPy| < F64·SymPy (relative),
    # ∇Var > F64 (exactly F64 is not a nonzero gradient) — at the quoted point and at the generic one
    for pt in ("autograd_1d", "autograd_1d_generic"):
        assert verdict(lambda e: d(e)[pt].__setitem__("norm_sg", fd.F64)) == "inconclusive"
        assert verdict(lambda e: d(e)[pt].update(sympy_var=4.0, formula_var=4.0, norm_var=4.0 + 2e-12)) == "corrected"
        assert verdict(lambda e: d(e)[pt].update(sympy_var=4.0, formula_var=4.0, norm_var=4.0 + 5e-12)) == "inconclusive"
        assert verdict(lambda e: d(e)[pt].update(sympy_var=fd.F64, formula_var=fd.F64, norm_var=fd.F64)) == "inconclusive"
    # the record's closed form must be the derived gradient (a wrong one alone makes the check inconclusive)
    assert verdict(lambda e: d(e)["autograd_1d"].update(formula_var=1.01 * d(e)["autograd_1d"]["formula_var"])) \
        == "inconclusive"
    # cosines in general position: "fails" needs every cosine < COS_NOT_PARALLEL (exactly it is not a failure)
    assert verdict(lambda e: d(e)["general_position"].__setitem__("cos_sg_var", [fd.COS_NOT_PARALLEL])) == "inconclusive"

    def descent(e, cos):  # every method says the sg M-step descends E Var(z₂|z₁)
        d(e)["mstep_1d"].update(sg_gradient=d(e)["mstep_1d"]["grad_cond_var"], stopgrad_equals_grad_var=True)
        for pt in ("autograd_1d", "autograd_1d_generic"):
            d(e)[pt].update(norm_sg=d(e)[pt]["norm_var"], sympy_sg=d(e)[pt]["sympy_var"])
        d(e)["general_position"]["cos_sg_var"] = [1.0, cos]
        e["experiment"]["checks"]["sg_training_is_not_descent_on_cond_var"] = False

    e = copy.deepcopy(ev)
    descent(e, 1.0)
    out = fd.decide_em_predictor(e)
    assert out.verdict == "confirmed" and out.details["cos_sg_var_general_position"] == [1.0, 1.0]
    assert verdict(lambda e: descent(e, 1 - fd.F64)) == "inconclusive"  # parallel means cosine > 1 − F64


def test_em_gaussian_monte_carlo_acceptance_and_refuted_details():
    ev = ev_of("found.em-gaussian")
    assert fd.decide_em_gaussian(ev).verdict == "proved"

    def with_mc(mstep_mean, mse_mean, se=0.125, sym_ok=True):
        # d = 2, ρ = 1/2: −ρ²d = −0.5 and d(1 − ρ²) = 1.5; se = 1/8 so MC_Z·se = 0.625: all exact binary fractions
        e = copy.deepcopy(ev)
        e["monte_carlo"].update(d=2, rho=0.5, mstep_mean=mstep_mean, mstep_se=se, mse_mean=mse_mean, mse_se=se)
        if not sym_ok:
            e["symbolic"]["1"]["mstep_minus_note"] = "rho**2"
        return fd.decide_em_gaussian(e)

    assert with_mc(-0.5, 1.5).verdict == "proved"
    assert with_mc(-0.5 + 0.625, 1.5).verdict == "proved"   # ON 5 standard errors: accepted (rule: ≤ MC_Z·se)
    assert with_mc(-0.5, 1.5 + 0.625).verdict == "proved"
    assert with_mc(-0.5, 1.5 + 1.0).verdict == "inconclusive"  # 8 standard errors: SymPy and MC disagree
    out = with_mc(-0.5, 1.5 + 1.0, sym_ok=False)
    assert out.verdict == "refuted" and out.details["residuals"]["1"][0] == "rho**2"
    assert out.details["monte_carlo"]["mse_mean"] == 2.5


def test_em_predictor_relative_formula_tolerance_on_its_edge():
    ev = ev_of("found.em-predictor")
    # a float formula value f with fl(F64·f) exactly a float spacing multiple near f (found by search), so that
    # |∇Var − f| == F64·f exactly: "agrees" is strictly within F64 relative
    f = 1.000088900582341
    assert abs((f + fd.F64 * f) - f) == fd.F64 * f
    e = copy.deepcopy(ev)
    e["derivation"]["autograd_1d"].update(sympy_var=f, formula_var=f, norm_var=f + fd.F64 * f)
    assert fd.decide_em_predictor(e).verdict == "inconclusive"


# ----------------------------------------------------------------------------- linear BYOL
def test_linear_byol_stall_is_strictly_below_one_degree():
    ev = ev_of("found.linear-byol")
    rec = fd.decide_linear_byol(ev).verdict
    assert rec == "confirmed"
    e = copy.deepcopy(ev)
    v = e["experiment"]["per_method"]["byol"]
    v["three_quarter_deg"][0] = v["final_deg"][0] + fd.STALL_DEG  # exact: both below 4°, the sum is exact to 2^-50
    assert abs(v["final_deg"][0] - v["three_quarter_deg"][0]) == fd.STALL_DEG
    assert fd.decide_linear_byol(e).verdict == "inconclusive"  # moved by exactly 1° over the last quarter


# ----------------------------------------------------------------------------- batch normalization
def test_bn_variance_uses_gamma_squared():
    ev = ev_of("found.bn-variance")
    assert fd.decide_bn_variance(ev).verdict == "proved"
    e = copy.deepcopy(ev)
    g0 = e["numeric"]["gamma"]
    e["numeric"]["gamma"] = 3.0  # γ = 3: Var_b(ẑ) = γ² = 9 (γ = 2 cannot tell γ² from 2γ)
    e["numeric"]["var_eps0"] *= 9.0 / g0**2
    assert fd.decide_bn_variance(e).verdict == "proved"
    e["numeric"]["var_eps0"] = 6.0  # 2γ, not γ²: the float64 value disagrees with SymPy
    assert fd.decide_bn_variance(e).verdict == "inconclusive"


def test_bn_collapse_gradient_refuted_details():
    ev = ev_of("found.bn-collapse-gradient")
    assert fd.decide_bn_collapse_gradient(ev).verdict == "proved"
    e = copy.deepcopy(ev)
    for r in e["symbolic"].values():
        r["collapse_ok"] = False
    e["torch"]["diag"] *= 2.0  # torch agrees that the diagonal is not γ(1 − 1/N)/√ε
    out = fd.decide_bn_collapse_gradient(e)
    assert out.verdict == "refuted" and out.details["torch_diag"] == e["torch"]["diag"]


def test_bn_near_collapse_confirmed_details():
    ev = ev_of("found.bn-near-collapse")
    assert fd.decide_bn_near_collapse(ev).verdict == "corrected"
    e = copy.deepcopy(ev)
    e["derivation"]["extra_term_is_minus_u2_over_N"] = {k: False for k in e["derivation"]["extra_term_is_minus_u2_over_N"]}
    e["experiment"]["ratio_eps0_min"] = e["experiment"]["ratio_eps0_max"] = 1.0  # the note's value measured exactly
    out = fd.decide_bn_near_collapse(e)
    assert out.verdict == "confirmed" and out.details["measured_ratio_eps0"] == [1.0, 1.0]


# ----------------------------------------------------------------------------- NT-Xent decomposition (synthetic)
def _ntx(a, b, se=(0.01, 0.01), shift=(0.0, 0.0)):
    """NT-Xent evidence: two view laws a, b = (limit, align, uniform); Monte Carlo means = limits (+ shift), n = 2²⁰.

    τ = 2⁶⁰ makes the finite-batch bias bound e^{2/τ}/(2n) exactly 1/(2n) = 2⁻²¹ (e^{2⁻⁵⁹} rounds to 1.0), so every
    threshold below is hit exactly in binary floating point."""
    pops = {k: {"limit": p[0], "align": p[1], "uniform": p[2]} for k, p in (("0.5", a), ("4.0", b))}
    mc = {k: {"mean": pops[k]["limit"] + s, "se": e, "n": 2**20} for k, e, s in (("0.5", se[0], shift[0]),
                                                                              ("4.0", se[1], shift[1]))}
    return {"tau": 2.0**60, "populations": pops, "monte_carlo": mc}


def test_ntxent_decision_on_synthetic_laws():
    dec = fd.decide_ntxent_decomposition
    # limit = align − uniform + C with one C (= 0): the note's form; ΔL = 1 ≫ 5 se
    note = ((0.5, 0.0, -0.5), (1.5, 0.0, -1.5))
    out = dec(_ntx(*note))
    assert out.verdict == "confirmed"
    assert out.details["readings"] == {"as_defined": "confirmed", "sign_slip": "corrected"}
    assert out.details["delta_limit"] == 1.0 and out.details["delta_note_form"] == 1.0
    # Monte Carlo exactly 5 se + 2⁻²¹ away from the limit: still a re-check (rule: more than that fails)
    assert dec(_ntx(*note, se=(0.125, 0.125), shift=(0.625 + 2.0**-21, 0.0))).verdict == "confirmed"
    assert dec(_ntx(*note, se=(0.125, 0.125), shift=(0.625 + 2.0**-20, 0.0))).verdict == "inconclusive"
    # alignment differing by exactly F64 is still "the same alignment" (rule: more than F64)
    assert dec(_ntx((0.5, 0.0, -0.5), (1.5 + fd.F64, fd.F64, -1.5))).verdict == "confirmed"
    # note-form residuals differing by exactly QUAD_TOL do not fit one constant (rule: < QUAD_TOL)
    assert dec(_ntx((-1.0, 0.0, 1.0), (fd.QUAD_TOL, 0.0, 0.0))).verdict == "inconclusive"
    # limit = align + uniform + C (C = 1, the sign slip): ΔL = −1 against the note's +1 -> corrected
    out = dec(_ntx((0.5, 0.0, -0.5), (-0.5, 0.0, -1.5)))
    assert out.verdict == "corrected"
    assert out.details["readings"] == {"as_defined": "corrected", "sign_slip": "confirmed"}
    # plus-form residuals 0 and exactly QUAD_TOL: the sign-slip form does not fit either
    out = dec(_ntx((-1.0, 0.0, -1.0), (fd.QUAD_TOL, 0.0, 0.0)))
    assert out.verdict == "corrected" and out.details["readings"]["sign_slip"] == "corrected"
    # |ΔL| exactly 5 se (se = hypot(3/8, 1/2) = 5/8): underpowered (rule: ≤ MC_Z·se)
    assert dec(_ntx((0.0, 0.0, 0.0), (3.125, 0.0, -3.125), se=(0.375, 0.5))).verdict == "inconclusive"
    # the note predicts no change (Δuniform = 0) but the limit moves: no sign to compare -> nothing corrected
    assert dec(_ntx((0.0, 0.0, 0.0), (2.0, 0.0, 0.0))).verdict == "inconclusive"
