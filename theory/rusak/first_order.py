"""First-order (small-W) expected gradient of eq. 4, derived symbolically from the loss itself.

Second method for rusak.lemma5 / lemma7 / prop2 / prop3 / temperature-sign: the autograd Monte Carlo
of :mod:`sslverify.theory.rusak.dynamics` found the corrections; here SymPy differentiates eq. 4 (one
sum over the N = M + 1 anchors of a batch, per-output temperatures τ_k, Gaussian kernel
exp(−Σ_k Δ_k²/(2τ_k))) with fully symbolic W, data and temperatures, keeps the term linear in W
(d/dt of ∂L/∂W at W = tW₀, t = 0) and takes the expectation exactly by moment substitution:

    x_i = μ + u_i,  x~_i = x_i + e_i,  u_i iid (mean 0, cov S),  e_i iid (mean 0, cov C), u ⟂ e,

so Σ_x = S and the source's Σ_x~ := E(x − x~)(x − x~)ᵀ = C.  No sampling, no autograd.

Result (checked for d = 2, N = 2 and N = 3, symbolic S, C, W₀, μ, τ):

    full gradient:        −E ∂L/∂W = M T⁻¹ W (2S − C)
    detached negatives:   −E ∂L/∂W = M T⁻¹ W (S − C)        (the source's eq. 5 has M + 1)

and μ drops out (the source's eq. 11–12 drop E x_j x_iᵀ = μμᵀ; the exact computation centres anyway).
:func:`first_order_rates` evaluates the derived flow in exact rationals at W = ε A⁻¹ (lemma 7, prop. 2,
prop. 3 numbers).
"""
from __future__ import annotations

import itertools
from functools import lru_cache

import sympy as sp

FRACTION_LIMIT = 10**6


def _vec(name: str, d: int) -> sp.Matrix:
    return sp.Matrix(d, 1, lambda a, _: sp.Symbol(f"{name}{a}", real=True))


def _sym_matrix(name: str, d: int) -> sp.Matrix:
    return sp.Matrix(d, d, lambda a, b: sp.Symbol(f"{name}{min(a, b)}{max(a, b)}", real=True))


@lru_cache(maxsize=None)
def expected_first_order_gradient(d: int = 2, N: int = 3, detach_negatives: bool = False) -> dict:
    """Exact E[first-order term of ∂L/∂W] for eq. 4 (one sum), as SymPy matrices.

    Returns {"neg_grad": −E[d/dt ∂L/∂W(tW₀)]_{t=0} (d×d, in W₀, S, C, τ, μ), "W0", "S", "C", "tau", "mu",
    "M": N − 1}.  ``detach_negatives``: the negatives z_j = W x_j are held constant (the source's eq. 7).
    """
    if d < 1 or N < 2:
        raise ValueError(f"need d >= 1 and N >= 2 (one anchor and one negative), got d={d}, N={N}")
    W = sp.Matrix(d, d, lambda a, b: sp.Symbol(f"w{a}{b}", real=True))
    V = sp.Matrix(d, d, lambda a, b: sp.Symbol(f"v{a}{b}", real=True))  # copy of W for detached negatives
    tau = [sp.Symbol(f"tau{k}", positive=True) for k in range(d)]
    mu = _vec("mu", d)
    u = [_vec(f"u{i}_", d) for i in range(N)]
    e = [_vec(f"e{i}_", d) for i in range(N)]
    x = [mu + u[i] for i in range(N)]
    xt = [x[i] + e[i] for i in range(N)]

    def sq(v):  # Σ_k v_k² / (2 τ_k)
        return sum(v[k] ** 2 / (2 * tau[k]) for k in range(d))

    # a_i = ‖T^{-1/2} W Δ~_i‖²/2 and b_ij = ‖T^{-1/2}(W x_i − V x_j)‖²/2 are exactly quadratic in (W, V), so
    # the quadratic term L₂ of L's Taylor series in W is the ε-linear term of L(ε a, ε b), computed with
    # scalar symbols a_i, b_ij (exact chain rule) and then expressed in W, V.
    eps = sp.Symbol("epsilon", positive=True)
    a_s = [sp.Symbol(f"a{i}") for i in range(N)]
    b_s = {(i, j): sp.Symbol(f"b{i}_{j}") for i in range(N) for j in range(N) if j != i}
    L = sum(eps * a_s[i] + sp.log(sp.exp(-eps * a_s[i]) + sum(sp.exp(-eps * b_s[i, j]) for j in range(N) if j != i))
            for i in range(N))
    L1 = sp.expand(sp.diff(L, eps).subs(eps, 0))
    quad = {a_s[i]: sq(W * (x[i] - xt[i])) for i in range(N)}
    quad.update({b_s[i, j]: sq(W * x[i] - (V if detach_negatives else W) * x[j]) for (i, j) in b_s})
    L2 = sp.expand(L1.subs(quad, simultaneous=True))
    S, C = _sym_matrix("S", d), _sym_matrix("C", d)
    data = [s for v in u + e for s in v]
    EL2 = _expect(L2, u, e, S, C, data)  # E commutes with ∂/∂W (L₂ is a polynomial)
    W0 = sp.Matrix(d, d, lambda a, b: sp.Symbol(f"W{a}{b}", real=True))
    back = {**{W[a, b]: W0[a, b] for a in range(d) for b in range(d)},
            **{V[a, b]: W0[a, b] for a in range(d) for b in range(d)}}
    out = sp.Matrix(d, d, lambda a, b: -sp.expand(sp.diff(EL2, W[a, b]).subs(back, simultaneous=True)))
    return {"neg_grad": out, "W0": W0, "S": S, "C": C, "tau": tau, "mu": mu, "M": N - 1}


