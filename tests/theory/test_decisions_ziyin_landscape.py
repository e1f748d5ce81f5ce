"""Decisions of the Ziyin landscape family on evidence that must give a DIFFERENT verdict than the recorded one.

Each case edits the real evidence (fixture for ziyin.prop2, live gather otherwise, via ``evidence_of``) at the
boundary of a threshold or a comparison in ``verdicts/builtin/ziyin_landscape.py``, so that a mutated constant, a
flipped comparison or a decision that always answers the same fails here.  Thresholds are written as literal numbers
(not the module's constants), so that mutating a constant in the module is noticed.
"""
from __future__ import annotations

import pytest

from sslverify.verdicts.registry import get_claim


def _set(path: str, value):
    """An edit that sets ev[a][b]... = value (path 'a.b')."""
    keys = path.split(".")

    def edit(ev):
        d = ev
        for k in keys[:-1]:
            d = d[int(k)] if isinstance(d, list) else d[k]
        d[int(keys[-1]) if isinstance(d, list) else keys[-1]] = value
    return edit


def _decide(cid: str, evidence_of, *edits):
    rec = get_claim(cid)
    ev = evidence_of(rec)
    for e in edits:
        e(ev)
    return rec, rec.decide(ev)


def _expect(cid, evidence_of, verdict, *edits):
    rec, out = _decide(cid, evidence_of, *edits)
    assert out.verdict == verdict, out.reason
    return rec, out


# ----------------------------------------------------------------------------- ziyin.thm1
@pytest.mark.parametrize("edit, verdict", [
    (_set("symbolic.converse", False), "inconclusive"),  # a symbolic proof step did not simplify
    (_set("diag_solutions_ok", False), "inconclusive"),
    (_set("forward.worst_grad", 1.1e-9), "inconclusive"),  # just above the round-off bound 1e-9
    (_set("forward.worst_grad", 0.9e-9), "proved"),
    (_set("forward.points", 0), "inconclusive"),
    (_set("newton.worst_form", 1.1e-8), "inconclusive"),  # just above the Newton-form bound 1e-8
    (_set("newton.worst_form", 0.9e-8), "proved"),
])
def test_thm1_boundaries(edit, verdict, evidence_of):
    _expect("ziyin.thm1", evidence_of, verdict, edit)


@pytest.mark.parametrize("tried, converged, verdict", [(10, 7, "inconclusive"), (10, 8, "proved"), (0, 0, "inconclusive")])
def test_thm1_newton_rate(tried, converged, verdict, evidence_of):
    # Newton must converge in ≥ 80% of the draws, else the converse check is void (inconclusive, never refuted)
    _expect("ziyin.thm1", evidence_of, verdict, _set("newton.tried", tried), _set("newton.converged", converged))


# ----------------------------------------------------------------------------- ziyin.thm1-commuting
@pytest.mark.parametrize("edit, verdict", [
    (_set("counterexample.grad_zero", False), "inconclusive"),  # counterexample does not re-check (was: proved)
    (_set("counterexample.matches_any_form", True), "inconclusive"),
    (_set("counterexample.commutes", False), "inconclusive"),
    (_set("distinct.worst_commutator", 1.1e-8), "inconclusive"),  # corrected statement fails numerically (was: refuted)
    (_set("distinct.worst_commutator", 0.9e-8), "corrected"),
])
def test_thm1_commuting_boundaries(edit, verdict, evidence_of):
    _expect("ziyin.thm1-commuting", evidence_of, verdict, edit)


@pytest.mark.parametrize("tried, converged, verdict", [(4, 3, "inconclusive"), (5, 4, "corrected")])
def test_thm1_commuting_newton_rate(tried, converged, verdict, evidence_of):
    _expect("ziyin.thm1-commuting", evidence_of, verdict, _set("distinct.tried", tried),
            _set("distinct.converged", converged))


