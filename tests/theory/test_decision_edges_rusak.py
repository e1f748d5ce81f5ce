"""rusak.*: decision edges that test_decisions_rusak.py does not probe — each threshold's value itself (strict
or not), and the details a decided outcome must carry.
"""
from __future__ import annotations

import math
from pathlib import Path

import pytest

from sslverify.verdicts.builtin import rusak
from sslverify.verdicts.evidence import load_fixture
from sslverify.verdicts.registry import builtin_claims


CLAIMS = builtin_claims()
SZ2 = 1.0 / 12.0  # σ_z² of U[0, 1]


def verdict(cid: str, evidence: dict) -> str:
    return CLAIMS[cid].decide(evidence).verdict


def close(a, b, rel):
    return all(math.isclose(x, y, rel_tol=rel) for x, y in zip(a, b, strict=True))


# ============================================================================= decisions: exact boundaries, details
# A threshold stated as strict (`< t`) or not (`≤ t`) decides the value t itself: evidence exactly ON the
# boundary (checked to be exactly on it in float64 first) pins which side it belongs to.
def outcome(cid: str, evidence: dict):
    return CLAIMS[cid].decide(evidence)


def fx(cid: str) -> dict:
    """The claim's recorded evidence: its fixture, or the reviewed snapshot of its live evidence (no gathering)."""
    import copy
    import json
    fixture = load_fixture(cid)
    if fixture is not None:
        return copy.deepcopy(fixture)
    snap = Path(__file__).resolve().parent / "snapshots" / f"{cid}.json"
    return json.loads(snap.read_text(encoding="utf-8"))["evidence"]


def test_lemma2_refuted_reports_the_counterexample(monkeypatch):
    import sslverify.theory.rusak.algebra as algebra
    e = fx("rusak.lemma2")
    v = {"A": [[1]], "B": [[1]], "rank_AB": 2, "rank_A": 1, "rank_B": 1}
    e["brute_force"]["violation"] = v
    fake = iter([2, 1, 1])  # a (fictitious) exact-rank routine that confirms the violation
    monkeypatch.setattr(algebra, "exact_rank_int", lambda M: next(fake))
    out = outcome("rusak.lemma2", e)
    assert out.verdict == "refuted" and out.details == {"counterexample": v}


def test_loss_at_zero_round_off_band_is_inclusive():
    cid = "rusak.loss-at-zero"
    e = fx(cid)
    F = 1e14
    e["torch"][0]["formula"], e["torch"][0]["value"] = F, F + 1.0
    assert abs(e["torch"][0]["value"] - F) == 1e-14 * F  # exactly on the band's edge
    assert verdict(cid, e) == "proved"  # '≤ 1e-14 relative' agrees
    e = fx(cid)
    e["symbolic_equal"] = False
    for t in e["torch"]:
        t["value"] = t["formula"] / 2
    out = outcome(cid, e)
    assert out.verdict == "refuted" and out.details == e


def test_lemma6_exact_det_floor_is_strict():
    cid = "rusak.lemma6"
    e = fx(cid)
    e["exact_det"] = 1e-10  # not above the 1e-10 floor: the exact determinant counts as 0
    assert verdict(cid, e) == "inconclusive"


def test_eq15_thresholds_are_strict():
    cid = "rusak.eq15"
    e = fx(cid)
    e["monte_carlo"]["rel_err_effective"] = 0.01  # must be BELOW 1e-2
    assert verdict(cid, e) == "inconclusive"
    e = fx(cid)
    e["monte_carlo"]["min_eig_Sx_minus_Sxt"] = 0.0  # Σ_x − Σ_x~ must be positive definite, not only semi-definite
    assert verdict(cid, e) == "inconclusive"
    e["symbolic"]["d3_dc1"] = False
    out = outcome(cid, e)
    assert out.verdict == "refuted" and out.details == e


