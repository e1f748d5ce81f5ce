"""Decisions of the found.* claims on modified evidence: each must give a verdict different from the recorded one.

The recorded verdicts themselves are reproduced by tests/theory/test_decisions.py (fixture or live evidence).
Boundary cases sit one step on each side of a decision's threshold (the step is 10% of the threshold), so that a
mutated constant, a flipped comparison or a changed analytic value in a decision changes a result here.  Each test
also checks that the untouched evidence gives the recorded verdict, so a test cannot pass because its evidence is
already off.
"""
from __future__ import annotations

import copy
from pathlib import Path

import pytest

from sslverify.verdicts.builtin import found as fd
from sslverify.verdicts.evidence import load_fixture
from sslverify.verdicts.registry import builtin_claims

CLAIMS = {k: v for k, v in builtin_claims().items() if v.family == "found"}
SEED = Path(__file__).resolve().parents[3] / "shared" / "seeds" / fd.F


def decide(cid: str, ev: dict) -> str:
    return CLAIMS[cid].decide(ev).verdict


def variant(ev: dict, edit) -> dict:
    """A deep copy of ``ev`` with ``edit(copy)`` applied."""
    e = copy.deepcopy(ev)
    edit(e)
    return e


@pytest.fixture
def ev(request, evidence_of):
    """Evidence of the claim named by the (indirect) parameter; asserts it gives the recorded verdict."""
    rec = CLAIMS[request.param]
    e = evidence_of(rec)
    assert rec.decide(e).verdict == rec.verdict
    return e


def one(cid):
    return pytest.mark.parametrize("ev", [cid], indirect=True)


# ----------------------------------------------------------------------------- records
def test_found_family_has_eighteen_split_claims():
    assert len(CLAIMS) == 18 and all(c.gather is not None for c in CLAIMS.values())


@pytest.mark.skipif(not SEED.exists(), reason="the seed documents live beside the checkout (../shared/seeds)")
@pytest.mark.parametrize("cid", sorted(CLAIMS))
def test_definitions_are_verbatim_quotes_of_the_note(cid):
    text = SEED.read_text(encoding="utf-8")
    assert CLAIMS[cid].definitions, f"{cid} quotes no definition of the note"
    for q in CLAIMS[cid].definitions:
        assert q in text, f"{cid}: not a verbatim quote of the note: {q[:80]}"


def test_corrected_records_name_second_method_scope_and_readings():
    for c in CLAIMS.values():
        if c.verdict in ("corrected", "refuted"):
            assert c.second_method and c.scope, c.id
        if c.id in ("found.em-predictor", "found.bn-near-collapse", "found.linear-byol", "found.ntxent-decomposition"):
            assert c.power, f"{c.id} rests on an experiment / Monte Carlo and must state its power"
    assert [r.verdict for r in CLAIMS["found.bn-variance"].readings if r.primary] == ["proved"]
    assert {r.verdict for r in CLAIMS["found.bn-variance"].readings} == {"proved", "corrected"}


def test_log_n_dims_says_what_is_corrected():
    """The record keeps the formal claim (proved) apart from the summary's 'near-zero' (refuted at fixed τ)."""
    c = CLAIMS["found.log-n-dims"]
    assert c.verdict == "proved" and "Near-zero" in c.correction and "depends on" in c.correction
    assert {r.verdict for r in c.readings} == {"proved", "refuted", "underspecified"}


