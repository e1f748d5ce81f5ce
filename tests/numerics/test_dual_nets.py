"""numerics/dual_nets.py: metric (eq. 12), SReLU (eq. 14), losses (eqs. 4–9), warm start, batched trainer."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from sslverify.numerics.dual_nets import (Setting, contrastive_inner, max_cosine, ncl_inner, ncl_l2, srelu, train_dual,
                                warm_start, warm_start_columns)
from sslverify.numerics.sparse_coding import random_dictionary, sample_data, sample_latents
from sslverify.theory.pokle.landscape import brute_max_cosine


def test_max_cosine_matches_loop():
    g = torch.Generator().manual_seed(0)
    M = random_dictionary(10, 4, 0)
    W = torch.randn(3, 7, 10, generator=g, dtype=torch.float64)
    got = max_cosine(W, M.expand(3, 10, 4))
    for k in range(3):
        # float64: the two implementations differ only by the order of ~10 products per cosine (~1e-16)
        assert np.allclose(got[k].numpy(), brute_max_cosine(W[k].numpy(), M.numpy()), atol=1e-12)


def test_srelu_and_losses():
    x = torch.tensor([-2.0, -0.5, 0.0, 0.3, 1.5])
    assert torch.equal(srelu(x, 0.5), torch.tensor([-1.5, 0.0, 0.0, 0.0, 1.0]))  # eq. 14
    f = torch.randn(2, 5, 3, dtype=torch.float64, requires_grad=True)
    t = torch.randn(2, 5, 3, dtype=torch.float64, requires_grad=True)
    L = ncl_l2(f, t)
    cos = torch.nn.functional.cosine_similarity(f, t, dim=-1).mean(-1)
    assert torch.allclose(L, 2 - 2 * cos)  # eq. 4 = 2 − 2cos for unit vectors
    (gt,) = torch.autograd.grad(L.sum() + ncl_inner(f, t).sum(), t, allow_unused=True)
    assert gt is None  # stop-gradient on the target branch
    same = contrastive_inner(f, f, tau=1.0)
    assert torch.isfinite(same).all()


def test_warm_start_distance():
    g = torch.Generator().manual_seed(0)
    M = random_dictionary(50, 10, 0).unsqueeze(0)
    W = warm_start(M, 50, 1.0, g)
    mc = max_cosine(W, M)[0]
    assert 0.6 < mc[2] < 0.85  # noise norm ≈ σ√p = 1 ⇒ cos ≈ 1/√2, best of 5 copies per atom


def test_warm_start_columns_reading():
    # the literal reading of §5.2.2: columns of W (length m = p) are atoms; with no noise (c large) every column is an
    # atom exactly, and the rows — the neurons eq. 12 compares with the atoms — are not (min max-cos far below 1)
    g = torch.Generator().manual_seed(0)
    M = random_dictionary(50, 10, 0).unsqueeze(0)
    W = warm_start_columns(M, 50, 60.0, g)[0]  # noise std 50^{-30}: below float64 resolution of the unit atoms
    Wn = W / W.norm(dim=0, keepdim=True)
    assert torch.allclose((Wn.T @ M[0]).abs().amax(-1), torch.ones(50, dtype=torch.float64), atol=1e-12)  # float64
    assert max_cosine(W, M)[0, 2] < 0.6
    with pytest.raises(ValueError, match="m must equal p"):
        warm_start_columns(M, 40, 1.0, g)
    with pytest.raises(ValueError, match="c"):
        warm_start_columns(M, 50, -1.0, g)


def test_train_dual_tiny():
    M = torch.stack([random_dictionary(12, 4, s) for s in range(2)]).float()
    X = torch.stack([sample_data(M[s].double(), sample_latents(64, 4, 0.3, seed=s), 0.05, seed=s) for s in range(2)]).float()
    sets = [Setting(bn=True), Setting(head=True, warm_c=1.0, weight_norm="row")]
    r = train_dual(X, M, sets, "ncl", m=8, steps=6, batch=32, lr=0.05, alpha=0.5, record_every=3)
    assert r.maxcos.shape == (3, 2, 3) and np.isfinite(r.loss).all()
    assert torch.allclose(r.W[1].norm(dim=-1), torch.ones(8), atol=1e-5)  # row normalisation (float32)
    r2 = train_dual(X, M, [Setting(), Setting(act="relu")], "cl", m=8, steps=3, batch=32, lr=0.05, alpha=0.5)
    assert np.isfinite(r2.loss).all()
    with pytest.raises(ValueError, match="loss must be one of"):
        train_dual(X, M, sets, "byol", m=8, steps=1, batch=8, lr=0.1, alpha=0.5)
    with pytest.raises(ValueError, match="alpha"):
        train_dual(X, M, sets, "ncl", m=8, steps=1, batch=8, lr=0.1, alpha=0.0)


def test_ncl_l2_scores_a_zero_output_as_unaligned():
    import torch

    from sslverify.numerics.dual_nets import ncl_l2

    g = torch.Generator().manual_seed(0)
    f, h = torch.randn(2, 3, 5, 4, generator=g, dtype=torch.float64)
    # nonzero outputs: identical to the squared distance of unit vectors (float64 round-off of O(1) sums)
    ref = ((f / f.norm(dim=-1, keepdim=True) - h / h.norm(dim=-1, keepdim=True)) ** 2).sum(-1).mean(-1)
    assert torch.allclose(ncl_l2(f, h), ref, rtol=0, atol=1e-14)
    zero = torch.zeros_like(f)
    assert torch.all(ncl_l2(zero, h) == 2) and torch.all(ncl_l2(zero, zero) == 2)


@pytest.mark.parametrize("modes", [[0, 0], [1, 1], [2, 2], [0, 1], [2, 0], [1, 2, 0], [2, 1]])
def test_normalize_weight_computes_only_what_is_asked_same_numbers(modes):
    """The normalisations no run asks for are skipped: the result equals, bit for bit, computing all three and
    selecting per run (the former code)."""
    from sslverify.numerics.dual_nets import normalize_weight

    W = torch.randn(len(modes), 5, 7, generator=torch.Generator().manual_seed(2), dtype=torch.float64)
    mode = torch.tensor(modes)
    r = W / W.norm(dim=-1, keepdim=True).clamp_min(1e-12)
    c = W / W.norm(dim=-2, keepdim=True).clamp_min(1e-12)
    m = mode.view(-1, 1, 1)
    assert torch.equal(normalize_weight(W, mode), torch.where(m == 1, r, torch.where(m == 2, c, W)))