# ----------------------------------------------------------------------------- lemma 5
def _lemma5(Ms=(8, 128), scales=(0.01, 1.0)) -> dict:
    """Synthetic lemma-5 evidence that decides 'corrected' (every row not set here is far from every threshold)."""
    rows = []
    for s in scales:
        for M in Ms:
            for ag in ("full", "detached negatives"):
                rows.append({"scale": s, "M": M, "autograd": ag, "err_source": 1.0, "err_detached": 1.0, "err_full": 1.0})
    e = {"rows": rows, "symbolic": {"full": {"residual_zero": True, "source_eq5_residual_zero": False},
                                    "detached": {"residual_zero": True, "source_eq5_residual_zero": False}},
         "large_M": {"small": {"scale": 0.01, "err_full": 1e-5, "err_detached": 1e-5},
                     "big": {"scale": 1.0, "err_full": 0.116, "err_detached": 0.121}}}
    lo, hi, small, big = min(Ms), max(Ms), min(scales), max(scales)
    _set(e, small, hi, "full", err_full=0.03, err_source=1.5)
    _set(e, small, lo, "full", err_full=0.17)
    _set(e, small, hi, "detached negatives", err_detached=0.03, err_source=0.03)
    _set(e, big, hi, "full", err_full=0.11)
    _set(e, big, hi, "detached negatives", err_source=0.12)
    return e


def _set(e, scale, M, ag, **errs):
    next(r for r in e["rows"] if r["scale"] == scale and r["M"] == M and r["autograd"] == ag).update(errs)


def test_lemma5_uses_largest_M_and_scale():
    cid = "rusak.lemma5"
    assert verdict(cid, _lemma5()) == "corrected"
    e = _lemma5(Ms=(8, 32, 128))
    _set(e, 0.01, 32, "full", err_full=0.5)  # an intermediate M far off: only M = 128 is compared with 0.1
    assert verdict(cid, e) == "corrected"
    e = _lemma5(scales=(0.01, 0.1, 1.0))
    _set(e, 0.1, 128, "full", err_full=0.05)  # an intermediate scale: only ‖WA‖ = 1 is compared with the quadrature
    assert verdict(cid, e) == "corrected"


@pytest.mark.parametrize("where, errs, expected", [
    ((0.01, 128, "full"), {"err_full": 0.1}, "inconclusive"),  # small-W autograd must be BELOW 0.1
    ((0.01, 128, "detached negatives"), {"err_detached": 0.1}, "inconclusive"),
    ((1.0, 128, "full"), {"err_full": 0.1}, "inconclusive"),  # autograd at ‖WA‖ = 1 must be ABOVE 0.1 (quadrature is)
    ((1.0, 128, "detached negatives"), {"err_source": 0.1}, "inconclusive"),
    ((1.0, 128, "detached negatives"), {"err_source": 0.05}, "inconclusive"),  # one of the two autograd errors small
])
def test_lemma5_row_boundaries(where, errs, expected):
    e = _lemma5()
    _set(e, *where, **errs)
    assert verdict("rusak.lemma5", e) == expected


@pytest.mark.parametrize("key, conv, value", [("small", "err_full", 1e-3), ("small", "err_detached", 1e-3),
                                              ("big", "err_full", 0.1), ("big", "err_detached", 0.1)])
def test_lemma5_quadrature_boundaries(key, conv, value):
    e = _lemma5()
    e["large_M"][key][conv] = value  # small: must be below 1e-3; big: must be above 0.1 (autograd says it is)
    assert verdict("rusak.lemma5", e) == "inconclusive"


def test_lemma5_source_wrong_threshold_and_confirmed_details():
    cid = "rusak.lemma5"
    e = _lemma5()
    for ag, conv in (("full", "err_full"), ("detached negatives", "err_source")):
        _set(e, 1.0, 128, ag, **{conv: 0.05})
    e["large_M"]["big"] = {"scale": 1.0, "err_full": 0.05, "err_detached": 0.05}
    _set(e, 0.01, 128, "full", err_source=0.5)  # eq. 5 'off' means more than 0.5 against the full gradient
    out = outcome(cid, e)
    assert out.verdict == "confirmed"
    assert out.details["large_M_limit"] == e["large_M"] and out.details["symbolic"] == e["symbolic"]