# ----------------------------------------------------------------------------- ranks
@one("found.collapse-iff")
def test_collapse_iff_decision_boundaries(ev):
    cid = "found.collapse-iff"
    assert decide(cid, variant(ev, lambda e: e["outer_product_identity"].__setitem__("N3_d2", False))) == "inconclusive"
    full = next(i for i, g in enumerate(ev["generated"]) if g["k"] == 4)
    lam = ev["generated"][full]["eigenvalues"]
    top = max(lam)

    def set_min(factor):
        def edit(e):
            ls = e["generated"][full]["eigenvalues"]
            ls[ls.index(min(ls))] = factor * fd.RANK_REL * top
        return edit

    assert decide(cid, variant(ev, set_min(1.1))) == "proved"        # just above the rounding-zero rule: rank 4
    assert decide(cid, variant(ev, set_min(0.9))) == "inconclusive"  # below: the rules disagree (matrix_rank 4)
    assert decide(cid, variant(ev, set_min(-1.1))) == "inconclusive"  # negative beyond round-off
    assert decide(cid, variant(ev, lambda e: e["generated"][1].__setitem__("matrix_rank", 3))) == "inconclusive"
    assert decide(cid, variant(ev, lambda e: e["identical_rows_eigenvalues"].__setitem__(0, 0.9 * fd.IDENTICAL_ZERO))) == "proved"
    assert decide(cid, variant(ev, lambda e: e["identical_rows_eigenvalues"].__setitem__(0, 1.1 * fd.IDENTICAL_ZERO))) == "inconclusive"


@one("found.srank")
def test_srank_decision_boundaries(ev):
    cid = "found.srank"
    assert decide(cid, variant(ev, lambda e: e["identities"].__setitem__("4", [True, False]))) == "inconclusive"
    assert decide(cid, variant(ev, lambda e: e["identities"].pop("6"))) == "inconclusive"
    four = ev["cases"][0]["srank"]
    assert decide(cid, variant(ev, lambda e: e["cases"][0].__setitem__("srank", four * (1 + 0.9 * fd.F64)))) == "proved"
    assert decide(cid, variant(ev, lambda e: e["cases"][0].__setitem__("srank", four * (1 + 1.1 * fd.F64)))) == "inconclusive"
    # the analytic value the decision compares with: 25/17 for (4, 1, 0, 0); a different spectrum is caught
    assert decide(cid, variant(ev, lambda e: e["cases"][2].update(eigenvalues=[4.0, 2, 0, 0], srank=2.0))) == "inconclusive"
    assert decide(cid, variant(ev, lambda e: e["cases"][1].update(eigenvalues=[3.0, -1, 0, 0]))) == "inconclusive"


@one("found.erank")
def test_erank_decision_boundaries(ev):
    cid = "found.erank"
    for i, (_, k) in enumerate(fd.ERANK_CASES):  # the analytic values 3, 1, 2, one step across the tolerance
        assert decide(cid, variant(ev, lambda e: e["cases"][i].__setitem__("erank", k * (1 + 0.9 * fd.F64)))) == "proved"
        assert decide(cid, variant(ev, lambda e: e["cases"][i].__setitem__("erank", k * (1 + 1.1 * fd.F64)))) == "inconclusive"
        assert decide(cid, variant(ev, lambda e: e["cases"][i].__setitem__("erank", k - 1.0))) == "inconclusive"
    r0 = ev["random"][0]
    assert decide(cid, variant(ev, lambda e: e["random"][0].__setitem__("srank", r0["erank"] * (1 + 2 * fd.F64)))) == "inconclusive"
    assert decide(cid, variant(ev, lambda e: e.__setitem__("gibbs_ok", False))) == "inconclusive"
    assert decide(cid, variant(ev, lambda e: e["kl_identity"].__setitem__("3", False))) == "inconclusive"


@one("found.srank-limit")
def test_srank_limit_decision_boundaries(ev):
    cid = "found.srank-limit"
    assert decide(cid, variant(ev, lambda e: e.__setitem__("limit", "Limit(f(epsilon), epsilon, 0)"))) == "inconclusive"
    assert decide(cid, variant(ev, lambda e: e.__setitem__("scale_invariant", False))) == "inconclusive"
    # a different symbolic limit re-checked by the float64 value is a refutation; not re-checked, inconclusive
    assert decide(cid, variant(ev, lambda e: (e.__setitem__("limit", "2"), e["numeric"].__setitem__("srank", 2.0)))) == "refuted"
    assert decide(cid, variant(ev, lambda e: e.__setitem__("limit", "2"))) == "inconclusive"
    assert decide(cid, variant(ev, lambda e: e["numeric"].__setitem__("srank", 1 + 0.9 * fd.LIMIT_NUMERIC))) == "proved"
    assert decide(cid, variant(ev, lambda e: e["numeric"].__setitem__("srank", 1 + 1.1 * fd.LIMIT_NUMERIC))) == "inconclusive"


