"""rusak.*: every decision fed evidence that must give a DIFFERENT verdict than the recorded one.

Boundary cases sit just inside / just outside each threshold, so that a mutated constant or a flipped
comparison changes a verdict here (tests/theory/test_decisions.py checks the recorded verdict itself).
The numbers below are hard-coded on purpose: a test that read the decision's own constants would move
with a mutant.
"""
from __future__ import annotations

from sslverify.verdicts.registry import builtin_claims

CLAIMS = builtin_claims()


def verdict(cid: str, evidence: dict) -> str:
    return CLAIMS[cid].decide(evidence).verdict


def fresh(evidence_of, cid: str) -> dict:
    return evidence_of(CLAIMS[cid])


# ----------------------------------------------------------------------------- lemma 2
def test_lemma2(evidence_of, monkeypatch):
    e = fresh(evidence_of, "rusak.lemma2")
    assert verdict("rusak.lemma2", e) == "proved"
    e["symbolic"][1]["right"] = False  # a minor that does not vanish, no counterexample: SymPy failed
    assert verdict("rusak.lemma2", e) == "inconclusive"
    e = fresh(evidence_of, "rusak.lemma2")
    e["strict_example_rank_AB"] = 1  # the "it can be strict" example not strict: our exact rank failed
    assert verdict("rusak.lemma2", e) == "inconclusive"
    e = fresh(evidence_of, "rusak.lemma2")
    e["brute_force"]["violation"] = {"A": [[1]], "B": [[1]], "rank_AB": 2, "rank_A": 1, "rank_B": 1}
    assert verdict("rusak.lemma2", e) == "inconclusive"  # does not re-check with exact ranks
    import sslverify.theory.rusak.algebra as algebra
    fake = iter([2, 1, 1])  # a (fictitious) exact-rank routine that confirms the violation: the refuted branch
    monkeypatch.setattr(algebra, "exact_rank_int", lambda M: next(fake))
    assert verdict("rusak.lemma2", e) == "refuted"


# ----------------------------------------------------------------------------- lemma 3
def test_lemma3(evidence_of):
    cid = "rusak.lemma3"
    e = fresh(evidence_of, cid)
    e["det_multiplicative"]["3"] = False
    assert verdict(cid, e) == "inconclusive"
    e = fresh(evidence_of, cid)
    e["enumeration"]["corrected_fails"] = 1
    assert verdict(cid, e) == "inconclusive"
    for A, B in (([[1]], [[1]]), ([[0]], [[0]]), ([[1, 0], [0, 1]], [[2, 0], [0, 1]])):  # no counterexample to 'both'
        e = fresh(evidence_of, cid)
        e["counterexample"] = {"A": A, "B": B}
        assert verdict(cid, e) == "inconclusive"
    e = fresh(evidence_of, cid)
    e["counterexample"] = {"A": [[1, 0], [0, 1]], "B": [[1, 0], [0, 0]]}  # a 2×2 counterexample re-checks
    assert verdict(cid, e) == "corrected"


# ----------------------------------------------------------------------------- loss at zero
def test_loss_at_zero(evidence_of):
    cid = "rusak.loss-at-zero"
    e = fresh(evidence_of, cid)
    e["torch"][1]["value"] = e["torch"][1]["formula"] * (1 + 5e-15)  # inside the 1e-14 round-off band
    assert verdict(cid, e) == "proved"
    e["torch"][1]["value"] = e["torch"][1]["formula"] * (1 + 3e-14)  # outside it: methods disagree
    assert verdict(cid, e) == "inconclusive"
    e = fresh(evidence_of, cid)
    e["symbolic_equal"] = False
    assert verdict(cid, e) == "inconclusive"
    for t in e["torch"]:
        t["value"] = t["formula"] / 2  # both methods say the formula is wrong
    assert verdict(cid, e) == "refuted"


