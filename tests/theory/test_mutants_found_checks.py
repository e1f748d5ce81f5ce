"""found.*: helpers, gathers and decision details that test_decisions_found.py does not pin.

Complements test_decisions_found.py (one step of 10% on each side of a threshold) with:
- the small helpers every found.* claim goes through (``_src``, ``_num``, ``_exp`` and the experiment wrappers);
- evidence exactly ON a threshold, so that the documented strict / non-strict comparison is pinned (a tolerance
  ``x < tol`` means "a residual of exactly tol is too large"; an MC acceptance ``|Δ| ≤ z·se`` means "exactly z
  standard errors is still accepted");
- the details of non-inconclusive outcomes (the report shows them: the value found, the per-reading verdicts);
- reproducibility of the seeded torch gathers (a verdict must not depend on the global RNG state).

Decisions are called as ``fd.decide_*`` (module attribute), evidence is built from the decision's own recorded
fixture or, for fast gathers, from the gather itself.
"""
from __future__ import annotations

import copy
import math
import sys
from contextlib import contextmanager
from pathlib import Path

import sslverify.experiments as experiments
from sslverify.verdicts.builtin import found as fd
from sslverify.verdicts.evidence import jsonable, load_fixture
from sslverify.verdicts.record import Source

_CACHE: dict[str, dict] = {}


def _live_cache() -> dict:
    """tests/theory/conftest.py's session cache of live evidence when pytest loaded it (gathers run once per session)."""
    for m in list(sys.modules.values()):
        if str(getattr(m, "__file__", "")).endswith("conftest.py") and isinstance(getattr(m, "_LIVE", None), dict):
            return m._LIVE
    return _CACHE


def ev_of(cid: str) -> dict:
    """A fresh copy of the evidence of claim ``cid``: its recorded fixture, else its (fast) gather, run once."""
    cache = _live_cache()
    if cid not in cache:
        fx = load_fixture(cid)
        if fx is None:
            gathers = {"found.collapse-iff": fd.collapse_iff_evidence, "found.srank": fd.srank_evidence,
                       "found.erank": fd.erank_evidence, "found.srank-limit": fd.srank_limit_evidence,
                       "found.sg-no-predictor": fd.sg_no_predictor_evidence, "found.sg-hessian": fd.sg_hessian_evidence,
                       "found.em-gaussian": fd.em_gaussian_evidence,
                       "found.linear-predictor": fd.linear_predictor_evidence,
                       "found.simplex-etf": fd.simplex_etf_evidence, "found.log-n-dims": fd.log_n_dims_evidence,
                       "found.bn-variance": fd.bn_variance_evidence,
                       "found.bn-collapse-gradient": fd.bn_collapse_gradient_evidence}
            fx = jsonable(gathers[cid]())
        cache[cid] = fx
    return copy.deepcopy(cache[cid])


@contextmanager
def patched(obj, name, value):
    old = getattr(obj, name)
    setattr(obj, name, value)
    try:
        yield
    finally:
        setattr(obj, name, old)


# ----------------------------------------------------------------------------- helpers
def test_src_names_the_seed_note_section_and_equation():
    assert fd._src("Exercise 1") == Source(fd.F, "Exercise 1", "")
    assert fd._src("Effective Rank", "Stable rank") == Source(fd.F, "Effective Rank", "Stable rank")
    assert str(fd._src("Exercise 1")) == f"{fd.F}, Exercise 1"  # no empty / placeholder equation part


def test_num_reads_sympy_strings():
    assert fd._num("1/5") == 0.2 and fd._num("2") == 2.0 and fd._num("-3/4") == -0.75
    assert fd._num("0.125") == 0.125
    assert math.isnan(fd._num("nan"))  # SymPy's nan prints "nan": a float nan, not "no number"
    assert fd._num("-2*epsilon") is None and fd._num("oo") is None and fd._num("Limit(x, x, 0)") is None


def test_exp_passes_quick_and_out_dir_through():
    calls = []

    def rec(name, quick=True, out_dir=None, **kw):
        calls.append((name, quick, out_dir))
        return {"ok": 1}

    with patched(experiments, "run_experiment", rec):
        assert fd._exp("some_experiment", False, "/some/dir") == {"ok": 1}
        fd._exp("other", True, "/d2")
    assert calls == [("some_experiment", False, "/some/dir"), ("other", True, "/d2")]