# ----------------------------------------------------------------------------- EM
@one("found.em-predictor")
def test_em_predictor_decision_boundaries(ev):
    cid = "found.em-predictor"
    for key in ("median_error_small", "moved_towards_a_star", "empirical_equals_population", "a_star_nontrivial",
                "sg_training_is_not_descent_on_cond_var"):
        assert decide(cid, variant(ev, lambda e: e["experiment"]["checks"].__setitem__(key, False))) == "inconclusive", key
    assert decide(cid, variant(ev, lambda e: e["experiment"]["checks"].pop("a_star_nontrivial"))) == "inconclusive"
    assert decide(cid, variant(ev, lambda e: e["experiment"].__setitem__("seeds", fd.EM_MIN_SEEDS - 1))) == "inconclusive"
    assert decide(cid, variant(ev, lambda e: e["derivation"]["discrete_em"].__setitem__("tower_identity", False))) == "inconclusive"
    gp = lambda k, v: (lambda e: e["derivation"]["general_position"][k].__setitem__(0, v))  # noqa: E731
    assert decide(cid, variant(ev, gp("envelope_residual", 0.9 * fd.ENVELOPE_TOL))) == "corrected"
    assert decide(cid, variant(ev, gp("envelope_residual", 1.1 * fd.ENVELOPE_TOL))) == "inconclusive"
    assert decide(cid, variant(ev, gp("cos_sg_var", 0.9 * fd.COS_NOT_PARALLEL))) == "corrected"
    assert decide(cid, variant(ev, gp("cos_sg_var", 1.001 * fd.COS_NOT_PARALLEL))) == "inconclusive"
    assert decide(cid, variant(ev, lambda e: e["derivation"]["autograd_1d"].__setitem__("norm_sg", 1.1 * fd.F64))) == "inconclusive"
    # every method agreeing with the note: the M-step descends E Var(z₂|z₁)
    note_right = variant(ev, lambda e: (
        e["derivation"]["mstep_1d"].update(sg_gradient=e["derivation"]["mstep_1d"]["grad_cond_var"], stopgrad_equals_grad_var=True),
        [e["derivation"][pt].update(norm_sg=e["derivation"][pt]["norm_var"], sympy_sg=e["derivation"][pt]["sympy_var"])
         for pt in ("autograd_1d", "autograd_1d_generic")],
        e["derivation"]["general_position"].update(cos_sg_var=[1.0] * 5),
        e["experiment"]["checks"].__setitem__("sg_training_is_not_descent_on_cond_var", False)))
    assert decide(cid, note_right) == "confirmed"
    # … but not when the trained run still separates the two dynamics (methods disagree)
    assert decide(cid, variant(note_right, lambda e: e["experiment"]["checks"].__setitem__(
        "sg_training_is_not_descent_on_cond_var", True))) == "inconclusive"


@one("found.em-gaussian")
def test_em_gaussian_decision_boundaries(ev):
    cid = "found.em-gaussian"
    mc = ev["monte_carlo"]
    target = -mc["rho"] ** 2 * mc["d"]
    shift = lambda z: (lambda e: e["monte_carlo"].__setitem__("mstep_mean", target + z * mc["mstep_se"]))  # noqa: E731
    assert decide(cid, variant(ev, shift(0.9 * fd.MC_Z))) == "proved"
    assert decide(cid, variant(ev, shift(1.1 * fd.MC_Z))) == "inconclusive"
    assert decide(cid, variant(ev, lambda e: (e["symbolic"]["2"].__setitem__("mstep_minus_note", "rho**2"),
                                              shift(40)(e)))) == "refuted"
    assert decide(cid, variant(ev, lambda e: e["symbolic"]["2"].__setitem__("mstep_minus_note", "rho**2"))) == "inconclusive"
    assert decide(cid, variant(ev, lambda e: e.__setitem__("rejects_rho_1_5", False))) == "inconclusive"
    assert decide(cid, variant(ev, lambda e: e["symbolic"]["3"].__setitem__("A_is_rho_I", False))) == "inconclusive"