def _expect(expr, u, e, S, C, data):
    """E of a polynomial of degree ≤ 2 in the u's and e's (iid, mean 0, covariances S and C)."""
    poly = sp.Poly(expr, *data)
    d = len(u[0])
    index = {}
    for i, v in enumerate(u):
        for a in range(d):
            index[v[a]] = ("u", i, a)
    for i, v in enumerate(e):
        for a in range(d):
            index[v[a]] = ("e", i, a)
    total = 0
    for monom, coeff in poly.terms():
        vars_ = [data[k] for k, p in enumerate(monom) for _ in range(p)]
        if not vars_:
            total += coeff
            continue
        if len(vars_) != 2:
            if len(vars_) > 2:
                raise ValueError(f"expected degree <= 2 in the data, got {len(vars_)}")
            continue  # a single zero-mean factor
        (k1, i1, a1), (k2, i2, a2) = index[vars_[0]], index[vars_[1]]
        if k1 == k2 and i1 == i2:
            total += coeff * (S if k1 == "u" else C)[a1, a2]
    return sp.expand(total)


@lru_cache(maxsize=None)
def first_order_residuals(d: int = 2, N: int = 3) -> dict:
    """Residuals (expanded, should be 0) of the derived flows against the closed forms and against eq. 5."""
    res = {}
    for detach in (False, True):
        r = expected_first_order_gradient(d, N, detach)
        W0, S, C, M = r["W0"], r["S"], r["C"], r["M"]
        Tinv = sp.diag(*[1 / t for t in r["tau"]])
        ours = M * Tinv * W0 * ((S if detach else 2 * S) - C)
        source = (M + 1) * Tinv * W0 * (S - C)  # eq. 5, with the temperature put where it acts
        key = "detached" if detach else "full"
        res[key] = {"residual_zero": all(sp.expand(v) == 0 for v in (r["neg_grad"] - ours)),
                    "source_eq5_residual_zero": all(sp.expand(v) == 0 for v in (r["neg_grad"] - source)),
                    "mu_free": not any(m in r["neg_grad"].free_symbols for m in r["mu"])}
    return {"d": d, "N": N, "M": N - 1, **res}


def first_order_rates(A, d_c: int, sigma_c2, sigma_s2, tau=None, sigma_z2=sp.Rational(1, 12)) -> dict:
    """Exact growth rates of latent k's gain at W = ε A⁻¹ from the derived flow M T⁻¹ W (2Σ_x − Σ_x~).

    Σ_x = σ_z² A Aᵀ, Σ_x~ = A Λ~ Aᵀ (Λ~ = diag(σ_c²·d_c, σ_s²·d_s)), so with H = W A = εI:
    (G A)_{:,k}·H_{:,k}/‖H_{:,k}‖² / M = (T⁻¹ Λ' Aᵀ A)_kk with Λ' = 2σ_z² − Λ~.  Arguments are converted to
    exact rationals (floats via their nearest fraction with denominator ≤ 1e6).  Also returns the singular
    values of the flow per unit ε M (prop. 2) and the eigenvalues of eq. 15's matrix A diag(σ_z² − σ_k²) Aᵀ.
    """
    A = sp.Matrix(A).applyfunc(_rational)
    d = A.shape[0]
    if A.shape != (d, d) or A.det() == 0:
        raise ValueError(f"A must be square and invertible, got shape {A.shape}")
    if not 0 <= d_c <= d:
        raise ValueError(f"d_c must lie in [0, d={d}], got {d_c}")
    sz2 = _rational(sigma_z2)
    lam_t = [_rational(sigma_c2)] * d_c + [_rational(sigma_s2)] * (d - d_c)
    taus = [sp.Integer(1)] * d if tau is None else [_rational(t) for t in tau]
    Tinv = sp.diag(*[1 / t for t in taus])
    Lp = sp.diag(*[2 * sz2 - s for s in lam_t])
    flow = Tinv * Lp * A.T  # −E ∂L/∂W / (ε M) at W = ε A⁻¹: T⁻¹ A⁻¹ A Λ' Aᵀ
    rates = [(Tinv * Lp * A.T * A)[k, k] for k in range(d)]
    sv = sorted((sp.sqrt(v) for v in (flow.T * flow).eigenvals(multiple=True)), key=lambda v: -float(v))
    eq15 = A * sp.diag(*[sz2 - s for s in lam_t]) * A.T
    return {"rates": [float(r) for r in rates], "rates_exact": [str(r) for r in rates],
            "content_mean": float(sum(rates[:d_c]) / d_c) if d_c else float("nan"),
            "style_mean": float(sum(rates[d_c:]) / (d - d_c)) if d_c < d else float("nan"),
            "singular_values": [float(v) for v in sv],
            "eq15_eigenvalues": sorted((float(v) for v in eq15.eigenvals(multiple=True)), reverse=True)}


def equalizing_tau_c(sigma_c2, sigma_s2, convention: str = "full", sigma_z2=sp.Rational(1, 12)) -> sp.Rational:
    """τ_c (τ_s = 1) at which content and style gains grow equally: λ_c/λ_s, λ_k = kσ_z² − σ_k² (k = 2 full,
    1 detached as in eq. 5), from the derived flow (growth rate of latent k is λ_k/τ_k for orthogonal A)."""
    if convention not in ("full", "detached"):
        raise ValueError(f"convention must be 'full' or 'detached', got {convention!r}")
    k = 2 if convention == "full" else 1
    sz2, c2, s2 = _rational(sigma_z2), _rational(sigma_c2), _rational(sigma_s2)
    return (k * sz2 - c2) / (k * sz2 - s2)


def _rational(v):
    if isinstance(v, sp.Basic):
        return sp.nsimplify(v)
    return sp.Rational(v).limit_denominator(FRACTION_LIMIT) if isinstance(v, float) else sp.Rational(v)
