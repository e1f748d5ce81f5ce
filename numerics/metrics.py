"""Spectral metrics of trained weights and representations.

Conventions (stated once, used everywhere):
* ``gram_eigenvalues(W)``: eigenvalues of WᵀW (d0 × d0), ascending, batched over K.
  The nonzero ones equal the squared singular values of W.
* ``numerical_rank(eigs, dtype)``: number of eigenvalues above
  ``λ_max · d · eps(dtype)``.  eigvalsh of a symmetric d×d matrix has absolute
  error ≲ d·eps·‖G‖ (backward stable), so anything below that is indistinguishable
  from 0 in this dtype — the same rule as numpy.linalg.matrix_rank, applied to
  the Gram matrix (``numerical_rank(gram_eigenvalues(W)) == np.linalg.matrix_rank(WᵀW)``).
  For *trained* weights use ``rank_above(eigs, rtol)`` with a threshold the experiment
  justifies (optimizer noise floor), never this one.
* ``stable_rank(eigs)``: the **participation ratio** (Σλ)² / Σλ² = (tr G)² / ‖G‖_F² ∈ [1, d]
  (foundations note, "Stable rank"; applied to a covariance Σ or a Gram WᵀW).  Not the stable rank of
  numerical linear algebra (Rudelson–Vershynin), ‖W‖_F² / ‖W‖₂² = Σλ / λ_max on the eigenvalues λ = σ²
  of WᵀW: on λ = (1, 3) ours is 1.6, that one 4/3.  Both lie in [1, rank] and equal the rank on a flat
  spectrum.
* ``entropy_rank(eigs)``: exp(-Σ p_i log p_i), p_i = λ_i / Σλ, on eigenvalues
  (not singular values), 0 log 0 = 0 — exp of scipy.stats.entropy(λ).  (Roy & Vetterli's "effective
  rank" and Garrido et al.'s RankMe use singular values instead: see ``ssl_metrics.rankme``.)

Inputs are validated (``numerics.validation``): ``eigs`` must be finite, real, float32/float64 and the
spectrum of a positive semi-definite matrix — an eigenvalue below −psd_rtol(dtype)·max|λ| (1e-6 in
float64, 1e-4 in float32) raises; negative values within that round-off band count as 0.  A rank of
an all-zero spectrum is 0 for the counts and undefined (ValueError) for the stable and entropy ranks.
"""
from __future__ import annotations

import torch

from sslverify.numerics.validation import check_not_all_zero, check_open_unit, check_spectrum, check_tensor


def gram_eigenvalues(W: torch.Tensor) -> torch.Tensor:
    """Eigenvalues of WᵀW, ascending; W (..., d1, d0) -> (..., d0)."""
    W = check_tensor(W, "W", min_ndim=2, layout="(..., d1, d0)")
    G = W.transpose(-1, -2) @ W
    return torch.linalg.eigvalsh(0.5 * (G + G.transpose(-1, -2)))


def numerical_rank(eigs: torch.Tensor, dtype: torch.dtype | None = None) -> torch.Tensor:
    """Count of eigenvalues > λ_max · d · eps(dtype) (dtype defaults to eigs.dtype)."""
    if dtype is not None and not (isinstance(dtype, torch.dtype) and dtype.is_floating_point):
        raise ValueError(f"dtype must be a floating torch.dtype (e.g. torch.float32) or None, got {dtype!r}")
    e = check_spectrum(eigs, "eigs", tol_dtype=dtype)
    eps = torch.finfo(dtype or e.dtype).eps
    d = e.shape[-1]
    lam_max = e.abs().amax(-1, keepdim=True)
    return (e > lam_max * d * eps).sum(-1)


def rank_above(eigs: torch.Tensor, rtol: float) -> torch.Tensor:
    """Count of eigenvalues > rtol · λ_max (for trained weights: rtol from the optimizer's floor)."""
    rtol = check_open_unit(rtol, "rtol")
    e = check_spectrum(eigs, "eigs")
    lam_max = e.abs().amax(-1, keepdim=True)
    return (e > rtol * lam_max).sum(-1)


def _nonnegative_spectrum(eigs) -> torch.Tensor:
    e = check_spectrum(eigs, "eigs")
    check_not_all_zero(e, "eigs", e.dim() - 1, "a rank of the zero spectrum is 0/0, undefined")
    return e.clamp_min(0)  # only round-off negatives are left (check_spectrum): they are zeros


def stable_rank(eigs: torch.Tensor) -> torch.Tensor:
    """Participation ratio (Σλ)² / Σλ² of each spectrum (..., d) -> (...); see the module docstring for
    how it differs from the linear-algebra stable rank ‖W‖_F²/‖W‖₂².  Raises for an all-zero spectrum."""
    e = _nonnegative_spectrum(eigs)
    return e.sum(-1) ** 2 / (e * e).sum(-1)


def entropy_rank(eigs: torch.Tensor) -> torch.Tensor:
    """exp of the Shannon entropy of λ / Σλ (= exp(scipy.stats.entropy(λ))); raises for an all-zero spectrum."""
    e = _nonnegative_spectrum(eigs)
    p = e / e.sum(-1, keepdim=True)
    h = -(torch.where(p > 0, p * p.log(), torch.zeros_like(p))).sum(-1)
    return h.exp()