@one("found.linear-predictor")
def test_linear_predictor_decision_boundaries(ev):
    cid = "found.linear-predictor"
    g = lambda v: (lambda e: e["autograd"].__setitem__("grad_at_A_star", v))  # noqa: E731
    assert decide(cid, variant(ev, g(0.9 * fd.GRAD_TOL))) == "proved"
    assert decide(cid, variant(ev, g(1.1 * fd.GRAD_TOL))) == "inconclusive"
    assert decide(cid, variant(ev, lambda e: (g(1e-3)(e), e["symbolic"].__setitem__("closed_form_ok", False)))) == "refuted"
    assert decide(cid, variant(ev, lambda e: e["symbolic"].__setitem__("expansion_ok", False))) == "inconclusive"


# ----------------------------------------------------------------------------- batch norm
@one("found.bn-variance")
def test_bn_variance_decision_boundaries(ev):
    cid = "found.bn-variance"
    g2 = ev["numeric"]["gamma"] ** 2
    v0 = lambda r: (lambda e: e["numeric"].__setitem__("var_eps0", g2 * (1 + r)))  # noqa: E731
    assert decide(cid, variant(ev, v0(0.9 * fd.REL_F64))) == "proved"
    assert decide(cid, variant(ev, v0(1.1 * fd.REL_F64))) == "inconclusive"  # float64 disagrees with SymPy
    off = "epsilon*gamma**2/(epsilon + v)"
    assert decide(cid, variant(ev, lambda e: (e.__setitem__("as_defined_variance_residual", off), v0(-0.01)(e)))) == "refuted"
    assert decide(cid, variant(ev, lambda e: e.__setitem__("as_defined_variance_residual", off))) == "inconclusive"
    # the ε reading is reported, not hidden: corrected with torch's ε, undecided if the numbers do not show it
    out = CLAIMS[cid].decide(ev)
    assert out.details["readings"] == {"as_defined_no_eps": "proved", "torch_eps": "corrected", "unbiased_var": "corrected",
                                       "gloss_inputs_cannot_collapse": "corrected"}
    same = variant(ev, lambda e: e["numeric"].__setitem__("var_torch_eps", g2))
    assert CLAIMS[cid].decide(same).details["readings"]["torch_eps"] == "inconclusive"
    # the gloss 'forced to have nonzero variance': corrected only if the ε-free BN is 0/0 at collapse, the ε-BN follows
    # γ²v/(v+ε) (REL_F64) and falls below GAMMA2_GAP·γ² near collapse; otherwise not decided
    gloss = lambda e: CLAIMS[cid].decide(e).details["readings"]["gloss_inputs_cannot_collapse"]  # noqa: E731
    assert gloss(variant(ev, lambda e: e["gloss"].__setitem__("eps0_at_collapse_is_nan", False))) == "inconclusive"
    rows = ev["gloss"]["torch_eps"]
    r3 = rows[3]["var_torch_eps"]
    assert gloss(variant(ev, lambda e: e["gloss"]["torch_eps"][3].__setitem__("var_torch_eps", r3 * (1 + 0.9 * fd.REL_F64)))) == "corrected"
    assert gloss(variant(ev, lambda e: e["gloss"]["torch_eps"][3].__setitem__("var_torch_eps", r3 * (1 + 1.1 * fd.REL_F64)))) == "inconclusive"
    assert gloss(variant(ev, lambda e: e["gloss"]["torch_eps"][4].__setitem__("var_torch_eps", 1e-300))) == "inconclusive"
    # no batch variance small enough: the smallest output variance would stay at γ²v/(v+ε) ≥ GAMMA2_GAP·γ² → undecided
    big = [{"v": v, "var_torch_eps": 4 * v / (v + 1e-5)} for v in (1e-2, 1e-4)]
    assert gloss(variant(ev, lambda e: e["gloss"].__setitem__("torch_eps", big))) == "inconclusive"
    assert decide(cid, variant(ev, lambda e: e["gloss"].__setitem__("torch_eps", big))) == "proved"  # verdict: the identity