# ----------------------------------------------------------------------------- lemma 6
def test_lemma6(evidence_of):
    cid = "rusak.lemma6"
    e = fresh(evidence_of, cid)
    e["exact_det"] = 2e-10  # just above the 1e-10 floor: still a full-rank gradient
    assert verdict(cid, e) == "corrected"
    e["exact_det"] = 5e-11
    assert verdict(cid, e) == "inconclusive"  # autograd says rank 3, the exact determinant says 0
    e = fresh(evidence_of, cid)
    e["exact_det"] = -0.35  # the sign does not matter
    assert verdict(cid, e) == "corrected"
    e["counterexample"]["grad_rank"] = 2
    e["exact_det"] = 0.0
    assert verdict(cid, e) == "inconclusive"  # counterexample does not re-check
    e = fresh(evidence_of, cid)
    e["counterexample"]["M"] = 2  # M + 1 = d: not a counterexample to 'M + 1 < d ⇒ not full rank'
    assert verdict(cid, e) == "inconclusive"
    e = fresh(evidence_of, cid)
    e["counterexample"]["grad_rank_detached"] = 2
    assert verdict(cid, e) == "inconclusive"
    for i in range(3):  # every generic case is looped over: one that exceeds or misses 2M + 1 stops the verdict
        for delta in (1, -1):
            e = fresh(evidence_of, cid)
            e["generic"][i]["grad_rank"] += delta
            assert verdict(cid, e) == "inconclusive", (i, delta)
    e = fresh(evidence_of, cid)
    e["generic"][2]["rank_cond_cov"] = e["generic"][2]["M"] + 2
    assert verdict(cid, e) == "inconclusive"
    e = fresh(evidence_of, cid)
    e["generic"][0]["rank_marg_cov"] = e["generic"][0]["M"] + 1
    assert verdict(cid, e) == "inconclusive"


# ----------------------------------------------------------------------------- eq. 15
def test_eq15(evidence_of):
    cid = "rusak.eq15"
    e = fresh(evidence_of, cid)
    e["monte_carlo"]["rel_err_effective"] = 0.0099
    assert verdict(cid, e) == "proved"
    e["monte_carlo"]["rel_err_effective"] = 0.0101
    assert verdict(cid, e) == "inconclusive"
    e = fresh(evidence_of, cid)
    e["monte_carlo"]["min_eig_Sx_minus_Sxt"] = -1e-6
    assert verdict(cid, e) == "inconclusive"
    e["symbolic"]["d2_dc1"] = False
    assert verdict(cid, e) == "refuted"  # both methods fail
    e = fresh(evidence_of, cid)
    e["symbolic"]["d3_dc1"] = False
    assert verdict(cid, e) == "inconclusive"


# ----------------------------------------------------------------------------- lemma 5
def _row(e, scale, M, ag):
    return next(r for r in e["rows"] if r["scale"] == scale and r["M"] == M and r["autograd"] == ag)


