"""Normalization regularizer κR, R = (E‖f‖² - c)², and its consequences (Ziyin et al. §1.2, App. D.1–D.3, E.4–E.5).

L = -Tr[WBWᵀ] + Tr[(WΣWᵀ)²] + κ(ρ - c)²,  ρ = Tr[WΣWᵀ].
Derived (tests/theory/test_ziyin_normalization.py):
* ∇(κR) = 4κ(ρ-c)WΣ, so ∇L = -2WB' + 4WΣWᵀWΣ with B' = B + 2κ(c-ρ)Σ      (Prop 3; eq. 37 is wrong)
* B̃' = B̃ + 2κ(c-ρ)I: same eigenvectors as B̃, eigenvalues shifted; ρ = Tr[H] = ½Σ_M λ'_i gives
  c - ρ = (c - ½Σ_M λ_i)/(1 + κ d_M) for any Σ ≻ 0 (Prop 5)
* κ → ∞: H → ½ Σ_M (λ_i + (2c - Σ_M λ_j)/d_M) u_i u_iᵀ; positive iff λ_i + 2c/d_M > mean_M(λ)  (eq. 8)
* VICReg (derived B = −2λC): complete collapse iff κ ≤ λ·λ_min(Σ^{-1/2}CΣ^{-1/2})/c (equality collapses) (§1.2)
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp

from sslverify.theory.ziyin.landscape import eigenbasis, grad_entrywise_sym, grad_formula_sym, sqrt_pair, sym_matrix, whitened

# ----------------------------------------------------------------------------- Prop 3 / Prop 5


def prop5_rho(lam_masked, kappa: float, c: float) -> float:
    """ρ at a stationary point with masked whitened eigenvalues λ_i (derived Prop 5, eq. 15)."""
    lam = np.asarray(lam_masked, dtype=np.float64)
    if kappa < 0:
        raise ValueError(f"kappa must be >= 0, got {kappa}")
    return float(c - (c - lam.sum() / 2) / (1 + kappa * lam.size))


def stationary_normalized(B, Sigma, mask, kappa: float, c: float, U=None) -> tuple[np.ndarray, float]:
    """(G, ρ) of the stationary point of eq. 5 with mask M over B̃'s eigenbasis U (Prop 3 + Prop 5).

    ValueError if a masked shifted eigenvalue λ_i + 2κ(c-ρ) is negative (mask not admissible)."""
    Bt = whitened(B, Sigma)
    _, Sm = sqrt_pair(Sigma)
    lam, U = eigenbasis(Bt, U)
    mask = np.asarray(mask, dtype=bool)
    if mask.shape != lam.shape:
        raise ValueError(f"mask must have length {len(lam)}")
    rho = prop5_rho(lam[mask], kappa, c)
    shifted = lam + 2 * kappa * (c - rho)
    if np.any(shifted[mask] < -1e-12 * max(1.0, np.abs(shifted).max())):  # float round-off
        raise ValueError("mask must select only non-negative shifted eigenvalues lambda_i + 2 kappa (c - rho)")
    return Sm @ (U * (0.5 * mask * shifted)) @ U.T @ Sm, rho


@lru_cache(maxsize=None)
def prop3_symbolic() -> dict:
    """Prop 3 at d0 = d1 = 2, symbolic entries: ∇L = -2WB' + 4WΣWᵀWΣ (residual list, all 0); and eq. 37's
    dρ/dW = 4ρWΣ versus the true 2WΣ (residual of 4ρWΣ - d(ρ²)/dW, all 0: eq. 37 differentiates ρ²)."""
    kap, c = sp.symbols("kappa c", real=True)
    W = sp.Matrix(2, 2, lambda i, j: sp.Symbol(f"w{i}{j}", real=True))
    B, S = sym_matrix("b", 2), sym_matrix("s", 2)
    rho = (W * S * W.T).trace()
    Bp = B + 2 * kap * (c - rho) * S
    res = grad_entrywise_sym(W, B, S, kappa=kap, c=c) - grad_formula_sym(W, Bp, S)
    drho = sp.Matrix(2, 2, lambda i, j: sp.diff(rho, W[i, j]))
    drho2 = sp.Matrix(2, 2, lambda i, j: sp.diff(rho ** 2, W[i, j]))
    return {"prop3": [sp.expand(x) for x in res],
            "drho_true": [sp.expand(x) for x in drho - 2 * W * S],
            "eq37_is_drho2": [sp.expand(x) for x in 4 * rho * W * S - drho2],
            "eq37_minus_true": [sp.expand(x) for x in 4 * rho * W * S - drho]}


def prop3_counterexample(kappa=1, c=1) -> dict:
    """Commuting but degenerate: Σ = diag(1, 2), B = Σ/4 (B̃ = I/4), d1 = 1, κR.  H = ρ vvᵀ, v = (1,1)/√2,
    ρ = (1/8 + κc)/(1 + κ) is stationary, but B' = B + 2κ(c-ρ)Σ ∝ Σ has distinct eigenvalues, so every
    ½Σ⁻¹B'_MΣ⁻¹ is diagonal while G is not."""
    kappa, c = sp.nsimplify(kappa), sp.nsimplify(c)
    Sig = sp.diag(1, 2)
    B = Sig / 4
    rho = (sp.Rational(1, 8) + kappa * c) / (1 + kappa)
    v = sp.Matrix([1, 1]) / sp.sqrt(2)
    W = sp.sqrt(rho) * v.T * sp.diag(1, 1 / sp.sqrt(2))
    G = sp.simplify(W.T * W)
    rho_W = sp.simplify((W * Sig * W.T)[0])
    Bp = B + 2 * kappa * (c - rho) * Sig
    forms = [sp.Rational(1, 2) * Sig.inv() * sp.diag(m1 * Bp[0, 0], m2 * Bp[1, 1]) * Sig.inv()
             for m1 in (0, 1) for m2 in (0, 1)]
    W_s = sp.Matrix(1, 2, sp.symbols("u0 u1", real=True))
    grad = grad_entrywise_sym(W_s, B, Sig, kappa=kappa, c=c).subs(dict(zip(W_s, W)))
    return {"rho": rho, "rho_W": rho_W, "G": G, "grad": sp.simplify(grad),
            "matches_any_form": any(sp.simplify(G - F) == sp.zeros(2, 2) for F in forms)}