@one("found.bn-collapse-gradient")
def test_bn_collapse_gradient_decision_boundaries(ev):
    cid = "found.bn-collapse-gradient"
    d = ev["torch"]["diag"]
    assert decide(cid, variant(ev, lambda e: e["torch"].__setitem__("diag", d * (1 + 0.9 * fd.REL_F64)))) == "proved"
    assert decide(cid, variant(ev, lambda e: e["torch"].__setitem__("diag", d * (1 + 1.1 * fd.REL_F64)))) == "inconclusive"
    assert decide(cid, variant(ev, lambda e: (e["torch"].__setitem__("diag", 2 * d),
                                              e["symbolic"]["3"].__setitem__("collapse_ok", False)))) == "refuted"
    assert decide(cid, variant(ev, lambda e: e["symbolic"]["2"].__setitem__("jacobian_ok", False))) == "inconclusive"


@one("found.bn-near-collapse")
def test_bn_near_collapse_decision_boundaries(ev):
    cid = "found.bn-near-collapse"
    x = ev["experiment"]
    for key in ("autograd_matches_derived", "output_variance", "output_variance_eps0"):
        assert decide(cid, variant(ev, lambda e: e["experiment"]["checks"].__setitem__(key, False))) == "inconclusive", key
    assert decide(cid, variant(ev, lambda e: e["experiment"]["checks"].pop("plateau"))) == "inconclusive"
    assert decide(cid, variant(ev, lambda e: e["experiment"]["checks"].__setitem__("n2_diag_zero_eps0", False))) == "inconclusive"
    assert decide(cid, variant(ev, lambda e: e["derivation"].__setitem__("jacobian_kills_centred_eps0", False))) == "inconclusive"
    r = x["ratio_pred"]
    ratio = lambda v: (lambda e: e["experiment"].update(ratio_eps0_min=v, ratio_eps0_max=v))  # noqa: E731
    assert decide(cid, variant(ev, ratio(r * (1 + 0.9 * fd.RATIO_TOL)))) == "corrected"
    assert decide(cid, variant(ev, ratio(r * (1 + 1.1 * fd.RATIO_TOL)))) == "inconclusive"
    assert decide(cid, variant(ev, ratio(1.0))) == "inconclusive"  # autograd says the note, SymPy says not
    note_right = variant(ev, lambda e: (ratio(1.0)(e), e["derivation"].__setitem__(
        "extra_term_is_minus_u2_over_N", {"2": False, "4": False})))
    assert decide(cid, note_right) == "confirmed"
    # the ε reading's verdict is reported in the details
    out = CLAIMS[cid].decide(variant(ev, lambda e: e["experiment"]["checks"].__setitem__("slope_minus_one", False)))
    assert out.verdict == "corrected" and out.details["readings"]["torch_eps"] == "inconclusive"


