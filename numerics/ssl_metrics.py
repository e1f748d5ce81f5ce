"""Representation metrics the SSL-net experiments need (not in ``numerics.metrics``).

Conventions:
* ``centered_covariance(Z)``: Σ = (1/N) ZᵀZ − z̄z̄ᵀ (biased, explicitly centred; the foundations
  note's "empirical embedding covariance"), Z of shape (..., N, d);
* ``covariance_spectrum(Z)``: eigenvalues of that Σ, ascending — feed them to
  ``numerics.metrics.stable_rank`` / ``entropy_rank``;
* ``rankme(Z, eps)``: RankMe (Garrido et al. 2023): exp of the entropy of p_k = σ_k/Σσ + eps on the
  *singular values* of the *uncentred* Z — a different convention from ``entropy_rank`` of Σ
  (singular values, not eigenvalues; no centring), kept separate on purpose;
* ``principal_angles(W, U)``: angles (radians, ascending) between the row space of W (..., d, n)
  and the column space of U (n, k).
"""
from __future__ import annotations

import torch


def centered_covariance(Z: torch.Tensor) -> torch.Tensor:
    if Z.dim() < 2 or Z.shape[-2] < 1:
        raise ValueError(f"Z must have shape (..., N, d) with N >= 1, got {tuple(Z.shape)}")
    Zc = Z - Z.mean(-2, keepdim=True)
    return Zc.transpose(-1, -2) @ Zc / Z.shape[-2]


def covariance_spectrum(Z: torch.Tensor) -> torch.Tensor:
    S = centered_covariance(Z)
    return torch.linalg.eigvalsh(0.5 * (S + S.transpose(-1, -2)))


def rankme(Z: torch.Tensor, eps: float = 1e-7) -> torch.Tensor:
    if eps < 0:
        raise ValueError(f"eps must be >= 0, got {eps}")
    s = torch.linalg.svdvals(Z)
    p = s / s.sum(-1, keepdim=True) + eps
    return torch.exp(-(p * p.log()).sum(-1))


def principal_angles(W: torch.Tensor, U: torch.Tensor) -> torch.Tensor:
    """Principal angles between rowspace(W) and colspace(U); W (..., d, n), U (n, k)."""
    if W.shape[-1] != U.shape[0]:
        raise ValueError(f"W has {W.shape[-1]} columns but U has {U.shape[0]} rows")
    Qw = torch.linalg.qr(W.transpose(-1, -2))[0]  # (..., n, d)
    Qu = torch.linalg.qr(U)[0]
    cos = torch.linalg.svdvals(Qw.transpose(-1, -2) @ Qu.to(Qw.dtype)).clamp(-1.0, 1.0)
    return torch.sort(torch.arccos(cos), dim=-1).values