@lru_cache(maxsize=None)
def prop5_derivation() -> tuple[sp.Expr, sp.Expr]:
    """Solve ρ = Tr[H] = ½ Σ_M (λ_i + 2κ(c-ρ)) for ρ; return (derived c - ρ, source eq. 15 c - ρ)."""
    rho, kap, c, SM, dM = sp.symbols("rho kappa c S_M d_M", real=True)
    sol = sp.solve(sp.Eq(rho, SM / 2 + kap * dM * (c - rho)), rho)
    if len(sol) != 1:
        raise ValueError("Prop 5 equation must have a unique solution")
    return sp.simplify(c - sol[0]), (c - SM / 2) / (1 + kap * dM)


# ----------------------------------------------------------------------------- κ → ∞ (eq. 8)


@lru_cache(maxsize=None)
def norm_limit_symbolic() -> dict:
    """Commuting 3-d example Σ = diag(s), B = diag(b), M = {1, 2}: G_κ from Prop 3 + Prop 5, its κ → ∞
    limit (SymPy ``limit``) minus the source's limit formula (entries must be 0)."""
    kap = sp.Symbol("kappa", positive=True)
    c = sp.Symbol("c", positive=True)
    s = sp.symbols("s1:4", positive=True)
    b = sp.symbols("b1:4", real=True)
    Sig, B = sp.diag(*s), sp.diag(*b)
    mask = (1, 1, 0)
    lam = [b[i] / s[i] for i in range(3)]
    SM = sum(lam[i] for i in range(3) if mask[i])
    dM = sum(mask)
    rho = c - (c - SM / 2) / (1 + kap * dM)
    Gk = sp.diag(*[mask[i] * (lam[i] + 2 * kap * (c - rho)) / (2 * s[i]) for i in range(3)])
    Glim = Gk.applyfunc(lambda e: sp.limit(e, kap, sp.oo))
    BM, SigM = sp.diag(*[mask[i] * b[i] for i in range(3)]), sp.diag(*[mask[i] * s[i] for i in range(3)])
    source = sp.Rational(1, 2) * Sig.inv() * (BM + (2 * c - (Sig.inv() * BM).trace()) / dM * SigM) * Sig.inv()
    return {"residual": [sp.simplify(x) for x in Glim - source], "limit": Glim}


def limit_eigenvalues(lam_masked, c: float) -> np.ndarray:
    """κ → ∞ eigenvalues of H on the masked directions: ½(λ_i + (2c - Σλ)/d_M)."""
    lam = np.asarray(lam_masked, dtype=np.float64)
    return 0.5 * (lam + (2 * c - lam.sum()) / lam.size)


