"""experiments/rusak_content_style_spectrum.py at tiny size (rusak.fig1, rusak.temperature-sign)."""
from __future__ import annotations

import pytest

from sslverify.experiments import run_experiment


def test_tiny_spectrum(tmp_path):
    r = run_experiment("rusak_content_style_spectrum", quick=True, out_dir=tmp_path)
    assert r["passed"], r["checks"]
    assert r["collapse_at_equal_tau"]
    assert all(v < 0.75 for v in r["rho_equal_tau"].values())  # the experiment's collapse_max
    assert r["rho_max"] < 1.0  # no temperature removes the content dominance
    assert r["direction_that_reduces_collapse"] in (">", "<", "both", "none")


def test_bad_config(tmp_path):
    with pytest.raises(ValueError, match="d_c must be <= d"):
        run_experiment("rusak_content_style_spectrum", quick=True, out_dir=tmp_path, d_c_mlp=20)
    with pytest.raises(ValueError, match="taus_c must contain 1.0"):
        run_experiment("rusak_content_style_spectrum", quick=True, out_dir=tmp_path, taus_c=(0.5, 2.0))
