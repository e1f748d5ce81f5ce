"""experiments/pokle_figures.py (Pokle et al. Figs. 1–7) at tiny size, the warm-start scale and input errors."""
from __future__ import annotations

import math

import pytest
import torch

from sslverify.numerics.dual_nets import max_cosine, warm_start
from sslverify.experiments import run_experiment
from sslverify.numerics.sparse_coding import random_dictionary
from sslverify.verdicts.builtin.pokle_experiments import extract_figures
from sslverify.verdicts.evidence import jsonable, load_fixture, schema, schema_differences


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    out = tmp_path_factory.mktemp("figures")
    return out, run_experiment("pokle_figures", quick=True, out_dir=out, seeds=1, steps=40, n=200, batch=32)


def test_tiny_figures(tiny):
    tmp_path, r = tiny
    T = {t["setting"]: t for t in r["table"]}
    keys = [c["key"] for c in r["checks"]]
    assert len(keys) == len(set(keys)) and "losses_flat" in keys  # stable keys, unique
    # every figure of §5.2.2 has a curve (Fig. 7 twice: c = 2 as printed, c = 1 as its start suggests)
    assert {t["figure"] for t in r["table"]} == {f"fig{i}" for i in range(1, 8)}
    for t in T.values():
        assert 0 <= t["min_maxcos_final"] <= t["median_maxcos_final"] <= 1 + 1e-12  # eq. 12: min ≤ median ≤ 1
    # Fig. 7 as printed (c = 2): noise std p^{-1} = 0.02 per entry, so the warm start begins near 1 (see below)
    assert T["fig7 NCL warm c=2 + row norm"]["min_maxcos_init"] > 0.95
    assert len(r["runs"]["fig1 CL one-hot"]["steps"]) >= 2
    assert (tmp_path / "pokle_figures" / "figures_1_7.png").exists()
    # one seed: no spread, nothing detectable
    assert all(math.isinf(p["mde"]) for p in r["power"])
    # warm-start readings at initialisation: rows of W = atoms start near 1 for c = 2; the literal columns far below
    ws = r["warm_start_readings"]
    # c = 2, rows: cos ≈ 1/√(1 + p^{1−c}) ≈ 0.99 per neuron (spread ~0.005); columns: ≈ 0.23 ± 0.03 over 20 draws
    assert ws["rows"]["c2"] > 0.95 and ws["columns"]["c2"] < 0.5


@pytest.mark.parametrize("claim_key", ["cl-vs-ncl", "predictor"])
def test_figures_evidence_schema(tiny, claim_key):
    # the evidence gather builds from this run has the schema of the committed fixture (tests/theory/fixtures)
    _, r = tiny
    fx = load_fixture(f"pokle.{claim_key}")
    assert fx is not None
    assert schema_differences(schema(fx), schema(jsonable(extract_figures(r, claim_key)))) == []


def test_warm_start_noise_scale():
    # §5.2.2: W rows = atoms + N(0, σ²I), σ = p^{-c/2}. For a unit atom plus noise of squared norm ≈ pσ² = p^{1-c},
    # |cos| ≈ 1/√(1 + p^{1-c}): c = 2 → 1/√1.02 ≈ 0.990, c = 1 → 1/√2 ≈ 0.707 (Fig. 7's printed start 0.62 is the latter)
    p, d, m = 50, 10, 50
    M = random_dictionary(p, d, 0).unsqueeze(0)
    g = torch.Generator().manual_seed(0)
    for c, expected in ((2.0, 1 / math.sqrt(1 + p ** (1 - 2.0))), (1.0, 1 / math.sqrt(2.0))):
        W = torch.stack([warm_start(M, m, c, g)[0] for _ in range(40)])  # (40, m, p)
        Wn = W / W.norm(dim=-1, keepdim=True)
        typical = (Wn @ M[0]).abs().amax(-1).mean().item()  # each neuron's |cos| with its own (nearest) atom
        # 0.03: the noise's component along the atom (std σ) and the χ² spread of its norm shift the mean of
        # 1/√(1 + ‖noise‖²) by O(σ²) ≤ 0.02 for c = 1; the Monte Carlo error of 2000 neurons is < 0.005
        assert abs(typical - expected) < 0.03, (c, typical, expected)
    # the eq.-12 minimum over atoms of the best neuron: c = 2 stays above 0.95 (Fig. 7 cannot start at 0.62)
    W2 = warm_start(M, m, 2.0, g)
    assert max_cosine(W2, M)[0, 2].item() > 0.95


@pytest.mark.parametrize("field,value,msg", [("alpha", 1.5, "alpha"), ("warm_sparsity", 0.0, "sparsity"),
                                             ("p", 4, "p must be >= d"), ("success", 2.0, "success")])
def test_bad_config(tmp_path, field, value, msg):
    with pytest.raises(ValueError, match=msg):
        run_experiment("pokle_figures", quick=True, out_dir=tmp_path, **{field: value})