# ----------------------------------------------------------------------------- ziyin.prop2 (experiment-backed)
@pytest.mark.parametrize("edit, verdict", [
    (_set("identity_zero", [True, False]), "inconclusive"),
    (_set("census.bad", [[0, [1, 0], "min", 1, 2]]), "inconclusive"),  # candidate counterexample, not re-checked
    (_set("census.minima", 0), "inconclusive"),
    (_set("census.minima_not_global", 1), "inconclusive"),
    (_set("experiment.checks.quartic_rank", False), "inconclusive"),  # experiment did not pass (was: underspecified)
    (_set("experiment.checks.quartic_m_span", False), "inconclusive"),
    (_set("experiment.checks.quartic_eigs_match", False), "inconclusive"),
    (_set("experiment.checks.quartic_bound_tight", False), "inconclusive"),
    (_set("experiment.checks.infonce_decisive", False), "proved"),  # an InfoNCE check does not bear on Prop 2
    (_set("experiment.power.margin", 9.9), "inconclusive"),  # underpowered: < 10× the rank threshold
    (_set("experiment.power.margin", 10.0), "proved"),
])
def test_prop2_boundaries(edit, verdict, evidence_of):
    _expect("ziyin.prop2", evidence_of, verdict, edit)


def test_prop2_reads_checks_by_key(evidence_of):
    # a check missing under its key is a failed check (decisions read keys, never display names or positions)
    _expect("ziyin.prop2", evidence_of, "inconclusive", lambda ev: ev["experiment"]["checks"].pop("quartic_rank"))


# ----------------------------------------------------------------------------- ziyin.prop3
@pytest.mark.parametrize("edit, verdict", [
    (_set("symbolic.prop3_zero", False), "inconclusive"),
    (_set("symbolic.drho_true_zero", False), "inconclusive"),
    (_set("symbolic.eq37_is_drho2", False), "inconclusive"),
    (_set("symbolic.eq37_differs", False), "inconclusive"),
    (_set("general_form.admissible", 0), "inconclusive"),
    (_set("general_form.worst_grad", 1.1e-9), "inconclusive"),
    (_set("general_form.worst_grad", 0.9e-9), "corrected"),
    (_set("counterexample.grad_zero", False), "inconclusive"),  # was: proved / refuted
    (_set("counterexample.matches_any_form", True), "inconclusive"),
])
def test_prop3_boundaries(edit, verdict, evidence_of):
    _expect("ziyin.prop3", evidence_of, verdict, edit)


# ----------------------------------------------------------------------------- ziyin.prop5
@pytest.mark.parametrize("edits, verdict", [
    ((_set("newton.worst_vs_source", 1.1e-8),), "inconclusive"),
    ((_set("newton.worst_vs_source", 0.9e-8),), "proved"),
    ((_set("newton.tried", 10), _set("newton.converged", 7)), "inconclusive"),
    ((_set("newton.tried", 10), _set("newton.converged", 8)), "proved"),
    # a genuine discrepancy confirmed twice: derivation ≠ eq. 15 and Newton agrees with the derivation only
    ((_set("symbolic_zero", False), _set("newton.worst_vs_derived", 1e-12), _set("newton.worst_vs_source", 1e-8)),
     "corrected"),
    ((_set("symbolic_zero", False), _set("newton.worst_vs_derived", 1e-12), _set("newton.worst_vs_source", 0.9e-8)),
     "inconclusive"),
    ((_set("symbolic_zero", False), _set("newton.worst_vs_derived", 1.1e-8), _set("newton.worst_vs_source", 1e-3)),
     "inconclusive"),
])
def test_prop5_boundaries(edits, verdict, evidence_of):
    _expect("ziyin.prop5", evidence_of, verdict, *edits)


# ----------------------------------------------------------------------------- ziyin.norm-limit
@pytest.mark.parametrize("edits, verdict", [
    ((_set("limit_residual_zero", False),), "inconclusive"),
    ((_set("readings.samples", 0),), "inconclusive"),
    # eq. 8 (primary reading) contradicts the numeric stationary point while the formula and numeric values agree
    ((_set("readings.masked_mean_mismatches", 1),), "corrected"),
    # the numeric stationary point (second method) must match the limit formula strictly below 1e-6
    ((_set("readings.worst_limit_vs_numeric", 1e-6),), "inconclusive"),
    ((_set("readings.worst_limit_vs_numeric", 0.9e-6),), "proved"),
    ((_set("readings.worst_limit_vs_numeric", float("nan")),), "inconclusive"),
    ((_set("readings.masked_mean_mismatches", 1), _set("readings.worst_limit_vs_numeric", 0.1)), "inconclusive"),
])
def test_norm_limit_boundaries(edits, verdict, evidence_of):
    _expect("ziyin.norm-limit", evidence_of, verdict, *edits)


