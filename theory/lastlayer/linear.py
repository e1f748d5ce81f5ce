"""Variance and covariance of linear-layer outputs (source §3.4, eq. 2 = Prop 1, eq. 3, eq. 4–6 = Prop 2).

Setting (the source's): h = W x with W ∈ R^{D_o×D_i}, Wⁱ its i-th row, x a random input with mean
m and covariance Σ_x (population, or the biased sample covariance — every identity below is
linear in the second moments, so it holds for both).  A bias b only shifts h and drops out.

Derived here (never copied from the source):

* ``covariance_identity``: Cov(h_i, h_j) = E[(Wⁱ(x−m))(Wʲ(x−m))] = Wⁱ Σ_x Wʲᵀ, so
  var(h_i) = Wⁱ Σ_x Wⁱᵀ (exact, symbolic Σ_x, every n ≤ nmax).
* ``source_step_residual``: eq. 2 replaces the rank-one matrix WⁱᵀWⁱ by the scalar ‖Wⁱ‖²; in
  expectation that turns Wⁱ Σ_x Wⁱᵀ into ‖Wⁱ‖² tr Σ_x — equal only for n = 1.
* Prop 1 (eq. 2): var(h_i) = 0 ⇔ Σ_x Wⁱᵀ = 0 (Σ_x PSD), so var(h_i) = 0 ⇒ ‖Wⁱ‖ = 0 holds iff
  Σ_x ≻ 0.  Quantitatively var(h_i) ≥ λ_min(Σ_x)‖Wⁱ‖² (tight at the bottom eigenvector), so
  var(h_i) < δ ⇒ ‖Wⁱ‖² < δ/λ_min(Σ_x) — not δ/tr Σ_x as the source writes ("non-constant x" is
  not enough: x = (s, s) is non-constant with singular Σ_x).
* eq. 3: Cov(h_i, h_j) is the Σ_x-inner product of Wⁱ, Wʲ.  It is a fixed multiple of the
  Euclidean Wⁱ·Wʲ for every pair iff Σ_x = σ²I; otherwise neither "Cov small ⇒ Wⁱ·Wʲ small" nor
  its converse holds.
* Prop 2 (eq. 4–5), two linear layers h = W_l W_{l−1} x_{l−1}: var(h_i) = W_l^i Σ_l W_l^iᵀ with
  Σ_l = W_{l−1} Σ_{l−1} W_{l−1}ᵀ the covariance of the last layer's input.  Exact condition:
  var(h_i) = 0 ⇔ W_l^i ∈ null(Σ_l); with W_l^i ≠ 0 this needs rank Σ_l < D_{l−1} (a low-rank
  input to the last layer — any activation in between changes only Σ_l), and forces neither
  ‖W_l^i‖ = 0 nor any row of W_{l−1} to vanish.  The source's ‖W_l^iW_{l−1}‖² = (Σ_j W_l^i·W_{l−1}^j)²
  is false (W_{l−1} = I, W_l^i = (1, −1): 2 vs 0).
* eq. 6: a constant input coordinate x_l^j removes the j-th row/column of Σ_l from
  Cov(h_i, h_k) = W_l^i Σ_l W_l^kᵀ; terms of both signs are removed, so |Cov| can grow.
"""
from __future__ import annotations

from functools import lru_cache

import sympy as sp


def sym_covariance(n: int, name: str = "s") -> sp.Matrix:
    """A symmetric n×n matrix of real symbols (Σ_ab = Σ_ba)."""
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    return sp.Matrix(n, n, lambda a, b: sp.Symbol(f"{name}_{min(a, b)}{max(a, b)}", real=True))


def row(name: str, n: int) -> sp.Matrix:
    return sp.Matrix([list(sp.symbols(f"{name}1:{n + 1}", real=True))])


def _expect_quadratic(expr: sp.Expr, u: list, S: sp.Matrix) -> sp.Expr:
    """E[expr] for expr a quadratic form in the centred input u with E[u_a u_b] = S_ab."""
    poly = sp.Poly(sp.expand(expr), *u)
    out = sp.Integer(0)
    for monom, coeff in poly.terms():
        idx = [a for a, p in enumerate(monom) for _ in range(p)]
        if len(idx) != 2:
            raise ValueError("expr must be a homogeneous quadratic in u")
        out += coeff * S[idx[0], idx[1]]
    return sp.expand(out)