def test_lemma5(evidence_of):
    cid = "rusak.lemma5"
    e = fresh(evidence_of, cid)
    small, big = min(r["scale"] for r in e["rows"]), max(r["scale"] for r in e["rows"])
    Mhi, Mlo = max(r["M"] for r in e["rows"]), min(r["M"] for r in e["rows"])
    e["symbolic"]["detached"]["residual_zero"] = False
    assert verdict(cid, e) == "inconclusive"
    e = fresh(evidence_of, cid)
    _row(e, small, Mhi, "full")["err_full"] = 0.099
    _row(e, small, Mlo, "full")["err_full"] = 0.5
    assert verdict(cid, e) == "corrected"
    _row(e, small, Mhi, "full")["err_full"] = 0.101  # autograd does not approach the formula
    assert verdict(cid, e) == "inconclusive"
    e = fresh(evidence_of, cid)
    _row(e, small, Mlo, "full")["err_full"] = _row(e, small, Mhi, "full")["err_full"]  # no convergence with M
    assert verdict(cid, e) == "inconclusive"
    e = fresh(evidence_of, cid)
    _row(e, small, Mhi, "detached negatives")["err_detached"] = 0.101
    assert verdict(cid, e) == "inconclusive"
    e = fresh(evidence_of, cid)
    e["large_M"]["small"]["err_full"] = 1.1e-3
    assert verdict(cid, e) == "inconclusive"
    e = fresh(evidence_of, cid)
    e["large_M"]["small"]["err_detached"] = 1.1e-3
    assert verdict(cid, e) == "inconclusive"
    e = fresh(evidence_of, cid)
    e["large_M"]["big"]["err_full"] = 0.099  # quadrature says the formula holds at ‖WA‖ = 1, autograd says not
    assert verdict(cid, e) == "inconclusive"
    # the source right everywhere: eq. 5 matches the full gradient and no finite-W error → confirmed
    e = fresh(evidence_of, cid)
    e["symbolic"]["full"]["source_eq5_residual_zero"] = True
    for ag, conv in (("full", "full"), ("detached negatives", "source")):
        _row(e, big, Mhi, ag)[f"err_{conv}"] = 0.099
    e["large_M"]["big"] = {"scale": 1.0, "err_full": 0.099, "err_detached": 0.099}
    assert verdict(cid, e) == "confirmed"
    e["large_M"]["big"]["err_full"] = 0.101
    e["large_M"]["big"]["err_detached"] = 0.101
    for ag, conv in (("full", "full"), ("detached negatives", "source")):
        _row(e, big, Mhi, ag)[f"err_{conv}"] = 0.101
    assert verdict(cid, e) == "corrected"  # finite W alone makes it a correction


def test_lemma5_source_wrong_for_full_gradient(evidence_of):
    cid = "rusak.lemma5"
    e = fresh(evidence_of, cid)
    small, big = min(r["scale"] for r in e["rows"]), max(r["scale"] for r in e["rows"])
    Mhi = max(r["M"] for r in e["rows"])
    for ag, conv in (("full", "full"), ("detached negatives", "source")):
        _row(e, big, Mhi, ag)[f"err_{conv}"] = 0.05
    e["large_M"]["big"] = {"scale": 1.0, "err_full": 0.05, "err_detached": 0.05}
    _row(e, small, Mhi, "full")["err_source"] = 0.51
    assert verdict(cid, e) == "corrected"  # only the full-gradient mismatch remains
    _row(e, small, Mhi, "full")["err_source"] = 0.49
    assert verdict(cid, e) == "confirmed"


# ----------------------------------------------------------------------------- lemma 7
def test_lemma7(evidence_of):
    cid = "rusak.lemma7"
    e = fresh(evidence_of, cid)
    e["diag_1_2_2"]["rates"][1] = e["diag_1_2_2"]["predicted"][1] * 1.049
    assert verdict(cid, e) == "corrected"
    e["diag_1_2_2"]["rates"][1] = e["diag_1_2_2"]["predicted"][1] * 1.051  # autograd leaves the first-order prediction
    assert verdict(cid, e) == "inconclusive"
    e = fresh(evidence_of, cid)
    e["orthogonal"]["rates"][0] = e["orthogonal"]["predicted"][0] * 0.951
    assert verdict(cid, e) == "corrected"
    e["orthogonal"]["rates"][0] = e["orthogonal"]["predicted"][0] * 0.949
    assert verdict(cid, e) == "inconclusive"
    e = fresh(evidence_of, cid)
    e["symbolic_flow_ok"] = False
    assert verdict(cid, e) == "inconclusive"
    e = fresh(evidence_of, cid)  # no counterexample: content faster for both A (MC and exact) → confirmed
    e["diag_1_2_2"]["content_mean"], e["diag_1_2_2"]["style_mean"] = 0.6, 0.5
    e["exact"]["diag_1_2_2"]["content_mean"], e["exact"]["diag_1_2_2"]["style_mean"] = 0.6, 0.5
    assert verdict(cid, e) == "confirmed"
    e["exact"]["diag_1_2_2"]["style_mean"] = 0.7  # MC and exact disagree
    assert verdict(cid, e) == "inconclusive"
    e = fresh(evidence_of, cid)
    for k in ("orthogonal",):
        e[k]["content_mean"], e[k]["style_mean"] = 0.1, 0.2
        e["exact"][k]["content_mean"], e["exact"][k]["style_mean"] = 0.1, 0.2
    assert verdict(cid, e) == "inconclusive"  # content slower even for orthogonal A: our theory failed


