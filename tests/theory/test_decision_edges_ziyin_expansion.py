"""The Ziyin expansion family's decisions at their exact thresholds (the rule's own side: evidence exactly ON a
threshold, exact in float64), and the evidence kept as the outcome's details on every verdict.  Complements
test_decisions_ziyin_expansion.py, which moves recorded evidence across each threshold by a step.
"""
from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import pytest

from sslverify.verdicts.builtin import ziyin_expansion as zx
from sslverify.verdicts.registry import get_claim

_spec = importlib.util.spec_from_file_location("_zx_snapshots", Path(__file__).with_name("test_snapshots.py"))
_snap = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_snap)
differences = _snap.differences  # NUM_RTOL 1e-6 / NUM_ATOL 1e-9: round-off across machines, see test_snapshots


def _decide(cid, ev):
    return get_claim(cid).decide(ev)


@pytest.fixture
def ev(evidence_of, request):
    return evidence_of(get_claim(request.param))


# ============================================================================= decisions at their exact thresholds
@pytest.mark.parametrize("ev", ["ziyin.eq2"], indirect=True)
def test_eq2_thresholds_inclusive(ev):
    ev["relative_residual"] = zx.FLOAT_REL  # "≤ FLOAT_REL" verifies
    assert _decide("ziyin.eq2", ev).verdict == "corrected"
    # eq2 − eq1 exactly at FLOAT_REL·max(1, |eq1|): proved (binary-exact numbers, so "exactly" is exact)
    assert _decide("ziyin.eq2", dict(ev, eq1=0.0, eq2=1e-12)).verdict == "proved"
    # the tolerance scales with |eq1| above 1 (4e-12 allowed at eq1 = 4) and is 1e-12 below (not 2e-12)
    assert _decide("ziyin.eq2", dict(ev, eq1=4.0, eq2=4.0 + 3e-12)).verdict == "proved"
    assert _decide("ziyin.eq2", dict(ev, eq1=1.0, eq2=1.0 + 1.5e-12)).verdict == "corrected"
    out = _decide("ziyin.eq2", dict(ev, eq2=ev["eq1"]))
    assert out.verdict == "proved" and out.details == dict(ev, eq2=ev["eq1"])


@pytest.mark.parametrize("ev", ["ziyin.expansion"], indirect=True)
def test_expansion_mc_threshold_inclusive(ev):
    mc = {"mean": 0.0, "se": 0.125, "derived": 0.625}  # exactly Z = 5 SE (binary-exact)
    assert _decide("ziyin.expansion", dict(ev, mc_quartic=mc)).verdict == "corrected"
    ok = dict(ev, E2_minus_source="0", E4_minus_source="0")
    out = _decide("ziyin.expansion", ok)
    assert out.verdict == "proved" and out.details == ok


@pytest.mark.parametrize("ev", ["ziyin.collapse-threshold"], indirect=True)
def test_collapse_threshold_feature_B_zero_collapses(ev):
    # the source collapses at B ≤ 0: B = 0 exactly is still the source's collapse
    ev["features"]["source_B"] = 0.0
    assert _decide("ziyin.collapse-threshold", ev).verdict == "refuted"


@pytest.mark.parametrize("ev", ["ziyin.weight-decay"], indirect=True)
def test_weight_decay_thresholds_inclusive(ev):
    cid = "ziyin.weight-decay"
    # the tolerance is FLOAT_REL × max(1, |threshold|), inclusive: at threshold 4, 4e-12 passes, 4.5e-12 does not
    for key in ("curvature_at_threshold", "curvature_at_threshold_c100"):
        assert _decide(cid, dict(ev, derived_threshold=4.0, **{key: 4e-12})).verdict == "corrected", key
        assert _decide(cid, dict(ev, derived_threshold=4.0, **{key: 4.5e-12})).verdict == "inconclusive", key
        assert _decide(cid, dict(ev, derived_threshold=1.0, **{key: 1e-12})).verdict == "corrected", key
    _resolved_at_boundary_then_confirmed(cid, ev, "prop2", dict(ev, source_predicts_collapse=False))


