"""Collapse and effective ranks (foundations note, "The Geometry of Collapse", Prop 1, Exercise 1).

Conventions (explicit, used by the checks and tests):

* Σ = (1/N) ZᵀZ − z̄z̄ᵀ is the *biased, centered* covariance of the N × d embedding matrix Z;
  ``numerics.ssl_metrics.centered_covariance`` computes it.  Its eigenvalues λ_i are the squared
  singular values of the centered Z divided by N (eigenvalues, not singular values).
* srank(Σ) = (Σλ)²/Σλ² (``numerics.metrics.stable_rank``), erank(Σ) = exp(−Σ p log p),
  p = λ/Σλ, 0 log 0 = 0 (``numerics.metrics.entropy_rank``).  Both are undefined (0/0) at Σ = 0.
* No ε regularisation: the limit statement of Exercise 1 is an exact SymPy limit.

Derived here (never copied from the note):

* ``covariance_is_sum_of_outer_products``: (1/N)ZᵀZ − z̄z̄ᵀ = (1/N)Σ_b (z_b − z̄)(z_b − z̄)ᵀ, so Σ
  is PSD and rank Σ ≤ min(d, N − 1) — identical embeddings give Σ = 0 (rank 0, not 1).
* ``srank_bound_identities``: d Σλ² − (Σλ)² = ½Σ_{i,j}(λ_i − λ_j)² and (Σλ)² − Σλ² = 2Σ_{i<j}λ_iλ_j,
  exact for every d up to ``dmax``: the bounds [1, d] and both equality cases.
* ``erank_bound_facts``: log d − H(p) = Σ p_i log(d p_i) (given Σp = 1) and log x ≤ x − 1 with
  equality only at x = 1 (Gibbs), so H ∈ [0, log d] with the same equality cases.
* ``srank_limit``: scale invariance and lim_{ε→0} srank(diag(λ₁, ε, …, ε)) = 1 for symbolic d.
"""
from __future__ import annotations

from functools import lru_cache

import sympy as sp

LAM1, EPS, ALPHA = sp.symbols("lambda_1 epsilon alpha", positive=True)
D = sp.Symbol("d", integer=True, positive=True)


def srank_expr(lams) -> sp.Expr:
    """(Σλ)² / Σλ² (note, "Stable rank")."""
    return sp.Add(*lams) ** 2 / sp.Add(*[lam**2 for lam in lams])


@lru_cache(maxsize=None)
def covariance_is_sum_of_outer_products(n: int, d: int) -> bool:
    """(1/N)ZᵀZ − z̄z̄ᵀ − (1/N)Σ_b (z_b − z̄)(z_b − z̄)ᵀ simplifies to 0 for symbolic Z (N×d)."""
    if n < 1 or d < 1:
        raise ValueError(f"n and d must be >= 1, got n={n}, d={d}")
    Z = sp.Matrix(n, d, lambda b, j: sp.Symbol(f"z_{b}_{j}", real=True))
    zbar = sp.Matrix([[sum(Z[b, j] for b in range(n)) / n for j in range(d)]])
    sigma = Z.T * Z / n - zbar.T * zbar
    centered = Z - sp.ones(n, 1) * zbar
    alt = sum((centered[b, :].T * centered[b, :] for b in range(n)), sp.zeros(d, d)) / n
    return (sigma - alt).applyfunc(sp.expand) == sp.zeros(d, d)


@lru_cache(maxsize=None)
def srank_bound_identities(dmax: int = 6) -> dict:
    """For d = 1..dmax: the two sum-of-squares identities behind 1 ≤ srank ≤ d, checked exactly."""
    out = {}
    for d in range(1, dmax + 1):
        lam = sp.symbols(f"l1:{d + 1}", nonnegative=True)
        s1, s2 = sp.Add(*lam), sp.Add(*[x**2 for x in lam])
        upper = sp.expand(d * s2 - s1**2 - sp.Rational(1, 2) * sum((a - b) ** 2 for a in lam for b in lam))
        lower = sp.expand(s1**2 - s2 - 2 * sum(lam[i] * lam[j] for i in range(d) for j in range(i + 1, d)))
        out[d] = (upper == 0, lower == 0)
    return out


def gibbs_log_inequality() -> dict:
    """f(x) = x − 1 − log x ≥ 0 on x > 0, with f = 0 only at x = 1 (critical point + convexity)."""
    x = sp.Symbol("x", positive=True)
    f = x - 1 - sp.log(x)
    crit = sp.solve(sp.diff(f, x), x)
    convex = sp.simplify(sp.diff(f, x, 2)).is_positive
    return {"critical_points": [str(c) for c in crit], "value_at_1": sp.simplify(f.subs(x, 1)) == 0,
            "strictly_convex": bool(convex), "ok": crit == [1] and bool(convex) and f.subs(x, 1) == 0}


@lru_cache(maxsize=None)
def erank_bound_facts(dmax: int = 5) -> dict:
    """log d − H(p) = Σ p_i log(d p_i) with p_d = 1 − Σ_{i<d} p_i, exactly, d = 2..dmax."""
    out = {}
    for d in range(2, dmax + 1):
        p = list(sp.symbols(f"p1:{d}", positive=True))
        p.append(1 - sp.Add(*p))
        H = -sp.Add(*[q * sp.log(q) for q in p])
        kl = sp.Add(*[q * (sp.log(d) + sp.log(q)) for q in p])
        out[d] = sp.simplify(sp.expand(sp.log(d) - H - kl)) == 0
    return out


@lru_cache(maxsize=None)
def srank_limit() -> dict:
    """Exercise 1: scale invariance (symbolic spectrum, d = 1..6) and the ε → 0 limit for symbolic d."""
    scale_ok = all(
        sp.simplify(srank_expr([ALPHA * x for x in lam]) - srank_expr(lam)) == 0
        for d in range(1, 7) for lam in [sp.symbols(f"l1:{d + 1}", positive=True)])
    expr = (LAM1 + (D - 1) * EPS) ** 2 / (LAM1**2 + (D - 1) * EPS**2)
    lim = sp.limit(expr, EPS, 0, "+")
    slope = sp.simplify(sp.diff(expr, EPS).subs(EPS, 0))
    # the closed form agrees with the definition for every concrete d = 1..6
    closed_ok = all(sp.simplify(srank_expr([LAM1] + [EPS] * (d - 1)) - expr.subs(D, d)) == 0 for d in range(1, 7))
    return {"scale_invariant": bool(scale_ok), "limit": lim, "closed_form_ok": bool(closed_ok),
            "first_order_slope": slope}
