"""Rank of the embedding covariance with a fixed subvector (source §3.4, eq. 7a and 7b).

Setting: h = (h₀, h_r) ∈ R^{d₀+d_r}, h₀ = the d₀ trained coordinates, h_r the d_r "static" ones;
C = centred covariance of h (population, or the biased sample covariance of N embeddings —
``numerics.ssl_metrics.centered_covariance``).  C₀ = Cov(h₀).

Derived here:

* eq. 7a (h_r ≡ k·1, the same constant for every sample): C = blockdiag(C₀, 0) exactly, so
  rank C = rank C₀ ≤ d₀ — for *every* constant k, not only k = 0 (centring removes it).  Without
  centring, the second moment E[hhᵀ] has the extra rank-one block k²11ᵀ and cross terms k·E h₀1ᵀ:
  rank ≤ d₀ + 1 (= d₀ only for k = 0 or special means).
* eq. 7b, "a random fixed subvector" — three readings:
  (a) the source's DirectCLR reading: the last-layer rows W_r that produce h_r stay at their random
      initialisation, h_r = W_r x (x = the last layer's input).  C_rr = W_r Σ_x W_rᵀ is a principal
      block of the PSD C, so rank C ≥ rank C_rr = min(d_r, rank Σ_x) for Gaussian W_r (a.s.), and
      rank C ≤ min(d₀ + d_r, rank Σ_x).  The lower bound d_r needs rank Σ_x ≥ d_r (for a sample
      covariance also N − 1 ≥ d_r): a rank-one input gives rank C = 1 < d_r = 2.
  (b) h_r drawn afresh for every sample, independent of x, Cov(h_r) ≻ 0: population
      C = blockdiag(C₀, Cov h_r), rank C = rank C₀ + d_r ∈ [d_r, d₀ + d_r] — the source's bound.
  (c) one random vector drawn once and used for every sample: a constant, so eq. 7a applies
      (rank ≤ d₀) and the lower bound d_r fails whenever d₀ < d_r or h₀ collapses.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp

READINGS = ("frozen_weights", "fresh_noise", "fixed_vector")


def _check_dims(n: int, d0: int, dr: int) -> None:
    for name, v, lo in (("n", n, 2), ("d0", d0, 0), ("dr", dr, 1)):
        if not isinstance(v, (int, np.integer)) or v < lo:
            raise ValueError(f"{name} must be an integer >= {lo}, got {v!r}")


@lru_cache(maxsize=None)
def constant_block_covariance(n: int = 3, d0: int = 2, dr: int = 2) -> dict:
    """Symbolic N×d₀ block h₀ and constant k in d_r coordinates: centred C and uncentred M."""
    _check_dims(n, d0, dr)
    k = sp.Symbol("k", real=True)
    H0 = sp.Matrix(n, d0, lambda b, j: sp.Symbol(f"h_{b}{j}", real=True))
    H = H0.row_join(k * sp.ones(n, dr))
    mean = sp.ones(1, n) * H / n
    Hc = H - sp.ones(n, 1) * mean
    C = (Hc.T * Hc / n).applyfunc(sp.expand)
    M = (H.T * H / n).applyfunc(sp.expand)
    H0c = H0 - sp.ones(n, 1) * (sp.ones(1, n) * H0 / n)
    C0 = (H0c.T * H0c / n).applyfunc(sp.expand)
    return {
        "centred_static_block_zero": C[:, d0:] == sp.zeros(d0 + dr, dr),
        "centred_trained_block_is_C0": (C[:d0, :d0] - C0).applyfunc(sp.expand) == sp.zeros(d0, d0),
        "uncentred_static_block": str(sp.factor(M[d0, d0])),
        "uncentred_cross": str(sp.factor(M[0, d0])),
    }


def covariance_rank(H: np.ndarray, rtol: float = 1e-9) -> int:
    """Rank of the biased centred covariance of H (N×D): eigenvalues > rtol·λ_max (float64;
    the default 1e-9 sits far above eigvalsh's ~D·eps backward error and far below the O(1)
    eigenvalues of the generated data)."""
    H = np.asarray(H, dtype=np.float64)
    Hc = H - H.mean(0)
    lam = np.linalg.eigvalsh(Hc.T @ Hc / H.shape[0])
    return int((lam > rtol * max(lam.max(), 0.0)).sum()) if lam.max() > 0 else 0


def uncentred_rank(H: np.ndarray, rtol: float = 1e-9) -> int:
    H = np.asarray(H, dtype=np.float64)
    lam = np.linalg.eigvalsh(H.T @ H / H.shape[0])
    return int((lam > rtol * lam.max()).sum()) if lam.max() > 0 else 0


def embeddings(reading: str, x: np.ndarray, W0: np.ndarray, dr: int, rng: np.random.Generator,
               k: float = 0.0) -> np.ndarray:
    """N×(d₀+d_r) embeddings h = (W₀x, h_r) for a subvector reading of eq. 7a/7b.

    reading: "constant" (h_r = k·1, eq. 7a), "frozen_weights" (h_r = W_r x, W_r ~ N(0, 1/n)
    drawn once), "fresh_noise" (h_r ~ N(0, I) per sample), "fixed_vector" (one N(0, I) draw
    shared by every sample).
    """
    x = np.asarray(x, dtype=np.float64)
    n_samples, n_in = x.shape
    h0 = x @ np.asarray(W0, dtype=np.float64).T
    if reading == "constant":
        hr = np.full((n_samples, dr), float(k))
    elif reading == "frozen_weights":
        hr = x @ (rng.standard_normal((dr, n_in)) / np.sqrt(n_in)).T
    elif reading == "fresh_noise":
        hr = rng.standard_normal((n_samples, dr))
    elif reading == "fixed_vector":
        hr = np.broadcast_to(rng.standard_normal(dr), (n_samples, dr)).copy()
    else:
        raise ValueError(f"reading must be 'constant' or one of {READINGS}, got {reading!r}")
    return np.concatenate([h0, hr], axis=1)


@lru_cache(maxsize=None)
def frozen_weights_counterexample() -> dict:
    """Reading (a) with a rank-one input x = s·e₁ (d₀ = 1, d_r = 2, n = 3): symbolic W_r.

    C_rr = W_r Σ_x W_rᵀ = (W_r e₁)(W_r e₁)ᵀ has rank 1 for every W_r, so rank C ≤ rank Σ_x = 1 < d_r.
    """
    Wr = sp.Matrix(2, 3, lambda a, b: sp.Symbol(f"r_{a}{b}", real=True))
    W0 = sp.Matrix([list(sp.symbols("a1:4", real=True))])
    W = W0.col_join(Wr)
    Sx = sp.diag(1, 0, 0)
    C = (W * Sx * W.T).applyfunc(sp.expand)
    # every 2×2 minor of C vanishes identically: rank ≤ 1 for all weights
    minors = [sp.expand(C.extract([i, j], [p, q]).det()) for i in range(3) for j in range(i + 1, 3)
              for p in range(3) for q in range(p + 1, 3)]
    return {"all_2x2_minors_zero": all(m == 0 for m in minors), "d_r": 2, "rank_sigma_x": 1,
            "rank_C_generic": int(C.subs({s: i + 2 for i, s in enumerate(sorted(C.free_symbols, key=str))}).rank())}