def test_norm_limit_reports_the_other_reading(evidence_of):
    _, out = _expect("ziyin.norm-limit", evidence_of, "proved")
    assert "all-d-mean reading: corrected" in out.reason and "unmasked-B reading: corrected" in out.reason
    _, out = _expect("ziyin.norm-limit", evidence_of, "proved", _set("literal_counterexample.limit_eigenvalues", [0.1, 0.0]))
    assert "all-d-mean reading: not re-checked" in out.reason


@pytest.mark.parametrize("edit", [
    _set("literal_counterexample.all_d_condition", [True, False]),  # the reading would agree with the limit point
    _set("literal_counterexample.masked_condition", [True, True]),
    _set("literal_counterexample.limit_eigenvalues", [0.175, 0.0]),  # the formula does not contradict the reading
    # the numeric stationary point contradicts the counterexample: direction 2 survives (the all-d reading is right)
    _set("literal_counterexample.numeric_limit_eigenvalues", [0.175, 0.075]),
    _set("literal_counterexample.numeric_limit_eigenvalues", [0.175, -1e-6]),  # |h| ≤ 1e-6: sign undecidable
    _set("literal_counterexample.numeric_limit_eigenvalues", []),
    _set("full_mask.numeric_limit_eigenvalues", [0.175, 0.075]),  # no reading predicts the full mask's signs
    _set("full_mask.all_d_condition", [True, True]),  # this reading mispredicts the full mask
])
def test_norm_limit_literal_reading_must_recheck(edit, evidence_of):
    _, out = _expect("ziyin.norm-limit", evidence_of, "proved", edit)
    assert "all-d-mean reading: not re-checked" in out.reason


def test_norm_limit_literal_reading_rechecks_just_outside_the_sign_band(evidence_of):
    _, out = _expect("ziyin.norm-limit", evidence_of, "proved",
                     _set("literal_counterexample.numeric_limit_eigenvalues", [0.175, -1.1e-6]))
    assert "all-d-mean reading: corrected" in out.reason


@pytest.mark.parametrize("edit", [
    _set("unmasked_counterexample.unmasked_condition", [True]),  # the reading would agree with the limit point
    _set("unmasked_counterexample.masked_condition", [False]),
    _set("unmasked_counterexample.all_d_condition", [False]),
    _set("unmasked_counterexample.limit_eigenvalues", [0.0]),  # not a valid (positive) limit eigenvalue
    # the numeric stationary point contradicts the counterexample: the direction collapses (the reading is right)
    _set("unmasked_counterexample.numeric_limit_eigenvalues", [-0.1]),
    _set("unmasked_counterexample.numeric_limit_eigenvalues", [1e-6]),  # |h| ≤ 1e-6: sign undecidable
    _set("full_mask.numeric_limit_eigenvalues", [0.175, 0.075]),
    _set("full_mask.numeric_limit_eigenvalues", [0.175, -1e-6]),
    _set("full_mask.unmasked_condition", [True, True]),  # this reading mispredicts the full mask
    _set("full_mask.masked_condition", [False, False]),
])
def test_norm_limit_unmasked_reading_must_recheck(edit, evidence_of):
    _, out = _expect("ziyin.norm-limit", evidence_of, "proved", edit)
    assert "unmasked-B reading: not re-checked" in out.reason


# ----------------------------------------------------------------------------- ziyin.eq9
@pytest.mark.parametrize("edit, verdict", [
    (_set("eq9_13.eq9", False), "inconclusive"),
    (_set("eq9_13.eq12", False), "inconclusive"),
    (_set("eq14.counterexample_eps", 1 / 3), "inconclusive"),  # not strictly above the source's threshold
    (_set("eq14.counterexample_eps", 0.5), "corrected"),  # at the corrected threshold: still violated (≤)
    (_set("eq14.counterexample_eps", 0.51), "inconclusive"),
    (_set("eq14.cond_at_counterexample", 0.0), "inconclusive"),
    (_set("eq14.limit_eig_at_counterexample", 0.0), "inconclusive"),
    (_set("eq14.violated_sup", 0.4), "inconclusive"),
    (_set("eq14.printed_threshold", 1 / 3), "inconclusive"),
    (_set("eq14.mean_differs", False), "inconclusive"),
])
def test_eq9_boundaries(edit, verdict, evidence_of):
    _expect("ziyin.eq9", evidence_of, verdict, edit)


