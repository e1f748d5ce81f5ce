"""found.*: decision edges that test_decisions_found.py (one step of 10% on each side of a threshold) does not pin.

- evidence exactly ON a threshold, so that the documented strict / non-strict comparison is pinned (a tolerance
  ``x < tol`` means "a residual of exactly tol is too large"; an MC acceptance ``|Δ| ≤ z·se`` means "exactly z
  standard errors is still accepted");
- the details of non-inconclusive outcomes (the report shows them: the value found, the per-reading verdicts).

Decisions are called as ``fd.decide_*`` (module attribute), evidence is built from the decision's own recorded
fixture or, for fast gathers, from the gather itself.
"""
from __future__ import annotations

import copy
import sys
from pathlib import Path

from sslverify.verdicts.builtin import found as fd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from found_evidence import ev_of  # noqa: E402

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
    assert fd.decide_log_n_dims(ev).verdict == "proved"
    e = copy.deepcopy(ev)
    e["gap_tau_to_0"] = "Limit(f(tau), tau, 0)"  # its float value is stored separately: the string must be checked
    assert fd.decide_log_n_dims(e).verdict == "inconclusive"
