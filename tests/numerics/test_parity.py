"""Parity with the implementations people already trust (issue 11, item 5).

Each reference is a short transcription of the trusted code (lightly's losses, Garrido et al.'s
RankMe — no runtime dependency on lightly, which pulls in torchvision) or the trusted function
itself (scipy, numpy, torch).  Ours must agree in float64 to ~1e-13 relative.

Tolerance (RTOL below): both sides evaluate the same formula in float64 with a different
summation order / library kernel; the losses are sums of ≤ a few hundred O(1) terms and logs/exps of
O(1/τ) ≤ 10 numbers, so rounding differs by ≲ 100 eps ≈ 2e-14 relative; 1e-13 leaves a 5× margin and
is 10^11 times below any formula difference (a wrong constant, convention or sign is ≥ 1e-3).
"""
from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.linalg
import scipy.stats
import torch
import torch.nn.functional as F

from sslverify.numerics import losses, ssl_nets
from sslverify.numerics.metrics import entropy_rank, gram_eigenvalues, numerical_rank, stable_rank
from sslverify.numerics.ssl_metrics import centered_covariance, covariance_spectrum, principal_angles, rankme
from sslverify.numerics.tolerance import assert_rel_close
from sslverify.theory.found.uniformity import ntxent_numpy

DT = torch.float64
RTOL = 1e-13
WHY = "same formula in float64, different kernels / summation order (module docstring)"


def views(seed: int, n: int = 12, d: int = 5, scale: float = 1.0):
    g = torch.Generator().manual_seed(seed)
    a = scale * torch.randn(n, d, generator=g, dtype=DT)
    return a, a + 0.7 * torch.randn(n, d, generator=g, dtype=DT)


# ----------------------------------------------------------------------------- transcriptions
def lightly_ntxent(out0, out1, temperature=0.5):
    """lightly.loss.NTXentLoss.forward, memory bank off, one process."""
    batch_size = out0.shape[0]
    out0 = F.normalize(out0, dim=1)
    out1 = F.normalize(out1, dim=1)
    diag_mask = torch.eye(batch_size, dtype=torch.bool)
    logits_00 = torch.einsum("nc,mc->nm", out0, out0) / temperature
    logits_01 = torch.einsum("nc,mc->nm", out0, out1) / temperature
    logits_10 = torch.einsum("nc,mc->nm", out1, out0) / temperature
    logits_11 = torch.einsum("nc,mc->nm", out1, out1) / temperature
    logits_00 = logits_00[~diag_mask].view(batch_size, -1)
    logits_11 = logits_11[~diag_mask].view(batch_size, -1)
    logits = torch.cat([torch.cat([logits_01, logits_00], 1), torch.cat([logits_10, logits_11], 1)], 0)
    labels = torch.arange(batch_size).repeat(2)
    return F.cross_entropy(logits, labels)


def lightly_barlow(z_a, z_b, lambda_param=5e-3):
    """lightly.loss.BarlowTwinsLoss.forward: unbiased std, no eps."""
    z_a_norm = (z_a - z_a.mean(0)) / z_a.std(0)
    z_b_norm = (z_b - z_b.mean(0)) / z_b.std(0)
    N, D = z_a.shape
    c = torch.mm(z_a_norm.T, z_b_norm) / N
    c_diff = (c - torch.eye(D, dtype=c.dtype)).pow(2)
    c_diff[~torch.eye(D, dtype=bool)] *= lambda_param
    return c_diff.sum()


def zbontar_barlow(z_a, z_b, lambd=5e-3, eps=1e-5):
    """Zbontar et al.'s official code: BatchNorm1d(affine=False) = F.batch_norm in training mode."""
    N, D = z_a.shape
    c = F.batch_norm(z_a, None, None, training=True, eps=eps).T @ F.batch_norm(z_b, None, None, training=True, eps=eps) / N
    on_diag = (torch.diagonal(c) - 1).pow(2).sum()
    off_diag = (c - torch.diag(torch.diagonal(c))).pow(2).sum()
    return on_diag + lambd * off_diag


