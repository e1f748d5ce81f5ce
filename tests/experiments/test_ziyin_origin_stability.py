"""§1.3 / Fig. 1a: curvature of L(aW*) at a = 0 in three classes — linear model (C cancels: a saddle at every σ),
fixed tanh features and a trained two-layer tanh network with weight decay (the origin turns into a minimum as σ
grows, through the smoothed-feature covariance A_φ, not through the source's B)."""
import pytest

from sslverify.experiments import run_experiment
from sslverify.verdicts.builtin.ziyin_expansion import extract_origin
from sslverify.verdicts.evidence import jsonable, load_fixture, schema, schema_differences
from sslverify.verdicts.registry import get_claim


def test_origin_stability_quick(tmp_path):
    r = run_experiment("ziyin_origin_stability", quick=True, out_dir=tmp_path)
    checks = {c["key"]: c["passed"] for c in r["checks"]}
    assert r["passed"], r["summary"]
    rows = r["table"]
    lin = [row for row in rows if row["arm"] == "sigma"]
    # linear: negative curvature at every σ (5 SE), including where the source's B = A0 − (1−α)C/N predicts > 0
    assert all(row["c2_mc"] + 5 * row["c2_mc_se"] < 0 for row in lin)
    assert any(row["c2_source"] > 0 for row in lin) and r["source_sign_mismatches"] >= 1
    # fixed tanh features, γ = 0.1: autograd Monte Carlo = derived −(N/K)Tr[WĈov(m)Wᵀ] + γ, and the sign flips
    for arm in ("features", "network"):
        assert checks[f"{arm}_mc_matches_derived"] and checks[f"{arm}_crossing"]
        ends = [row for row in rows if row["arm"] == arm and row["sigma"] in (0.0, 5.0)]
        assert all((row["c2_mc"] < 0) == (row["sigma"] == 0.0) for row in ends)
    # the source's B with its own A0 = E φ(x̂)φ(x̂)ᵀ, C = Σ − A0 keeps the fixed-feature origin a saddle at σ = 5
    assert all(row["c2_source"] < 0 for row in rows if row["arm"] == "features" and row["sigma"] == 5.0)
    # the evidence the claim's gather builds from this run has the recorded fixture's schema, and decides as recorded
    ev = jsonable(extract_origin(r))
    fx = load_fixture("ziyin.origin-stability")
    assert fx is not None and not schema_differences(schema(fx["experiment"]), schema(ev))
    assert get_claim("ziyin.origin-stability").decide({**fx, "experiment": ev}).verdict == get_claim("ziyin.origin-stability").verdict


@pytest.mark.parametrize("field, value, message", [
    ("z", 0.0, r"z must be > 0, got 0\.0"),  # z ≤ 0 would call a curvature within Monte Carlo noise decided
    ("z", -5.0, r"z must be > 0, got -5\.0"),
    ("steps", 0, r"steps must be an integer >= 1, got 0"),
    ("lr", 0.0, r"lr must be (a number )?> 0, got 0\.0"),  # the harness checks every lr* first
    ("scan_draws", 0, r"scan_draws must be an integer >= 1, got 0"),
])
def test_bad_config_one_line_naming_field(tmp_path, field, value, message):
    with pytest.raises(ValueError, match=message) as exc:
        run_experiment("ziyin_origin_stability", quick=True, out_dir=tmp_path, **{field: value})
    assert "\n" not in str(exc.value)
    assert not any(tmp_path.iterdir())  # rejected before anything ran or was written
