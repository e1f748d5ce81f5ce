"""Spectral contrastive loss and Barlow Twins for a linear model on Gaussian data (Ziyin et al. App. D.4).

Data model (§1): x = x̂ + ε, x' = x̂ + ε', χ = χ̂ + ε''; x̂, χ̂ ~ N(0, A0), ε, ε', ε'' ~ N(0, C), all
independent, Σ = A0 + C.  Expectations are exact (Isserlis, ``theory.gaussian``) at d0 = d1 = 2.
Derived:
* SCL (eq. 16): -2E[f(x)ᵀf(x')] + E[(f(x)ᵀf(χ))²] = -2Tr[WA0Wᵀ] + Tr[(WΣWᵀ)²]   (eq. 17 has C for A0)
* Barlow Twins, unnormalized population cross-covariance: E[f(x)f(x')ᵀ] = WA0Wᵀ, so the W² term of
  Σ_i(1 - C_ii)² + λΣ_{i≠j}C_ij² is -2Tr[WA0Wᵀ] (not -2Tr[WΣWᵀ]); with λ = 1 the loss is ‖I - WA0Wᵀ‖_F².
* Batch-standardized BT is invariant to W → tW (t > 0): no expansion around W = 0 exists.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp

from sslverify.theory.gaussian import block_covariance, gaussian_expectation
from sslverify.theory.ziyin.landscape import predicted_gram, predicted_rank, sym_matrix


def _setup(d: int = 2):
    A0, C = sym_matrix("a", d), sym_matrix("c", d)
    W = sp.Matrix(d, d, lambda i, j: sp.Symbol(f"w{i}{j}", real=True))
    names = ("xh", "e1", "e2", "ch", "e3")
    vecs = {n: sp.Matrix(d, 1, lambda i, _, n=n: sp.Symbol(f"{n}{i}", real=True)) for n in names}
    covs = {"xh": A0, "e1": C, "e2": C, "ch": A0, "e3": C}
    K = block_covariance([[covs[n] if j == i else None for j in range(5)] for i, n in enumerate(names)])
    variables = [v for n in names for v in vecs[n]]
    x = vecs["xh"] + vecs["e1"]
    xp = vecs["xh"] + vecs["e2"]
    chi = vecs["ch"] + vecs["e3"]
    return A0, C, W, x, xp, chi, variables, K


@lru_cache(maxsize=None)
def scl_symbolic() -> dict:
    """Exact SCL loss (eq. 16 without normalization) minus our form and minus the source's eq. 17."""
    A0, C, W, x, xp, chi, variables, K = _setup()
    fx, fxp, fchi = W * x, W * xp, W * chi
    E = lambda e: gaussian_expectation(e, variables, K)  # noqa: E731
    loss = -2 * E((fx.T * fxp)[0]) + E(((fx.T * fchi)[0]) ** 2)
    Sig = A0 + C
    P = W * Sig * W.T
    ours = -2 * (W * A0 * W.T).trace() + (P * P).trace()
    source = -2 * (W * C * W.T).trace() + (P * P).trace()
    return {"ours": sp.expand(loss - ours), "source": sp.expand(loss - source),
            "source_minus_ours": sp.expand(source - ours - 2 * (W * (A0 - C) * W.T).trace())}


def scl_predicted_gram(A0, C, d1: int) -> np.ndarray:
    """Global-min WᵀW of the SCL quartic form: Thm 1 with B = 2A0 (so no collapse when A0 ≻ 0)."""
    A0, C = np.asarray(A0, float), np.asarray(C, float)
    return predicted_gram(2 * A0, A0 + C, d1)


def scl_predicted_rank(A0, C, d1: int) -> int:
    """Prop 2 for SCL: min(#positive eigenvalues of A0, d0, d1)."""
    A0, C = np.asarray(A0, float), np.asarray(C, float)
    return predicted_rank(2 * A0, A0 + C, d1)


@lru_cache(maxsize=None)
def barlow_symbolic() -> dict:
    """Unnormalized BT: cross-covariance vs WA0Wᵀ / WΣWᵀ, the W² coefficient of the loss, the λ = 1 identity,
    and the scale invariance of the standardized (correlation) version."""
    A0, C, W, x, xp, _, variables, K = _setup()
    d = W.shape[0]
    CBT = sp.Matrix(d, d, lambda i, j: gaussian_expectation((W * x)[i] * (W * xp)[j], variables, K))
    lam, t = sp.symbols("lambda t", positive=True)

    def bt(Cm):
        return (sum((1 - Cm[i, i]) ** 2 for i in range(d))
                + lam * sum(Cm[i, j] ** 2 for i in range(d) for j in range(d) if i != j))
    Ct = CBT.subs({w: t * w for w in W}, simultaneous=True)
    second = sp.expand(bt(Ct)).coeff(t, 2)
    Sig = A0 + C
    I_minus = sp.eye(d) - W * A0 * W.T
    # standardized: corr_ij = C_ij / sqrt(Var_i Var_j), Var = diag(WΣWᵀ); invariant under W → tW
    P = W * Sig * W.T
    corr = lambda Cm, Pm: sp.Matrix(d, d, lambda i, j: Cm[i, j] / sp.sqrt(Pm[i, i] * Pm[j, j]))  # noqa: E731
    Pt = P.subs({w: t * w for w in W}, simultaneous=True)
    return {"cross_minus_WA0W": [sp.expand(v) for v in CBT - W * A0 * W.T],
            "cross_minus_WSigmaW": [sp.expand(v) for v in CBT - P],
            "second_order_minus_ours": sp.expand(second + 2 * (W * A0 * W.T).trace()),
            "second_order_minus_source": sp.expand(second + 2 * (W * Sig * W.T).trace()),
            "lambda1_identity": sp.expand(bt(CBT).subs(lam, 1) - (I_minus * I_minus.T).trace()),
            "standardized_scale_residual": [sp.simplify(a - b) for a, b in zip(corr(Ct, Pt), corr(CBT, P))]}


def barlow_global_min_weights(A0, d1: int) -> np.ndarray:
    """W with WA0Wᵀ = I_{d1} (zero population BT loss for every λ; needs A0 ≻ 0 and d1 ≤ d0)."""
    A0 = np.asarray(A0, float)
    a, Q = np.linalg.eigh(A0)
    if a.min() <= 0 or d1 > len(a):
        raise ValueError("A0 must be positive definite and d1 <= d0")
    return (Q[:, ::-1][:, :d1] / np.sqrt(a[::-1][:d1])).T


def barlow_loss(W, A0, lam: float = 1.0) -> float:
    """Population unnormalized BT loss Σ_i(1 - C_ii)² + λΣ_{i≠j}C_ij², C = WA0Wᵀ."""
    Cm = np.asarray(W, float) @ np.asarray(A0, float) @ np.asarray(W, float).T
    off = Cm - np.diag(np.diag(Cm))
    return float(np.sum((1 - np.diag(Cm)) ** 2) + lam * np.sum(off ** 2))