# ----------------------------------------------------------------------------- lemma 7
def test_lemma7_prediction_band_is_strict():
    cid = "rusak.lemma7"
    e = fx(cid)
    b, a = 0.342808, 0.3599484
    assert abs(a - b) / b == 0.05  # exactly 5 % off
    e["orthogonal"]["rates"][0], e["orthogonal"]["predicted"][0] = a, b
    assert verdict(cid, e) == "inconclusive"


@pytest.mark.parametrize("path", [("orthogonal",), ("diag_1_2_2",), ("exact", "orthogonal"), ("exact", "diag_1_2_2")])
def test_lemma7_ties_are_not_orderings(path):
    # content and style growing EQUALLY is neither 'content faster' nor 'style faster': with a tie in one method
    # and the strict order in the other, the methods disagree
    e = fx("rusak.lemma7")
    r = e
    for k in path:
        r = r[k]
    r["content_mean"] = r["style_mean"]
    assert verdict("rusak.lemma7", e) == "inconclusive"


def test_lemma7_confirmed_details():
    e = fx("rusak.lemma7")
    e["diag_1_2_2"]["content_mean"], e["diag_1_2_2"]["style_mean"] = 0.6, 0.5
    e["exact"]["diag_1_2_2"]["content_mean"], e["exact"]["diag_1_2_2"]["style_mean"] = 0.6, 0.5
    out = outcome("rusak.lemma7", e)
    assert out.verdict == "confirmed" and out.details == {"orthogonal": e["orthogonal"], "diag_1_2_2": e["diag_1_2_2"],
                                                          "exact": e["exact"]}


def test_prop2_confirmed_details():
    e = fx("rusak.prop2")
    e["skew_sv"] = e["exact_skew_sv"] = [0.3, 0.1, 0.1]
    out = outcome("rusak.prop2", e)
    assert out.verdict == "confirmed" and out.details["counts_orthogonal_skew"] == [1, 1]
    assert out.details["random_W_count"] == 1 and out.details["exact_skew_sv"] == [0.3, 0.1, 0.1]


# ----------------------------------------------------------------------------- prop 3
def _prop3(t_der, t_eq, t_heu, exact=None):
    e = fx("rusak.prop3")
    e.update(tau_c_derived=t_der, tau_c_equalizing=t_eq, tau_c_heuristic=t_heu)
    e["exact_equalizing"]["full"] = t_der if exact is None else exact
    return e


def test_prop3_symbolic_match_relative_band():
    # 1e-12 RELATIVE to τ_c: a difference of exactly 1e-12·τ_c still matches (τ_c, difference exact in float64)
    t, x = 1.000088900582341, 1.000088900583341
    assert abs(x - t) == 1e-12 * t
    assert verdict("rusak.prop3", _prop3(t, t, t, exact=x)) == "confirmed"


def test_prop3_autograd_band_and_factor_two_edges():
    t = 1.25
    assert abs(1.375 - t) / t == 0.1  # exactly 10 % off: outside the band
    assert verdict("rusak.prop3", _prop3(t, 1.375, 1.375)) == "inconclusive"
    assert 0.4 / 0.2 == 2.0 and abs(math.log(0.4 / 0.2)) == math.log(2)  # exactly a factor 2: still '∼'
    out = outcome("rusak.prop3", _prop3(0.4, 0.4, 0.2))
    assert out.verdict == "confirmed"
    assert out.details == {"tau_c_equalizing": 0.4, "tau_c_derived": 0.4, "tau_c_heuristic": 0.2,
                           "exact": {"full": 0.4, "detached": 3.88}}


