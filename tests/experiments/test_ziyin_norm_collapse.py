"""App. B, Fig. 3: normalized InfoNCE — onset of the collapse of the smallest share of WᵀW vs σ²/a_min."""
from sslverify.experiments import run_experiment
from sslverify.verdicts.builtin.ziyin_experiments import check_norm_collapse


def test_norm_collapse_quick(tmp_path):
    out = check_norm_collapse(quick=True, out_dir=tmp_path)
    r = run_experiment("ziyin_norm_collapse", quick=True, out_dir=tmp_path)  # cached: the same run
    checks = {c["name"]: c["passed"] for c in r["checks"]}
    # control: without normalization no replica collapses for 0 < σ² ≤ 0.7 (> a_min)
    assert checks["(i) unnormalized control does not collapse on the same grid"]
    # pinned finding: the onset ratio is NOT reproducible across replicas — the interval for the median
    # runs from below 1/4 to past a_min (a replica does not collapse on the grid), and a replica is
    # collapsed already at σ = 0; neither part of the claim can be decided: underspecified
    lo, hi = r["onset_ratio_interval"]
    assert lo < r["far_below_threshold"] and hi >= 1.0
    assert r["normalized_collapsed_at_sigma0"] >= 1
    assert not checks["(i) normalized collapses before σ² reaches a_min"]
    assert r["far_below"] is None and not r["passed"]
    assert out.verdict == "underspecified", out.reason
