"""experiments/pokle_table1.py (Pokle et al. Table 1) at tiny size, its helpers and its input errors."""
from __future__ import annotations

import numpy as np
import pytest

from sslverify.experiments import get_spec, run_experiment
from sslverify.experiments import pokle_table1 as m


def test_tiny_table1(tmp_path):
    r = run_experiment("pokle_table1", quick=True, out_dir=tmp_path, seeds=1, steps=40, n=200, batch=32,
                       sparsities=(0.2,))
    assert {c["name"] for c in r["checks"]} >= {"every SimSiam run's min max-cos > Table 1 mean + std, at every sparsity"}
    rows = {t["method"]: t for t in r["table"]}
    assert set(rows) == {"simclr", "simsiam"}
    for t in rows.values():
        # eq. 12: |cos| ∈ [0, 1] and max ≥ median ≥ min over atoms (exact orderings of sorted values)
        assert 0 <= t["min_mean"] <= t["median_mean"] <= t["max_mean"] <= 1 + 1e-12
    # Table 1 values copied into the script, row "Simplified-SimSiam 0.2": min max-cosine 0.45 ± 0.005
    assert rows["simsiam"]["paper_min_mean"] == 0.45 and rows["simsiam"]["paper_min_std"] == 0.005
    assert (tmp_path / "pokle_table1" / "table1_curves.png").exists()


def test_flatness_helpers():
    mod = get_spec("pokle_table1")
    steps = np.arange(33)
    flat = np.vstack([np.zeros(1), np.exp(-steps[1:, None] / 2.0)])  # converged exponential decay
    ramp = np.vstack([np.zeros(1), 1 - steps[1:, None] / 32.0])  # linear drift: a quarter of the drop late
    assert m.flatness(flat)[0] < 1e-3  # e^{-12} scale: flat
    assert m.flatness(ramp)[0] > 0.1  # still moving
    assert m.flatness_signed(-ramp)[0] > 0 and m.flatness_signed(ramp)[0] < 0  # sign = direction of the drift
    assert mod.name == "pokle_table1"


@pytest.mark.parametrize("field,value,msg", [("alpha", 0.0, "alpha"), ("sparsities", (0.1, 1.0), "sparsity"),
                                             ("p", 5, "p must be >= d"), ("act", "tanh", "act")])
def test_bad_config(tmp_path, field, value, msg):
    with pytest.raises(ValueError, match=msg):
        run_experiment("pokle_table1", quick=True, out_dir=tmp_path, **{field: value})