# ----------------------------------------------------------------------------- uniformity / NT-Xent
@one("found.uniformity")
def test_uniformity_decision_boundaries(ev):
    cid = "found.uniformity"
    u = ev["circle_uniform"]
    below = lambda e: e["circle"].__setitem__(0, {"direct": u * 0.99, "series": u * 0.99})  # noqa: E731
    assert decide(cid, variant(ev, below)) == "refuted"  # a law on S¹ below the uniform one, re-checked by its series
    u3 = ev["sphere3_uniform"]
    assert decide(cid, variant(ev, lambda e: e["sphere3"].__setitem__(1, {"direct": u3 * 0.99, "series": u3 * 0.99,
                                                                          "min_moment": 0.0}))) == "refuted"
    d0 = ev["circle"][0]["direct"]
    assert decide(cid, variant(ev, lambda e: e["circle"][0].__setitem__("series", d0 / (1 + 1.1 * fd.SERIES_TOL)))) == "inconclusive"
    assert decide(cid, variant(ev, lambda e: e["circle"][0].__setitem__("series", d0 / (1 + 0.9 * fd.SERIES_TOL)))) == "proved"
    assert decide(cid, variant(ev, lambda e: e["sphere2"][1].__setitem__("min_moment", -1.1 * fd.SERIES_TOL))) == "inconclusive"
    assert decide(cid, variant(ev, lambda e: e["sphere3"][1].__setitem__("min_moment", -1.1 * fd.SERIES_TOL))) == "inconclusive"
    assert decide(cid, variant(ev, lambda e: e["identities"].__setitem__("collapse_value", "1"))) == "inconclusive"
    # the symbolic positivity argument and its quadrature re-check must both hold for d = 2, 3, 4
    assert decide(cid, variant(ev, lambda e: e["rodrigues"]["4"].__setitem__("all_positive", False))) == "inconclusive"
    assert decide(cid, variant(ev, lambda e: e["rodrigues"].pop("3"))) == "inconclusive"
    row = ev["coefficients"]["3"][5]
    tol = fd.QUAD_ROUND * row["abs_sum"]
    assert decide(cid, variant(ev, lambda e: e["coefficients"]["3"][5].__setitem__("quadrature", row["closed_form"] + 0.9 * tol))) == "proved"
    assert decide(cid, variant(ev, lambda e: e["coefficients"]["3"][5].__setitem__("quadrature", row["closed_form"] + 1.1 * tol))) == "inconclusive"
    assert decide(cid, variant(ev, lambda e: e["coefficients"]["2"][3].update(closed_form=-1e-3, quadrature=-1e-3))) == "inconclusive"
    # the R^d reading's verdict is reported: corrected as recorded, confirmed if the Gaussian did not win
    out = CLAIMS[cid].decide(ev)
    assert out.details["readings"] == {"on_sphere": "proved", "on_Rd": "corrected"}
    assert out.details["jensen_sketch_decides"] is False and out.details["mean_zero_suffices"] is False
    flipped = variant(ev, lambda e: e["rd_counterexample"].__setitem__("gaussian", 0.3))
    assert CLAIMS[cid].decide(flipped).details["readings"]["on_Rd"] == "confirmed"


@one("found.ntxent-decomposition")
def test_ntxent_decision_boundaries(ev):
    cid = "found.ntxent-decomposition"
    lim = ev["populations"]["4.0"]["limit"]
    c = ev["monte_carlo"]["4.0"]
    allowed = fd.MC_Z * c["se"] + 2.718281828459045 ** (2 / ev["tau"]) / (2 * c["n"])
    assert decide(cid, variant(ev, lambda e: e["monte_carlo"]["4.0"].__setitem__("mean", lim + 0.9 * allowed))) == "corrected"
    assert decide(cid, variant(ev, lambda e: e["monte_carlo"]["4.0"].__setitem__("mean", lim + 1.1 * allowed))) == "inconclusive"
    assert decide(cid, variant(ev, lambda e: e["populations"]["4.0"].__setitem__("align", 0.5))) == "inconclusive"
    # if the loss fell with ΔL_uniform (the note's sign) and L_align − L_uniform fit up to a constant: confirmed
    a = ev["populations"]["0.5"]

    def note_sign(e):
        b = e["populations"]["4.0"]
        b["limit"] = a["limit"] - (b["uniform"] - a["uniform"])
        e["monte_carlo"]["4.0"]["mean"] = b["limit"]
    assert decide(cid, variant(ev, note_sign)) == "confirmed"
    # an underpowered comparison (standard errors as large as the effect) cannot decide, even if the means re-check
    d = ev["populations"]["4.0"]["limit"] - a["limit"]

    def se_at(z):
        def edit(e):
            for m in e["monte_carlo"].values():
                m["se"] = abs(d) / (z * 2**0.5)  # se of the difference = |Δ| / z
        return edit
    assert decide(cid, variant(ev, se_at(1.1 * fd.MC_Z))) == "corrected"
    assert decide(cid, variant(ev, se_at(0.9 * fd.MC_Z))) == "inconclusive"
    # a law-dependent offset of the right sign is no correction of the sign
    same_sign = variant(ev, lambda e: e["populations"]["4.0"].__setitem__("uniform", a["uniform"] - 0.3))
    assert decide(cid, same_sign) == "inconclusive"