def eq8_condition(lam_masked, c: float, n_total: int | None = None) -> np.ndarray:
    """λ_i + 2c/d_M > λ̄ per masked direction.  λ̄ = mean over the d_M masked eigenvalues (correct), or,
    if ``n_total`` is given, the literal mean of all n_total eigenvalues of Σ⁻¹B_M (source wording)."""
    lam = np.asarray(lam_masked, dtype=np.float64)
    mean = lam.sum() / (lam.size if n_total is None else n_total)
    return lam + 2 * c / lam.size > mean


# ----------------------------------------------------------------------------- eq. 9–14


@lru_cache(maxsize=None)
def eq9_14_symbolic() -> dict:
    """Eq. 9–14 with λ_i = (a_i - c_i)/(a_i + c_i) (B = A0 - C, commuting, c = 1 as the source uses)."""
    a, cc = sp.symbols("a c_aug", positive=True)
    d = sp.Symbol("d_M", positive=True, integer=True)
    lam = (a - cc) / (a + cc)
    out = {"eq9_upper_gap": sp.simplify(1 - lam - 2 * cc / (a + cc)),  # 1 - λ = 2c/(a+c) ≥ 0
           "eq9_lower_gap": sp.simplify(1 + lam - 2 * a / (a + cc)),  # 1 + λ = 2a/(a+c) ≥ 0
           "eq9_limit_c_big": sp.limit(lam, cc, sp.oo), "eq9_limit_a_big": sp.limit(lam, a, sp.oo)}

    def cond(li, mean):  # λ_i + 2/d_M - λ̄ (> 0 means no collapse)
        return sp.simplify(li + 2 / d - mean)
    out["eq10"] = cond(1, 1)  # 2/d_M
    mean11 = ((d - 1) * 1 + (-1)) / d
    out["eq11_mean"] = sp.simplify(mean11 - (d - 2) / d)
    out["eq11"] = cond(1, mean11)  # 4/d_M > 0
    out["eq12"] = cond(-1, mean11)  # (4 - 2d_M)/d_M
    out["eq12_source_form"] = sp.simplify(out["eq12"] - (4 / d - 2))
    out["eq12_solution"] = sp.solve_univariate_inequality(out["eq12"] > 0, d, relational=False)
    out["eq13"] = cond(0, sp.Integer(1) / d)  # 1 = λ_1, others 0: 1/d_M
    eps, s = sp.symbols("epsilon s", positive=True)  # s = a_1 + c_1
    mean14 = (d - 1 + eps / s) / d
    out["eq14_correct"] = cond(eps / s, mean14)
    out["eq14_source"] = cond(eps / s, (d - 1 + eps) / d)
    return out


def eq14_violation_threshold() -> dict:
    """Solve the correct eq. 14 for ε (d_M = 5, s = a+c = 1) and compare with the source's threshold."""
    eps = sp.Symbol("epsilon", positive=True)
    d, s = 5, 1
    cond = eps / s + sp.Rational(2, d) - (d - 1 + eps / s) / d
    violated = sp.solve_univariate_inequality(cond <= 0, eps, relational=False)
    return {"violated_set": violated, "correct_threshold": sp.Rational(s * (d - 3), d - 1),
            "source_threshold": sp.Rational(s * (d - 3), s + d),
            "counterexample_eps": sp.Rational(2, 5), "cond_at_counterexample": cond.subs(eps, sp.Rational(2, 5))}


# ----------------------------------------------------------------------------- VICReg (derived B = −2λC)
#
# Population VICReg for f = Wx (other_losses.vicreg_symbolic): λE‖f(x) − f(x')‖² = 2λTr[WCWᵀ] and the source's
# model κR of the variance term give L = Tr[W M Wᵀ] + (non-negative quartic) + κc², M = 2λC − 2κcΣ.
# Radial argument: L(tW) − L(0) = t²Tr[WMWᵀ] + t⁴Q(W), Q ≥ κρ(W)² > 0 for W ≠ 0 (κ > 0, Σ ≻ 0), so
# ⟨∇L(W), W⟩ = 2Tr[WMWᵀ] + 4Q(W) > 0 for W ≠ 0 whenever M ⪰ 0 — also when M is singular (κ = κ*), where the quartic
# alone decides: the origin is then the ONLY stationary point and the unique global minimum (complete collapse); if
# M has a negative eigenvalue the origin is a saddle.  Hence complete collapse iff κ ≤ κ* = λ·λ_min(Σ^{-1/2}CΣ^{-1/2})/c
# (for κ* > 0; κ* = 0, i.e. C singular: no complete collapse for any κ > 0).


