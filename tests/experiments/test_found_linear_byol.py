"""experiments/found_linear_byol.py at tiny size: rows of W align with the top eigenvectors of Σ_x."""
from __future__ import annotations

import pytest

from sslverify.experiments import run_experiment


def test_tiny_linear_byol(tmp_path):
    r = run_experiment("found_linear_byol", quick=True, out_dir=tmp_path, seeds=2)
    assert r["passed"], r["checks"]
    assert r["worst_angle_deg"] < 5.0  # the experiment's angle_tol_deg
    assert all(row["min_angle_bottom_deg"] > 60 for row in r["table"])


def test_bad_config(tmp_path):
    with pytest.raises(ValueError, match="spectrum must have a gap"):
        run_experiment("found_linear_byol", quick=True, out_dir=tmp_path, spectrum=(1.0,) * 8)
