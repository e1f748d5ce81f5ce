"""experiments/pokle_table1.py (Pokle et al. Table 1) at tiny size, its helpers and its input errors."""
from __future__ import annotations

import numpy as np
import pytest

from sslverify.experiments import get_spec, run_experiment
from sslverify.experiments import pokle_table1 as m
from sslverify.verdicts.builtin.pokle_experiments import extract_table1
from sslverify.verdicts.evidence import jsonable, load_fixture, schema, schema_differences


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    out = tmp_path_factory.mktemp("table1")
    return out, run_experiment("pokle_table1", quick=True, out_dir=out, seeds=2, steps=40, n=200, batch=32, sparsities=(0.2,))


def test_tiny_table1(tiny):
    tmp_path, r = tiny
    keys = [c["key"] for c in r["checks"]]
    assert len(keys) == len(set(keys)) and set(keys) == {"simsiam_loss_flat", "simsiam_min_not_falling", "simclr_loss_flat",
                                                        "simsiam_above_paper", "simsiam_within_paper"}
    rows = {t["method"]: t for t in r["table"]}
    assert set(rows) == {"simclr", "simsiam"}
    for t in rows.values():
        # eq. 12: |cos| ∈ [0, 1] and max ≥ median ≥ min over atoms (exact orderings of sorted values)
        assert 0 <= t["min_mean"] <= t["median_mean"] <= t["max_mean"] <= 1 + 1e-12
    # Table 1 values copied into the script, row "Simplified-SimSiam 0.2": min max-cosine 0.45 ± 0.005
    assert rows["simsiam"]["paper_min_mean"] == 0.45 and rows["simsiam"]["paper_min_std"] == 0.005
    assert (tmp_path / "pokle_table1" / "table1_curves.png").exists()
    # the source's Table 1 setting as recorded: mask probability lost ("Bernoulli("), no temperature
    assert r["source_setting"]["alpha"] is None and r["source_setting"]["tau"] is None
    assert r["run_setting"]["epochs"] == 40 / 7  # 40 steps of batch 32 over n = 200 samples (7 batches per epoch)
    # power: two seeds give a finite smallest detectable difference, one entry per sparsity
    assert [p["sparsity"] for p in r["power"]] == [0.2] and np.isfinite(r["power"][0]["mde"])


def test_table1_evidence_schema(tiny):
    # the evidence gather builds from this run has the schema of the committed fixture (tests/theory/fixtures)
    _, r = tiny
    fx = load_fixture("pokle.table1")
    assert fx is not None
    assert schema_differences(schema(fx), schema(jsonable(extract_table1(r)))) == []


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
