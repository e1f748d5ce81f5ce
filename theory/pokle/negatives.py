"""Thm 1(b) of Pokle et al. (002, §4.1 eq. 9, App. A.1) under the two readings of "negative".

Setting of Thm 1: d = p = m, M = I, σ₀ = 0, x = e_i with i uniform (1-sparse zero-one latents), masks
a = D₁,ii, b = D₂,ii ~ Bernoulli(α), ReLU without bias.  With u_i = ReLU(W_{*i}) and the ReLU Gram matrix
G = [⟨u_i, u_j⟩] (G_ij ≥ 0; G_ii ≤ ‖W_{*i}‖² = 1 on unit columns, with equality iff W_{*i} ≥ 0):
S⁺ = ⟨ReLU(WD₁e_i), ReLU(WD₂e_i)⟩ = ab·G_ii and, for a negative x′ = e_j with its own mask c = D₃,jj,
S⁻ = ⟨ReLU(WD₁e_i), ReLU(WD₃e_j)⟩ = ac·G_ij.  Eq. 9 with B negatives is
L_B = E log(1 + Σ_k exp(τ(S⁻_k − S⁺))).

Reading "distinct" (the source's own definition, §4.1: "negative data samples B = {D′x′} with x′ ≠ x"):
in the noise-free 1-sparse setting x′ ≠ x means a different latent, j uniform over the d − 1 others.
By the law of large numbers L_B − log B → L_dist(G) =
  (1/d) Σ_i [−τα² G_ii + α log((1/(d−1)) Σ_{j≠i} (1 − α + α e^{τG_ij}))],
and L_dist + τα² = (τα²/d) Σ_i (1 − G_ii) + (α/d) Σ_i log(mean_{j≠i}(1 − α + α e^{τG_ij})) ≥ 0
(every term ≥ 0 because G_ii ≤ 1 and G_ij ≥ 0), with equality iff G = I, i.e. iff W is non-negative with
orthogonal unit columns: a permutation matrix.  The same term-by-term bound holds at every finite B
(log(1 + Σ e^{…}) is increasing in each exponent), so Thm 1(b) holds under this reading exactly.

Reading "iid" (negatives drawn i.i.d. from the data, so a negative can share the anchor's latent): see
``landscape.limit_eq9`` — the minimisers are permutations iff e^τ(1 − α) ≤ d − α.

Methods here: SymPy (the bound identity, the value at G = I, the partial derivatives), a brute-force grid
over all unit-column W for d = 2, random search and projected gradient descent for d = 3, and the exact
finite-B loss (multinomial enumeration of the negatives) — each independent of the others.
"""
from __future__ import annotations

import itertools
import math
from functools import lru_cache

import sympy as sp
import torch
from scipy.special import gammaln

from sslverify.theory.pokle.landscape import (limit_eq9, minimize_unit_columns, project_unit_columns, relu_gram,
                                             surrogate_a17)


#: "at the best value": within 1e-9 of the smallest loss found (float64 loss values ~1; projected GD stops with
#: gaps decaying geometrically, far below 1e-9 after the default steps on the minimisers it reaches)
NEAR = 1e-9


def _check_setting(d: int, tau: float, alpha: float) -> None:
    if not isinstance(d, int) or d < 2:
        raise ValueError(f"d must be an int >= 2 (a negative needs another latent), got {d!r}")
    if not (isinstance(tau, (int, float)) and tau > 0):
        raise ValueError(f"tau must be a positive number, got {tau!r}")
    if not (isinstance(alpha, (int, float)) and 0 < alpha <= 1):
        raise ValueError(f"alpha must lie in (0, 1], got {alpha!r}")


def limit_distinct(G: torch.Tensor, tau: float, alpha: float) -> torch.Tensor:
    """|B| → ∞ limit of eq. 9 minus log B when negatives have a different latent (reading "distinct")."""
    d = G.shape[-1]
    _check_setting(d, tau, alpha)
    off = ~torch.eye(d, dtype=torch.bool)
    inner = torch.where(off, (1 - alpha) + alpha * torch.exp(tau * G), torch.zeros((), dtype=G.dtype)).sum(-1) / (d - 1)
    diag = torch.diagonal(G, dim1=-2, dim2=-1)
    return (-tau * alpha**2 * diag + alpha * torch.log(inner)).mean(-1)