def test_eq9_source_right_is_proved(evidence_of):
    _expect("ziyin.eq9", evidence_of, "proved", _set("eq14.source_threshold", 0.5), _set("eq14.mean_differs", False))


# ----------------------------------------------------------------------------- ziyin.vicreg
@pytest.mark.parametrize("key", ["invariance_is_2WCW", "quadratic_is_derived", "covariance_t2_zero", "odd_orders_zero"])
def test_vicreg_derivation_failure_is_inconclusive(key, evidence_of):
    _expect("ziyin.vicreg", evidence_of, "inconclusive", _set(f"symbolic.{key}", False))


@pytest.mark.parametrize("edit, verdict", [
    (_set("symbolic.quadratic_differs_from_source", False), "inconclusive"),
    (_set("symbolic.B_term_has_A0", True), "inconclusive"),
])
def test_vicreg_source_separation(edit, verdict, evidence_of):
    _expect("ziyin.vicreg", evidence_of, verdict, edit)


@pytest.mark.parametrize("z, verdict", [(5.1, "inconclusive"), (4.9, "corrected"), (-5.1, "inconclusive")])
def test_vicreg_monte_carlo_agreement(z, verdict, evidence_of):
    def edit(ev):
        ev["mc"]["mean"] = ev["mc"]["two_tr_WCW"] + z * ev["mc"]["se"]
    _expect("ziyin.vicreg", evidence_of, verdict, edit)


@pytest.mark.parametrize("z_src, verdict", [(4.9, "inconclusive"), (5.1, "corrected")])
def test_vicreg_monte_carlo_must_reject_the_source(z_src, verdict, evidence_of):
    def edit(ev):  # a wide SE so that both values are within reach; z relative to the source's Tr[WA0Wᵀ]
        mc = ev["mc"]
        mc["se"] = (mc["two_tr_WCW"] - mc["tr_WA0W"]) / 8.0
        mc["mean"] = mc["tr_WA0W"] + z_src * mc["se"]
    _expect("ziyin.vicreg", evidence_of, verdict, edit)


@pytest.mark.parametrize("edits, verdict", [
    ((lambda ev: ev["examples"]["singular_C"].update(derived_threshold=ev["examples"]["singular_C"]["kappa"]),),
     "inconclusive"),
    ((_set("examples.singular_C.origin_matrix_eigs", [0.0, 2.0]),), "inconclusive"),
    ((_set("examples.singular_C.loss_drop_along_softest", 0.0),), "inconclusive"),
    ((lambda ev: ev["examples"]["singular_C"].update(former_record_threshold=ev["examples"]["singular_C"]["kappa"]),),
     "inconclusive"),
    ((lambda ev: ev["examples"]["augmentation_dominated"].update(
        kappa=100 * ev["examples"]["augmentation_dominated"]["source_scale"]),), "inconclusive"),  # not > 100×
    ((lambda ev: ev["examples"]["augmentation_dominated"].update(
        kappa=101 * ev["examples"]["augmentation_dominated"]["source_scale"]),), "corrected"),
    ((lambda ev: ev["examples"]["augmentation_dominated"].update(
        kappa=ev["examples"]["augmentation_dominated"]["derived_threshold"]),), "inconclusive"),
    ((_set("examples.augmentation_dominated.origin_matrix_eigs", [0.0, 1.0]),), "inconclusive"),
    ((_set("examples.augmentation_dominated.min_radial_derivative", 0.0),), "inconclusive"),
])
def test_vicreg_counterexamples_must_recheck(edits, verdict, evidence_of):
    _expect("ziyin.vicreg", evidence_of, verdict, *edits)


def _edge_eig(frac):
    """at_threshold's smaller origin eigenvalue set to frac·1e-12·‖M‖ (0 within round-off, ZERO_REL, iff |frac| ≤ 1)."""
    def edit(ev):
        t = ev["examples"]["at_threshold"]
        t["origin_matrix_eigs"] = [frac * 1e-12 * t["origin_matrix_norm"], t["origin_matrix_eigs"][1]]
    return edit


