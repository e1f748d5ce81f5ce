"""experiments/found_linear_byol.py at tiny size: rows of W align with the top eigenvectors of Σ_x."""
from __future__ import annotations

import pytest

from sslverify.experiments import run_experiment
from sslverify.verdicts.builtin import found as fd
from sslverify.verdicts.evidence import load_fixture, schema, schema_differences


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return run_experiment("found_linear_byol", quick=True, out_dir=tmp_path_factory.mktemp("byol"), seeds=2)


def test_tiny_linear_byol(tiny):
    r = tiny
    assert r["passed"], r["checks"]
    assert r["worst_angle_deg"] < 5.0  # the experiment's angle_tol_deg: SGD-noise floor ~2°, ≪ 60–85° of a random subspace
    assert all(row["min_angle_bottom_deg"] > 60 for row in r["table"])  # far from the bottom eigenvectors (measured ≥ 88°)


def test_checks_have_stable_keys(tiny):
    keys = [c["key"] for c in tiny["checks"]]
    assert keys == ["simsiam_top_aligned", "simsiam_bottom_far", "byol_top_aligned", "byol_bottom_far"]


def test_evidence_schema_matches_fixture(tiny):
    fx = load_fixture("found.linear-byol")
    assert fx is not None, "regenerate: python -m sslverify.verdicts.evidence found.linear-byol"
    assert schema_differences(schema(fx), schema(fd.linear_byol_evidence_from(tiny))) == []


def test_bad_config(tmp_path):
    with pytest.raises(ValueError, match="spectrum must have a gap"):
        run_experiment("found_linear_byol", quick=True, out_dir=tmp_path, spectrum=(1.0,) * 8)