@lru_cache(maxsize=None)
def distinct_symbolic(d: int = 3) -> dict:
    """SymPy, symbolic τ, α and G (d × d): the bound identity, L(I) = −τα², ∂L/∂G_ii, ∂L/∂G_ij."""
    t, a = sp.symbols("tau alpha", positive=True)
    G = sp.Matrix(d, d, lambda i, j: sp.Symbol(f"g{i}{j}", nonnegative=True))
    inner = [sum(1 - a + a * sp.exp(t * G[i, j]) for j in range(d) if j != i) / (d - 1) for i in range(d)]
    L = sum(-t * a**2 * G[i, i] + a * sp.log(inner[i]) for i in range(d)) / d
    bound = sum(t * a**2 * (1 - G[i, i]) + a * sp.log(inner[i]) for i in range(d)) / d
    identity = sp.simplify(L + t * a**2 - bound) == 0
    at_I = sp.simplify(L.subs({G[i, j]: (1 if i == j else 0) for i in range(d) for j in range(d)}))
    d_ii = sp.simplify(sp.diff(L, G[0, 0]))
    d_ij = sp.simplify(sp.diff(L, G[0, 1]))
    d_ij_claimed = a**2 * t * sp.exp(t * G[0, 1]) / (d * (d - 1) * inner[0])
    # each summand of the bound: 1 − α + αe^{τg} − 1 = α(e^{τg} − 1) ≥ 0 for g ≥ 0 (so its log ≥ 0)
    g = sp.Symbol("g", nonnegative=True)
    summand_minus_one = sp.simplify((1 - a + a * sp.exp(t * g)) - 1 - a * (sp.exp(t * g) - 1))
    return {"d": d, "bound_identity": bool(identity), "loss_at_identity": str(at_I),
            "loss_at_identity_is_minus_tau_alpha2": bool(sp.simplify(at_I + t * a**2) == 0),
            "dL_dGii": str(d_ii), "dL_dGii_is_minus_tau_alpha2_over_d": bool(sp.simplify(d_ii + t * a**2 / d) == 0),
            "dL_dGij": str(d_ij), "dL_dGij_matches_positive_form": bool(sp.simplify(d_ij - d_ij_claimed) == 0),
            "summand_is_one_plus_alpha_expm1": bool(summand_minus_one == 0)}


def _unit_columns_d2(n: int) -> torch.Tensor:
    """All unit-column 2 × 2 W on an n × n grid of angles (θ₁, θ₂) ∈ [0, 2π)², shape (n², 2, 2)."""
    th = torch.arange(n, dtype=torch.float64) * (2 * math.pi / n)
    t1, t2 = torch.meshgrid(th, th, indexing="ij")
    t1, t2 = t1.reshape(-1), t2.reshape(-1)
    return torch.stack([torch.stack([t1.cos(), t2.cos()], -1), torch.stack([t1.sin(), t2.sin()], -1)], -2)


def perm_distance(W: torch.Tensor) -> torch.Tensor:
    """max-abs distance from W (…, d, d) to the nearest permutation matrix (brute force over d! of them)."""
    d = W.shape[-1]
    best = None
    for perm in itertools.permutations(range(d)):
        P = torch.zeros(d, d, dtype=W.dtype)
        P[list(perm), list(range(d))] = 1.0
        dist = (W - P).abs().amax((-1, -2))
        best = dist if best is None else torch.minimum(best, dist)
    return best


