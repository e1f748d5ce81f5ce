"""Batch normalization near and at collapse (foundations note, "Batch Normalization as Implicit
Contrastive Signal", consequences 1 and 3, and Exercise 4).

One feature j over a batch of N: ẑ_b = γ(z_b − μ)/√(v + ε) + β with μ = mean_b z_b and the *biased*
batch variance v = (1/N)Σ(z_b − μ)² (as torch.nn.BatchNorm1d in training mode).

Derived here with SymPy (N = 2..``nmax`` with symbolic z, γ, β, ε):

* Jacobian  ∂ẑ_b/∂z_c = γ/√(v+ε) · [δ_bc − 1/N − (z_b − μ)(z_c − μ)/(N(v + ε))];
* batch variance of the output  Var_b(ẑ) = γ² v/(v + ε)  (= γ² only for ε = 0 and v > 0; → 0 at
  collapse when ε > 0);
* at exact collapse (all z_b = c): ∂ẑ_b/∂z_b = γ(1 − 1/N)/√ε, the Jacobian is γ/√ε (I − 11ᵀ/N);
* near collapse z_b = c + σu_b (u centred, mean u² = 1 so v = σ²):
  ∂ẑ_b/∂z_b = γ/√(σ² + ε) · [1 − 1/N − u_b² σ²/(N(σ² + ε))]; for ε = 0 this is exactly
  γ(1 − 1/N − u_b²/N)/σ — the u_b²/N term is of the same order as the kept 1/N; its batch mean is
  γ(1 − 2/N)/σ, and for N = 2 it is exactly 0. For ε > 0 it saturates at γ(1 − 1/N)/√ε as σ → 0.
* ``as_defined``: the note's own BN (σ_j = √((1/N)Σ(z − μ)²), *no* ε): Var_b(ẑ) = γ² exactly whenever
  σ_j > 0, and the Jacobian annihilates both 1 and z − μ (ẑ is invariant to shifting and scaling the
  batch), so at ε = 0 the O(1/σ) Jacobian has no component along the direction that changes σ.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp

from sslverify.numerics.validation import check_int, check_nonnegative

GAMMA, EPS, SIGMA = sp.symbols("gamma epsilon sigma", positive=True)
BETA, CC = sp.symbols("beta c", real=True)


def check_bn_inputs(n=None, eps=None, sigma=None) -> None:
    """Batch size N ≥ 2, ε ≥ 0, σ ≥ 0 (ValueError names the parameter)."""
    if n is not None:
        check_int(n, "batch_size", 2)
        if not isinstance(n, (int, np.integer)):  # the symbolic batch z1..zN needs a Python int, not 2.0
            raise ValueError(f"batch_size must be an integer >= 2, got {n!r}")
    if eps is not None:
        check_nonnegative(eps, "eps")
    if sigma is not None:
        check_nonnegative(sigma, "sigma")


def _bn(z, eps):
    n = len(z)
    mu = sp.Add(*z) / n
    v = sp.Add(*[(x - mu) ** 2 for x in z]) / n
    return [GAMMA * (x - mu) / sp.sqrt(v + eps) + BETA for x in z], mu, v


def _directional_derivative_vanishes(z, w) -> bool:
    """Whether J·w = d/dt ẑ(z + t·w)|_{t=0} is 0 for the ε = 0 map, for every output.

    The derivative carries powers of √v (v the batch variance of z); multiplying by (√v)³ clears them
    (SymPy combines powers of the same base), leaving a polynomial in z that ``cancel`` reduces to 0
    exactly when the product vanishes identically."""
    t = sp.Dummy("t", real=True)  # a Dummy: cannot clash with a symbol of z or w
    out, _, v = _bn([x + t * wx for x, wx in zip(z, w)], 0)
    return all(sp.cancel(sp.diff(o, t).subs(t, 0) * sp.sqrt(v) ** 3) == 0 for o in out)


ROOT = sp.Symbol("S", positive=True)  # stands for √(v + ε) after differentiation


@lru_cache(maxsize=None, typed=True)  # typed: 2.0 must reach the int check, not 2's cached result
def bn_derivations(n: int) -> dict:
    """All BN facts for batch size n, symbolically (ε kept).

    After differentiating, √(v + ε) is replaced by a symbol S (and v + ε by S² in the closed form),
    so the residual J − J_closed is a rational function that ``cancel`` reduces to 0 exactly.
    """
    check_bn_inputs(n=n)
    z = sp.symbols(f"z1:{n + 1}", real=True)
    out, mu, v = _bn(z, EPS)
    root = sp.sqrt(v + EPS)
    J = sp.Matrix(n, n, lambda b, c: sp.diff(out[b], z[c]).subs(root, ROOT))
    Jc = sp.Matrix(n, n, lambda b, c: GAMMA / ROOT * (
        (1 if b == c else 0) - sp.Rational(1, n) - (z[b] - mu) * (z[c] - mu) / (n * ROOT**2)))
    jac_ok = (J - Jc).applyfunc(sp.cancel) == sp.zeros(n, n) and not J.has(EPS)
    mean_out = sp.Add(*out) / n
    var_out = (sp.Add(*[(o - mean_out) ** 2 for o in out]) / n).subs(root, ROOT)
    var_ok = sp.cancel(var_out - GAMMA**2 * v / ROOT**2) == 0  # = γ² v/(v + ε)
    # exact collapse: every z_b = c (then v = 0 and √(v + ε) = √ε)
    coll = {x: CC for x in z}
    J0 = sp.Matrix(n, n, lambda b, c: sp.diff(out[b], z[c]).subs(coll))
    collapse_diag = sp.simplify(J0[0, 0])
    collapse_ok = sp.simplify(collapse_diag - GAMMA / sp.sqrt(EPS) * (1 - sp.Rational(1, n))) == 0
    proj_ok = (J0 - GAMMA / sp.sqrt(EPS) * (sp.eye(n) - sp.ones(n, n) / n)).applyfunc(sp.simplify) == sp.zeros(n, n)
    out_at_collapse = [sp.simplify(o.subs(coll)) for o in out]
    return {"jacobian_ok": bool(jac_ok), "variance_ok": bool(var_ok),
            "collapse_diag": collapse_diag, "collapse_ok": bool(collapse_ok), "collapse_projection": bool(proj_ok),
            "output_at_collapse_is_beta": all(o == BETA for o in out_at_collapse)}


def output_variance(v, eps, gamma=GAMMA):
    """Var_b(ẑ) = γ² v/(v + ε) (biased batch variance of the BN output)."""
    return gamma**2 * v / (v + eps)


@lru_cache(maxsize=None, typed=True)  # typed: 2.0 must reach the int check, not 2's cached result
def near_collapse(n: int) -> dict:
    """Diagonal Jacobian at z_b = c + σu_b (Σu = 0, mean u² = 1 so μ = c, v = σ²) from the closed form."""
    check_bn_inputs(n=n)
    ub = sp.Symbol("u_b", real=True)
    # closed form (proved in bn_derivations) with z_b − μ = σu_b, v = σ²
    derived = GAMMA / sp.sqrt(SIGMA**2 + EPS) * (1 - sp.Rational(1, n) - (SIGMA * ub) ** 2 / (n * (SIGMA**2 + EPS)))
    eps0 = sp.simplify(derived.subs(EPS, 0))
    note = GAMMA * (1 - sp.Rational(1, n)) / SIGMA
    return {"exact_diag": derived, "eps0_diag": eps0, "note_diag": note,
            "eps0_minus_note": sp.simplify(eps0 - note),
            "batch_mean_eps0": sp.simplify(eps0.subs(ub**2, 1)),
            "small_sigma_limit": sp.limit(derived, SIGMA, 0, "+"),
            "large_sigma_order": sp.limit(derived * SIGMA, SIGMA, sp.oo),
            "series_in_eps": sp.expand(sp.series(derived, EPS, 0, 2).removeO()), "u_b": ub}


def bn_diag_numeric(z: np.ndarray, gamma: float, eps: float) -> np.ndarray:
    """Closed-form ∂ẑ_b/∂z_b for a batch z of shape (N, K) (columns are independent features)."""
    z = np.asarray(z, dtype=np.float64)
    check_bn_inputs(n=z.shape[0], eps=eps)
    n = z.shape[0]
    mu = z.mean(0, keepdims=True)
    v = ((z - mu) ** 2).mean(0, keepdims=True)
    return gamma / np.sqrt(v + eps) * (1 - 1 / n - (z - mu) ** 2 / (n * (v + eps)))


@lru_cache(maxsize=None, typed=True)  # typed: 2.0 must reach the int check, not 2's cached result
def as_defined(n: int) -> dict:
    """The note's BN without ε, batch size n (symbolic z): output variance, and J·1, J·(z − μ).

    J·w is the derivative of ẑ(z + t·w) in t at t = 0 (chain rule), taken of the BN map itself
    (``_directional_derivative_vanishes``); for w = 1 (shift) and w = z − μ (scale) both vanish at
    ε = 0.  With ε > 0 the scale product is γε(z − μ)/(v + ε)^{3/2} ≠ 0 (from the closed form Jacobian
    of ``bn_derivations``, with √(v + ε) kept as the symbol S)."""
    check_bn_inputs(n=n)
    z = sp.symbols(f"z1:{n + 1}", real=True)
    out, mu, v = _bn(z, 0)
    mean_out = sp.Add(*out) / n
    var_out = sp.Add(*[(o - mean_out) ** 2 for o in out]) / n
    # (z − μ)/√v squared is (z − μ)²/v: a rational function of z, cancel reduces var_out − γ² to 0
    var_residual = sp.cancel(sp.together(var_out - GAMMA**2))
    kills_ones = _directional_derivative_vanishes(z, [sp.Integer(1)] * n)
    kills_centred = _directional_derivative_vanishes(z, [x - mu for x in z])
    R2 = sp.Symbol("R2", positive=True)  # S² = v + ε
    rows = [sum(((1 if b == c else 0) - sp.Rational(1, n) - (z[b] - mu) * (z[c] - mu) / (n * R2)) * (z[c] - mu)
                for c in range(n)) for b in range(n)]  # (S/γ)·(J·(z − μ)) from the closed form
    eps_ok = all(sp.cancel(r.subs(R2, v + EPS) - (z[b] - mu) * EPS / (v + EPS)) == 0 for b, r in enumerate(rows))
    return {"variance_residual": str(var_residual), "jacobian_kills_ones": bool(kills_ones),
            "jacobian_kills_centred": bool(kills_centred), "eps_product_is_gamma_eps_over_root3": bool(eps_ok)}