def _check_vicreg_args(c: float, lam_inv: float, kappa: float = 0.0) -> None:
    if not c > 0:
        raise ValueError(f"c must be > 0, got {c}")
    if not lam_inv > 0:
        raise ValueError(f"lam_inv (the invariance weight) must be > 0, got {lam_inv}")
    if not kappa >= 0:
        raise ValueError(f"kappa must be >= 0, got {kappa}")


def vicreg_B(C, lam_inv: float = 1.0) -> np.ndarray:
    """The derived B of VICReg's invariance term λE‖f(x) − f(x')‖² = 2λTr[WCWᵀ]: B = −2λC (not −A0)."""
    _check_vicreg_args(1.0, lam_inv)
    return -2.0 * lam_inv * np.asarray(C, dtype=np.float64)


def vicreg_origin_matrix(C, Sigma, kappa: float, c: float, lam_inv: float = 1.0) -> np.ndarray:
    """Eigenvalues of M = 2λC − 2κcΣ: L = Tr[WMWᵀ] + O(W⁴) + κc² near W = 0 (derived VICReg with κR)."""
    _check_vicreg_args(c, lam_inv, kappa)
    M = 2 * lam_inv * np.asarray(C, float) - 2 * kappa * c * np.asarray(Sigma, float)
    return np.linalg.eigvalsh((M + M.T) / 2)


def vicreg_threshold(C, Sigma, c: float, lam_inv: float = 1.0) -> float:
    """κ* = λ·λ_min(Σ^{-1/2}CΣ^{-1/2})/c: complete collapse (origin the only stationary point and the unique global
    minimum) for κ ≤ κ* — at κ = κ* the origin matrix 2λC − 2κcΣ is PSD and singular and the quartic (κρ² > 0 for every
    W ≠ 0 when κ > 0) decides: ⟨∇L(W), W⟩ > 0 —, the origin a saddle for κ > κ* (derived; 0 when C is singular: then no
    complete collapse for any κ > 0)."""
    _check_vicreg_args(c, lam_inv)
    return float(lam_inv * max(np.linalg.eigvalsh(whitened(C, Sigma)).min(), 0.0) / c)


def vicreg_source_model_threshold(A0, Sigma, c: float) -> float:
    """What the source's B = −A0 would give: origin curvature A0 − 2κcΣ, threshold λ_min(Σ^{-1/2}A0Σ^{-1/2})/(2c)."""
    _check_vicreg_args(c, 1.0)
    return float(np.linalg.eigvalsh(whitened(A0, Sigma)).min() / (2 * c))


def vicreg_source_scale(A0, Sigma, c: float) -> float:
    """The source's scale ‖A0‖/(c‖Σ‖) (spectral norms)."""
    _check_vicreg_args(c, 1.0)
    return float(np.linalg.norm(A0, 2) / (c * np.linalg.norm(Sigma, 2)))


def vicreg_population_loss(W, A0, C, kappa: float, c: float, lam_inv: float = 1.0, nu: float = 1.0) -> float:
    """Population VICReg of f = Wx with the source's variance model: λ·2Tr[WCWᵀ] + κ(Tr[WΣWᵀ] − c)²
    + 2ν(1/d1)Σ_{i≠j}(WΣWᵀ)_ij² (covariance term on both branches)."""
    _check_vicreg_args(c, lam_inv, kappa)
    W = np.asarray(W, float)
    A0, C = np.asarray(A0, float), np.asarray(C, float)
    P = W @ (A0 + C) @ W.T
    off = P - np.diag(np.diag(P))
    return float(2 * lam_inv * np.trace(W @ C @ W.T) + kappa * (np.trace(P) - c) ** 2
                 + 2 * nu * np.sum(off ** 2) / W.shape[0])


def vicreg_population_grad(W, A0, C, kappa: float, c: float, lam_inv: float = 1.0, nu: float = 1.0) -> np.ndarray:
    """∇ of ``vicreg_population_loss``: 4λWC + 4κ(ρ − c)WΣ + (8ν/d1)·offdiag(WΣWᵀ)WΣ."""
    _check_vicreg_args(c, lam_inv, kappa)
    W = np.asarray(W, float)
    S = np.asarray(A0, float) + np.asarray(C, float)
    P = W @ S @ W.T
    off = P - np.diag(np.diag(P))
    return (4 * lam_inv * W @ np.asarray(C, float) + 4 * kappa * (np.trace(P) - c) * W @ S
            + 8 * nu * off @ W @ S / W.shape[0])