@pytest.mark.parametrize("edits, verdict", [
    ((_edge_eig(0.9),), "corrected"), ((_edge_eig(-0.9),), "corrected"),  # equality: κ = κ* collapses
    ((_edge_eig(1.1),), "inconclusive"), ((_edge_eig(-1.1),), "inconclusive"),  # not at the threshold after all
    ((_set("examples.at_threshold.min_radial_derivative", 0.0),), "inconclusive"),  # another stationary point
    ((_set("examples.at_threshold.loss_drop_along_softest", 0.0),), "inconclusive"),  # flat: not a strict minimum
    ((lambda ev: ev["examples"]["at_threshold"].update(kappa=1.001 * ev["examples"]["at_threshold"]["kappa"]),),
     "inconclusive"),
    ((_set("examples.at_threshold.origin_matrix_eigs", [0.0, 0.0]),), "inconclusive"),  # M = 0: not a one-sided edge
])
def test_vicreg_threshold_is_inclusive(edits, verdict, evidence_of):
    _expect("ziyin.vicreg", evidence_of, verdict, *edits)


# ----------------------------------------------------------------------------- ziyin.thm4
@pytest.mark.parametrize("edit, verdict", [
    (_set("grad_zero", [True, False]), "inconclusive"),  # was: proved
    (_set("hessian_eigs", [0.0, 24.0]), "inconclusive"),
    (lambda ev: ev.update(rho=ev["c"]), "inconclusive"),  # ρ must exceed c
    (_set("critical_values.0.2", 0.5), "inconclusive"),  # the global minimum would have b ≠ 0
    (lambda ev: ev["critical_values"].append([-9.0, 0.0, 1.0]), "inconclusive"),  # a b ≠ 0 point below it
    (_set("penalty_below_zero", False), "inconclusive"),
    (_set("penalty_slope_nonneg", False), "inconclusive"),
])
def test_thm4_boundaries(edit, verdict, evidence_of):
    _expect("ziyin.thm4", evidence_of, verdict, edit)


# ----------------------------------------------------------------------------- ziyin.scl
def _mc_at(key: str, z: float):
    def edit(ev):
        ev["mc"]["mean"] = ev["mc"][key] + z * ev["mc"]["se"]
    return edit


@pytest.mark.parametrize("edits, verdict", [
    ((_set("ours_zero", False),), "inconclusive"),
    ((_mc_at("ours", 5.1),), "inconclusive"),
    ((_mc_at("ours", 4.9),), "corrected"),
    ((_set("source_differs", False), _set("mc.source", 0.0), _set("mc.ours", 0.0), _set("mc.mean", 0.0)), "proved"),
    ((_set("source_minus_ours_zero", False),), "inconclusive"),
    ((_set("example_gram_diag", [0.1, 0.1]),), "inconclusive"),  # spread along A0 must be strict
    ((_set("example_rank", 1),), "inconclusive"),
])
def test_scl_boundaries(edits, verdict, evidence_of):
    _expect("ziyin.scl", evidence_of, verdict, *edits)


@pytest.mark.parametrize("z_src, verdict", [(4.9, "inconclusive"), (5.1, "corrected")])
def test_scl_monte_carlo_must_reject_the_source(z_src, verdict, evidence_of):
    def edit(ev):
        mc = ev["mc"]
        mc["se"] = abs(mc["ours"] - mc["source"]) / 8.0
        mc["mean"] = mc["source"] - z_src * mc["se"]  # the source's value lies above ours here
    _expect("ziyin.scl", evidence_of, verdict, edit)


# ----------------------------------------------------------------------------- ziyin.barlow
@pytest.mark.parametrize("edits, verdict", [
    ((_set("cross_is_WA0W", False),), "inconclusive"),
    ((_set("second_order_ours_zero", False),), "inconclusive"),
    ((_mc_at("tr_WA0W", 5.1),), "inconclusive"),
    ((_mc_at("tr_WA0W", 4.9),), "corrected"),
    ((_set("second_order_source_differs", False), _set("mc.tr_WSigmaW", 0.728), _set("mc.tr_WA0W", 0.728),
      _set("mc.mean", 0.728)), "proved"),
    ((_set("cross_is_not_WSigmaW", False),), "inconclusive"),
    ((_set("lambda1_identity", False),), "inconclusive"),
    ((_set("standardized_scale_invariant", False),), "inconclusive"),
    ((_set("global_min_loss", 1e-23),), "inconclusive"),  # not a zero-loss minimum beyond squared round-off
    ((_set("global_min_rank", 1),), "inconclusive"),
])
def test_barlow_boundaries(edits, verdict, evidence_of):
    _expect("ziyin.barlow", evidence_of, verdict, *edits)