def test_experiment_wrappers_pass_their_name_quick_and_out_dir():
    for fn, frm, name in ((fd.em_predictor_evidence, "em_predictor_evidence_from", "found_em_predictor"),
                          (fd.bn_near_collapse_evidence, "bn_near_collapse_evidence_from", "found_bn_gradient"),
                          (fd.linear_byol_evidence, "linear_byol_evidence_from", "found_linear_byol")):
        for quick in (True, False):
            calls = []
            with patched(fd, "_exp", lambda n, q, o: calls.append((n, q, o)) or {"results": n}), \
                    patched(fd, frm, lambda r: {"from": r}):
                assert fn(quick, Path("/out")) == {"from": {"results": name}}
            assert calls == [(name, quick, Path("/out"))], fn.__name__


def exactly_on(f, target: float, x0: float) -> float:
    """A float x next to x0 (within 200 ulps) with f(x) == target exactly: evidence ON a threshold."""
    import numpy as np
    lo = hi = float(x0)
    for _ in range(200):
        for x in (lo, hi):
            if f(x) == target:
                return x
        lo, hi = float(np.nextafter(lo, -math.inf)), float(np.nextafter(hi, math.inf))
    raise AssertionError(f"no float near {x0} puts the residual exactly on {target}")


# ----------------------------------------------------------------------------- ranks
def test_collapse_iff_rounding_zero_rules_on_their_thresholds():
    ev = ev_of("found.collapse-iff")
    assert fd.decide_collapse_iff(ev).verdict == "proved"
    one = next(i for i, g in enumerate(ev["generated"]) if g["k"] == 1)  # rank 1 in d = 4: three rounding zeros

    def with_zero(value_of_top, scale=1.0):
        e = copy.deepcopy(ev)
        lam = [scale * x for x in e["generated"][one]["eigenvalues"]]
        top = max(abs(x) for x in lam)
        i = min(range(len(lam)), key=lambda j: abs(lam[j]))
        lam[i] = value_of_top(top)
        e["generated"][one]["eigenvalues"] = lam
        return fd.decide_collapse_iff(e).verdict

    # a negative eigenvalue of exactly −RANK_REL·λ_max is still round-off (the rule is "below −RANK_REL·λ_max")
    assert with_zero(lambda top: -fd.RANK_REL * top) == "proved"
    # the round-off band is relative to λ_max: at λ_max = 100·(its value), −0.9·RANK_REL·λ_max is round-off,
    # −1.1·RANK_REL·λ_max is not (an absolute band RANK_REL/λ_max would decide both the other way)
    assert with_zero(lambda top: -0.9 * fd.RANK_REL * top, scale=100.0) == "proved"
    assert with_zero(lambda top: -1.1 * fd.RANK_REL * top, scale=1e-3) == "inconclusive"
    # an eigenvalue of exactly RANK_REL·λ_max is a rounding zero (rank counts only λ > RANK_REL·λ_max)
    assert with_zero(lambda top: fd.RANK_REL * top) == "proved"
    e = copy.deepcopy(ev)
    e["identical_rows_eigenvalues"][0] = fd.IDENTICAL_ZERO  # "nonzero" is |λ| > IDENTICAL_ZERO
    assert fd.decide_collapse_iff(e).verdict == "proved"


def test_srank_cases_must_be_nonzero_psd_and_agree_exactly():
    ev = ev_of("found.srank")
    assert fd.decide_srank(ev).verdict == "proved"
    r = len(fd.SRANK_CASES)  # the first random case

    def with_case(lam, srank):
        e = copy.deepcopy(ev)
        e["cases"][r] = {"eigenvalues": lam, "srank": srank}
        return fd.decide_srank(e).verdict

    # a spectrum with a negative eigenvalue is not PSD even when its max is positive; (1 − 0.5)²/(1 + 0.25) = 0.2
    assert with_case([1.0, -0.5], 0.2) == "inconclusive"
    with_zero = [0.0, 0.0]  # Σ = 0: srank is 0/0, not a case of the claim
    assert with_case(with_zero, 0.0) == "inconclusive"
    # an analytic case replaced by another spectrum of the same srank (4·I instead of 2·I) is not the decision's case
    e = copy.deepcopy(ev)
    e["cases"][0] = {"eigenvalues": [1.0, 1, 1, 1], "srank": 4.0}
    assert fd.decide_srank(e).verdict == "inconclusive"