def lightly_negative_cosine(x0, x1, eps=1e-8):
    """lightly.loss.NegativeCosineSimilarity (dim = 1)."""
    return -F.cosine_similarity(x0, x1, 1, eps).mean()


def lightly_hypersphere(z_a, z_b, t=1.0, lam=1.0, alpha=2.0):
    """lightly.loss.HypersphereLoss (Wang & Isola's alignment + uniformity)."""
    x, y = F.normalize(z_a), F.normalize(z_b)
    lalign = (x - y).norm(dim=1).pow(alpha).mean()

    def lunif(u):
        return torch.pdist(u, p=2).pow(2).mul(-t).exp().mean().log()

    return lalign + lam * (lunif(x) + lunif(y)) / 2


def garrido_rankme(Z: np.ndarray, eps=1e-7) -> float:
    """RankMe (Garrido et al. 2023, eq. 1), numpy: p = σ/‖σ‖₁ + ε, exp(−Σ p log p)."""
    s = np.linalg.svd(Z, compute_uv=False)
    p = s / np.abs(s).sum() + eps
    return float(np.exp(-(p * np.log(p)).sum()))


# ----------------------------------------------------------------------------- contrastive losses
@pytest.mark.parametrize("tau", [0.1, 0.5, 1.0])
@pytest.mark.parametrize("seed", [0, 1])
def test_nt_xent_equals_lightly_and_numpy(tau, seed):
    z1, z2 = views(seed)
    ours = float(losses.nt_xent(z1[None], z2[None], tau)[0])
    assert_rel_close(ours, float(lightly_ntxent(z1, z2, tau)), RTOL, reason=WHY)
    assert_rel_close(ours, ntxent_numpy(z1.numpy(), z2.numpy(), tau), RTOL, reason=WHY)


@pytest.mark.parametrize("fused", [False, True])
@pytest.mark.parametrize("alpha", [0.0, 0.4, 1.0])
def test_weighted_infonce_equals_torch_cross_entropy(alpha, fused):
    # eq. 3: ℓ_i = −s_ii + log(Σ_{j≠i} e^{s_ij} + α e^{s_ii}), s_ij = −½|f_i − f'_j|².  α > 0: torch's
    # cross-entropy with target i after adding log α to the diagonal logit, plus log α (α = 1: InfoNCE
    # as is).  α = 0: the positive leaves the denominator: cross-entropy over [s_ii, s_ij (j ≠ i)] with
    # target 0 minus log(1 + e^{s_ii − lse_{j≠i} s_ij}) — written here as torch.logsumexp directly.
    fx, fxp = views(2, n=10, d=3)
    n = fx.shape[0]
    s = -0.5 * torch.cdist(fx, fxp, compute_mode="donot_use_mm_for_euclid_dist") ** 2
    eye = torch.eye(n, dtype=torch.bool)
    if alpha > 0:
        logits = s + math.log(alpha) * eye.to(DT)
        want = float((F.cross_entropy(logits, torch.arange(n), reduction="none") + math.log(alpha)).mean())
    else:
        want = float((torch.logsumexp(s.masked_fill(eye, -math.inf), 1) - s.diagonal()).mean())
    ours = float(losses.weighted_infonce(fx[None], fxp[None], alpha, fused=fused)[0])
    assert_rel_close(ours, want, RTOL, reason=WHY)


def test_weighted_infonce_alpha0_is_not_nt_xent():
    # the α = 0 weighted InfoNCE and SimCLR's NT-Xent are different losses (documented): Gaussian
    # kernel on raw features with N − 1 negatives vs cosine/τ with 2N − 2 negatives
    fx, fxp = views(3)
    a = float(losses.weighted_infonce(fx[None], fxp[None], 0.0)[0])
    b = float(losses.nt_xent(fx[None], fxp[None], 1.0)[0])
    assert abs(a - b) > 0.1


