"""Decisions of ziyin.scl, ziyin.vicreg and ziyin.eq9 exactly AT their thresholds, and the facts their gathers report.

Each case edits the live evidence (``evidence_of``) so that one comparison sits exactly on its boundary (Monte Carlo
|z| = 5 SE with se = 1, eigenvalue = 1e-12 · norm, κ = 0.01 · source scale...), using numbers that are exact in
float64, so the inclusive/strict side of every comparison is pinned.  Thresholds are literal numbers (5 SE, 1e-12,
0.01), not the module's constants.
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


def _decide(cid, evidence_of, *edits):
    rec = get_claim(cid)
    ev = evidence_of(rec)
    for e in edits:
        e(ev)
    return ev, rec.decide(ev)


# ----------------------------------------------------------------------------- ziyin.scl
def _scl_mc(mean, ours, source):
    return _set("mc", {"draws": 1, "mean": mean, "se": 1.0, "ours": ours, "source": source})


@pytest.mark.parametrize("edits, verdict", [
    ((_scl_mc(5.0, 0.0, 100.0),), "corrected"),  # |z_ours| = 5 exactly: agreement band is inclusive
    ((_set("source_differs", False), _scl_mc(5.0, 5.0, 0.0)), "proved"),  # |z_src| = 5: source reproduced
    ((_scl_mc(5.0, 5.0, 0.0),), "inconclusive"),  # source differs symbolically but |z_src| = 5 is not a rejection
])
def test_scl_monte_carlo_band_edges(edits, verdict, evidence_of):
    """The 5 SE agreement band includes its edge; rejecting eq. 17 needs strictly more than 5 SE."""
    _, out = _decide("ziyin.scl", evidence_of, *edits)
    assert out.verdict == verdict, out.reason


def test_scl_proved_outcome_keeps_its_evidence(evidence_of):
    """A 'proved' SCL outcome records the evidence it was decided on (details carry the Monte Carlo numbers)."""
    ev, out = _decide("ziyin.scl", evidence_of, _set("source_differs", False), _scl_mc(5.0, 5.0, 5.0))
    assert out.verdict == "proved"
    assert out.details["mc"] == ev["mc"] and out.details["example_rank"] == 2


def test_scl_example_is_the_hand_solved_global_minimum(evidence_of):
    """A0 = diag(2, 1), C = diag(1, 2), d1 = 2: Σ = 3I, B = 2A0, all eigenvalues positive, so
    WᵀW = ½Σ⁻¹BΣ⁻¹ = Σ⁻¹A0Σ⁻¹ = diag(2/9, 1/9) (claim's counterexample) at rank 2."""
    ev = evidence_of(get_claim("ziyin.scl"))
    # 1e-12: eigh of a diagonal matrix and two square roots, a few ulp; the alternatives differ by > 1e-2
    assert ev["example_gram_diag"] == pytest.approx([2 / 9, 1 / 9], abs=1e-12)
    assert ev["example_rank"] == 2


# ----------------------------------------------------------------------------- ziyin.eq9
def test_eq9_proved_outcome_keeps_its_evidence(evidence_of):
    """When the source's threshold equals the derived one, 'proved' records the evidence it was decided on."""
    ev, out = _decide("ziyin.eq9", evidence_of, _set("eq14.source_threshold", 0.5), _set("eq14.mean_differs", False))
    assert out.verdict == "proved"
    assert out.details["eq14"] == ev["eq14"]


def test_eq9_printed_threshold_is_one_half(evidence_of):
    """Eq. 14 as printed with a+c = 1, d_M = 5: ε + 2/5 ≤ (4 + ε)/5 ⇔ 4ε/5 ≤ 2/5 ⇔ ε ≤ ½ over ε > 0 (by hand)."""
    ev = evidence_of(get_claim("ziyin.eq9"))
    assert ev["eq14"]["printed_threshold"] == 0.5  # a SymPy Rational 1/2 converted to float: exact


# ----------------------------------------------------------------------------- ziyin.vicreg
def _vic_mc(mean, two_tr_wcw, tr_wa0w):
    return _set("mc", {"draws": 1, "mean": mean, "se": 1.0, "two_tr_WCW": two_tr_wcw, "tr_WA0W": tr_wa0w})


def _ex(name, **kv):
    def edit(ev):
        ev["examples"][name].update(kv)
    return edit


@pytest.mark.parametrize("edits, verdict", [
    ((_vic_mc(5.0, 0.0, 100.0),), "corrected"),  # |z_der| = 5 exactly: inside the inclusive agreement band
    ((_vic_mc(5.0, 5.0, 0.0),), "inconclusive"),  # |z_src| = 5 exactly: B = −A0 not rejected (needs > 5 SE)
])
def test_vicreg_monte_carlo_band_edges(edits, verdict, evidence_of):
    """Agreement with 2Tr[WCWᵀ] includes 5 SE; rejecting Tr[WA0Wᵀ] needs more than 5 SE."""
    _, out = _decide("ziyin.vicreg", evidence_of, *edits)
    assert out.verdict == verdict, out.reason


@pytest.mark.parametrize("edits, verdict", [
    # singular C: κ must lie below 0.01 × source scale; 0.01 is not below 0.01 · 0.5 = 0.005
    ((_ex("singular_C", source_scale=0.5, kappa=0.01, former_record_threshold=1.0, derived_threshold=0.0),),
     "inconclusive"),
    # augmentation-dominated: any positive radial derivative suffices (0.5 > 0)
    ((_ex("augmentation_dominated", min_radial_derivative=0.5),), "corrected"),
    # at κ = κ*: the threshold itself must be positive (κ = κ* = 0 is the singular case, not the edge)
    ((_ex("at_threshold", kappa=0.0, derived_threshold=0.0),), "inconclusive"),
    # zero eigenvalue within 1e-12 · norm, inclusive: 1e-12 with norm 1 counts as zero
    ((_ex("at_threshold", origin_matrix_eigs=[1e-12, 0.665], origin_matrix_norm=1.0),), "corrected"),
    # ... and its negative side is strict: −1e-12 with norm 1 is not > −1e-12
    ((_ex("at_threshold", origin_matrix_eigs=[-1e-12, 0.665], origin_matrix_norm=1.0),), "inconclusive"),
    # the band scales with the norm: −1.5e-12 is within 1e-12 · 2 = 2e-12
    ((_ex("at_threshold", origin_matrix_eigs=[-1.5e-12, 0.665], origin_matrix_norm=2.0),), "corrected"),
    # the other eigenvalue must be strictly above the band: 1e-12 with norm 1 is not
    ((_ex("at_threshold", origin_matrix_eigs=[0.0, 1e-12], origin_matrix_norm=1.0),), "inconclusive"),
    # ... scaled with the norm: 1.5e-12 is not above 1e-12 · 2
    ((_ex("at_threshold", origin_matrix_eigs=[0.0, 1.5e-12], origin_matrix_norm=2.0),), "inconclusive"),
])
def test_vicreg_counterexample_edges(edits, verdict, evidence_of):
    """Each VICReg counterexample re-check at the exact edge of its comparison (numbers exact in float64)."""
    _, out = _decide("ziyin.vicreg", evidence_of, *edits)
    assert out.verdict == verdict, out.reason
