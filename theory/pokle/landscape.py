"""Thm 1 of Pokle et al. (002, §5.1, App. A.1): landscapes over unit-column W, d = p = m, M = I,
σ₀ = 0, 1-sparse latents z = e_j (j uniform), independent masks D₁, D₂ ~ diag(Bernoulli(α)).

Derived here (not copied):

* (a) with x = e_j, ReLU(WD₁e_j) = D₁,jj ReLU(W_{*j}), so exactly (enumerating the masks)
  L_nonCL(W, W) = 2 − (2α²/d) Σ_ij ReLU(W_ij)²; with w² = ReLU(w)² + ReLU(−w)² and unit columns,
  L − (2 − 2α²) = (2α²/d) Σ_ij ReLU(−W_ij)² ≥ 0: the minimisers are exactly U_≥ (W ≥ 0).
* (b) with u_i = ReLU(W_{*i}), G = [⟨u_i, u_j⟩] (G_ij ≥ 0, G_ii ≤ 1), the surrogate A.17 is
  L̃(G) = Σ_i E_{a, b}[−τ a b_i G_ii + log Σ_j exp(τ a b_j G_ij)] (a, b_j ~ Bernoulli(α)); it is strictly
  decreasing in every G_ii and strictly increasing in every G_ij (i ≠ j), so its minimisers over U
  are G = I: unit non-negative pairwise-orthogonal columns = permutation matrices.
* A.17 is not the |B| → ∞ limit of eq. 9.  Under the source's definition of negatives (x′ ≠ x, a
  different latent) the limit still has the permutations as its only minimisers (``negatives``).  If
  instead negatives are drawn i.i.d. from the data (a negative can share the anchor's latent, with its
  own mask D₃ — ``limit_eq9``), the limit is L∞ = E[log E_{x'} e^{τS⁻}] − τ E[S⁺] (+ log B) =
  (1/d) Σ_i [−τα² G_ii + α log((1/d) Σ_j (1 − α + α e^{τG_ij}))]; ∂L∞/∂G_ii at G_ij = 0 (i ≠ j) is
  τα²(e^{τg}(1 − α) − (d − α))/(d − α + αe^{τg}), positive near g = 1 when e^τ(1 − α) > d − α:
  then the minimisers have ‖ReLU(W_{*i})‖² = g* = log((d − α)/(1 − α))/τ < 1, not permutations.
"""
from __future__ import annotations

import itertools
from functools import lru_cache

import numpy as np
import sympy as sp
import torch
from scipy.stats import binom


def relu(w):
    return sp.Max(w, 0)


@lru_cache(maxsize=None)
def relu_square_split() -> bool:
    """w² = ReLU(w)² + ReLU(−w)² for real w (checked on both signs with sign-assumed symbols)."""
    wp, wn = sp.Symbol("w", positive=True), sp.Symbol("w", negative=True)
    w0 = sp.Integer(0)
    return all(sp.simplify(relu(w) ** 2 + relu(-w) ** 2 - w**2) == 0 for w in (wp, wn, w0))


@lru_cache(maxsize=None)
def noncl_loss_exact(d: int):
    """Eq. 6 with Wᵒ = Wᵗ = W, expectation enumerated over j and all 2^d × 2^d masks (symbolic α)."""
    a = sp.Symbol("alpha", positive=True)
    W = sp.Matrix(d, d, lambda i, j: sp.Symbol(f"w{i}{j}", real=True))
    masks = list(itertools.product((0, 1), repeat=d))
    prob = lambda m: sp.Mul(*[a if v else 1 - a for v in m])  # noqa: E731
    total = 0
    for j in range(d):
        e = sp.Matrix([1 if k == j else 0 for k in range(d)])
        for m1 in masks:
            for m2 in masks:
                h1 = (W * sp.diag(*m1) * e).applyfunc(relu)
                h2 = (W * sp.diag(*m2) * e).applyfunc(relu)
                total += prob(m1) * prob(m2) * (h1.T * h2)[0, 0]
    L = 2 - 2 * total / d
    closed = 2 - 2 * a**2 / d * sum(relu(W[i, j]) ** 2 for i in range(d) for j in range(d))
    return W, a, sp.expand(L), closed


