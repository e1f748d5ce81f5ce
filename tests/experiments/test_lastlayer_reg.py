"""experiments/lastlayer_reg.py at tiny size: the regulariser works, the lift statistics are computed, and the
evidence lastlayer.reg's decision reads has the schema of the committed fixture."""
from __future__ import annotations

import numpy as np
import pytest

from sslverify.experiments import run_experiment
from sslverify.experiments.lastlayer_reg import CHECK_KEYS, loss_plateau
from sslverify.numerics.lastlayer import orthogonality_penalty
from sslverify.theory.lastlayer.power import paired_summary
from sslverify.verdicts.builtin.lastlayer import REG_CHECKS, reg_extract
from sslverify.verdicts.evidence import load_fixture, schema, schema_differences


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return run_experiment("lastlayer_reg", quick=True, out_dir=tmp_path_factory.mktemp("reg"), seeds=2, steps=400,
                          pool=1024, eval_samples=512)


def test_tiny_last_layer_reg(tiny):
    r = tiny
    checks = {c["key"]: c for c in r["checks"]}
    # stable keys, unique, exactly the validity checks (no check compares with a recorded verdict)
    assert [c["key"] for c in r["checks"]] == list(CHECK_KEYS) and set(CHECK_KEYS) == set(REG_CHECKS)
    # the regularised last layer has σ(W) within 1 ± sv_tol = 0.1 (Adam at lr 3e-3 pins it to ≈ 0.02 within 400
    # steps), and the unregularised embedding is collapsed (λ_min/λ₁ < 0.05)
    assert checks["sv_pinned"]["passed"], checks["sv_pinned"]
    assert checks["collapse_present"]["passed"], checks["collapse_present"]
    assert checks["finite"]["passed"]
    for name in ("no_projector", "projector"):
        st = r["settings"][name]
        assert len(st["delta_level"]) == 2
        # the reported statistics are the paired summary of the per-seed lifts at the design's α, power, target
        ref = paired_summary(st["delta_level"], r["design"]["alpha"], r["design"]["power"], r["design"]["target_effect"])
        for k in ("mean", "sd", "t", "t_crit", "lower", "upper", "mde"):
            assert st[k] == ref[k]  # same function on the same numbers: bit-identical
        assert np.isfinite(st["mde"]) and st["mde"] > 0
    assert {row["setting"] for row in r["table"]} == {"no_projector", "projector"} and len(r["table"]) == 4


def test_evidence_schema_matches_fixture(tiny):
    fx = load_fixture("lastlayer.reg")
    assert fx is not None, "tests/theory/fixtures/lastlayer.reg.json is missing"
    assert schema_differences(schema(fx), schema(reg_extract(tiny))) == []


def test_loss_plateau():
    steps = np.arange(0, 100, 10)  # records at 0, 10, …, 90 of 100 steps
    hist = np.stack([np.full(10, 2.0), np.linspace(3.0, 2.0, 10)], 1)
    rel = loss_plateau(hist, steps, 100)
    # run 0 is flat (0 exactly); run 1: windows {80, 90} and {60, 70}: means 2.0556 and 2.2778 → 0.0976 (float64)
    assert rel[0] == 0.0 and rel[1] == pytest.approx((2.2777777777777777 - 2.0555555555555554) / 2.2777777777777777,
                                                     rel=1e-12)
    with pytest.raises(ValueError, match="last two fifths"):
        loss_plateau(hist[:2], steps[:2], 100)


def test_penalty_and_bad_config(tmp_path):
    import torch
    Q = torch.linalg.qr(torch.randn(5, 5, dtype=torch.float64))[0][:3]  # orthonormal rows
    assert float(orthogonality_penalty(Q)) < 1e-24  # float64 rounding of a 3×3 Gram (entries ~1e-16, squared)
    assert float(orthogonality_penalty(2 * Q)) == pytest.approx(27.0, rel=1e-12)  # ‖4I − I‖² = 3·9, float64 round-off
    with pytest.raises(ValueError, match="d_c must be <= d"):
        run_experiment("lastlayer_reg", quick=True, out_dir=tmp_path, d_c=11)
    with pytest.raises(ValueError, match="width must be an integer >= 10"):
        run_experiment("lastlayer_reg", quick=True, out_dir=tmp_path, width=4)
    with pytest.raises(ValueError, match="power must exceed alpha"):
        run_experiment("lastlayer_reg", quick=True, out_dir=tmp_path, alpha=0.5, power=0.4)
    with pytest.raises(ValueError, match="target_effect must be"):
        run_experiment("lastlayer_reg", quick=True, out_dir=tmp_path, target_effect=0.0)