def test_erank_bounds_on_their_edges():
    ev = ev_of("found.erank")
    assert fd.decide_erank(ev).verdict == "proved"

    def with_random(lam, erank, srank):
        e = copy.deepcopy(ev)
        e["random"][0] = {"eigenvalues": lam, "erank": erank, "srank": srank}
        return fd.decide_erank(e).verdict

    # closed forms: one nonzero λ gives erank = srank = 1; k equal λ give erank = srank = k
    assert with_random([1.0, 0.0], 1.0, 1.0) == "proved"
    assert with_random([1.0, 1.0, 1.0], 3.0, 3.0) == "proved"
    assert with_random([1.0, 1.0, 1.0], 4.5, 3.0) == "inconclusive"   # erank = 1.5·d is outside [1, d]
    assert with_random([1.0, 0.0], 1 - fd.F64, 1 - fd.F64) == "proved"  # ON the lower edge 1 − F64
    assert with_random([1.0, 1.0, 1.0], 3 * (1 + fd.F64), 3.0) == "proved"  # ON the upper edge d(1 + F64)
    assert with_random([1.0, 2.0, 3.0], 2.0 * (1 - fd.F64), 2.0) == "proved"  # ON erank = srank(1 − F64)


def test_srank_limit_threshold_and_refuted_details():
    ev = ev_of("found.srank-limit")
    assert fd.decide_srank_limit(ev).verdict == "proved"
    e = copy.deepcopy(ev)
    e["limit"], e["numeric"]["srank"] = "0", fd.LIMIT_NUMERIC  # |float64 − limit| exactly LIMIT_NUMERIC
    assert fd.decide_srank_limit(e).verdict == "inconclusive"  # "agrees" is strictly within LIMIT_NUMERIC
    e = copy.deepcopy(ev)
    e["limit"], e["numeric"]["srank"] = "2", 2.0  # a limit ≠ 1 that the float64 value confirms
    out = fd.decide_srank_limit(e)
    assert out.verdict == "refuted" and out.details == {"limit": "2"}  # the report names the limit found


# ----------------------------------------------------------------------------- stop-gradient
def test_sg_no_predictor_torch_threshold_and_refuted_details():
    ev = ev_of("found.sg-no-predictor")
    assert fd.decide_sg_no_predictor(ev).verdict == "proved"
    for key in ("max_abs_grad_at_collapse", "max_abs_sg_minus_half_sym"):
        e = copy.deepcopy(ev)
        e["torch"][key] = fd.F64  # a residual of exactly F64 is not "zero" (the rule is < F64): SymPy says 0
        assert fd.decide_sg_no_predictor(e).verdict == "inconclusive", key
    e = copy.deepcopy(ev)
    e["cosine_gradient_zero_at_target"] = False
    e["torch"]["max_abs_grad_at_collapse"] = 0.5  # both methods: the gradient does not vanish
    out = fd.decide_sg_no_predictor(e)
    assert out.verdict == "refuted" and out.details == {"max_abs_grad_at_collapse": 0.5}


def _sg_hessian_at(ev, hp, **torch_values):
    """sg-hessian evidence re-evaluated at predictor slope hp: the analytic curvatures 2hp², 2(hp−1)², 2hp(hp−1)."""
    e = copy.deepcopy(ev)
    t = e["torch"]
    t.update(hp=hp, pred_autograd_second=2 * hp**2, pred_second_no_sg=2 * (hp - 1) ** 2,
             pred_field_jacobian_fd=2 * hp * (hp - 1))
    t.update(torch_values)
    return e