def brute_force(loss, d: int, *, grid: int = 180, samples: int = 20000, starts: int = 48, steps: int = 400,
                lr: float = 1.0, seed: int = 0) -> dict:
    """Minimise loss(G) over unit-column W: grid (d = 2) or random search + projected GD (d ≥ 3).

    Returns the smallest value found, the value at W = I, and how far the best points are from a permutation.
    The d = 2 grid (``grid`` angles per column) contains the permutation matrices iff ``grid`` is a multiple of 4
    (the default 180 is the claim's full grid)."""
    f = lambda W: loss(relu_gram(W))  # noqa: E731
    eye = torch.eye(d, dtype=torch.float64)
    out = {"d": d, "loss_at_I": float(f(eye))}
    if d == 2:
        W = _unit_columns_d2(grid)
        L = f(W)
        near = L <= L.min() + NEAR
        out.update(method=f"grid {grid}x{grid} over (theta1, theta2)", n_points=int(L.numel()), best=float(L.min()),
                   n_near_best=int(near.sum()), max_perm_distance_near_best=float(perm_distance(W[near]).max()))
        return out
    g = torch.Generator().manual_seed(seed)
    W = project_unit_columns(torch.randn(samples, d, d, generator=g, dtype=torch.float64))
    L = f(W)
    Wp = minimize_unit_columns(f, d, starts, steps, lr=lr, seed=seed)
    Lp = f(Wp)
    best = float(min(L.min(), Lp.min()))
    near = Lp <= best + NEAR
    out.update(method=f"{samples} random unit-column W + projected GD from {starts} starts", n_points=samples + starts,
               best=best, best_random=float(L.min()), best_pgd=float(Lp.min()), n_near_best=int(near.sum()),
               max_perm_distance_near_best=float(perm_distance(Wp[near]).max()) if bool(near.any()) else float("nan"))
    return out


def _compositions(B: int, parts: int):
    """All tuples of ``parts`` non-negative ints summing to B."""
    if parts == 1:
        yield (B,)
        return
    for k in range(B + 1):
        for rest in _compositions(B - k, parts - 1):
            yield (k,) + rest


def finite_batch_distinct(G: torch.Tensor, B: int, tau: float, alpha: float) -> torch.Tensor:
    """Exact eq. 9 at finite B (reading "distinct"), minus log B; multinomial over the negatives' (latent, mask)."""
    d = G.shape[-1]
    _check_setting(d, tau, alpha)
    if not isinstance(B, int) or B < 1:
        raise ValueError(f"B must be a positive int, got {B!r}")
    # categories of one negative of anchor i: mask off (prob 1 − α), or mask on with latent j ≠ i (α/(d−1) each)
    probs = [1 - alpha] + [alpha / (d - 1)] * (d - 1)
    comps = [c for c in _compositions(B, d) if not any(k and p == 0 for k, p in zip(c, probs))]
    C = torch.tensor(comps, dtype=G.dtype)  # (n_comp, d): counts per category
    logp = torch.tensor([gammaln(B + 1) - sum(gammaln(k + 1) for k in c) + sum(k * math.log(p) for k, p in zip(c, probs) if k)
                         for c in comps], dtype=G.dtype)
    w = torch.exp(logp)  # multinomial probabilities of the count vectors
    total = torch.zeros(G.shape[:-2], dtype=G.dtype)
    for i in range(d):
        others = [j for j in range(d) if j != i]
        Gio = G[..., i, others]  # (…, d−1)
        for av, pa in ((0, 1 - alpha), (1, alpha)):
            for bv, pb in ((0, 1 - alpha), (1, alpha)):
                if pa * pb == 0:
                    continue
                spos = (av * bv * G[..., i, i]).unsqueeze(-1)  # (…, 1)
                terms = torch.cat([torch.exp(-tau * spos), torch.exp(tau * (av * Gio - spos))], -1)  # (…, d)
                s = terms @ C.T  # (…, n_comp): Σ_k e^{τ(S⁻_k − S⁺)} for each count vector
                total = total + pa * pb * (torch.log1p(s) @ w) / d
    return total - math.log(B)


def cosine_gram(W: torch.Tensor) -> torch.Tensor:
    """Gram matrix of the NORMALISED ReLU columns, Ĝ_ij = cos(ReLU(W_{*i}), ReLU(W_{*j})) (a dead column counts as the zero
    vector, F.normalize's convention: cosine 0 with everything, itself included)."""
    U = torch.relu(W)
    U = U / U.norm(dim=-2, keepdim=True).clamp_min(1e-12)
    return U.transpose(-1, -2) @ U


#: a unit-column W that is not a permutation but whose ReLU columns (0.6, 0), (0, 0.8) are orthogonal
W_ORTHOGONAL_RELU = ((0.6, -0.6), (-0.8, 0.8))