def vicreg_hinge_origin_matrix(C, Sigma, lam_inv: float, mu: float, d1: int, eps: float) -> np.ndarray:
    """Eigenvalues of 2λC − (μ/(d1√ε))Σ: the W² term of VICReg with its own variance hinge μ[v(Z) + v(Z')],
    v = (1/d1)Σ_j max(0, γ − √(Var_j + ε)) (active at W = 0 when γ > √ε), population."""
    _check_vicreg_args(1.0, lam_inv)
    if not (mu > 0 and eps > 0 and int(d1) == d1 and d1 >= 1):
        raise ValueError(f"mu > 0, eps > 0 and a positive integer d1 are required, got mu={mu}, eps={eps}, d1={d1}")
    M = 2 * lam_inv * np.asarray(C, float) - mu / (d1 * np.sqrt(eps)) * np.asarray(Sigma, float)
    return np.linalg.eigvalsh((M + M.T) / 2)


# ----------------------------------------------------------------------------- Thm 4 (bias)


def bias_loss(W, b, B, Sigma, kappa: float, c: float) -> float:
    """L(W, b) = -Tr[WBWᵀ] + Tr[(WΣWᵀ)²] + κ(ρ + ‖b‖² - c)² (f = Wx + b, E x = 0)."""
    W, b = np.asarray(W, float), np.asarray(b, float)
    P = W @ np.asarray(Sigma, float) @ W.T
    return float(-np.trace(W @ np.asarray(B, float) @ W.T) + np.trace(P @ P) + kappa * (np.trace(P) + b @ b - c) ** 2)


def bias_grad(W, b, B, Sigma, kappa: float, c: float) -> tuple[np.ndarray, np.ndarray]:
    """(∂L/∂W, ∂L/∂b) = (-2WB + 4WΣWᵀWΣ + 4κ(ρ+‖b‖²-c)WΣ, 4κ(ρ+‖b‖²-c) b)."""
    W, b, B, Sigma = (np.asarray(x, float) for x in (W, b, B, Sigma))
    WS = W @ Sigma
    t = np.trace(WS @ W.T) + b @ b - c
    return -2 * W @ B + 4 * WS @ W.T @ WS + 4 * kappa * t * WS, 4 * kappa * t * b


@lru_cache(maxsize=None)
def thm4_scalar_counterexample() -> dict:
    """d0 = d1 = 1, Σ = 1, B = 4, κ = c = 1: (w² = 3/2, b = 0) is stationary with ρ = 3/2 > c; it is the
    global minimum (L = -7/2), while the b ≠ 0 branch (Thm 4's) only reaches L = 0."""
    w, b = sp.symbols("w b", real=True)
    kap, c, s, B = 1, 1, 1, 4
    L = -B * w ** 2 + s ** 2 * w ** 4 + kap * (s * w ** 2 + b ** 2 - c) ** 2
    crit = sp.solve([sp.diff(L, w), sp.diff(L, b)], [w, b], dict=True)
    vals = sorted({(sp.nsimplify(L.subs(p)), sp.nsimplify((s * w ** 2).subs(p)), sp.nsimplify(p[b] ** 2))
                   for p in crit if all(v.is_real for v in p.values())}, key=lambda t: t[0])
    pt = {w: sp.sqrt(sp.Rational(3, 2)), b: 0}
    hess = sp.hessian(L, (w, b)).subs(pt)
    return {"L": L, "critical_values": vals, "grad_at_point": [sp.simplify(sp.diff(L, v).subs(pt)) for v in (w, b)],
            "hessian_eigs": list(hess.eigenvals()), "rho": s * pt[w] ** 2, "c": c}


def one_sided_penalty() -> dict:
    """min over b of κ(ρ + ‖b‖² - c)² is κ·max(ρ - c, 0)² (t = ‖b‖² ≥ 0): for ρ = c - u < c, t = u gives 0;
    for ρ = c + u ≥ c the penalty κ(u + t)² has t-derivative 2κ(u + t) ≥ 0, so t = 0 is optimal."""
    kap, u, t = sp.symbols("kappa u t", nonnegative=True)
    below = sp.expand(kap * ((-u) + u) ** 2)
    slope = sp.diff(kap * (u + t) ** 2, t)
    return {"below_value": below, "above_slope": slope, "above_slope_nonneg": bool(slope.is_nonnegative)}
