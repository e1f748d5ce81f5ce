"""Representation metrics the SSL-net experiments need (not in ``numerics.metrics``).

Conventions:
* ``centered_covariance(Z)``: Σ = (1/N) ZᵀZ − z̄z̄ᵀ (biased, explicitly centred; the foundations
  note's "empirical embedding covariance"; = ``torch.cov(Zᵀ, correction=0)`` — numpy.cov and torch.cov
  default to the unbiased 1/(N − 1)), Z of shape (..., N, d);
* ``covariance_spectrum(Z)``: eigenvalues of that Σ, ascending — feed them to
  ``numerics.metrics.stable_rank`` / ``entropy_rank``;
* ``rankme(Z, eps)``: RankMe (Garrido et al. 2023): exp of the entropy of p_k = σ_k/Σσ + eps on the
  *singular values* of the *uncentred* Z — a different convention from ``entropy_rank`` of Σ
  (singular values, not eigenvalues; no centring), kept separate on purpose;
* ``principal_angles(W, U)``: angles (radians, ascending) between the row space of W (..., d, n)
  and the column space of U (..., n, k) — scipy.linalg.subspace_angles(Wᵀ, U) reversed (scipy returns
  them descending).  Both W (rows) and U (columns) must have full rank: the angles to a collapsed
  (rank-deficient) W are undefined, and an orthonormal basis "completed" by a QR of a rank-deficient
  matrix reports arbitrary angles (0° for W = 0).
"""
from __future__ import annotations

import torch

from sslverify.numerics.validation import _index, check_finite_number, check_not_all_zero, check_tensor


def centered_covariance(Z: torch.Tensor) -> torch.Tensor:
    Z = check_tensor(Z, "Z", min_ndim=2, layout="(..., N, d) with N >= 1")
    Zc = Z - Z.mean(-2, keepdim=True)
    return Zc.transpose(-1, -2) @ Zc / Z.shape[-2]


def covariance_spectrum(Z: torch.Tensor) -> torch.Tensor:
    """Eigenvalues (ascending) of the centred biased covariance of Z (..., N, d) -> (..., d)."""
    S = centered_covariance(Z)
    return torch.linalg.eigvalsh(0.5 * (S + S.transpose(-1, -2)))


def rankme(Z: torch.Tensor, eps: float = 1e-7) -> torch.Tensor:
    """RankMe of Z (..., N, d): exp(−Σ p_k log p_k), p_k = σ_k / Σσ + eps (Garrido et al. 2023, eq. 1,
    their default eps = 1e-7).  Raises for Z = 0 (no singular value to normalise)."""
    eps = check_finite_number(eps, "eps")
    if eps < 0:
        raise ValueError(f"eps must be >= 0, got {eps}")
    Z = check_tensor(Z, "Z", min_ndim=2, layout="(..., N, d)")
    check_not_all_zero(Z, "Z", Z.dim() - 2, "RankMe normalises the singular values by their sum")
    s = torch.linalg.svdvals(Z)
    p = s / s.sum(-1, keepdim=True) + eps
    return torch.exp(-(torch.where(p > 0, p * p.log(), torch.zeros_like(p))).sum(-1))


def _orthonormal_basis(A: torch.Tensor, name: str, what: str) -> torch.Tensor:
    """Left singular vectors of A (..., n, r) after checking rank A = r (scipy.linalg.orth's rule:
    σ_min > σ_max · max(n, r) · eps)."""
    n, r = A.shape[-2], A.shape[-1]
    if r > n:
        raise ValueError(f"{name} must have full {what} rank {r} (principal angles to a rank-deficient {name} are "
                         f"undefined), impossible for {r} {what}s in R^{n}")
    Q, s, _ = torch.linalg.svd(A, full_matrices=False)
    tol = s[..., :1] * max(n, r) * torch.finfo(A.dtype).eps
    low = s[..., -1:] <= tol
    if bool(low.any()):
        k = int(torch.nonzero(low.reshape(-1))[0])
        idx = _index(k, tuple(A.shape[:-2]))
        sk = s.reshape(-1, s.shape[-1])[k]
        raise ValueError(f"{name} must have full {what} rank {r} (principal angles to a rank-deficient {name} are "
                         f"undefined), got singular values {[float(f'{v:.3g}') for v in sk.tolist()]}"
                         + (f" at batch index {idx}" if idx else ""))
    return Q


def principal_angles(W: torch.Tensor, U: torch.Tensor) -> torch.Tensor:
    """Principal angles (radians, ascending) between rowspace(W) and colspace(U); W (..., d, n), U (..., n, k).

    Method of scipy.linalg.subspace_angles (Knyazev & Argentati 2002): orthonormal bases by SVD, cosines
    = singular values of Q_Wᵀ Q_U, sines = singular values of the residual of one basis projected on
    the other; an angle whose cosine² ≥ ½ comes from its sine (accurate near 0, where arccos loses
    half the digits), the others from their cosine.  Unlike scipy 1.17, each angle's sine and cosine
    are paired by the same rank, so a small angle next to one above 45° is not rounded to 0.
    Raises if W (rows) or U (columns) is rank-deficient.
    """
    W = check_tensor(W, "W", min_ndim=2, layout="(..., d, n)")
    U = check_tensor(U, "U", min_ndim=2, layout="(..., n, k)")
    if W.shape[-1] != U.shape[-2]:
        raise ValueError(f"U must have n = {W.shape[-1]} rows (the columns of W {tuple(W.shape)}), "
                         f"got shape {tuple(U.shape)}")
    try:
        torch.broadcast_shapes(W.shape[:-2], U.shape[:-2])
    except RuntimeError:
        raise ValueError(f"W {tuple(W.shape)} and U {tuple(U.shape)} must have broadcastable batch shapes") from None
    dt = torch.promote_types(W.dtype, U.dtype)
    QA = _orthonormal_basis(W.transpose(-1, -2).to(dt), "W", "row")  # (..., n, d)
    QB = _orthonormal_basis(U.to(dt), "U", "column")  # (..., n, k)
    M = QA.transpose(-1, -2) @ QB  # (..., d, k)
    cos = torch.linalg.svdvals(M)  # descending = ascending angles
    if QA.shape[-1] >= QB.shape[-1]:
        R = QB - QA @ M
    else:
        R = QA - QB @ M.transpose(-1, -2)
    sin = torch.linalg.svdvals(R).flip(-1)  # ascending = ascending angles
    small = cos**2 >= 0.5
    theta = torch.where(small, torch.arcsin(sin.clamp(-1.0, 1.0)), torch.arccos(cos.clamp(-1.0, 1.0)))
    return torch.sort(theta, dim=-1).values
