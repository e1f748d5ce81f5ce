"""experiments/rusak_table1.py at tiny size (rusak.table1), its evidence schema, and the second method for the
exact encoder families (finite batches scored by an independent loss implementation vs the large-N theory)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from sslverify.experiments import run_experiment
from sslverify.numerics.content_style import sample_pairs
from sslverify.numerics.content_style_train import infonce_parts
from sslverify.theory.rusak import table1 as T
from sslverify.verdicts.evidence import load_fixture, schema, schema_differences

_RUN: dict = {}


def _tiny(tmp_path):
    if "r" not in _RUN:
        _RUN["r"] = run_experiment("rusak_table1", quick=True, out_dir=tmp_path, steps=200, pool=1024, n_eval=1500)
    return _RUN["r"]


def test_tiny_table1(tmp_path):
    r = _tiny(tmp_path)
    assert r["passed"], r["checks"]
    keys = [c["key"] for c in r["checks"]]
    assert len(keys) == len(set(keys))  # stable, unique keys
    rows = {(t["space"], t["model"]): t for t in r["table"]}
    box = rows[("box", "f_InfoNCE")]
    assert box["L_CL"] < box["L_CL_ginv_same_batches"]
    for space in ("box", "sphere"):
        g = rows[(space, "f = g^-1")]
        # f = g⁻¹ against its large-N value: the experiment's own 5-SE + 1/N rule is the check; 0.05 is a loose
        # restatement (≈ 10 of those standard errors at N = 1500)
        assert abs(g["L_CL"] - g["L_CL_exact"]) < 0.05
    fam = r["sphere"]["families"]
    # sphere: full collapse wins at d = 10, d_c = 5 and loses at d = 6, d_c = 3, where partial collapse still wins
    assert fam["d10_dc5"]["full_collapse_margin"] < 0 < fam["d6_dc3"]["full_collapse_margin"]
    assert fam["d6_dc3"]["best_c"] > 1 and fam["d6_dc3"]["best_margin"] < 0
    # box without content: the rescaled g⁻¹ beats g⁻¹ by nats, on batches too
    assert all(m < -1 for m in r["box"]["dc0_rescaling"]["batch_margins"])


def test_table1_schema_matches_fixture(tmp_path):
    from sslverify.verdicts.builtin.rusak import _table1_extract

    fx = load_fixture("rusak.table1")
    assert fx is not None, "regenerate: python -m sslverify.verdicts.evidence rusak.table1"
    assert schema_differences(schema(fx), schema(_table1_extract(_tiny(tmp_path)))) == []


def test_second_method_batches_vs_large_N():
    # The large-N expectations (theory.rusak.table1) against finite batches scored by numerics' InfoNCE (a third
    # implementation, independent of the experiment's chunked eval_loss), paired per anchor on the same batch.
    N, seeds = 3000, 4
    tau = torch.ones(6, dtype=torch.float64)
    exact = T.sphere_partial_collapse(6, 3, 10.0, 1.0, N, cs=(1.0, 1.5), n=50_000)
    diffs = []
    for s in range(seeds):
        p = sample_pairs(N, 6, 3, "sphere", kappa=10.0, seed=500 + s)
        z, zt = torch.as_tensor(p.z), torch.as_tensor(p.z_pos)
        a, u = infonce_parts(T.normalize_partial(z, 3, 1.5), T.normalize_partial(zt, 3, 1.5), tau, "cosine")
        a0, u0 = infonce_parts(z, zt, tau, "cosine")
        diffs.append(float(a + u - a0 - u0))
    m, se = float(np.mean(diffs)), float(np.std(diffs, ddof=1) / np.sqrt(seeds))
    # sphere, d = 6, d_c = 3, c = 1.5: batches agree with the large-N margin (−0.0077) within 5 SE of the batch mean
    # plus 1/N (large-N bias) plus 5 SE of the 50k-pair theory value, and are negative
    assert abs(m - exact["L_minus_ginv"][1]) < 5 * se + 1 / N + 5 * exact["se"][1]
    assert m < 0
    # box, d_c = 0, σ_s = 0.1, τ = 0.5: 6·g⁻¹ on batches is below g⁻¹ by more than 5 nats and below the Jensen bound
    tau_b = torch.full((10,), 0.5, dtype=torch.float64)
    bound = T.box_best_scaling(10, 0, 0.1, 0.5, N, scales=(1.0, 6.0), n=50_000)
    p = sample_pairs(N, 10, 0, "box", sigma_s=0.1, seed=600)
    z, zt = torch.as_tensor(p.z), torch.as_tensor(p.z_pos)
    diff = float(sum(infonce_parts(6 * z, 6 * zt, tau_b)) - sum(infonce_parts(z, zt, tau_b)))
    # one batch of 3000 anchors: its paired standard error is ~0.01 (measured in the experiment), 0.05 is 5 of them
    assert diff < -5 and diff <= bound["best_margin"] + 0.05


def test_bad_config(tmp_path):
    with pytest.raises(ValueError, match="d_c must lie in"):
        run_experiment("rusak_table1", quick=True, out_dir=tmp_path, d_c=0)
    with pytest.raises(ValueError, match="sigma_grid must contain sigma_s"):
        run_experiment("rusak_table1", quick=True, out_dir=tmp_path, sigma_s=0.15)