# ----------------------------------------------------------------------------- prop 2
def test_prop2(evidence_of):
    cid = "rusak.prop2"
    e = fresh(evidence_of, cid)
    e["exact_skew_sv"] = [0.3, 0.1, 0.1]  # exact count 1, autograd count 2: disagree
    assert verdict(cid, e) == "inconclusive"
    e["skew_sv"] = [0.3, 0.1, 0.1]  # both say one large singular value = d_c
    assert verdict(cid, e) == "confirmed"
    e = fresh(evidence_of, cid)
    e["orthogonal_sv"] = e["exact_orthogonal_sv"] = [0.3, 0.3, 0.1]  # count 2 ≠ d_c even for orthogonal A
    assert verdict(cid, e) == "inconclusive"
    e = fresh(evidence_of, cid)
    e["d_c"] = 2
    assert verdict(cid, e) == "inconclusive"


# ----------------------------------------------------------------------------- prop 3
def test_prop3_equalizer_match_band(evidence_of):
    cid = "rusak.prop3"
    e = fresh(evidence_of, cid)
    t_der = e["tau_c_derived"]
    e["tau_c_equalizing"] = t_der * 1.099
    assert verdict(cid, e) == "corrected"
    e["tau_c_equalizing"] = t_der * 1.101
    assert verdict(cid, e) == "inconclusive"
    e["tau_c_equalizing"] = t_der * 0.901
    assert verdict(cid, e) == "corrected"
    e["tau_c_equalizing"] = t_der * 0.899
    assert verdict(cid, e) == "inconclusive"
    e["tau_c_equalizing"] = float("nan")
    assert verdict(cid, e) == "inconclusive"


def test_prop3_heuristic_off_threshold(evidence_of):
    # the factor-2 threshold that decides whether the heuristic σ_c/σ_s is 'off', from both sides
    cid = "rusak.prop3"
    e = fresh(evidence_of, cid)
    t = e["tau_c_equalizing"]
    for ratio, expected in ((1.9, "confirmed"), (2.1, "corrected"), (1 / 1.9, "confirmed"), (1 / 2.1, "corrected")):
        e["tau_c_heuristic"] = t / ratio
        assert verdict(cid, e) == expected, ratio


def test_prop3_symbolic_failures(evidence_of):
    cid = "rusak.prop3"
    e = fresh(evidence_of, cid)
    e["symbolic_tau_flow_ok"] = False
    assert verdict(cid, e) == "inconclusive"
    e = fresh(evidence_of, cid)
    e["exact_equalizing"]["full"] = e["tau_c_derived"] * (1 + 1e-9)
    assert verdict(cid, e) == "inconclusive"


# ----------------------------------------------------------------------------- prop 4, cor 1, prop 1
def test_prop4(evidence_of):
    cid = "rusak.prop4"
    e = fresh(evidence_of, cid)
    e["losses"]["full_style"][1] = e["losses"]["collapsed"][1] + 1e-9  # collapse lower at one scale; limits both 0
    assert verdict(cid, e) == "inconclusive"
    e["symbolic"]["limit_full_style"] = "nan"  # only the collapsed W reaches the infimum
    e["losses"]["full_style"] = [v + 10 for v in e["losses"]["collapsed"]]
    e["losses"]["full_style"] = sorted(e["losses"]["full_style"], reverse=True)
    assert verdict(cid, e) == "confirmed"
    e = fresh(evidence_of, cid)
    e["symbolic"]["limit_collapsed"] = "nan"
    assert verdict(cid, e) == "inconclusive"
    e = fresh(evidence_of, cid)
    e["losses"]["collapsed"][-1] = e["losses"]["collapsed"][-2]  # not strictly decreasing in c
    assert verdict(cid, e) == "inconclusive"
    e = fresh(evidence_of, cid)
    e["symbolic"]["positive_at_finite_c"] = False
    assert verdict(cid, e) == "inconclusive"