def thm1a_symbolic(d: int) -> dict:
    """(a): exact loss = closed form; gap to 2 − 2α² is (2α²/d)ΣReLU(−W_ij)² on unit columns."""
    W, a, L, closed = noncl_loss_exact(d)
    closed_ok = sp.simplify(sp.expand(L - closed)) == 0
    # on unit columns Σ_i W_ij² = 1: replace Σ ReLU(W)² by 1 − Σ ReLU(−W)² column-wise (split identity)
    gap = 2 * a**2 / d * sum(relu(-W[i, j]) ** 2 for i in range(d) for j in range(d))
    unit_sub = 2 - 2 * a**2 / d * sum(1 - sum(relu(-W[i, j]) ** 2 for i in range(d)) for j in range(d))
    gap_ok = sp.simplify(unit_sub - (2 - 2 * a**2) - gap) == 0
    # non-negative W: the loss is exactly 2 − 2α² (positive symbols)
    Wp = {W[i, j]: sp.Symbol(f"q{i}{j}", positive=True) for i in range(d) for j in range(d)}
    cols = {Wp[W[0, j]]: sp.sqrt(1 - sum(Wp[W[i, j]] ** 2 for i in range(1, d))) for j in range(d)}
    at_nonneg = sp.simplify(closed.subs(Wp).subs(cols))
    return {"exact_equals_closed_form": bool(closed_ok), "relu_split": relu_square_split(),
            "gap_identity": bool(gap_ok), "loss_on_nonnegative_unit_W": str(at_nonneg),
            "nonneg_is_minimum": sp.simplify(at_nonneg - (2 - 2 * a**2)) == 0}


def noncl_loss_enumerated(W: torch.Tensor, alpha: float) -> torch.Tensor:
    """Eq. 6 with Wᵒ = Wᵗ = W (…, d, d), x = e_j uniform, every mask pair enumerated in float64 (no SymPy)."""
    d = W.shape[-1]
    masks = torch.tensor(list(itertools.product((0.0, 1.0), repeat=d)), dtype=W.dtype)  # (2^d, d)
    pm = (alpha ** masks.sum(1)) * ((1 - alpha) ** (d - masks.sum(1)))
    # ReLU(W D e_j) = D_jj ReLU(W_{*j}) is NOT assumed: build D e_j and apply W explicitly
    total = torch.zeros(W.shape[:-2], dtype=W.dtype)
    for j in range(d):
        v = masks[:, j:j + 1] * torch.nn.functional.one_hot(torch.tensor(j), d).to(W.dtype)  # (2^d, d): D e_j
        h = torch.relu(torch.einsum("...ik,mk->...mi", W, v))  # (…, 2^d, d)
        inner = torch.einsum("...ai,...bi->...ab", h, h)  # all mask pairs
        total = total + torch.einsum("a,b,...ab->...", pm, pm, inner)
    return 2 - 2 * total / d


def thm1a_enumerated(d: int = 3, alpha: float = 0.5, n: int = 200, seed: int = 0) -> dict:
    """Second method for (a): exact mask enumeration in float64 at random W vs the closed form, at random
    non-negative unit-column W (value 2 − 2α²) and at unit-column W with a negative entry (value above it)."""
    g = torch.Generator().manual_seed(seed)
    W = torch.randn(n, d, d, generator=g, dtype=torch.float64)
    closed = 2 - 2 * alpha**2 / d * (torch.relu(W) ** 2).sum((-1, -2))
    Wpos = project_unit_columns(torch.rand(n, d, d, generator=g, dtype=torch.float64))
    Wneg = project_unit_columns(W)
    has_neg = (Wneg < 0).any(-1).any(-1)
    return {"d": d, "alpha": alpha, "n": n,
            "max_abs_closed_form_error": float((noncl_loss_enumerated(W, alpha) - closed).abs().max()),
            "max_abs_gap_nonnegative": float((noncl_loss_enumerated(Wpos, alpha) - (2 - 2 * alpha**2)).abs().max()),
            "min_gap_with_negative_entry": float((noncl_loss_enumerated(Wneg[has_neg], alpha) - (2 - 2 * alpha**2)).min()),
            "n_with_negative_entry": int(has_neg.sum())}


