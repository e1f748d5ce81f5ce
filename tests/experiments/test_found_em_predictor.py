"""experiments/found_em_predictor.py at tiny size: the trained predictor approaches A*."""
from __future__ import annotations

import pytest

from sslverify.experiments import run_experiment
from sslverify.verdicts.builtin import found as fd
from sslverify.verdicts.evidence import load_fixture, schema, schema_differences


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return run_experiment("found_em_predictor", quick=True, out_dir=tmp_path_factory.mktemp("em"), seeds=2, steps=600,
                          eval_samples=4000)


def test_tiny_em_predictor(tiny):
    r = tiny
    assert r["passed"], r["checks"]
    assert r["median_error"] < 0.05  # same rule as the experiment's median_tol
    assert all(e1 * 10 <= e0 for e0, e1 in zip(r["errors_initial"], r["errors_final"]))
    # second method for found.em-predictor's M-step correction, on trained runs: sg training keeps E tr Var(z₂|z₁)
    # near its start while descent on it (same init, steps, schedule) shrinks it by orders of magnitude
    assert all(0.5 < t < 2 for t in r["cond_var_ratio_trained"])  # measured 0.86–1.05 (8 seeds, quick)
    assert all(d < 1e-3 for d in r["cond_var_ratio_descent"])  # measured ≤ 1.1e-5
    assert all(c < 0 for c in r["cos_sg_var_init"])  # at init the sg M-step is not a descent direction of it


def test_checks_have_stable_keys(tiny):
    keys = [c["key"] for c in tiny["checks"]]
    assert len(set(keys)) == len(keys) and set(fd.EM_KEYS) <= set(keys)


def test_evidence_schema_matches_fixture(tiny):
    fx = load_fixture("found.em-predictor")
    assert fx is not None, "regenerate: python -m sslverify.verdicts.evidence found.em-predictor"
    assert schema_differences(schema(fx), schema(fd.em_predictor_evidence_from(tiny))) == []


def test_bad_config(tmp_path):
    with pytest.raises(ValueError, match="sigma must be >= 0"):
        run_experiment("found_em_predictor", quick=True, out_dir=tmp_path, sigma=-1.0)


@pytest.mark.parametrize("value", [0.0, -0.5])
def test_bad_init_scale(tmp_path, value):
    # init_scale = 0 would start training at W = 0 (a fixed point of the stop-gradient dynamics, A* undefined)
    with pytest.raises(ValueError, match=rf"init_scale must be > 0, got {value}") as exc:
        run_experiment("found_em_predictor", quick=True, out_dir=tmp_path, init_scale=value)
    assert "\n" not in str(exc.value)
    assert not any(tmp_path.iterdir())  # rejected before anything ran or was written
