"""experiments/lastlayer_reg.py at tiny size: the regulariser works and the lift numbers are computed."""
from __future__ import annotations

import numpy as np
import pytest

from sslverify.experiments import run_experiment
from sslverify.numerics.lastlayer import orthogonality_penalty


def test_tiny_last_layer_reg(tmp_path):
    r = run_experiment("lastlayer_reg", quick=True, out_dir=tmp_path, seeds=2, steps=400, pool=1024,
                       eval_samples=512)
    # verdict-bearing numbers: the regularised last layer has σ(W) ≈ 1 (within sv_tol 0.1, Adam at lr 3e-3),
    # the unregularised embedding is collapsed, and Δ / t are computed per projector setting
    assert r["checks"][0]["passed"], r["checks"][0]
    assert r["checks"][1]["passed"], r["checks"][1]
    for name in ("no_projector", "projector"):
        st = r["settings"][name]
        assert len(st["delta_level"]) == 2 and np.isfinite(st["t"])
        assert st["outcome"] == ("lift" if st["t"] > 3 else ("drop" if st["t"] < -3 else "none"))
    assert {row["setting"] for row in r["table"]} == {"no_projector", "projector"} and len(r["table"]) == 4


def test_penalty_and_bad_config(tmp_path):
    import torch
    Q = torch.linalg.qr(torch.randn(5, 5, dtype=torch.float64))[0][:3]  # orthonormal rows
    assert float(orthogonality_penalty(Q)) < 1e-24  # float64 rounding of a 3×3 Gram
    assert float(orthogonality_penalty(2 * Q)) == pytest.approx(27.0, rel=1e-12)  # ‖4I − I‖² = 3·9
    with pytest.raises(ValueError, match="d_c must be <= d"):
        run_experiment("lastlayer_reg", quick=True, out_dir=tmp_path, d_c=11)
    with pytest.raises(ValueError, match="width must be an integer >= 10"):
        run_experiment("lastlayer_reg", quick=True, out_dir=tmp_path, width=4)