def test_sg_hessian_tolerances_flags_and_readings():
    ev = ev_of("found.sg-hessian")
    out = fd.decide_sg_hessian(ev)
    assert out.verdict == "corrected"
    assert out.details["readings"]["substitute_first"] == ("corrected" if not ev["symbolic"]["subst_note_2hp2_ok"]
                                                         else "proved")
    for flag in ("note_2hp2_ok", "subst_is_2_hp_minus_1_sq"):  # without the symbolic value there is nothing to compare
        e = copy.deepcopy(ev)
        e["symbolic"][flag] = False
        assert fd.decide_sg_hessian(e).verdict == "inconclusive", flag
    e = copy.deepcopy(ev)
    e["symbolic"]["subst_note_2hp2_ok"] = True  # had substituting first given 2h′², that reading would be proved
    assert fd.decide_sg_hessian(e).details["readings"]["substitute_first"] == "proved"
    assert fd.decide_sg_hessian(e).details["readings"]["sg_held_fixed"] == "corrected"
    # the other reading: sg held fixed with curvature 0 and field 0 (what the note says) -> proved, with its details
    e = copy.deepcopy(ev)
    e["symbolic"].update(sg_autograd_second="0", sg_field="0")
    e["torch"]["sg_autograd_second"] = 0.0
    out = fd.decide_sg_hessian(e)
    assert out.verdict == "proved" and out.details["readings"]["sg_held_fixed"] == "proved"
    assert out.details["torch"] == e["torch"]
    e["symbolic"]["sg_field"] = "-2*epsilon"  # curvature 0 but a non-constant field: still the corrected reading
    assert fd.decide_sg_hessian(e).verdict == "corrected"
    e["symbolic"]["sg_field"] = "0"
    e["torch"]["sg_autograd_second"] = fd.F64  # |torch − SymPy| of exactly F64 is a disagreement (rule: < F64)
    assert fd.decide_sg_hessian(e).verdict == "inconclusive"
    # each torch curvature exactly its tolerance away from an analytic value 0 (hp = 0: 2hp² = 0 and 2hp(hp−1) = 0;
    # hp = 1: 2(hp−1)² = 0): a disagreement; the same evidence without the offset agrees
    assert fd.decide_sg_hessian(_sg_hessian_at(ev, 0.0)).verdict != "inconclusive"
    assert fd.decide_sg_hessian(_sg_hessian_at(ev, 1.0)).verdict != "inconclusive"
    assert fd.decide_sg_hessian(_sg_hessian_at(ev, 0.0, pred_autograd_second=fd.F64)).verdict == "inconclusive"
    assert fd.decide_sg_hessian(_sg_hessian_at(ev, 1.0, pred_second_no_sg=fd.F64)).verdict == "inconclusive"
    assert fd.decide_sg_hessian(_sg_hessian_at(ev, 0.0, pred_field_jacobian_fd=fd.FD_TOL)).verdict == "inconclusive"


# ----------------------------------------------------------------------------- Exercise 3
def test_linear_predictor_gradient_tolerance_and_refuted_details():
    ev = ev_of("found.linear-predictor")
    assert fd.decide_linear_predictor(ev).verdict == "proved"
    for key in ("grad_at_A_star", "grad_formula_err"):
        e = copy.deepcopy(ev)
        e["autograd"][key] = fd.GRAD_TOL  # exactly GRAD_TOL is not a vanishing gradient (rule: < GRAD_TOL)
        assert fd.decide_linear_predictor(e).verdict == "inconclusive", key
    e = copy.deepcopy(ev)
    e["symbolic"]["closed_form_ok"] = False
    e["autograd"]["grad_at_A_star"] = fd.GRAD_TOL  # ... and is a non-stationary A* (rule: ≥ GRAD_TOL)
    out = fd.decide_linear_predictor(e)
    assert out.verdict == "refuted" and out.details == {**e["symbolic"], **e["autograd"]}


# ----------------------------------------------------------------------------- InfoMax
def test_gaussian_mi_ratio_and_cosine_edges_and_readings():
    ev = ev_of("found.gaussian-mi")
    out = fd.decide_gaussian_mi(ev)
    assert out.verdict == "confirmed" and out.details["readings"]["isotropic"] == "confirmed"

    def at(found, cos=None, aniso=None):
        e = copy.deepcopy(ev)
        e["mi_top"], e["mi_found"] = 1.0, found  # ratios = found exactly (division by 1.0)
        if cos is not None:
            e["min_cos_to_top"] = [1.0] * (len(e["min_cos_to_top"]) - 1) + [cos]
        if aniso is not None:
            e["anisotropic"]["top_is_not_maximiser"] = aniso
        return fd.decide_gaussian_mi(e)

    assert at([1.0, 1 + fd.MI_REL]).verdict == "confirmed"    # ON 1 + MI_REL: not above the top-d value
    assert at([1.0, 1 - fd.MI_REL]).verdict == "confirmed"    # ON 1 − MI_REL: converged
    assert at([1.0, 1.0], cos=fd.COS_TOP).verdict == "confirmed"  # ON COS_TOP: aligned with the top-d eigvecs
    out = at([1.0, 1.5])
    assert out.verdict == "refuted" and out.details["readings"]["isotropic"] == "refuted"
    assert out.details["mi_found"] == [1.0, 1.5] and out.details["mi_top"] == 1.0
    any_noise = at([1.0, 1.0], aniso=False).details["readings"]["any_noise"]
    assert any_noise == "confirmed"  # top-d is the maximiser also with anisotropic noise -> that reading is confirmed
    assert at([1.0, 1.0], aniso=True).details["readings"]["any_noise"] == "refuted"