def cosine_reading_evidence(tau: float = 5.0, alpha: float = 0.5, grid: int = 72) -> dict:
    """Thm 1(b) if S were the cosine similarity (SimCLR's normalised S) instead of A.16's inner product: the |B| → ∞ limit
    (negatives x′ ≠ x) is limit_distinct(Ĝ), which depends only on the angles between the ReLU columns, so every W whose
    ReLU columns are nonzero and pairwise orthogonal attains the bound −τα² — a 2-d grid of minimisers, not d! points."""
    _check_setting(2, tau, alpha)
    loss = lambda W: limit_distinct(cosine_gram(W), tau, alpha)  # noqa: E731
    Wg = _unit_columns_d2(grid)
    L = loss(Wg)
    near = L <= L.min() + NEAR
    Wp = torch.tensor(W_ORTHOGONAL_RELU, dtype=torch.float64)
    eye = torch.eye(2, dtype=torch.float64)
    return {"tau": tau, "alpha": alpha, "grid": grid, "best": float(L.min()), "loss_at_I": float(loss(eye)),
            "n_near_best": int(near.sum()), "max_perm_distance_near_best": float(perm_distance(Wg[near]).max()),
            "W_prime": [list(r) for r in W_ORTHOGONAL_RELU], "W_prime_unit_columns": bool(torch.allclose(
                Wp.norm(dim=0), torch.ones(2, dtype=torch.float64), rtol=0.0, atol=1e-15)),
            "perm_distance_W_prime": float(perm_distance(Wp)), "cosine_loss_W_prime": float(loss(Wp)),
            "inner_product_loss_W_prime": float(limit_distinct(relu_gram(Wp), tau, alpha))}


def a16_literal_evidence(tau: float = 5.0, alpha: float = 0.5, quick: bool = True) -> dict:
    """A.16 read literally (denominator over j ∈ [d], the j = i term with the positive's mask D₂ⁱ, each j ≠ i with its own
    mask D₂ʲ): A.16 = A.17/d + log(B/d), so brute-force A.17/d (masks enumerated exactly, ``surrogate_a17``): grid for
    d = 2, random search + projected GD (lr 10: reaches the permutations to ~1e-12 in 250 steps) for d = 3."""
    f2 = lambda G: surrogate_a17(G, tau, alpha) / 2  # noqa: E731
    f3 = lambda G: surrogate_a17(G, tau, alpha) / 3  # noqa: E731
    return {"d2": brute_force(f2, 2, grid=72 if quick else 180),
            "d3": brute_force(f3, 3, samples=4000 if quick else 20000, starts=16 if quick else 48, steps=250, lr=10.0)}


def readings_evidence(tau: float = 5.0, alpha: float = 0.5, quick: bool = True) -> dict:
    """Both readings at (τ, α) = (5, ½), where they disagree: value at I, best found, distance to a permutation."""
    lim_d = lambda G: limit_distinct(G, tau, alpha)  # noqa: E731
    lim_i = lambda G: limit_eq9(G, tau, alpha)  # noqa: E731
    eye2 = torch.eye(2, dtype=torch.float64)
    fin_B = 4
    grid = 72 if quick else 180  # multiples of 4: the permutation matrices lie on the grid
    Wg = _unit_columns_d2(grid)
    fin = finite_batch_distinct(relu_gram(Wg), fin_B, tau, alpha)
    near = fin <= fin.min() + NEAR
    return {
        "tau": tau, "alpha": alpha, "bound": -tau * alpha**2,
        "distinct": {"d2": brute_force(lim_d, 2, grid=grid),
                     "d3": brute_force(lim_d, 3, samples=4000 if quick else 20000, starts=16 if quick else 48,
                                       steps=250 if quick else 400),
                     "finite_B": {"B": fin_B, "grid": grid, "loss_at_I": float(finite_batch_distinct(eye2, fin_B, tau, alpha)),
                                  "best": float(fin.min()), "n_near_best": int(near.sum()),
                                  "max_perm_distance_near_best": float(perm_distance(Wg[near]).max())}},
        "iid": {"d2": brute_force(lim_i, 2, grid=grid)},
        "condition_e_tau_1_minus_alpha_le_d_minus_alpha": {str(d): bool(math.exp(tau) * (1 - alpha) <= d - alpha)
                                                           for d in (2, 3)},
    }