def test_fused_float32_value_takes_the_positive_from_the_logits():
    # +10 offset: |f|² ≈ 400, so the bmm form's entries carry eps32·|f|² ≈ 5e-5 rounding.  The fused
    # loss reads s_ii off the logits' diagonal, so the positive's rounding cancels inside the
    # log-sum-exp as in the plain eq. 3 path; before (s_ii recomputed elementwise) the float32 error
    # here was 3.4e-6 on a 5.5e-3 loss, 18× the plain path's 1.9e-7 (seeds 1-3: 9.4e-6, 8.8e-6, 7.3e-6).
    g = torch.Generator().manual_seed(0)
    fx = 4 * torch.randn(4, 32, 4, generator=g, dtype=DT) + 10.0
    fxp = fx + 0.005 * torch.randn(4, 32, 4, generator=g, dtype=DT)
    ref = losses.weighted_infonce(fx, fxp, 1.0)
    fused = losses.weighted_infonce(fx.float(), fxp.float(), 1.0, fused=True).double()
    plain = losses.weighted_infonce(fx.float(), fxp.float(), 1.0).double()
    err_f, err_p = float((fused - ref).abs().max()), float((plain - ref).abs().max())
    # the fused error is the plain path's (the two round s_ij differently: ±20% seen over 4 seeds), not 18× it
    assert err_f <= 1.5 * err_p
    assert err_f < 1e-6  # 1.9e-7 measured; the old formula gave 3.4e-6


# ----------------------------------------------------------------------------- Barlow Twins
@pytest.mark.parametrize("lam", [5e-3, 0.3])
def test_barlow_twins_equals_official_batch_norm(lam):
    za, zb = views(4, n=16, d=4, scale=2.0)
    ours = float(losses.barlow_twins(za[None], zb[None], lam)[0])  # eps = 1e-5 as BatchNorm1d
    assert_rel_close(ours, float(zbontar_barlow(za, zb, lam, 1e-5)), RTOL, reason=WHY)


def test_barlow_twins_and_lightly_differ_by_bessel_factor():
    # lightly: unbiased std, no eps ⇒ C_lightly = (N − 1)/N · C_ours(eps = 0): ours in raw mode on
    # batch-standardised inputs scaled by √((N−1)/N) reproduces lightly's value exactly
    za, zb = views(5, n=16, d=4)
    n = za.shape[0]
    r = math.sqrt((n - 1) / n)
    def bn(z):  # BatchNorm1d's training-mode standardisation with eps = 0 (biased variance)
        return (z - z.mean(0)) / z.var(0, unbiased=False).sqrt()

    a, b = bn(za) * r, bn(zb) * r
    ours = float(losses.barlow_twins(a[None], b[None], 5e-3, standardize=False)[0])
    assert_rel_close(ours, float(lightly_barlow(za, zb)), RTOL, reason=WHY)
    # and the conventions are genuinely different at N = 16
    ours_std = float(losses.barlow_twins(za[None], zb[None], 5e-3, eps=0.0)[0])
    assert abs(ours_std - float(lightly_barlow(za, zb))) > 1e-3


# ----------------------------------------------------------------------------- non-contrastive losses
def test_negative_cosine_equals_lightly():
    x0, x1 = views(6)
    assert_rel_close(float(ssl_nets.neg_cosine(x0[None], x1[None])[0]), float(lightly_negative_cosine(x0, x1)),
                     RTOL, reason=WHY)


@pytest.mark.parametrize("t, lam", [(1.0, 1.0), (2.0, 0.5)])
def test_alignment_uniformity_equal_lightly_hypersphere(t, lam):
    za, zb = views(7, n=10, d=3)
    x, y = F.normalize(za)[None], F.normalize(zb)[None]
    ours = ssl_nets.align_loss(x, y, 2.0) + lam * (ssl_nets.uniform_loss(x, t) + ssl_nets.uniform_loss(y, t)) / 2
    assert_rel_close(float(ours[0]), float(lightly_hypersphere(za, zb, t, lam)), RTOL, reason=WHY)