# ----------------------------------------------------------------------------- prop 4 / prop 1 / cor 1
def test_scaling_facts_are_strict():
    def facts(collapsed, full):
        return rusak._scaling_facts({"losses": {"collapsed": collapsed, "full_style": full}})
    assert facts([3.0, 2.0, 1.0], [2.5, 1.5, 0.5]) == {"decreasing_in_c": True, "uncollapsed_lower_every_c": True}
    assert not facts([3.0, 2.0, 1.0], [2.5, 1.5, 1.5])["decreasing_in_c"]  # flat is not decreasing
    assert not facts([3.0, 2.0, 1.0], [2.5, 1.5, 2.0])["decreasing_in_c"]  # rising by 0.5
    assert not facts([3.0, 2.0, 1.0], [2.5, 2.0, 0.5])["uncollapsed_lower_every_c"]  # a tie at c_2
    assert not facts([3.0, 2.0, 1.0], [3.0, 1.5, 0.5])["uncollapsed_lower_every_c"]


def test_prop4_confirmed_details():
    cid = "rusak.prop4"
    e = fx(cid)
    e["symbolic"]["limit_full_style"] = "nan"
    e["losses"]["full_style"] = sorted((v + 10 for v in e["losses"]["collapsed"]), reverse=True)
    out = outcome(cid, e)
    assert out.verdict == "confirmed"
    assert out.details["losses"] == e["losses"] and out.details["uncollapsed_lower_every_c"] is False


def test_prop1_inversion_threshold_and_confirmed_details():
    cid = "rusak.prop1"
    e = fx(cid)
    e["max_rel_diff_mlp_vs_linear"] = 1e-10  # not above 1e-10: still the same losses
    assert verdict(cid, e) == "corrected"
    e["losses"]["full_style"][-1] = e["losses"]["collapsed"][-1]
    e["losses"]["full_style"] = sorted(e["losses"]["full_style"], reverse=True)
    out = outcome(cid, e)
    assert out.verdict == "confirmed" and out.details["losses"] == e["losses"] and out.details["decreasing_in_c"]


# ----------------------------------------------------------------------------- prop 5 / prop 6
def test_prop5_proved_details():
    cid = "rusak.prop5"
    e = fx(cid)
    e["mlp_ranks"] = e["fd_mlp_ranks"] = [2, 2, 2]
    out = outcome(cid, e)
    assert out.verdict == "proved" and out.details == e


def test_prop6_numeric_thresholds_are_strict():
    cid = "rusak.prop6"
    for key in ("abs_loss_diff", "max_abs_output_diff"):
        e = fx(cid)
        e["numeric"][key] = 1e-12  # not below 1e-12: numerically different while symbolically identical
        assert verdict(cid, e) == "inconclusive", key


def test_prop6_both_symbolic_sizes_must_agree():
    cid = "rusak.prop6"
    e = fx(cid)
    e["numeric"]["abs_loss_diff"] = 1.0  # numerically different
    e["symbolic_d5"]["same_as_collapsed_optimum"] = False  # d = 5 says different, d = 3 says identical
    e["symbolic"]["same_as_collapsed_optimum"] = True
    assert verdict(cid, e) == "refuted"  # a size where the identity fails, numerically confirmed: a counterexample
    e["symbolic"]["same_as_collapsed_optimum"] = False
    out = outcome(cid, e)
    assert out.verdict == "refuted" and out.details == e


# ----------------------------------------------------------------------------- temperature sign
def test_temperature_sign_boundaries():
    cid = "rusak.temperature-sign"
    e = fx(cid)
    e["statements"]["consistent"] = True
    e["exact_equalizing_tau_c"], e["derived_equalizing_tau_c"] = 0.0, 1e-12  # differ by exactly 1e-12: still agree
    out = outcome(cid, e)
    assert out.verdict == "confirmed" and out.details["derived_equalizing_tau_c"] == 1e-12
    assert out.details["directions"] == e["statements"]["directions"]
    e = fx(cid)
    e["reparametrization_abs_diff"] = 1e-12  # must be below 1e-12
    assert verdict(cid, e) == "inconclusive"
    e = fx(cid)
    e["exact_equalizing_tau_c"] = e["derived_equalizing_tau_c"] = 1.0  # τ_c = τ_s is not '> τ_s'
    assert verdict(cid, e) == "inconclusive"


