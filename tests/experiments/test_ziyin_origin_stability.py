"""§1.3 / Fig. 1a on the linear model: curvature of L(aW*) at a = 0 (derived: C cancels)."""
from sslverify.experiments import run_experiment


def test_origin_stability_quick(tmp_path):
    r = run_experiment("ziyin_origin_stability", quick=True, out_dir=tmp_path)
    assert r["passed"], r["summary"]
    sig = [row for row in r["table"] if row["arm"] == "sigma"]
    # every σ: negative curvature (5 SE), including where the source's B = A0 − (1−α)C/N predicts > 0
    assert all(row["c2_mc"] + 5 * row["c2_mc_se"] < 0 for row in sig)
    assert any(row["c2_source"] > 0 for row in sig)
    assert r["source_sign_mismatches"] >= 1 and not r["source_agrees"]
