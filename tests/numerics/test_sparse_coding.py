"""numerics/sparse_coding.py: Pokle et al. §4.1 data (eq. 1) and masks (eqs. 2–3)."""
from __future__ import annotations

import pytest
import torch

from sslverify.numerics.sparse_coding import (check_dictionary, dependent_views, independent_views, one_sparse_latents,
                                    random_dictionary, sample_data, sample_latents)


def test_dictionary_orthonormal_and_seeded():
    M = random_dictionary(50, 10, 3)
    assert torch.allclose(M.T @ M, torch.eye(10, dtype=torch.float64), atol=1e-12)  # float64 QR
    assert torch.equal(M, random_dictionary(50, 10, 3))


def test_latents_statistics():
    # symmetric latents: Pr(z_i ≠ 0) = β (slightly more after redrawing z = 0), signs balanced
    z = sample_latents(20000, 10, 0.2, "symmetric", seed=1)
    assert (z != 0).any(-1).all()
    frac = (z != 0).double().mean().item()
    beta_cond = 0.2 / (1 - 0.8**10)  # E #nonzero / d given at least one nonzero
    assert abs(frac - beta_cond) < 5 * (beta_cond * (1 - beta_cond) / 200000) ** 0.5  # 5 binomial std errors
    assert abs(z[z != 0].mean().item()) < 0.03  # ~5 std errors of a ±1 mean over ~40k entries
    zb = sample_latents(100, 4, 0.5, "binary", seed=2)
    assert set(zb.unique().tolist()) <= {0.0, 1.0}
    one = one_sparse_latents(50, 5, "symmetric", seed=0)
    assert ((one != 0).sum(-1) == 1).all()


def test_views():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(1000, 8, dtype=torch.float64, generator=g)
    a1, a2 = independent_views(x, 0.5, g)
    assert torch.all((a1 == 0) | (a1 == x)) and torch.all((a2 == 0) | (a2 == x))
    b1, b2 = dependent_views(x, 0.3, g)
    assert torch.allclose(b1 + b2, 2 * x)  # eq. 2: 2Dx + 2(I − D)x = 2x
    assert torch.all((b1 == 0) | (b2 == 0))


def test_bad_input():
    g = torch.Generator().manual_seed(0)
    with pytest.raises(ValueError, match="alpha"):
        independent_views(torch.ones(2, 3), 0.0, g)
    with pytest.raises(ValueError, match="alpha"):
        independent_views(torch.ones(2, 3), 1.5, g)
    with pytest.raises(ValueError, match="p must be >= d"):
        random_dictionary(3, 5, 0)
    with pytest.raises(ValueError, match="sparsity"):
        sample_latents(5, 3, 1.0)
    with pytest.raises(ValueError, match="M must be column-orthonormal"):
        check_dictionary(torch.ones(4, 2))
    with pytest.raises(ValueError, match="M must be column-orthonormal"):
        sample_data(2 * torch.eye(3), torch.zeros(1, 3))