def test_cor1(evidence_of):
    cid = "rusak.cor1"
    e = fresh(evidence_of, cid)
    e["L_1.5_content"] = e["L_WGT"]  # equal: not lower
    assert verdict(cid, e) == "inconclusive"
    e["L_1.5_content"] = e["L_WGT"] - 1e-12
    assert verdict(cid, e) == "proved"
    e["derivative_form"] = False
    assert verdict(cid, e) == "inconclusive"


def test_prop1(evidence_of):
    cid = "rusak.prop1"
    e = fresh(evidence_of, cid)
    e["max_rel_diff_mlp_vs_linear"] = 9e-11
    assert verdict(cid, e) == "corrected"
    e["max_rel_diff_mlp_vs_linear"] = 1.1e-10  # MLP g ≠ linear g for D∘g⁻¹: our inversion
    assert verdict(cid, e) == "inconclusive"
    e = fresh(evidence_of, cid)
    e["losses"]["full_style"][-1] = e["losses"]["collapsed"][-1]  # collapsed not beaten at the largest c
    e["losses"]["full_style"] = sorted(e["losses"]["full_style"], reverse=True)
    assert verdict(cid, e) == "confirmed"
    e = fresh(evidence_of, cid)
    e["losses"]["collapsed"][0] = e["losses"]["collapsed"][1] - 1.0  # not decreasing
    assert verdict(cid, e) == "inconclusive"


# ----------------------------------------------------------------------------- prop 5
def test_prop5_ranks(evidence_of):
    cid = "rusak.prop5"
    e = fresh(evidence_of, cid)
    d_c = e["d_c"]
    for ranks, expected in (([d_c + 1, d_c, d_c], "corrected"), ([d_c, d_c + 1, d_c], "corrected"),
                            ([d_c, d_c, d_c], "proved"), ([d_c - 1, d_c, d_c], "proved"),
                            ([6, 6, d_c + 1], "inconclusive")):
        e["mlp_ranks"] = e["fd_mlp_ranks"] = list(ranks)
        assert verdict(cid, e) == expected, ranks
    e = fresh(evidence_of, cid)
    e["fd_mlp_ranks"] = [6, 5, 2]  # finite differences disagree with autograd
    assert verdict(cid, e) == "inconclusive"
    e = fresh(evidence_of, cid)
    e["linear_ranks"] = [d_c, d_c + 1, d_c]  # a deep linear f above d_c: our gradients
    assert verdict(cid, e) == "inconclusive"


# ----------------------------------------------------------------------------- prop 6
def test_prop6(evidence_of):
    cid = "rusak.prop6"
    e = fresh(evidence_of, cid)
    e["numeric"]["abs_loss_diff"] = 9e-13
    assert verdict(cid, e) == "corrected"
    e["numeric"]["abs_loss_diff"] = 1.1e-12  # numeric says different losses, symbolic says identical outputs
    assert verdict(cid, e) == "inconclusive"
    e["symbolic"]["same_as_collapsed_optimum"] = False
    e["symbolic_d5"]["same_as_collapsed_optimum"] = False
    assert verdict(cid, e) == "refuted"  # both methods: D∘f does not reproduce the collapsed optimum
    e = fresh(evidence_of, cid)
    e["numeric"]["max_abs_output_diff"] = 1.1e-12
    assert verdict(cid, e) == "inconclusive"
    e = fresh(evidence_of, cid)
    e["numeric"]["rank_J_f"][2] = e["numeric"]["d"] - 1  # the inner f is not full rank at one input
    assert verdict(cid, e) == "inconclusive"
    e = fresh(evidence_of, cid)
    e["numeric"]["rank_J_Df"][0] = e["numeric"]["d_c"] + 1
    assert verdict(cid, e) == "inconclusive"
    e = fresh(evidence_of, cid)
    e["symbolic_d5"]["rank_of_D_times_generic_J"] = e["symbolic_d5"]["d"]
    assert verdict(cid, e) == "inconclusive"