# ----------------------------------------------------------------------------- (b)
def surrogate_a17(G: torch.Tensor, tau: float, alpha: float) -> torch.Tensor:
    """L̃_CL (A.17) as a function of the ReLU Gram matrix G (…, d, d), masks enumerated exactly.

    All 2^d masks b (b_j: mask of sample j's second view, the a = 1 case) at once: row i of the logits
    is τ b_j G_ij, and each mask is weighted by its probability Π α^{b_j}(1 − α)^{1 − b_j}."""
    d = G.shape[-1]
    bits = torch.tensor(list(itertools.product((0, 1), repeat=d)), dtype=G.dtype)  # (2^d, d)
    pb = torch.where(bits > 0, torch.full_like(bits, alpha), torch.full_like(bits, 1 - alpha)).prod(-1)  # (2^d,)
    logits = tau * G.unsqueeze(-3) * bits.unsqueeze(-2)  # (…, 2^d, d, d)
    term = torch.logsumexp(logits, -1) - tau * torch.diagonal(G, dim1=-2, dim2=-1).unsqueeze(-2) * bits
    return alpha * (term.sum(-1) * pb).sum(-1) + (1 - alpha) * d * np.log(d)  # a = 0: every similarity is 0


def limit_eq9(G: torch.Tensor, tau: float, alpha: float) -> torch.Tensor:
    """|B| → ∞ limit of eq. 9 minus log B (negatives i.i.d. from the data, own masks)."""
    d = G.shape[-1]
    diag = torch.diagonal(G, dim1=-2, dim2=-1)
    inner = ((1 - alpha) + alpha * torch.exp(tau * G)).mean(-1)
    return (-tau * alpha**2 * diag + alpha * torch.log(inner)).mean(-1)


def relu_gram(W: torch.Tensor) -> torch.Tensor:
    U = torch.relu(W)
    return U.transpose(-1, -2) @ U


@lru_cache(maxsize=None)
def a17_monotonicity(d: int = 2) -> dict:
    """Symbolic partial derivatives of A.17 in G for d = 2: signs for τ > 0, α ∈ (0, 1)."""
    t, a = sp.symbols("tau alpha", positive=True)
    G = sp.Matrix(d, d, lambda i, j: sp.Symbol(f"g{min(i, j)}{max(i, j)}", nonnegative=True))
    L = 0
    for bits in itertools.product((0, 1), repeat=d):
        pb = sp.Mul(*[a if v else 1 - a for v in bits])
        for i in range(d):
            L += a * pb * (-t * bits[i] * G[i, i] + sp.log(sum(sp.exp(t * bits[j] * G[i, j]) for j in range(d))))
    dgii = sp.simplify(sp.diff(L, G[0, 0]))
    dgij = sp.simplify(sp.diff(L, G[0, 1]))
    # each is a sum of a·p_b·τ·(softmax − indicator) terms: check sign on a grid of the free symbols
    f_ii = sp.lambdify((t, a, *sorted(G.free_symbols, key=str)), dgii, "numpy")
    f_ij = sp.lambdify((t, a, *sorted(G.free_symbols, key=str)), dgij, "numpy")
    rng = np.random.default_rng(0)
    pts = np.column_stack([rng.uniform(0.01, 20, 4000), rng.uniform(0.01, 0.999, 4000), rng.uniform(0, 1, (4000, 3))])
    return {"dL_dGii": str(dgii), "dL_dGij": str(dgij), "dGii_negative": bool(np.all(f_ii(*pts.T) < 0)),
            "dGij_positive": bool(np.all(f_ij(*pts.T) > 0))}