# ----------------------------------------------------------------------------- table 1
def _table1_no_box_effect():
    e = fx("rusak.table1")
    for v in e["box"]["dc0_rescaling"]["by_sigma"].values():
        v["best_margin"] = 0.0
    e["box"]["dc0_rescaling"]["batch_margins"] = [0.01, 0.02]
    e["box"]["trained"]["gaps_dc0"] = [-0.5, -0.4]
    return e


def test_table1_sphere_margin_edges():
    cid = "rusak.table1"
    assert verdict(cid, _table1_no_box_effect()) == "confirmed"
    e = _table1_no_box_effect()
    e["sphere"]["families"]["d6_dc3"].update(best_margin=-3.0, best_se=1.0)  # exactly 3 SE below 0: not enough
    assert verdict(cid, e) == "inconclusive"
    k = "d6_dc3_kappa20"
    e = _table1_no_box_effect()
    e["sphere"]["kappa_scan"][k].update(best_margin=-3.0, best_se=1.0)
    assert verdict(cid, e) == "inconclusive"
    e["sphere"]["kappa_scan"][k].update(best_margin=-3.5, best_se=1.0)  # 3.5 SE: counts
    out = outcome(cid, e)
    assert out.verdict == "confirmed" and out.details["box_dc0_trained_gaps"] == [-0.5, -0.4]
    e["sphere"]["kappa_scan"][k]["best_c"] = 1.0  # the best encoder at this κ is g⁻¹ itself
    assert verdict(cid, e) == "inconclusive"


def test_table1_rescaling_must_be_below_zero():
    cid = "rusak.table1"
    for by_sigma, batches in ((0.0, [-0.01, -0.02]), (0.5, [-0.01, -0.02]), (-0.01, [0.0, -0.01])):
        e = _table1_no_box_effect()
        for v in e["box"]["dc0_rescaling"]["by_sigma"].values():
            v["best_margin"] = by_sigma
        e["box"]["dc0_rescaling"]["batch_margins"] = batches
        assert verdict(cid, e) == "confirmed", (by_sigma, batches)  # a margin of 0 is not 'below g⁻¹'


def test_table1_without_trained_rows():
    cid = "rusak.table1"
    e = _table1_no_box_effect()
    del e["box"]["trained"]["gaps_dc0"]
    out = outcome(cid, e)
    assert out.verdict == "confirmed" and out.details["box_dc0_trained_gaps"] == []
    del e["box"]["trained"]
    out = outcome(cid, e)
    assert out.verdict == "confirmed" and out.details["box_dc0_trained_gaps"] == []


@pytest.mark.parametrize("gaps, expected", [
    ([0.0, 1.0, 1.0, 1.0, 1.0, 1.0], "confirmed"),  # one seed with no gap: not 'every trained encoder beats g⁻¹'
    ([1.0, 3.0], "confirmed"),  # mean 2 = exactly 2 SE (SE = |3 − 1|/2 = 1): not above
    ([1.5, 3.5], "corrected"),  # mean 2.5 SE: above 2 SE
])
def test_table1_trained_gap_edges(gaps, expected):
    e = _table1_no_box_effect()
    e["box"]["trained"]["gaps_dc0"] = gaps
    assert verdict("rusak.table1", e) == expected


# ----------------------------------------------------------------------------- fig 1
def test_fig1_confirmed_details():
    e = fx("rusak.fig1")
    for v in e["per_dc"].values():
        v["tau_c_restoring_spectrum"] = [0.003]
    out = outcome("rusak.fig1", e)
    assert out.verdict == "confirmed"
    assert out.details["flatness_dc0"] == e["flatness_dc0"] and set(out.details["per_dc"]) == set(e["per_dc"])
