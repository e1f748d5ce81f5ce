"""found.uniformity: the decision's comparisons pinned exactly ON their thresholds (strict vs non-strict as documented),
the law names in its messages, and the details of a refuted outcome. Evidence: the session's live gather, edited."""
from __future__ import annotations

import copy

import pytest

from sslverify.verdicts.builtin import found as fd
from sslverify.verdicts.registry import builtin_claims

CID = "found.uniformity"
REC = builtin_claims()[CID]


@pytest.fixture
def uev(evidence_of):
    e = copy.deepcopy(evidence_of(REC))
    assert REC.decide(e).verdict == "proved"  # the recorded verdict on the unedited evidence
    return e


def test_quadrature_tolerance_is_inclusive(uev):
    """|quadrature − closed form| = QUAD_ROUND·Σ|terms| exactly (t = 1e-12, Σ|terms| = 1, 2t − t = t exact) is accepted."""
    t = fd.QUAD_ROUND * 1.0
    uev["coefficients"]["3"][5].update(closed_form=t, quadrature=2 * t, abs_sum=1.0)
    assert 2 * t - t == t  # precondition: the residual equals the tolerance bit for bit
    assert REC.decide(uev).verdict == "proved"


def test_zero_gegenbauer_coefficient_is_not_positive(uev):
    """A closed-form coefficient of exactly 0 (quadrature agreeing) breaks strict positivity: inconclusive."""
    uev["coefficients"]["2"][3].update(closed_form=0.0, quadrature=0.0)
    assert REC.decide(uev).verdict == "inconclusive"


def test_series_tolerance_is_exclusive(monkeypatch, uev):
    """direct/series − 1 = SERIES_TOL exactly (tolerance 2⁻⁴⁰, direct = 2¹⁰(1 + 2⁻⁴⁰), series = 2¹⁰: exact in float64) still
    agrees; a law of energy 1024 is far above the uniform one, so nothing else changes."""
    monkeypatch.setattr(fd, "SERIES_TOL", 2.0**-40)
    uev["circle"][0].update(direct=1024.0 * (1.0 + 2.0**-40), series=1024.0)
    assert uev["circle"][0]["direct"] / 1024.0 - 1 == 2.0**-40 and uev["circle_uniform"] < 1000
    assert REC.decide(uev).verdict == "proved"


def test_moment_tolerance_is_exclusive(uev):
    """A Gegenbauer moment of exactly −SERIES_TOL is round-off, not a negative moment."""
    uev["sphere2"][1]["min_moment"] = -fd.SERIES_TOL
    uev["sphere3"][1]["min_moment"] = -fd.SERIES_TOL
    assert REC.decide(uev).verdict == "proved"


@pytest.mark.parametrize("key", ["circle", "sphere2", "sphere3"])
def test_a_law_at_the_uniform_energy_is_no_counterexample(uev, key):
    """A law with energy exactly u, or exactly u(1 − SERIES_TOL), is not below the uniform law u (strict comparison)."""
    u = uev[key + "_uniform"]
    for val in (u, u * (1 - fd.SERIES_TOL)):
        e = copy.deepcopy(uev)
        e[key][0].update(direct=val, series=val)
        assert REC.decide(e).verdict == "proved", val


@pytest.mark.parametrize("key,name", [("circle", "S¹"), ("sphere2", "S²"), ("sphere3", "S³")])
def test_refuted_outcome_names_the_law_and_reports_it(uev, key, name):
    """A law 1% below the uniform energy on S^{d−1}: refuted, the reason names that sphere, the details carry the law and
    the per-reading verdicts."""
    u = uev[key + "_uniform"]
    law = dict(uev[key][0], direct=0.99 * u, series=0.99 * u)
    uev[key][0] = law
    out = REC.decide(uev)
    assert out.verdict == "refuted" and f"on {name} " in out.reason
    assert out.details["counterexample"] == law
    assert out.details["readings"] == {"on_sphere": "refuted", "on_Rd": "corrected"}


@pytest.mark.parametrize("key,name", [("circle", "S¹"), ("sphere2", "S²"), ("sphere3", "S³")])
def test_series_disagreement_names_the_sphere(uev, key, name):
    """A direct energy 1% off its series: inconclusive, the reason starts with the sphere's name."""
    uev[key][0]["series"] = uev[key][0]["direct"] * 1.01
    out = REC.decide(uev)
    assert out.verdict == "inconclusive" and out.reason.startswith(f"{name}:")


@pytest.mark.parametrize("key,name", [("sphere2", "S²"), ("sphere3", "S³")])
def test_negative_moment_names_the_sphere(uev, key, name):
    """A Gegenbauer moment of −1e-3 (≫ round-off): inconclusive, the reason starts with the sphere's name."""
    uev[key][1]["min_moment"] = -1e-3
    out = REC.decide(uev)
    assert out.verdict == "inconclusive" and out.reason.startswith(f"{name}:")


def test_ties_in_the_reported_comparisons(uev):
    """Ties: a Gaussian on R^d exactly at the uniform circle's energy does not correct the R^d reading; Jensen's bound equal
    to the uniform S² energy decides, and an antipodal pair equal to it suffices (both comparisons non-strict)."""
    uev["rd_counterexample"]["gaussian"] = uev["rd_counterexample"]["uniform_circle"]
    sk = uev["sketch"]
    sk["jensen_bound_mean0"] = sk["uniform_S2"]
    sk["antipodal_S2"] = sk["uniform_S2"]
    out = REC.decide(uev)
    assert out.details["readings"]["on_Rd"] == "confirmed"
    assert out.details["jensen_sketch_decides"] is True and out.details["mean_zero_suffices"] is True


