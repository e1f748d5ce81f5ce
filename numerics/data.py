"""Synthetic data of the Ziyin setting (eq. 1): Gaussian features, additive Gaussian augmentation.

* A dataset is a *fixed* set of N points x̂_i ~ N(0, A0) drawn once from a seed
  (App. B: "the training set is sampled from N(0, I_32)").
* Augmentation ε ~ N(0, C) is drawn *fresh at every training step*, independently
  for the two views x = x̂ + ε, x' = x̂ + ε' (eq. 1: independent augmentations).
  Negatives for anchor i are the second views x'_j of the other points j ≠ i, so
  their noise is independent of the anchor's, as eq. 1 requires.
* Covariances may or may not commute; ``commuting_pair`` and ``noncommuting_pair``
  build test cases of both kinds.
"""
from __future__ import annotations

import numpy as np
import torch

from sslverify.numerics.validation import check_covariance, check_int, check_nonnegative


def cholesky_psd(cov: np.ndarray) -> np.ndarray:
    """A factor L with L Lᵀ = cov for a PSD (possibly singular) covariance."""
    vals, vecs = np.linalg.eigh(cov)
    return vecs * np.sqrt(np.clip(vals, 0.0, None))


def gaussian_dataset(n: int, cov, seed: int, *, dtype=torch.float64, device="cpu") -> torch.Tensor:
    """N points x̂_i ~ N(0, cov), shape (n, d), from ``seed`` alone."""
    n = check_int(n, "N", 2)
    cov = check_covariance(cov, "A0")
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, cov.shape[0]))
    return torch.as_tensor(z @ cholesky_psd(cov).T, dtype=dtype, device=device)


def diagonal_cov(variances) -> np.ndarray:
    """diag(variances), rejecting negative variances."""
    v = np.asarray(variances, dtype=np.float64).ravel()
    for i, x in enumerate(v):
        check_nonnegative(x, f"variance[{i}]")
    return np.diag(v)


def isotropic_noise(d: int, sigma: float) -> np.ndarray:
    """C = σ² I (App. B's 'diagonal Gaussian noise with variance σ²')."""
    sigma = check_nonnegative(sigma, "sigma")
    return sigma**2 * np.eye(check_int(d, "d", 1))


def random_rotation(d: int, seed: int) -> np.ndarray:
    q, r = np.linalg.qr(np.random.default_rng(seed).standard_normal((d, d)))
    return q * np.sign(np.diag(r))


def commuting_pair(a_eigs, c_eigs, seed: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(A0, C) sharing an eigenbasis (random rotation if seed given, else the standard basis)."""
    a = diagonal_cov(a_eigs)
    c = diagonal_cov(c_eigs)
    if a.shape != c.shape:
        raise ValueError(f"a_eigs and c_eigs must have the same length, got {a.shape[0]} and {c.shape[0]}")
    if seed is None:
        return a, c
    q = random_rotation(a.shape[0], seed)
    return q @ a @ q.T, q @ c @ q.T


def noncommuting_pair(a_eigs, c_eigs, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(A0, C) with independent random eigenbases (commute only by accident)."""
    a = diagonal_cov(a_eigs)
    c = diagonal_cov(c_eigs)
    if a.shape != c.shape:
        raise ValueError(f"a_eigs and c_eigs must have the same length, got {a.shape[0]} and {c.shape[0]}")
    qa = random_rotation(a.shape[0], seed)
    qc = random_rotation(a.shape[0], seed + 1)
    return qa @ a @ qa.T, qc @ c @ qc.T


def empirical_second_moment(x: torch.Tensor) -> np.ndarray:
    """Â0 = (1/N) Σ x̂ x̂ᵀ of a fixed dataset (the paper's A0 = E_x̂[x̂ x̂ᵀ], uncentered)."""
    xn = x.detach().cpu().double().numpy()
    return xn.T @ xn / xn.shape[0]
