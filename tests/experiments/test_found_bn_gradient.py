"""experiments/found_bn_gradient.py at tiny size: slope −1, plateau, (N−2)/(N−1) ratio."""
from __future__ import annotations

import pytest

from sslverify.experiments import run_experiment
from sslverify.verdicts.builtin import found as fd
from sslverify.verdicts.evidence import load_fixture, schema, schema_differences


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return run_experiment("found_bn_gradient", quick=True, out_dir=tmp_path_factory.mktemp("bn"), seeds=4, n_sigma=13)


def test_tiny_bn_gradient(tiny):
    # autograd through BatchNorm1d (ε = 1e-5) and the note's formula (ε = 0): the second method for found.bn-near-collapse
    r = tiny
    assert r["passed"], r["checks"]
    assert abs(r["slope"] + 1) < 0.01  # exact curve is σ^{-1} to ε/σ² ≤ 1/900 in the fit window
    # mean u_b² = 1 exactly, so the ratio is (N−2)/(N−1) up to ε/σ² ≤ 1/900 in the window (the experiment's rule);
    # ratio_pred is the float64 of 2/3 computed as (4−2)/(4−1): exact to one rounding
    assert abs(r["ratio_measured"] / r["ratio_pred"] - 1) < 3e-3 and abs(r["ratio_pred"] - 2 / 3) < 1e-15
    assert r["n2_ratio"] < 1e-2  # N = 2 diagonal is O(ε/σ³) ≤ 1/900 of γ/(2σ) in the window
    assert abs(r["ratio_eps0_min"] / r["ratio_pred"] - 1) < 1e-8  # ε = 0: exact up to float64 rounding
    assert r["n2_ratio_eps0"] < 1e-8  # ε = 0, N = 2: exactly 0 up to rounding
    assert r["var0_max_dev"] < 1e-8  # ε = 0: Var_b(ẑ) = γ² (found.bn-variance as defined), rounding only


def test_checks_have_stable_keys(tiny):
    keys = [c["key"] for c in tiny["checks"]]
    assert len(set(keys)) == len(keys) and set(fd.BN_KEYS) <= set(keys)


def test_evidence_schema_matches_fixture(tiny):
    fx = load_fixture("found.bn-near-collapse")
    assert fx is not None, "regenerate: python -m sslverify.verdicts.evidence found.bn-near-collapse"
    assert schema_differences(schema(fx), schema(fd.bn_near_collapse_evidence_from(tiny))) == []


def test_bad_config(tmp_path):
    with pytest.raises(ValueError, match="batch_size must be an integer >= 2"):
        run_experiment("found_bn_gradient", quick=True, out_dir=tmp_path, batch_size=1)
    with pytest.raises(ValueError, match="eps must be >= 0"):
        run_experiment("found_bn_gradient", quick=True, out_dir=tmp_path, eps=-1e-5)
