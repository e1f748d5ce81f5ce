"""Spectral metrics of trained weights and representations.

Conventions (stated once, used everywhere):
* ``gram_eigenvalues(W)``: eigenvalues of WᵀW (d0 × d0), ascending, batched over K.
  The nonzero ones equal the squared singular values of W.
* ``numerical_rank(eigs, dtype)``: number of eigenvalues above
  ``λ_max · d · eps(dtype)``.  eigvalsh of a symmetric d×d matrix has absolute
  error ≲ d·eps·‖G‖ (backward stable), so anything below that is indistinguishable
  from 0 in this dtype — the same rule as numpy.linalg.matrix_rank, applied to
  the Gram matrix.  For *trained* weights use ``rank_above(eigs, rtol)`` with a
  threshold the experiment justifies (optimizer noise floor), never this one.
* ``stable_rank(eigs)``: (Σλ)² / Σλ² = (tr G)² / ‖G‖_F² ∈ [1, d] (foundations
  note, "Stable rank"; applied to a covariance Σ or a Gram WᵀW).
* ``entropy_rank(eigs)``: exp(-Σ p_i log p_i), p_i = λ_i / Σλ, on eigenvalues
  (not singular values), 0 log 0 = 0.
"""
from __future__ import annotations

import torch


def gram_eigenvalues(W: torch.Tensor) -> torch.Tensor:
    """Eigenvalues of WᵀW, ascending; W (..., d1, d0) -> (..., d0)."""
    G = W.transpose(-1, -2) @ W
    return torch.linalg.eigvalsh(0.5 * (G + G.transpose(-1, -2)))


def numerical_rank(eigs: torch.Tensor, dtype: torch.dtype | None = None) -> torch.Tensor:
    """Count of eigenvalues > λ_max · d · eps(dtype) (dtype defaults to eigs.dtype)."""
    eps = torch.finfo(dtype or eigs.dtype).eps
    d = eigs.shape[-1]
    lam_max = eigs.abs().amax(-1, keepdim=True)
    return (eigs > lam_max * d * eps).sum(-1)


def rank_above(eigs: torch.Tensor, rtol: float) -> torch.Tensor:
    """Count of eigenvalues > rtol · λ_max (for trained weights: rtol from the optimizer's floor)."""
    if not 0 < rtol < 1:
        raise ValueError(f"rtol must lie in (0, 1), got {rtol}")
    lam_max = eigs.abs().amax(-1, keepdim=True)
    return (eigs > rtol * lam_max).sum(-1)


def stable_rank(eigs: torch.Tensor) -> torch.Tensor:
    """(Σλ)² / Σλ²; NaN for an all-zero spectrum (rank of nothing is undefined)."""
    e = eigs.clamp_min(0)
    return e.sum(-1) ** 2 / (e * e).sum(-1)


def entropy_rank(eigs: torch.Tensor) -> torch.Tensor:
    """exp of the Shannon entropy of λ / Σλ."""
    e = eigs.clamp_min(0)
    p = e / e.sum(-1, keepdim=True)
    h = -(torch.where(p > 0, p * p.log(), torch.zeros_like(p))).sum(-1)
    return h.exp()