@lru_cache(maxsize=None)
def covariance_identity(nmax: int = 4) -> dict:
    """Cov(Wⁱx, Wʲx) − WⁱΣWʲᵀ ≡ 0 (symbolic W, Σ) for n = 1..nmax (eq. 2, eq. 3)."""
    out = {}
    for n in range(1, nmax + 1):
        u = list(sp.symbols(f"u1:{n + 1}", real=True))  # u = x − E x
        S, wi, wj = sym_covariance(n), row("w", n), row("v", n)
        U = sp.Matrix(u)
        cov = _expect_quadratic((wi * U)[0] * (wj * U)[0], u, S)
        out[n] = sp.expand(cov - (wi * S * wj.T)[0]) == 0
    return out


@lru_cache(maxsize=None)
def source_step_residual(nmax: int = 4) -> dict:
    """E[uᵀ‖w‖²u] − E[uᵀwᵀwu] = ‖w‖² tr Σ − wΣwᵀ: zero only for n = 1 (eq. 2's step)."""
    zero, n2 = {}, ""
    for n in range(1, nmax + 1):
        u = list(sp.symbols(f"u1:{n + 1}", real=True))
        U, S, w = sp.Matrix(u), sym_covariance(n), row("w", n)
        norm2 = (w * w.T)[0]
        source = _expect_quadratic(norm2 * (U.T * U)[0], u, S)
        true = _expect_quadratic((U.T * w.T * w * U)[0], u, S)
        zero[n] = sp.expand(source - true) == 0
        if n == 2:
            n2 = str(sp.expand(source - true))
    return {"zero": zero, "residual_n2": n2}


def variance(w, S) -> sp.Expr:
    w = sp.Matrix([list(w)])
    return sp.nsimplify((w * sp.Matrix(S) * w.T)[0])


def covariance(wi, wj, S) -> sp.Expr:
    return sp.nsimplify((sp.Matrix([list(wi)]) * sp.Matrix(S) * sp.Matrix([list(wj)]).T)[0])


@lru_cache(maxsize=None)
def prop1_findings() -> dict:
    """Prop 1: exact facts and the two minimal counterexamples (eq. 2 and its 'weaker case')."""
    # 1) non-constant x = (s, s), Var s = 1: Σ_x = [[1, 1], [1, 1]] (singular); Wⁱ = (1, −1)
    S_sing = sp.Matrix([[1, 1], [1, 1]])
    w = (1, -1)
    # 2) weaker case: Σ_x = diag(1, ε), Wⁱ = (0, 1), var(h_i) = ε < δ = 2ε, but the source's bound
    #    ‖Wⁱ‖² < δ/tr Σ_x = 2ε/(1 + ε) < 1 fails: ‖Wⁱ‖² = 1 (0 < ε < 1)
    eps = sp.Symbol("epsilon", positive=True)
    S_eps = sp.diag(1, eps)
    var_eps = variance((0, 1), S_eps)
    source_bound = 2 * eps / S_eps.trace()
    # 3) Rayleigh bound in the eigenbasis: wΣwᵀ − λ_min‖w‖² = Σ_k (λ_k − λ_min) v_k² ≥ 0
    lam = sp.symbols("lambda1:4", positive=True)
    v = sp.symbols("v1:4", real=True)
    d = sp.symbols("d2:4", nonnegative=True)  # λ_k = λ_1 + d_k, λ_1 the smallest
    lam_sorted = (lam[0], lam[0] + d[0], lam[0] + d[1])
    rayleigh_gap = sp.expand(sum(l * x**2 for l, x in zip(lam_sorted, v)) - lam[0] * sum(x**2 for x in v))
    return {
        "singular_variance": int(variance(w, S_sing)),
        "singular_norm2": int(sum(c * c for c in w)),
        "singular_det": int(S_sing.det()),
        "weak_variance": str(var_eps),
        "weak_source_bound": str(source_bound),
        # ‖Wⁱ‖² − bound = (1 − ε)/(1 + ε) > 0 for 0 < ε < 1: the norm exceeds the source's bound
        "weak_norm_minus_bound": str(sp.factor(1 - source_bound)),
        "rayleigh_gap": str(rayleigh_gap),
        "rayleigh_gap_is_nonneg_sum": rayleigh_gap == sp.expand(d[0] * v[1] ** 2 + d[1] * v[2] ** 2),
    }