@one("found.simplex-etf")
def test_simplex_etf_decision_boundaries(ev):
    cid = "found.simplex-etf"
    assert decide(cid, variant(ev, lambda e: e["explicit"][2].__setitem__("max_offdiag_err", 0.9 * fd.F64))) == "proved"
    assert decide(cid, variant(ev, lambda e: e["explicit"][2].__setitem__("max_offdiag_err", 1.1 * fd.F64))) == "inconclusive"
    assert decide(cid, variant(ev, lambda e: e["explicit"][3].__setitem__("rank", 3))) == "inconclusive"
    assert decide(cid, variant(ev, lambda e: (e["explicit"][3].__setitem__("rank", 3), e.__setitem__("G2_equals_aG", False)))) == "refuted"
    assert decide(cid, variant(ev, lambda e: e.__setitem__("rank_minus_N_plus_1", "-1"))) == "inconclusive"


@one("found.log-n-dims")
def test_log_n_dims_decision_boundaries(ev):
    cid = "found.log-n-dims"
    assert decide(cid, ev) == "proved"
    assert decide(cid, variant(ev, lambda e: e.__setitem__("gap_tau_to_inf", "Limit(gap, tau, oo)"))) == "inconclusive"
    assert decide(cid, variant(ev, lambda e: e.__setitem__("lower_bound_N_to_inf", "log(2)"))) == "inconclusive"
    assert decide(cid, variant(ev, lambda e: e.__setitem__("gap_bound_identity", "1/(a*m + 1)"))) == "inconclusive"
    r0 = ev["near_orthogonal"][0]
    # the bound is inclusive; a gap just above it, an ε of ½, or a gap below −10·F64 do not re-check
    assert decide(cid, variant(ev, lambda e: e["near_orthogonal"][0].__setitem__("gap", r0["bound"]))) == "proved"
    assert decide(cid, variant(ev, lambda e: e["near_orthogonal"][0].__setitem__("gap", r0["bound"] * (1 + 1e-9)))) == "inconclusive"
    assert decide(cid, variant(ev, lambda e: e["near_orthogonal"][0].__setitem__("eps", 0.5))) == "inconclusive"
    assert decide(cid, variant(ev, lambda e: e["near_orthogonal"][0].__setitem__("gap", -10 * fd.F64))) == "proved"
    assert decide(cid, variant(ev, lambda e: e["near_orthogonal"][0].__setitem__("gap", -11 * fd.F64))) == "inconclusive"


# ----------------------------------------------------------------------------- linear BYOL / MI
@one("found.linear-byol")
def test_linear_byol_decision_boundaries(ev):
    cid = "found.linear-byol"
    assert decide(cid, variant(ev, lambda e: e.__setitem__("F_equals_Sigma_x", False))) == "inconclusive"
    for key in ("simsiam_top_aligned", "byol_top_aligned", "simsiam_bottom_far", "byol_bottom_far"):
        assert decide(cid, variant(ev, lambda e: e["experiment"]["checks"].__setitem__(key, False))) == "inconclusive", key
    assert decide(cid, variant(ev, lambda e: e["experiment"]["checks"].pop("byol_bottom_far"))) == "inconclusive"
    assert decide(cid, variant(ev, lambda e: e["experiment"].__setitem__("seeds_per_method", fd.BYOL_MIN_SEEDS - 1))) == "inconclusive"
    f0 = ev["experiment"]["per_method"]["byol"]["final_deg"][0]
    moved = lambda dlt: (lambda e: e["experiment"]["per_method"]["byol"]["three_quarter_deg"].__setitem__(0, f0 + dlt))  # noqa: E731
    assert decide(cid, variant(ev, moved(0.9 * fd.STALL_DEG))) == "confirmed"
    assert decide(cid, variant(ev, moved(1.1 * fd.STALL_DEG))) == "inconclusive"  # still moving: not converged
    assert decide(cid, variant(ev, lambda e: e["experiment"]["per_method"]["simsiam"]["sv_min_W"].__setitem__(0, 0.0))) == "inconclusive"


