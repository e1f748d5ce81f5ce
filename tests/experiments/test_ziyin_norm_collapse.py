"""App. B, Fig. 3: normalized InfoNCE — onset of the collapse of the smallest share of WᵀW vs σ²/a_min."""
from sslverify.experiments import run_experiment
from sslverify.verdicts.builtin.ziyin_experiments import ROBUST_COLLAPSED, ROBUST_OPEN, extract_norm_collapse
from sslverify.verdicts.evidence import jsonable, load_fixture, schema, schema_differences
from sslverify.verdicts.registry import get_claim


def test_norm_collapse_quick(tmp_path):
    r = run_experiment("ziyin_norm_collapse", quick=True, out_dir=tmp_path)
    checks = {c["key"]: c["passed"] for c in r["checks"]}
    # validity: the loss is on a plateau and the unnormalized control does not collapse for 0 < σ² ≤ 0.7 (> a_min)
    assert checks["converged"] and checks["control_no_collapse"]
    # the median onset interval straddles a_min with 5 replicas (underpowered for the median) ...
    lo, hi = r["onset_ratio_interval"]
    assert lo < 1.0 <= hi and not checks["below_amin"]
    # ... but the run holds both existence facts: a replica collapsed at σ = 0 and one open beyond a_min
    ev = jsonable(extract_norm_collapse(r))
    assert min(ev["rel_at_sigma0"]) < ROBUST_COLLAPSED
    assert any(m >= ROBUST_OPEN and t >= 1.0 for m, t in zip(ev["rel_min_over_grid"], ev["top_over_amin"]))
    fx = load_fixture("ziyin.norm-collapse")
    assert fx is not None and not schema_differences(schema(fx), schema(ev))
    assert get_claim("ziyin.norm-collapse").decide(ev).verdict == "underspecified"