# ----------------------------------------------------------------------------- lemma 1
def test_lemma1(evidence_of):
    cid = "rusak.lemma1"
    e = fresh(evidence_of, cid)
    e["etf_gram_rank"]["4"] = 4
    assert verdict(cid, e) == "inconclusive"
    e = fresh(evidence_of, cid)
    e["source"]["content_stated"] = True
    assert verdict(cid, e) == "inconclusive"
    e = fresh(evidence_of, cid)
    e["source"]["cited"] = False
    assert verdict(cid, e) == "inconclusive"
    e = fresh(evidence_of, cid)
    e["source"]["seed_file_available"] = False  # embedded facts decide alike outside the workspace
    assert verdict(cid, e) == "underspecified"


# ----------------------------------------------------------------------------- temperature sign
def test_temperature_sign(evidence_of):
    cid = "rusak.temperature-sign"
    e = fresh(evidence_of, cid)
    e["statements"]["consistent"] = True
    assert verdict(cid, e) == "confirmed"
    e = fresh(evidence_of, cid)
    e["derived_equalizing_tau_c"] = e["exact_equalizing_tau_c"] = 0.99  # the derivation would put τ_c below τ_s
    assert verdict(cid, e) == "inconclusive"
    e["derived_equalizing_tau_c"] = e["exact_equalizing_tau_c"] = 1.01
    assert verdict(cid, e) == "corrected"
    e = fresh(evidence_of, cid)
    e["exact_equalizing_tau_c"] += 1e-9
    assert verdict(cid, e) == "inconclusive"
    e = fresh(evidence_of, cid)
    e["reparametrization_abs_diff"] = 1.1e-12
    assert verdict(cid, e) == "inconclusive"
    e["reparametrization_abs_diff"] = 0.9e-12
    assert verdict(cid, e) == "corrected"
    e["reparametrization_symbolic"] = False
    assert verdict(cid, e) == "inconclusive"
    for key in ("training_loss_decreased", "dc0_uncollapsed", "collapse_at_equal_tau", "powered"):
        e = fresh(evidence_of, cid)
        e["experiment"]["checks"][key] = False
        assert verdict(cid, e) == "inconclusive", key
        del e["experiment"]["checks"][key]  # decisions read checks by key: a missing key is not a pass
        assert verdict(cid, e) == "inconclusive", key


# ----------------------------------------------------------------------------- table 1
VALID = ("box_ginv_exact", "sphere_ginv_exact", "sphere_families_batch_vs_exact", "box_dc0_rescaled_batch_vs_exact")


def _no_box_effect(e):
    """Evidence in which neither the rescaled nor the trained encoder beats g⁻¹ without content."""
    for v in e["box"]["dc0_rescaling"]["by_sigma"].values():
        v["best_margin"] = 0.0
    e["box"]["dc0_rescaling"]["batch_margins"] = [0.01, 0.02]
    e["box"]["trained"]["gaps_dc0"] = [-0.5, -0.4]
    return e


def test_table1_validity(evidence_of):
    cid = "rusak.table1"
    for key in VALID:
        e = fresh(evidence_of, cid)
        e["checks"][key] = False
        assert verdict(cid, e) == "inconclusive", key
        del e["checks"][key]
        assert verdict(cid, e) == "inconclusive", key