# ----------------------------------------------------------------------------- metrics
@pytest.mark.parametrize("eps", [1e-7, 0.0])
def test_rankme_equals_garrido(eps):
    g = torch.Generator().manual_seed(8)
    Z = torch.randn(40, 6, generator=g, dtype=DT) @ torch.diag(torch.tensor([3.0, 1, 1, 0.3, 0.01, 0], dtype=DT))
    want = garrido_rankme(Z.numpy(), eps) if eps > 0 else float(np.exp(scipy.stats.entropy(
        np.linalg.svd(Z.numpy(), compute_uv=False))))  # eps = 0: 0 log 0 = 0, scipy's convention
    assert_rel_close(float(rankme(Z, eps)), want, RTOL, reason=WHY)


def test_entropy_rank_equals_exp_scipy_entropy():
    lam = np.array([[4.0, 2.0, 1.0, 0.0, 1e-3], [1.0, 1.0, 1.0, 1.0, 1.0]])
    want = np.exp(scipy.stats.entropy(lam, axis=1))
    assert_rel_close(entropy_rank(torch.tensor(lam)).numpy(), want, RTOL, reason=WHY)


def test_stable_rank_is_the_participation_ratio_not_the_linalg_stable_rank():
    # ours: (tr Σ)²/‖Σ‖_F² on the covariance; the numerical-linear-algebra stable rank of W is
    # ‖W‖_F²/‖W‖₂² = Σλ/λ_max on λ = eig(WᵀW).  Equal on flat spectra, different otherwise.
    g = torch.Generator().manual_seed(9)
    Q = torch.linalg.qr(torch.randn(5, 5, generator=g, dtype=DT))[0]
    W = torch.eye(3, 5, dtype=DT) * torch.tensor([[3.0], [2.0], [1.0]], dtype=DT) @ Q  # σ = 3, 2, 1
    # ours: (9 + 4 + 1)² / (81 + 16 + 1) = 2; linear algebra: 14 / 9
    G = W.T @ W
    ours = float(stable_rank(gram_eigenvalues(W)))
    assert_rel_close(ours, float(torch.trace(G) ** 2 / (G * G).sum()), RTOL, reason=WHY)
    linalg = float(torch.linalg.matrix_norm(W) ** 2 / torch.linalg.matrix_norm(W, 2) ** 2)
    assert_rel_close([ours, linalg], [2.0, 14 / 9], RTOL, reason=WHY)
    flat = torch.eye(3, 5, dtype=DT) * 2.0
    assert_rel_close(float(stable_rank(gram_eigenvalues(flat))), 3.0, RTOL, reason=WHY)
    assert_rel_close(float(torch.linalg.matrix_norm(flat) ** 2 / torch.linalg.matrix_norm(flat, 2) ** 2), 3.0,
                     RTOL, reason=WHY)


def test_centered_covariance_equals_torch_cov_and_spectrum_numpy():
    g = torch.Generator().manual_seed(10)
    Z = torch.randn(3, 30, 4, generator=g, dtype=DT) + 5.0
    ours = centered_covariance(Z)
    for k in range(3):
        assert_rel_close(ours[k].numpy(), torch.cov(Z[k].T, correction=0).numpy(), RTOL, floor=1.0, reason=WHY)
        assert_rel_close(covariance_spectrum(Z)[k].numpy(), np.linalg.eigvalsh(np.cov(Z[k].numpy().T, bias=True)),
                         RTOL, floor=1.0, reason=WHY + " (eigenvalues, absolute on the O(1) scale)")


@pytest.mark.parametrize("rank", [1, 2, 4])
def test_numerical_rank_equals_numpy_matrix_rank_of_the_gram(rank):
    g = torch.Generator().manual_seed(11 + rank)
    W = torch.randn(6, rank, generator=g, dtype=DT) @ torch.randn(rank, 5, generator=g, dtype=DT)
    assert int(numerical_rank(gram_eigenvalues(W))) == np.linalg.matrix_rank((W.T @ W).numpy()) == rank