@lru_cache(maxsize=None)
def eq3_findings() -> dict:
    """eq. 3: Cov(h_i, h_j) = WⁱΣWʲᵀ vs the Euclidean Wⁱ·Wʲ (and the outer-product reading)."""
    S = sp.diag(1, 4)  # full rank, non-constant x, "large enough variance"
    a, b = (2, 1), (2, -1)
    c, e = (1, 1), (1, -1)
    sig = sp.Symbol("sigma", positive=True)
    wi, wj = row("w", 3), row("v", 3)
    iso = sp.expand((wi * (sig**2 * sp.eye(3)) * wj.T)[0] - sig**2 * (wi * wj.T)[0]) == 0
    # "reverse case" (after eq. 3): entries of Wⁱ with zero variance (Wⁱ = k·1) and ‖Wⁱ‖ ≠ 0 yet
    # var(h_i) = 0 for x = (s, −s)
    S_anti = sp.Matrix([[1, -1], [-1, 1]])
    return {
        "cov_zero_dot_nonzero": [int(covariance(a, b, S)), int(sum(p * q for p, q in zip(a, b)))],
        "dot_zero_cov_nonzero": [int(sum(p * q for p, q in zip(c, e))), int(covariance(c, e, S))],
        "outer_product_norm_when_cov_zero": int(sp.sqrt(sum(p * p for p in a) * sum(q * q for q in b))),
        "isotropic_cov_is_scaled_dot": iso,
        "identity_orthogonal_rows": [int(covariance((1, 0), (0, 1), sp.eye(2))), 1],
        "constant_row_variance": [int(variance((1, 1), S_anti)), 2],
    }


@lru_cache(maxsize=None)
def two_layer_identity(n0: int = 2, n1: int = 2) -> bool:
    """(W_l^iW_{l−1})Σ_{l−1}(W_l^iW_{l−1})ᵀ − W_l^i (W_{l−1}Σ_{l−1}W_{l−1}ᵀ) W_l^iᵀ ≡ 0 (eq. 4)."""
    S = sym_covariance(n0)
    Wp = sp.Matrix(n1, n0, lambda a, b: sp.Symbol(f"A_{a}{b}", real=True))
    w = row("w", n1)
    lhs = ((w * Wp) * S * (w * Wp).T)[0]
    rhs = (w * (Wp * S * Wp.T) * w.T)[0]
    return sp.expand(lhs - rhs) == 0


@lru_cache(maxsize=None)
def prop2_findings() -> dict:
    """Prop 2 (eq. 5–6): the counterexamples to the stated two-layer conditions."""
    I2 = sp.eye(2)
    # eq. 5's identity ‖W_l^i W_{l−1}‖² = (Σ_j W_l^i·W_{l−1}^j)² with W_{l−1} = I, W_l^i = (1, −1)
    w = sp.Matrix([[1, -1]])
    lhs = (w * I2 * (w * I2).T)[0]
    rhs = sum((w * I2[j, :].T)[0] for j in range(2)) ** 2
    # collapse without any zero row: Σ_{l−1} = I, W_{l−1} = [[1, 0], [1, 0]], W_l^i = (1, −1)
    Wp = sp.Matrix([[1, 0], [1, 0]])
    Sl = Wp * I2 * Wp.T
    var_hi = (w * Sl * w.T)[0]
    row_norms = [int((Wp[j, :] * Wp[j, :].T)[0]) for j in range(2)]
    # eq. 6: collapsing x_l^2 (Σ_l: I → diag(1, 0)) raises |Cov(h_i, h_k)| for Wⁱ=(1,1), Wᵏ=(1,−1)
    before = covariance((1, 1), (1, -1), I2)
    after = covariance((1, 1), (1, -1), sp.diag(1, 0))
    # rank collapse of the output with a full-rank input: Σ_l = I, W_l = [[1, 0], [1, 0]]
    Sh = Wp * I2 * Wp.T
    return {
        "eq5_identity_lhs_rhs": [int(lhs), int(rhs)],
        "collapse_var": int(var_hi), "collapse_last_row_norm2": int((w * w.T)[0]),
        "collapse_prev_row_norms2": row_norms, "collapse_input_rank": int(Sl.rank()),
        "collapse_null_condition": (Sl * w.T) == sp.zeros(2, 1),
        "eq6_cov_before_after": [int(before), int(after)],
        "full_rank_input_output_rank": [int(I2.rank()), int(Sh.rank())],
    }
