"""experiments/found_em_predictor.py at tiny size: the trained predictor approaches A*."""
from __future__ import annotations

import pytest

from sslverify.experiments import run_experiment


def test_tiny_em_predictor(tmp_path):
    r = run_experiment("found_em_predictor", quick=True, out_dir=tmp_path, seeds=2, steps=600, eval_samples=4000)
    assert r["passed"], r["checks"]
    assert r["median_error"] < 0.05  # same rule as the experiment's median_tol
    assert all(e1 * 10 <= e0 for e0, e1 in zip(r["errors_initial"], r["errors_final"]))


def test_bad_config(tmp_path):
    with pytest.raises(ValueError, match="sigma must be >= 0"):
        run_experiment("found_em_predictor", quick=True, out_dir=tmp_path, sigma=-1.0)
