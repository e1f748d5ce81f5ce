"""experiments/found_bn_gradient.py at tiny size: slope −1, plateau, (N−2)/(N−1) ratio."""
from __future__ import annotations

import pytest

from sslverify.experiments import run_experiment


def test_tiny_bn_gradient(tmp_path):
    r = run_experiment("found_bn_gradient", quick=True, out_dir=tmp_path, seeds=4, n_sigma=13)
    assert r["passed"], r["checks"]
    assert abs(r["slope"] + 1) < 0.01  # exact curve is σ^{-1} to ε/σ² ≤ 1/900 in the fit window
    assert abs(r["ratio_measured"] / r["ratio_pred"] - 1) < 3e-3 and abs(r["ratio_pred"] - 2 / 3) < 1e-15
    assert r["n2_ratio"] < 1e-2


def test_bad_config(tmp_path):
    with pytest.raises(ValueError, match="batch_size must be an integer >= 2"):
        run_experiment("found_bn_gradient", quick=True, out_dir=tmp_path, batch_size=1)
    with pytest.raises(ValueError, match="eps must be >= 0"):
        run_experiment("found_bn_gradient", quick=True, out_dir=tmp_path, eps=-1e-5)