# ============================================================================= found.bn-variance
BN = builtin_claims()["found.bn-variance"]


@pytest.fixture
def bev(evidence_of):
    e = copy.deepcopy(evidence_of(BN))
    assert BN.decide(e).verdict == "proved"
    return e


def test_bn_gloss_follows_the_eps_formula_at_another_eps():
    """torch's BatchNorm1d in training mode divides by √(v + ε) (biased v): output variance γ²v/(v + ε), so at ε = 1e-3,
    γ = 2 the gloss rows are 4v/(v + 1e-3) (0 at v = 0) — the ε passed in is the one used."""
    g = fd._bn_gloss(gamma=2.0, eps=1e-3)
    assert g["eps"] == 1e-3 and [r["v"] for r in g["torch_eps"]] == [1e-2, 1e-4, 1e-6, 1e-8, 0.0]
    for r in g["torch_eps"]:
        want = 4 * r["v"] / (r["v"] + 1e-3)
        assert abs(r["var_torch_eps"] - want) <= 1e-9 * 4  # float64, batch deviations ≥ 1e-4 on a 0.4 offset: rel. ~1e-12
    assert g["eps0_at_collapse_is_nan"] is True


def test_bn_numeric_batch_variance_by_hand():
    """z = 0.4 + 1e-4·(0, …, 7): biased variance 1e-8·(8² − 1)/12 = 5.25e-8 (float64 to ~1e-12 relative; a float32
    increment 1e-4·k would be off by ~1e-8 relative)."""
    n = fd._bn_numeric()
    assert abs(n["v"] / 5.25e-8 - 1) < 1e-9  # ulp(0.4)/1e-4 ≈ 6e-13 per entry, squared deviations: ≪ 1e-9


def test_bn_gloss_formula_tolerance_is_exclusive(monkeypatch, bev):
    """A gloss row off γ²v/(v + ε) by exactly the tolerance no longer follows the formula (strict <). Exact in float64:
    tolerance 2⁻³⁰, row v = ε so γ²v/(v + ε) = 2, variance 2(1 + 2⁻³⁰)."""
    monkeypatch.setattr(fd, "REL_F64", 2.0**-30)
    gl = bev["gloss"]
    assert gl["gamma"] ** 2 == 4.0
    gl["torch_eps"][0].update(v=gl["eps"], var_torch_eps=2.0 * (1 + 2.0**-30))
    assert (2.0 * (1 + 2.0**-30)) / (4.0 * gl["eps"] / (gl["eps"] + gl["eps"])) - 1 == 2.0**-30
    assert BN.decide(bev).details["readings"]["gloss_inputs_cannot_collapse"] == "inconclusive"
    gl["torch_eps"][0]["var_torch_eps"] = 2.0 * (1 + 2.0**-31)  # half the tolerance: follows
    assert BN.decide(bev).details["readings"]["gloss_inputs_cannot_collapse"] == "corrected"


def test_bn_gloss_vanishing_threshold(bev):
    """'Falls far below γ²': the smallest gloss variance must be < GAMMA2_GAP·γ² (γ = 2: 4e-3); exactly 4e-3 does not count,
    1e-3 (above GAMMA2_GAP/γ² = 2.5e-4) does. The v = 0 row is dropped so the minimum is the edited v = 1e-8 row."""
    gl = bev["gloss"]
    gg2 = gl["gamma"] ** 2
    assert gg2 == 4.0
    rows = [r for r in gl["torch_eps"] if r["v"] > 0]
    eps_of = lambda var, r: r["v"] * (gg2 / var - 1)  # noqa: E731  the ε for which var = γ²v/(v + ε)
    for var, want in ((fd.GAMMA2_GAP * gg2, "inconclusive"), (1e-3, "corrected")):
        e = copy.deepcopy(bev)
        last = dict(rows[-1], var_torch_eps=var)
        e["gloss"]["torch_eps"] = rows[:-1] + [last]
        e["gloss"]["eps"] = gl["eps"]
        # keep the formula check satisfied for the edited row: choose v so that γ²v/(v + ε) = var
        last["v"] = var * gl["eps"] / (gg2 - var)
        if abs(var / (gg2 * last["v"] / (last["v"] + gl["eps"])) - 1) >= fd.REL_F64:
            pytest.skip("edited row does not re-check in float64")
        assert BN.decide(e).details["readings"]["gloss_inputs_cannot_collapse"] == want, (var, eps_of(var, last))


def test_bn_refuted_when_both_methods_disagree_with_gamma2(bev):
    """If SymPy's residual is not 0 and the float64 variance is off γ² too: refuted, as-defined reading refuted, details kept."""
    bev["as_defined_variance_residual"] = "x"
    bev["numeric"]["var_eps0"] = 1.1 * bev["numeric"]["gamma"] ** 2
    out = BN.decide(bev)
    assert out.verdict == "refuted"
    assert out.details["readings"]["as_defined_no_eps"] == "refuted" and out.details["var_eps0"] == bev["numeric"]["var_eps0"]
