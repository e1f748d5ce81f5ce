"""experiments/rusak_table1.py at tiny size (rusak.table1)."""
from __future__ import annotations

import pytest

from sslverify.experiments import run_experiment


def test_tiny_table1(tmp_path):
    r = run_experiment("rusak_table1", quick=True, out_dir=tmp_path, steps=200, pool=1024, n_eval=1500)
    assert r["passed"], r["checks"]
    rows = {(t["space"], t["model"]): t for t in r["table"]}
    box = rows[("box", "f_InfoNCE")]
    assert box["L_CL"] < box["L_CL_ginv_same_batches"]
    for space in ("box", "sphere"):
        g = rows[(space, "f = g^-1")]
        # f = g⁻¹ against its exact large-N value: the experiment's own 5-SE + 1/N rule, re-stated loosely
        assert abs(g["L_CL"] - g["L_CL_exact"]) < 0.05
    # sphere: collapse wins at d = 10, d_c = 5 and loses at d = 6, d_c = 3 (exact large-N margins)
    assert r["gaps"]["sphere_margin_exact"] < 0 < r["gaps"]["sphere_margin_exact_d6_dc3"]
    assert all(c < 0 for c in r["gaps"]["sphere_collapsed_minus_ginv"])


def test_bad_config(tmp_path):
    with pytest.raises(ValueError, match="d_c must lie in"):
        run_experiment("rusak_table1", quick=True, out_dir=tmp_path, d_c=0)
