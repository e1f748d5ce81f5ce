"""Thm 3 of Pokle et al. (002, §5.2.1, eqs. 14–15, Assumptions 1–4): alternating optimisation of
warm-started SReLU dual networks with row normalisation, M = I, σ₀ = 0.

The population expectation is taken exactly: z ∈ {−1, 0, 1}^d (Assumption 1, i.i.d., no "at least
one non-zero" conditioning) and both masks enumerated, (3^d)(4^d) weighted rows.  Runs that satisfy
Assumptions 2 and 4 (|Δ_ij| < 1/(10d), b = ½ inside (max|c_b|, 1 − max|c_b|)) are compared with runs
that break them: b = 0 (SReLU = identity), b close to 1, a far warm start, a random start.
"""
from __future__ import annotations

import itertools
from functools import lru_cache

import numpy as np
import torch

from sslverify.numerics.dual_nets import alternating_srelu


@lru_cache(maxsize=None)
def population_rows(d: int, kappa: float, alpha: float):
    """Exact enumeration of (x = z, D₁, D₂) with probabilities (Assumption 1, eq. 3 masks)."""
    Z = torch.tensor(list(itertools.product((-1, 0, 1), repeat=d)), dtype=torch.float64)
    pz = torch.tensor([np.prod([kappa / 2 if v else 1 - kappa for v in r]) for r in Z.tolist()])
    Ms = torch.tensor(list(itertools.product((0, 1), repeat=d)), dtype=torch.float64)
    on = Ms.sum(1)
    pm = alpha**on * (1 - alpha) ** (d - on)
    nz, nm = len(Z), len(Ms)
    x = Z[:, None, None, :].expand(nz, nm, nm, d).reshape(-1, d)
    d1 = Ms[None, :, None, :].expand(nz, nm, nm, d).reshape(-1, d)
    d2 = Ms[None, None, :, :].expand(nz, nm, nm, d).reshape(-1, d)
    w = (pz[:, None, None] * pm[None, :, None] * pm[None, None, :]).reshape(-1)
    return x, d1, d2, w


CASES = ("assumptions", "bias_zero", "bias_near_one", "far_warm_start", "random_init")


def simulate(case: str, d: int = 3, K: int = 3, kappa: float = 0.5, alpha: float = 0.5, outer: int = 20,
             inner: int = 200, lr: float = 20.0, seed: int = 0) -> dict:
    """Run K alternating optimisations of one case; return initial/final max|W − I| (online, target)."""
    if case not in CASES:
        raise ValueError(f"case must be one of {CASES}, got {case!r}")
    x, d1, d2, w = population_rows(d, kappa, alpha)
    g = torch.Generator().manual_seed(seed)
    eye = torch.eye(d, dtype=torch.float64)
    small = 0.99 / (10 * d)  # Assumption 2: |Δ_ij| < 1/(10d)

    def delta(s):
        return (2 * torch.rand(K, d, d, generator=g, dtype=torch.float64) - 1) * s

    b = {"bias_zero": 0.0, "bias_near_one": 0.99}.get(case, 0.5)
    if case == "far_warm_start":
        Wo, Wt = eye + delta(0.3), eye + delta(0.3)
    elif case == "random_init":
        Wo, Wt = torch.randn(K, d, d, generator=g, dtype=torch.float64), torch.randn(K, d, d, generator=g, dtype=torch.float64)
    else:
        Wo, Wt = eye + delta(small), eye + delta(small)
    bo = torch.full((K, d), b, dtype=torch.float64)
    # Assumption 4's c_b bound after row normalisation: |c_b| ≤ Σ_{l≠i}|Δ_il| < (d−1)/(10d) for small Δ
    Wo_f, Wt_f, hist = alternating_srelu(Wo, Wt, bo, bo.clone(), x, d1, d2, w, outer=outer, inner=inner, lr=lr)
    return {"case": case, "bias": b, "initial_dist": hist[0].amax(-1).tolist(), "final_dist": hist[-1].amax(-1).tolist(),
            "history": hist.amax(-1).tolist()}
