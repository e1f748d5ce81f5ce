"""numerics.ssl_nets / numerics.ssl_metrics: stop-gradient losses, Wang–Isola losses, batched linear SimSiam/BYOL."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from sslverify.numerics import ssl_metrics, ssl_nets
from sslverify.numerics.metrics import entropy_rank


def test_neg_cosine_stop_gradient():
    g = torch.Generator().manual_seed(0)
    p = torch.randn(2, 5, 3, generator=g, dtype=torch.float64, requires_grad=True)
    z = torch.randn(2, 5, 3, generator=g, dtype=torch.float64, requires_grad=True)
    L = ssl_nets.neg_cosine(p, z).sum()
    gp, gz = torch.autograd.grad(L, [p, z], allow_unused=True)
    assert gz is None and gp is not None  # the target gets no gradient
    ref = -torch.nn.functional.cosine_similarity(p, z, dim=-1).mean(-1)
    torch.testing.assert_close(ssl_nets.neg_cosine(p, z), ref)


def test_align_uniform_losses():
    x = torch.tensor([[[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]]], dtype=torch.float64)
    # pairs of distinct points: squared distances 2, 4, 2 (each twice)
    expected = math.log((2 * math.exp(-4) + 2 * math.exp(-8) + 2 * math.exp(-4)) / 6)
    assert abs(float(ssl_nets.uniform_loss(x)) - expected) < 1e-14
    assert float(ssl_nets.uniform_loss(torch.ones(1, 4, 2, dtype=torch.float64))) == 0.0  # collapse: maximum 0
    assert float(ssl_nets.align_loss(x, x)) == 0.0


def test_batched_equals_single_seed():
    Sx, C = np.diag([2.0, 1.0, 0.5]), 0.3 * np.eye(3)
    kw = dict(steps=30, batch=16, lr=0.01, record_every=10)
    both = ssl_nets.train_linear_siamese(Sx, C, 2, [5, 6], **kw)
    one = ssl_nets.train_linear_siamese(Sx, C, 2, [6], **kw)
    torch.testing.assert_close(both.W[1], one.W[0], rtol=1e-12, atol=1e-14)  # same generator stream, float64


def test_byol_target_is_ema():
    Sx, C = np.diag([2.0, 1.0, 0.5]), 0.3 * np.eye(3)
    r = ssl_nets.train_linear_siamese(Sx, C, 2, [0], method="byol", ema=0.9, steps=20, batch=8, record_every=1)
    # W_t(k) = 0.9 W_t(k−1) + 0.1 W(k), W_t(0) = W(0)
    wt = r.W_hist[0]
    for k in range(1, 21):
        wt = 0.9 * wt + 0.1 * r.W_hist[k]
    torch.testing.assert_close(r.W_target, wt, rtol=1e-12, atol=1e-14)


def test_population_predictor_identity_limit():
    W = torch.eye(3, dtype=torch.float64)[None]
    A = ssl_nets.population_predictor(W, W, np.eye(3), 0.0 * np.eye(3))
    torch.testing.assert_close(A[0], torch.eye(3, dtype=torch.float64))  # z₁ = z₂ ⇒ A* = I


def test_bad_settings():
    with pytest.raises(ValueError, match="method must be one of"):
        ssl_nets.train_linear_siamese(np.eye(2), np.eye(2), 1, [0], method="simclr")
    with pytest.raises(ValueError, match="C must be positive semi-definite"):
        ssl_nets.train_linear_siamese(np.eye(2), -np.eye(2), 1, [0])
    with pytest.raises(ValueError, match="ema must lie in"):
        ssl_nets.train_linear_siamese(np.eye(2), np.eye(2), 1, [0], ema=1.0)


def test_ssl_metrics_conventions():
    Z = torch.tensor([[1.0, 0.0], [3.0, 0.0], [2.0, 2.0], [2.0, -2.0]], dtype=torch.float64)
    S = ssl_metrics.centered_covariance(Z)
    torch.testing.assert_close(S, torch.tensor([[0.5, 0.0], [0.0, 2.0]], dtype=torch.float64))
    assert abs(float(entropy_rank(ssl_metrics.covariance_spectrum(Z))) - math.exp(-(0.2 * math.log(0.2) + 0.8 * math.log(0.8)))) < 1e-12
    ang = ssl_metrics.principal_angles(torch.tensor([[1.0, 1.0, 0.0]], dtype=torch.float64),
                                       torch.tensor([[1.0], [0.0], [0.0]], dtype=torch.float64))
    assert abs(float(ang[0]) - math.pi / 4) < 1e-12
    assert abs(float(ssl_metrics.rankme(torch.eye(4, dtype=torch.float64), eps=0.0)) - 4.0) < 1e-12