def _resolved_at_boundary_then_confirmed(cid, ev, run_key, ok):
    """A contested run exactly at the resolution bound (weakest over τ = √RESOLVE) counts as resolved: the
    recorded verdict stands; ``ok`` (evidence where the source's prediction holds) decides confirmed and keeps
    the evidence as its details."""
    at_bound = dict(ev, **{run_key: dict(ev[run_key], weakest_contested_over_tau=math.sqrt(zx.RESOLVE))})
    assert _decide(cid, at_bound).verdict == "corrected"
    out = _decide(cid, ok)
    assert out.verdict == "confirmed" and out.details == ok


@pytest.mark.parametrize("ev", ["ziyin.ncrit"], indirect=True)
def test_ncrit_thresholds_inclusive(ev):
    nc = ev["ncrit"]
    ok = dict(ev, main_collapses_at_witness=True, ncrit=dict(nc, checks=dict(nc["checks"], eq7_contradicted=False)))
    _resolved_at_boundary_then_confirmed("ziyin.ncrit", ev, "ncrit", ok)


@pytest.mark.parametrize("ev", ["ziyin.sigma-scaling"], indirect=True)
def test_sigma_scaling_thresholds_and_missing_keys(ev):
    cid = "ziyin.sigma-scaling"
    sg = ev["sigma"]
    for key in zx.SIGMA_VALID:  # a missing validity key: inconclusive, and the reason names it
        out = _decide(cid, dict(ev, sigma=dict(sg, checks={k: v for k, v in sg["checks"].items() if k != key})))
        assert out.verdict == "inconclusive" and isinstance(out.reason, str) and key in out.reason, key
    # |slope − 4| must EXCEED the tolerance: exactly equal is not separated (binary-exact: |−0.5 − 4| = 4.5), even
    # with a clearly negative slope (−0.5 + 3·0.125 < 0)
    assert _decide(cid, dict(ev, sigma=dict(sg, slope_measured=-0.5, slope_tolerance=4.5, slope_se=0.125))).verdict \
        == "inconclusive"
    assert _decide(cid, dict(ev, sigma=dict(sg, slope_measured=-0.5, slope_tolerance=4.25, slope_se=0.125))).verdict \
        == "corrected"
    # slope + 3 SE must be < 0: exactly 0 is an undecided sign (−0.75 + 3·0.25 = 0 in binary)
    assert _decide(cid, dict(ev, sigma=dict(sg, slope_measured=-0.75, slope_se=0.25, slope_tolerance=0.5))).verdict \
        == "inconclusive"
    assert _decide(cid, dict(ev, sigma=dict(sg, slope_measured=-0.875, slope_se=0.25, slope_tolerance=0.5))).verdict \
        == "corrected"


@pytest.mark.parametrize("ev", ["ziyin.origin-stability"], indirect=True)
def test_origin_stability_thresholds_inclusive(ev):
    cid = "ziyin.origin-stability"
    nm = ev["normalization"]
    scale = max(abs(v) for v in nm["no_bias"])
    assert _decide(cid, dict(ev, normalization=dict(nm, no_bias_spread=zx.NORM_FLAT * scale))).verdict == "underspecified"
    assert _decide(cid, dict(ev, normalization=dict(nm, with_bias_spread=zx.NORM_MOVES))).verdict == "inconclusive"
    proxy = lambda e: _decide(cid, e).details["readings"]["fixed_features_weight_decay"]  # noqa: E731
    cs, s = ev["crossing_sigma"], ev["tanh"]["sigmas"]
    # the crossing must lie strictly inside the σ grid: anywhere inside counts (first and last cells included)
    assert proxy(dict(ev, crossing_sigma=dict(cs, proxy_gamma=(s[0] + s[1]) / 2))) == "confirmed"
    assert proxy(dict(ev, crossing_sigma=dict(cs, proxy_gamma=(s[-2] + s[-1]) / 2))) == "confirmed"
    assert proxy(dict(ev, crossing_sigma=dict(cs, proxy_gamma=s[0]))) == "inconclusive"
