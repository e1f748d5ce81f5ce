"""Spectral contrastive loss and Barlow Twins for a linear model on Gaussian data (Ziyin et al. App. D.4).

Data model (§1): x = x̂ + ε, x' = x̂ + ε', χ = χ̂ + ε''; x̂, χ̂ ~ N(0, A0), ε, ε', ε'' ~ N(0, C), all
independent, Σ = A0 + C.  Expectations are exact (Isserlis, ``theory.gaussian``) at d0 = d1 = 2.
Derived:
* SCL (eq. 16): -2E[f(x)ᵀf(x')] + E[(f(x)ᵀf(χ))²] = -2Tr[WA0Wᵀ] + Tr[(WΣWᵀ)²]   (eq. 17 has C for A0)
* Barlow Twins, unnormalized population cross-covariance: E[f(x)f(x')ᵀ] = WA0Wᵀ, so the W² term of
  Σ_i(1 - C_ii)² + λΣ_{i≠j}C_ij² is -2Tr[WA0Wᵀ] (not -2Tr[WΣWᵀ]); with λ = 1 the loss is ‖I - WA0Wᵀ‖_F².
* SCL with the normalisation the source invokes for its no-collapse sentence (§1.2's eq. 5, R = (Tr[WΣWᵀ] − c)²,
  κ → ∞, App. D.1): diagonal A0, C, λ_i = 2a_i/(a_i + c_i); a direction whose λ_i lies below the masked mean minus
  2c/d_M collapses (``scl_normalized_limit``), e.g. A0 = I₃, C = diag(0, 0, 9), c = 1: WᵀW → diag(½, ½, 0).
* Batch-standardized BT is invariant to W → tW (t > 0): no expansion around W = 0 exists.
* VICReg (Bardes et al. 2021), population, linear f: invariance E‖f(x) − f(x')‖² = 2Tr[WCWᵀ] exactly (x, x'
  share x̂, so A0 cancels); covariance term (1/d1)Σ_{i≠j}Cov(f)_ij² is pure W⁴; the source's model κR of the
  variance term gives −2κcTr[WΣWᵀ]; VICReg's own hinge μ·max(0, γ − √(Var + ε)) gives −(μ/(2d1√ε))Tr[WΣWᵀ]
  per branch.  So the W² term is Tr[W(2λC − 2κcΣ)Wᵀ]: B = −2λC, not the source's B = −A0 (§1.2).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp

from sslverify.theory.gaussian import block_covariance, gaussian_expectation
from sslverify.theory.ziyin.landscape import predicted_gram, predicted_rank, sym_matrix
from sslverify.theory.ziyin.normalization import limit_eigenvalues


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


def scl_normalized_limit(a0, c_aug, c: float = 1.0, source: bool = False) -> dict:
    """κ → ∞ minimiser of SCL under the source's normalisation model, A0 = diag(a0), C = diag(c_aug) (commuting).

    Eq. 5 with eq. 17's form: L = −Tr[WBWᵀ] + Tr[(WΣWᵀ)²] + κ(Tr[WΣWᵀ] − c)², B = 2A0 (derived, ``scl_symbolic``;
    B = 2C with ``source=True``, eq. 17 as printed), Σ = A0 + C.  In whitened coordinates H = Σ^{1/2}WᵀWΣ^{1/2} the
    stationary points are masked (Prop. 3) with limit eigenvalues ½(λ_i + (2c − Σ_M λ)/d_M) on the mask M (App. D.1,
    ``normalization.limit_eigenvalues``), λ_i = b_i/σ_i; a mask is feasible when all are > 0; at the limit ρ = c and the
    loss is Σ_M (h_i² − λ_i h_i).  Returns the feasible mask of least loss, its loss, and WᵀW = diag(h_i/σ_i) (0 off M).
    The width d1 is taken ≥ d (no rank limit); the 2^d − 1 masks are enumerated, so this is for small d."""
    a0, cv = np.asarray(a0, dtype=np.float64), np.asarray(c_aug, dtype=np.float64)
    if a0.ndim != 1 or a0.shape != cv.shape or a0.size == 0:
        raise ValueError(f"a0 and c_aug must be 1-d arrays of one length >= 1 (diagonals), got shapes {a0.shape}, {cv.shape}")
    if not (np.all(np.isfinite(a0)) and np.all(np.isfinite(cv)) and np.all(a0 >= 0) and np.all(cv >= 0)):
        raise ValueError(f"a0 and c_aug must be finite and >= 0 (covariance eigenvalues), got {a0.tolist()}, {cv.tolist()}")
    sig = a0 + cv
    if np.any(sig <= 0):
        raise ValueError(f"a0 + c_aug must be > 0 (Σ invertible), got {sig.tolist()}")
    if not (isinstance(c, (int, float)) and not isinstance(c, bool) and np.isfinite(c) and c > 0):
        raise ValueError(f"c must be a finite number > 0 (the normalised Tr[WΣWᵀ]), got {c!r}")
    lam = 2 * (cv if source else a0) / sig
    best = None
    d = lam.size
    for bits in range(1, 2 ** d):
        mask = [i for i in range(d) if bits >> i & 1]
        h = limit_eigenvalues(lam[mask], c)
        if np.all(h > 0):
            loss = float(np.sum(h * h - lam[mask] * h))
            if best is None or loss < best[0]:
                best = (loss, mask, h)
    if best is None:  # every h of a single direction is ½(λ_i + 2c − λ_i) = c > 0: a one-direction mask is feasible
        raise AssertionError("no feasible mask")
    loss, mask, h = best
    gram = np.zeros(d)
    gram[mask] = h / sig[mask]
    return {"lam": lam.tolist(), "mask": mask, "loss": loss, "gram_diag": gram.tolist()}


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
    # factor_terms pulls the common power of t out of each entry; sqrt(t⁴X) = t²√X for t > 0 then cancels exactly
    Pt = P.subs({w: t * w for w in W}, simultaneous=True).applyfunc(lambda e: sp.factor_terms(sp.expand(e)))
    Ct_f = Ct.applyfunc(lambda e: sp.factor_terms(sp.expand(e)))
    return {"cross_minus_WA0W": [sp.expand(v) for v in CBT - W * A0 * W.T],
            "cross_minus_WSigmaW": [sp.expand(v) for v in CBT - P],
            "second_order_minus_ours": sp.expand(second + 2 * (W * A0 * W.T).trace()),
            "second_order_minus_source": sp.expand(second + 2 * (W * Sig * W.T).trace()),
            "lambda1_identity": sp.expand(bt(CBT).subs(lam, 1) - (I_minus * I_minus.T).trace()),
            "standardized_scale_residual": [sp.expand(a - b) for a, b in zip(corr(Ct_f, Pt), corr(CBT, P))]}


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


# ----------------------------------------------------------------------------- VICReg (§1.2)


@lru_cache(maxsize=None)
def vicreg_symbolic() -> dict:
    """Population VICReg for f = Wx at d0 = d1 = 2 (exact Isserlis expectations), expanded along W → tW.

    L = λ E‖f(x) − f(x')‖² + κ(E‖f‖² − c)² + 2ν·(1/d1)Σ_{i≠j}Cov(f)_ij²   (invariance + the source's model κR of
    the variance term + covariance term on both branches; Cov(f) = E[f fᵀ] = WΣWᵀ for zero-mean data).
    Returns residuals (0 when our derivation holds) and the comparison with the source's B = −A0:

    invariance_minus_2WCW: E‖W(x − x')‖² − 2Tr[WCWᵀ]               (0: the invariance term carries C only)
    quadratic_minus_derived: t² coefficient − Tr[W(2λC − 2κcΣ)Wᵀ]  (0)
    quadratic_minus_source:  t² coefficient − Tr[W(A0 − 2κcΣ)Wᵀ]   (the source's B = −A0; ≠ 0)
    B_term_has_A0: whether an entry of A0 appears in −Tr[WBWᵀ] = (t² coefficient) + 2κcTr[WΣWᵀ], the W² term
                   besides the variance model's (False: no choice of λ makes B ∝ A0)
    covariance_t2: t² coefficient of the covariance term (0: it is W⁴ only)
    odd_orders: t¹ and t³ coefficients of L (0)
    hinge_quadratic_minus: t² coefficient of μ·(1/d1)Σ_j(γ − √(Var_j + ε)) + (the same for the other branch) minus
                           −(μ/(d1√ε))Tr[WΣWᵀ]   (0: VICReg's own variance term, hinge active at W = 0, γ > √ε)
    """
    A0, C, W, x, xp, _, variables, K = _setup()
    d = W.shape[0]
    lam, kap, c, nu, mu, eps, t = sp.symbols("lambda_inv kappa c nu mu varepsilon t", positive=True)
    E = lambda e: sp.expand(gaussian_expectation(e, variables, K))  # noqa: E731
    diff = W * (x - xp)
    inv = E((diff.T * diff)[0])
    cov = sp.Matrix(d, d, lambda i, j: E((W * x)[i] * (W * x)[j]))
    cov_term = sum(cov[i, j] ** 2 for i in range(d) for j in range(d) if i != j) / d
    rho = cov.trace()
    L = lam * inv + kap * (rho - c) ** 2 + 2 * nu * cov_term
    scale = {w: t * w for w in W}
    Lt = sp.expand(L.subs(scale, simultaneous=True))
    quad = Lt.coeff(t, 2)
    Sig = A0 + C
    tr = lambda M: sp.expand((W * M * W.T).trace())  # noqa: E731
    derived = 2 * lam * tr(C) - 2 * kap * c * tr(Sig)
    source = tr(A0) - 2 * kap * c * tr(Sig)
    a_syms = {s for s in A0 if s.is_Symbol} - {s for s in C if s.is_Symbol}
    b_term = sp.expand(quad + 2 * kap * c * tr(Sig))
    cov_t = sp.expand(cov_term.subs(scale, simultaneous=True))
    # hinge, both branches: 2μ(1/d1)Σ_j (γ − √(u·q_j + ε)), u = t², q_j = Var_j at W; d/du at u = 0 is the t² term
    u, q = sp.symbols("u q", positive=True)
    slope = sp.diff(-sp.sqrt(u * q + eps), u).subs(u, 0)  # −q/(2√ε)
    hinge_quad = sum(2 * mu * slope.subs(q, cov[j, j]) for j in range(d)) / d
    return {"invariance_minus_2WCW": sp.expand(inv - 2 * tr(C)),
            "quadratic_minus_derived": sp.expand(quad - derived),
            "quadratic_minus_source": sp.expand(quad - source),
            "B_term_has_A0": bool(b_term.free_symbols & a_syms),
            "covariance_t2": cov_t.coeff(t, 2),
            "odd_orders": [Lt.coeff(t, 1), Lt.coeff(t, 3)],
            "hinge_quadratic_minus": sp.expand(sp.sqrt(eps) * (hinge_quad + mu * tr(Sig) / (d * sp.sqrt(eps))))}