def test_table1_content_attribution(evidence_of):
    cid = "rusak.table1"
    e = _no_box_effect(fresh(evidence_of, cid))
    assert verdict(cid, e) == "confirmed"  # content present: partial collapse wins; no content: g⁻¹ not beaten
    # the rescaling alone (one σ_s) decides the correction, as does the trained control alone
    e = _no_box_effect(fresh(evidence_of, cid))
    for v in e["box"]["dc0_rescaling"]["by_sigma"].values():
        v["best_margin"] = -0.01
    e["box"]["dc0_rescaling"]["batch_margins"] = [-0.01, -0.02]
    assert verdict(cid, e) == "corrected"
    e["box"]["dc0_rescaling"]["batch_margins"] = [-0.01, 0.001]  # one batch disagrees: the rescaling does not count
    assert verdict(cid, e) == "confirmed"
    e = _no_box_effect(fresh(evidence_of, cid))
    e["box"]["trained"]["gaps_dc0"] = [1.0, 1.2, 1.1]  # mean 1.1, SE 0.058: far above 2 SE
    assert verdict(cid, e) == "corrected"
    e["box"]["trained"]["gaps_dc0"] = [0.1, 2.0]  # mean 1.05, SE 0.95: not above 2 SE (underpowered)
    assert verdict(cid, e) == "confirmed"
    e["box"]["trained"]["gaps_dc0"] = [1.0]  # one seed: no SE, cannot count
    assert verdict(cid, e) == "confirmed"


def test_table1_sphere_partial_collapse(evidence_of):
    cid = "rusak.table1"
    e = _no_box_effect(fresh(evidence_of, cid))
    fam = e["sphere"]["families"]["d6_dc3"]
    fam["best_margin"] = -3.1 * fam["best_se"]
    assert verdict(cid, e) == "confirmed"
    fam["best_margin"] = -2.9 * fam["best_se"]  # within 3 SE of zero: partial collapse not shown
    assert verdict(cid, e) == "inconclusive"
    e = _no_box_effect(fresh(evidence_of, cid))
    e["sphere"]["families"]["d10_dc5"]["best_c"] = 1.0  # the best encoder is g⁻¹ itself
    assert verdict(cid, e) == "inconclusive"
    e = _no_box_effect(fresh(evidence_of, cid))
    k = next(iter(e["sphere"]["kappa_scan"]))
    e["sphere"]["kappa_scan"][k]["best_margin"] = 0.001
    assert verdict(cid, e) == "inconclusive"


# ----------------------------------------------------------------------------- fig 1
def test_fig1(evidence_of):
    cid = "rusak.fig1"
    e = fresh(evidence_of, cid)
    for v in e["per_dc"].values():
        v["tau_c_restoring_spectrum"] = [0.003]
    assert verdict(cid, e) == "confirmed"
    next(iter(e["per_dc"].values()))["tau_c_restoring_spectrum"] = []  # one d_c not restored
    assert verdict(cid, e) == "underspecified"
    e["min_detectable_log_shift"] = e["claimed_log_shift"] / 2  # the seeds cannot resolve the claimed shift
    assert verdict(cid, e) == "inconclusive"
    e["min_detectable_log_shift"] = e["claimed_log_shift"] / 2 * 0.99
    assert verdict(cid, e) == "underspecified"
    for key in ("training_loss_decreased", "dc0_uncollapsed", "collapse_at_equal_tau"):
        e = fresh(evidence_of, cid)
        e["checks"][key] = False
        assert verdict(cid, e) == "inconclusive", key
        del e["checks"][key]
        assert verdict(cid, e) == "inconclusive", key


COVERED = {"rusak.lemma2": test_lemma2, "rusak.lemma3": test_lemma3, "rusak.loss-at-zero": test_loss_at_zero,
           "rusak.lemma6": test_lemma6, "rusak.eq15": test_eq15, "rusak.lemma5": test_lemma5, "rusak.lemma7": test_lemma7,
           "rusak.prop2": test_prop2, "rusak.prop3": test_prop3_heuristic_off_threshold, "rusak.prop4": test_prop4,
           "rusak.cor1": test_cor1, "rusak.prop1": test_prop1, "rusak.prop5": test_prop5_ranks, "rusak.prop6": test_prop6,
           "rusak.lemma1": test_lemma1, "rusak.temperature-sign": test_temperature_sign,
           "rusak.table1": test_table1_content_attribution, "rusak.fig1": test_fig1}


def test_every_rusak_claim_is_split_and_covered():
    # every rusak claim has a split decision and a test above that changes its verdict
    ids = {c for c in CLAIMS if c.startswith("rusak.")}
    assert len(ids) == 18 and all(CLAIMS[c].gather is not None for c in ids)
    assert set(COVERED) == ids