@one("found.gaussian-mi")
def test_gaussian_mi_decision_boundaries(ev):
    cid = "found.gaussian-mi"
    top = ev["mi_top"]
    mi = lambda r: (lambda e: e["mi_found"].__setitem__(0, top * (1 + r)))  # noqa: E731
    assert decide(cid, variant(ev, mi(0.9 * fd.MI_REL))) == "confirmed"
    assert decide(cid, variant(ev, mi(1.1 * fd.MI_REL))) == "refuted"  # a W beating the top-d eigenvectors
    assert decide(cid, variant(ev, mi(-0.9 * fd.MI_REL))) == "confirmed"
    assert decide(cid, variant(ev, mi(-1.1 * fd.MI_REL))) == "inconclusive"  # ascent stopped short: not converged
    cos = lambda v: (lambda e: e["min_cos_to_top"].__setitem__(0, v))  # noqa: E731
    assert decide(cid, variant(ev, cos(1 - 0.9 * (1 - fd.COS_TOP)))) == "confirmed"
    assert decide(cid, variant(ev, cos(1 - 1.1 * (1 - fd.COS_TOP)))) == "inconclusive"
    assert decide(cid, variant(ev, lambda e: e["formula"].__setitem__("schur_d2", False))) == "inconclusive"
    assert CLAIMS[cid].decide(ev).details["readings"] == {"isotropic": "confirmed", "any_noise": "refuted"}


def test_em_predictor_autograd_catches_a_sympy_gradient_wrong_only_away_from_the_quoted_point(monkeypatch):
    """At (s, σ², w) = (1, 0.49, 1) a gradient with w² for w (or s² for s) has the right value; autograd at the
    generic point EM_POINTS[1] must disagree with it, so the check cannot confirm a wrong SymPy derivation."""
    import sympy as sp

    from sslverify.theory.found import em_predictor

    real = em_predictor.mstep_stopgrad_1d()
    w, s, sig2 = (next(x for x in real["grad_conditional_variance"].free_symbols if x.name == n) for n in ("w", "s", "sigma2"))
    assert fd.EM_POINTS[0] == (1.0, 0.49, 1.0) and fd.EM_POINTS[1][0] != 1 and fd.EM_POINTS[1][2] != 1
    ok = fd._em_derivation()
    for k in ("autograd_1d", "autograd_1d_generic"):  # SymPy and autograd agree where both are right
        assert fd._agree(ok[k]["norm_var"], ok[k]["sympy_var"]) and ok[k]["sympy_sg"] == 0.0
    for wrong in (2 * sig2 * w**2 * (2 * s + sig2) / (s + sig2), 2 * sig2 * w * (2 * s**2 + sig2) / (s**2 + sig2)):
        assert float(wrong.subs({s: 1, sig2: sp.Rational(49, 100), w: 1})) == pytest.approx(ok["autograd_1d"]["norm_var"], rel=1e-12)  # exact equal; float64
        monkeypatch.setattr(em_predictor, "mstep_stopgrad_1d", lambda wrong=wrong: {**real, "grad_conditional_variance": wrong})
        d = fd._em_derivation()
        assert fd._agree(d["autograd_1d"]["norm_var"], d["autograd_1d"]["sympy_var"])   # blind at the quoted point
        assert not fd._agree(d["autograd_1d_generic"]["norm_var"], d["autograd_1d_generic"]["sympy_var"])
        ev = {"derivation": d, "experiment": copy.deepcopy(load_fixture("found.em-predictor")["experiment"])}
        assert fd.decide_em_predictor(ev).verdict == "inconclusive"