# ----------------------------------------------------------------------------- simplex ETF
def test_simplex_etf_explicit_tolerances_and_refuted_branch():
    ev = ev_of("found.simplex-etf")
    assert fd.decide_simplex_etf(ev).verdict == "proved"
    for key in ("max_diag_err", "max_offdiag_err", "sum_norm"):
        e = copy.deepcopy(ev)
        e["explicit"][0][key] = fd.F64  # exactly F64 is an error (rule: < F64)
        assert fd.decide_simplex_etf(e).verdict == "inconclusive", key
    e = copy.deepcopy(ev)
    e["G2_equals_aG"] = False  # SymPy fails but every explicit Gram has rank N − 1: the methods disagree
    assert fd.decide_simplex_etf(e).verdict == "inconclusive"
    e["explicit"][0]["rank"] = e["explicit"][0]["N"]  # ... and explicit vectors of rank N: both say "not N − 1"
    out = fd.decide_simplex_etf(e)
    assert out.verdict == "refuted" and out.details["explicit_ranks"][0] == e["explicit"][0]["N"]


# ----------------------------------------------------------------------------- log N dims
def test_log_n_dims_unevaluated_limit_in_the_tau_to_0_gap():
    ev = ev_of("found.log-n-dims")
    assert fd.decide_log_n_dims(ev).verdict == "underspecified"
    e = copy.deepcopy(ev)
    e["gap_tau_to_0"] = "Limit(f(tau), tau, 0)"  # its float value is stored separately: the string must be checked
    assert fd.decide_log_n_dims(e).verdict == "inconclusive"


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


# ----------------------------------------------------------------------------- seeded gathers
def test_seeded_torch_gathers_are_reproducible():
    """Evidence is recorded and re-decided: the seeded gathers must not draw from the global RNG state."""
    import numpy as np
    import torch
    for gather in (fd._torch_sg_gradients, fd._autograd_linear_predictor):
        torch.manual_seed(1)
        np.random.seed(1)
        a = gather()
        torch.manual_seed(2)
        np.random.seed(2)
        torch.randn(7)
        b = gather()
        assert a == b, gather.__name__


def test_srank_limit_numeric_is_float64_closed_form():
    from fractions import Fraction
    n = fd.srank_limit_evidence()["numeric"]
    d, lam, eps = n["d"], Fraction(n["lambda1"]), Fraction(n["eps"])
    exact = (lam + (d - 1) * eps) ** 2 / (lam**2 + (d - 1) * eps**2)  # = 1 + 2(d−1)ε/λ₁ + O(ε²) ≈ 1 + 8e-8
    # float64 srank of 5 numbers: relative round-off ≲ 1e-15 (float32 would be off by ~1e-7, i.e. give 1.0)
    assert abs(n["srank"] - float(exact)) < 1e-14


def test_erank_evidence_values_are_float64():
    """The gathered entropy / stable ranks against an independent float64 numpy evaluation of the definitions."""
    import numpy as np
    ev = fd.erank_evidence()
    for r in ev["random"] + ev["cases"]:
        lam = np.asarray(r["eigenvalues"], dtype=np.float64)
        p = lam[lam > 0] / lam.sum()
        erank = math.exp(-float(np.sum(p * np.log(p))))
        srank = float(lam.sum() ** 2 / np.sum(lam**2))
        # float64 sums / logs of ≤ 7 terms: relative round-off ~1e-15 (float32 would be ~1e-7)
        assert abs(r["erank"] - erank) < 1e-13 * erank
        if "srank" in r:
            assert abs(r["srank"] - srank) < 1e-13 * srank