# ----------------------------------------------------------------------------- principal angles
@pytest.mark.parametrize("d, k", [(2, 2), (3, 2), (2, 3), (1, 4)])
def test_principal_angles_equal_scipy_subspace_angles(d, k):
    g = torch.Generator().manual_seed(12 + d + k)
    W = torch.randn(d, 7, generator=g, dtype=DT)
    U = torch.randn(7, k, generator=g, dtype=DT)
    want = np.sort(scipy.linalg.subspace_angles(W.numpy().T, U.numpy()))
    assert_rel_close(principal_angles(W, U).numpy(), want, RTOL, floor=1.0, reason=WHY + " (radians, absolute)")


def _subspaces_with_angles(theta, n=6, seed=0):
    """Row space of W and column space of U (n × k) with principal angles ``theta`` exactly, rotated."""
    k = len(theta)
    A = torch.zeros(n, k, dtype=DT)
    B = torch.zeros(n, k, dtype=DT)
    for i, t in enumerate(theta):
        A[i, i] = 1.0
        B[i, i], B[k + i, i] = math.cos(t), math.sin(t)
    Q = torch.linalg.qr(torch.randn(n, n, generator=torch.Generator().manual_seed(seed), dtype=DT))[0]
    M = torch.tensor([[2.0, 1.0, 0.5], [0.0, 1.0, 3.0], [0.0, 0.0, 0.7]], dtype=DT)[:k, :k]  # any full-rank mix
    return (Q @ A @ M).T, Q @ B @ M.T


@pytest.mark.parametrize("theta", [(1e-9, 1.4), (1e-12, 0.3), (0.2, 0.7, math.pi / 2)])
def test_principal_angles_accurate_near_zero(theta):
    # known angles: small ones from their sines (absolute error ~eps, not arccos' ~1e-8); a tiny
    # angle next to one above 45° stays resolved (scipy 1.17 pairs its arcsin mask with the
    # reversed order and returns 0 for the 1e-9 here)
    W, U = _subspaces_with_angles(theta)
    got = principal_angles(W, U).numpy()
    assert np.all(np.abs(got - np.array(theta)) <= 1e-14)  # a few eps of the O(1) basis entries


def test_principal_angles_batched_over_W():
    W1, U = _subspaces_with_angles((0.1, 0.5))
    W2, _ = _subspaces_with_angles((0.1, 0.5))
    W = torch.stack([W1, W2 * 3.0])
    got = principal_angles(W, U).numpy()
    assert np.all(np.abs(got - np.array([0.1, 0.5])) <= 1e-14)


@pytest.mark.parametrize("W, pattern", [
    (torch.zeros(2, 4, dtype=DT), r"W must have full row rank 2 .*singular values \[0\.0, 0\.0\]"),
    (torch.tensor([[1.0, 0, 0, 0], [2.0, 0, 0, 0]], dtype=DT), r"W must have full row rank 2"),
    (torch.ones(5, 4, dtype=DT), r"W must have full row rank 5 .*impossible for 5 rows in R\^4"),
])
def test_principal_angles_to_a_collapsed_W_raise(W, pattern):
    # before (unpivoted QR + arccos): W = 0 and the rank-1 W both reported angles [0, 0] to span(e1, e2)
    # — a fully collapsed model passed an alignment check
    with pytest.raises(ValueError, match=pattern):
        principal_angles(W, torch.eye(4, 2, dtype=DT))


def test_principal_angles_rank_deficient_U_raises():
    with pytest.raises(ValueError, match=r"U must have full column rank 2"):
        principal_angles(torch.eye(2, 4, dtype=DT), torch.tensor([[1.0, 2.0], [0, 0], [0, 0], [0, 0]], dtype=DT))