@lru_cache(maxsize=None)
def limit_derivative() -> dict:
    """∂L∞/∂G_ii at G_ij = 0 (i ≠ j): sign change at e^{τg}(1 − α) = d − α (symbolic d)."""
    t, a, g, d = sp.symbols("tau alpha g d", positive=True)
    term = -t * a**2 * g + a * sp.log((1 - a + a * sp.exp(t * g) + (d - 1)) / d)
    der = sp.simplify(sp.diff(term, g))
    claimed = t * a**2 * (sp.exp(t * g) * (1 - a) - (d - a)) / (d - a + a * sp.exp(t * g))
    gstar = sp.log((d - a) / (1 - a)) / t
    return {"derivative": der, "matches_closed_form": sp.simplify(der - claimed) == 0,
            "g_star": gstar, "derivative_zero_at_g_star": sp.simplify(der.subs(g, gstar)) == 0}


def finite_batch_loss_identity(B: int, tau: float, alpha: float, d: int) -> float:
    """Eq. 9 exactly at finite B for W = I (negatives i.i.d. 1-sparse with own masks), minus log(1 + B).

    W = −I gives every S = 0, i.e. exactly log(1 + B); a positive return value means W = −I (an
    all-dead, non-permutation W) has a lower eq.-9 loss than every permutation matrix."""
    # given the anchor's mask a and positive mask b: S⁺ = ab, a negative contributes e^{τa} iff it has the
    # anchor's latent and its mask is on (prob α/d), else e^0 = 1: N ~ Binomial(B, α/d).
    k = np.arange(B + 1)
    pmf = binom.pmf(k, B, alpha / d)
    total = 0.0
    for av, pa in ((0, 1 - alpha), (1, alpha)):
        for bv, pb in ((0, 1 - alpha), (1, alpha)):
            spos = av * bv
            val = np.log1p(np.exp(-tau * spos) * ((B - k) + k * np.exp(tau * av)))
            total += pa * pb * float(pmf @ val)
    return total - float(np.log1p(B))


def project_unit_columns(W: torch.Tensor) -> torch.Tensor:
    return W / W.norm(dim=-2, keepdim=True).clamp_min(1e-12)


def minimize_unit_columns(loss_fn, d: int, starts: int, steps: int, lr: float, seed: int) -> torch.Tensor:
    """Projected gradient descent over unit-column W from ``starts`` Gaussian starts (batched)."""
    g = torch.Generator().manual_seed(seed)
    W = project_unit_columns(torch.randn(starts, d, d, generator=g, dtype=torch.float64))
    for _ in range(steps):
        W.requires_grad_(True)
        (gr,) = torch.autograd.grad(loss_fn(W).sum(), W)
        with torch.no_grad():
            W = project_unit_columns(W - lr * gr)
    return W.detach()


def is_permutation(W: torch.Tensor, tol: float) -> torch.Tensor:
    """Every column within tol (max-abs) of a distinct standard basis vector."""
    r = W.abs().argmax(-2)
    P = torch.nn.functional.one_hot(r, W.shape[-1]).transpose(-1, -2).to(W.dtype)
    distinct = torch.tensor([len(set(row.tolist())) == W.shape[-1] for row in r])
    return ((W - P).abs().amax((-1, -2)) <= tol) & distinct


def brute_max_cosine(W: np.ndarray, M: np.ndarray) -> list[float]:
    """Loop implementation of eq. 12 (reference for max_cosine)."""
    vals = []
    for j in range(M.shape[1]):
        mj = M[:, j] / np.linalg.norm(M[:, j])
        vals.append(max(abs(W[i] @ mj) / np.linalg.norm(W[i]) for i in range(W.shape[0])))
    return [max(vals), float(np.median(vals)), min(vals)]
