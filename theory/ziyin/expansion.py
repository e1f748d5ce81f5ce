"""Small-W expansion of the weighted InfoNCE loss for a linear model (Ziyin et al., §1.1, eq. 3–4).

Setting (population data): anchor x = x̂ + ε, positive x' = x̂ + ε', negatives χ_j = x̂_j + ε_j
(j = 1..N−1), x̂, x̂_j ~ N(0, A0), ε ~ N(0, C), all independent; f = Wx.  Per anchor (eq. 3)

    ℓ = −u_0 + log(Σ_j e^{u_j} + α e^{u_0}),   u_0 = −½|W(x−x')|²,  u_j = −½|W(x−χ_j)|²,

and L = E[ℓ] (mean over anchors, the E_x̂ convention of eq. 2; eq. 1's sum over anchors multiplies
L − log K by N).  Everything here is derived, not copied:

* ``u_level_series``: SymPy's series of ℓ in s = t² (u → s u) is log K + (−u_0 + S) + ½(Q − S²),
  K = N − 1 + α, S, Q the K-weighted mean of u and u².
* ``quadratic_moment_lemma``: E|z1|²|z2|² = TrΓ1 TrΓ2 + 2Tr(Γ12Γ21) (Isserlis), giving the moments
  E u_j² = T_S² + 2S₂, E u_j u_k = T_S² + ½S₂, E u_0² = T_P² + 2P₂, E u_j u_0 = T_S T_P + ½P₂
  with S = WΣWᵀ, P = WCWᵀ, Σ = A0 + C, T_X = Tr X, X₂ = Tr X².
* ``derived_coefficients``: the order-2 term is −b Tr[WA0Wᵀ] with b = (N−1)/K (C cancels), the
  order-4 term is κ_S Tr S² + κ_P Tr P² + κ_T (Tr WA0Wᵀ)².
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp

from sslverify.theory.gaussian import gaussian_expectation

N_, ALPHA = sp.symbols("N alpha", positive=True)
TA, TP, S2, P2 = sp.symbols("T_A T_P S_2 P_2", real=True)  # Tr WA0Wᵀ, Tr WCWᵀ, Tr S², Tr P²
TS = TA + TP  # Tr WΣWᵀ


# ----------------------------------------------------------------------------- validation
def _check_alpha(alpha) -> None:
    if not (0.0 <= float(alpha) <= 1.0):
        raise ValueError(f"alpha must lie in [0, 1], got {alpha}")


def _check_N(N) -> None:
    if int(N) != N or N < 2:
        raise ValueError(f"N must be an integer >= 2 (one positive and N-1 >= 1 negatives), got {N}")


def _psd(name: str, M) -> np.ndarray:
    M = np.atleast_2d(np.asarray(M, dtype=np.float64))
    if M.shape[0] != M.shape[1] or not np.allclose(M, M.T, rtol=0, atol=1e-12 * (1 + np.abs(M).max())):  # float64 round-off
        raise ValueError(f"{name} must be a symmetric square matrix")
    if np.linalg.eigvalsh(M).min() < -1e-10 * (1 + np.abs(M).max()):
        raise ValueError(f"{name} must be symmetric positive semi-definite")
    return M


# ----------------------------------------------------------------------------- symbolic layer
@lru_cache(maxsize=None)
def u_level_series(N: int):
    """(c2, c4, vs): Taylor coefficients of ℓ in s = t² with u_k = s·v_k (the s¹ and s² terms)."""
    _check_N(N)
    v = sp.symbols(f"v0:{N}", real=True)
    s = sp.Symbol("s")
    ell = -s * v[0] + sp.log(sum(sp.exp(s * vj) for vj in v[1:]) + ALPHA * sp.exp(s * v[0]))
    d1 = sp.diff(ell, s)  # Taylor coefficients ℓ'(0), ℓ''(0)/2 (same as sp.series, 10x faster)
    return sp.cancel(d1.subs(s, 0)), sp.cancel(sp.diff(d1, s).subs(s, 0) / 2), v


def u_level_closed(N: int, v):
    """Hand form: (−u_0 + S, ½(Q − S²)) with K-weights 1 (negatives) and α (positive)."""
    K = N - 1 + ALPHA
    S = (sum(v[1:]) + ALPHA * v[0]) / K
    Q = (sum(x**2 for x in v[1:]) + ALPHA * v[0] ** 2) / K
    return -v[0] + S, sp.Rational(1, 2) * (Q - S**2)


@lru_cache(maxsize=None)
def quadratic_moment_lemma(d: int) -> sp.Expr:
    """Residual of E|z1|²|z2|² − (TrΓ11 TrΓ22 + 2Tr(Γ12Γ21)) for symbolic joint covariance, dim d."""
    z = sp.symbols(f"z0:{2 * d}", real=True)
    G = sp.Matrix(2 * d, 2 * d, lambda i, j: sp.Symbol(f"g{min(i, j)}_{max(i, j)}"))
    lhs = gaussian_expectation(sum(q**2 for q in z[:d]) * sum(q**2 for q in z[d:]), z, G)
    G11, G22, G12 = G[:d, :d], G[d:, d:], G[:d, d:]
    rhs = G11.trace() * G22.trace() + 2 * (G12 * G12.T).trace()
    return sp.expand(lhs - rhs)


def moment_table():
    """E u_k u_l for the population setting, from the lemma with Γ's 2S, 2P, S (shared x), P (shared ε)."""
    q = sp.Rational(1, 4)  # u = −½|z|²  ⇒  u u' = ¼|z|²|z'|²
    return {
        "Eu_neg": -TS, "Eu_pos": -TP,
        "Eu_neg2": q * ((2 * TS) ** 2 + 2 * 4 * S2),
        "Eu_neg_neg": q * ((2 * TS) ** 2 + 2 * S2),
        "Eu_pos2": q * ((2 * TP) ** 2 + 2 * 4 * P2),
        "Eu_neg_pos": q * ((2 * TS) * (2 * TP) + 2 * P2),
    }


@lru_cache(maxsize=None)
def derived_orders():
    """(E2, E4) as SymPy expressions of N, α, T_A, T_P, S₂, P₂: expectation of the u-level terms."""
    m = moment_table()
    K = N_ - 1 + ALPHA
    E2 = m["Eu_pos"] * (ALPHA / K - 1) + (N_ - 1) / K * m["Eu_neg"]
    EQ = ((N_ - 1) * m["Eu_neg2"] + ALPHA * m["Eu_pos2"]) / K
    ES2 = ((N_ - 1) * m["Eu_neg2"] + (N_ - 1) * (N_ - 2) * m["Eu_neg_neg"]
           + 2 * ALPHA * (N_ - 1) * m["Eu_neg_pos"] + ALPHA**2 * m["Eu_pos2"]) / K**2
    return sp.cancel(E2), sp.expand(sp.Rational(1, 2) * (EQ - ES2))


@lru_cache(maxsize=None)
def derived_coefficients() -> dict:
    """b, κ_S, κ_P, κ_T with E2 = −b T_A and E4 = κ_S S₂ + κ_P P₂ + κ_T T_A² (checked by the caller)."""
    K = N_ - 1 + ALPHA
    return {
        "b": (N_ - 1) / K,
        "kS": (N_ - 1) * (sp.Rational(3, 4) * (N_ - 2) + ALPHA) / K**2,
        "kP": ALPHA * (N_ - 1) / (2 * K**2),
        "kT": ALPHA * (N_ - 1) / (2 * K**2),
    }


def closed_form_residuals() -> tuple[sp.Expr, sp.Expr]:
    """(E2 − closed, E4 − closed): both simplify to 0 for symbolic N, α (general dimension)."""
    E2, E4 = derived_orders()
    k = derived_coefficients()
    return (sp.cancel(sp.together(E2 + k["b"] * TA)),
            sp.cancel(sp.together(E4 - (k["kS"] * S2 + k["kP"] * P2 + k["kT"] * TA**2))))


def source_orders():
    """Source's eq. 3 text / eq. 4: L = (1−α)/N Tr[WCWᵀ] − Tr[WA0Wᵀ] + ⅛Var = ... + Tr S²."""
    return (1 - ALPHA) / N_ * TP - TA, S2


def source_mechanism_E2() -> sp.Expr:
    """Where the source's C term comes from: −u_0 + log(N E_χ e^u − (1−α)e^{u_0}) expanded with every
    one of the N candidates in E_χ treated as an independent negative (E u = −T_S) and the
    normalisation 1/(1 − (1−α)/N) dropped; reproduces the source's second order exactly."""
    m = moment_table()
    return sp.expand(-m["Eu_pos"] + m["Eu_neg"] - (1 - ALPHA) / N_ * m["Eu_pos"])


# ----------------------------------------------------------------------------- brute force (Isserlis)
@lru_cache(maxsize=None)
def brute_force_population(N: int, d: int, A0: tuple | None = None, C: tuple | None = None):
    """Exact E of the SymPy-series coefficients for explicit dimension d, symbolic W (d×d).

    A0, C: tuples of rows (rational numbers) or None for symbolic 1×1 (d = 1: symbols a, c).
    Returns (E2, E4, W symbols, A0, C) as SymPy objects.
    """
    c2, c4, v = u_level_series(N)
    if d == 1 and A0 is None:
        A0m, Cm = sp.Matrix([[sp.Symbol("a", positive=True)]]), sp.Matrix([[sp.Symbol("c", positive=True)]])
    else:
        A0m, Cm = sp.Matrix(A0), sp.Matrix(C)
    W = sp.Matrix(d, d, lambda i, j: sp.Symbol(f"w{i}{j}", real=True))
    # u = −½ vᵀ G v with G = WᵀW: Isserlis runs over the raw Gaussian variables with the 3 (d = 2)
    # entries of G as coefficients; G is replaced by WᵀW afterwards (same polynomial, much faster)
    G = sp.Matrix(d, d, lambda i, j: sp.Symbol(f"g{min(i, j)}{max(i, j)}", real=True))
    names = ["xh", "e", "ep"] + [f"{p}{j}" for j in range(1, N) for p in ("xh", "e")]
    vecs = {n: sp.Matrix(sp.symbols(f"{n}_0:{d}", real=True)) for n in names}
    variables = [s for n in names for s in vecs[n]]
    covs = [A0m if n.startswith("xh") else Cm for n in names]
    cov = sp.diag(*covs)
    x = vecs["xh"] + vecs["e"]
    diffs = [vecs["e"] - vecs["ep"]] + [x - vecs[f"xh{j}"] - vecs[f"e{j}"] for j in range(1, N)]
    u = [-sp.expand((dv.T * G * dv)[0, 0]) / 2 for dv in diffs]
    GW = dict(zip([G[i, j] for i in range(d) for j in range(i, d)],
                  [(W.T * W)[i, j] for i in range(d) for j in range(i, d)]))

    def E(expr):  # linearity over the monomials in the u's, then Isserlis for each
        poly = sp.Poly(sp.expand(expr), *v)
        total = 0
        for powers, coeff in poly.terms():
            mono = sp.Integer(1)
            for uk, p in zip(u, powers):
                mono *= uk**p
            total += coeff * gaussian_expectation(mono, variables, cov)
        return sp.expand(sp.expand(total).subs(GW, simultaneous=True))
    return E(c2), E(c4), W, A0m, Cm


def brute_minus_closed(b2, b4, tq: dict, N: int) -> tuple[sp.Expr, sp.Expr]:
    """(brute E2 − closed E2, brute E4 − closed E4) at explicit N, as cancelled rational functions."""
    E2, E4 = derived_orders()
    return tuple(sp.cancel(sp.together(sp.expand(b - E.subs(tq).subs(N_, N)))) for b, E in ((b2, E2), (b4, E4)))


def trace_quantities(W: sp.Matrix, A0: sp.Matrix, C: sp.Matrix) -> dict:
    S, P = W * (A0 + C) * W.T, W * C * W.T
    return {TA: (W * A0 * W.T).trace(), TP: P.trace(), S2: (S * S).trace(), P2: (P * P).trace()}


@lru_cache(maxsize=None)
def brute_force_fixed_dataset(N: int, quartic: bool = True):
    """d = 1, symbolic data p_1..p_N (fixed), fresh Gaussian noise (variance c): E_noise of the
    anchor-averaged order-2 coefficient, the prediction −(N/K)(mean p² − mean(p)²) w², the
    anchor-averaged order-4 coefficient (0 unless ``quartic``), and the symbols (p, w, c)."""
    c2, c4, v = u_level_series(N)
    p = sp.symbols(f"p1:{N + 1}", real=True)
    w, c = sp.Symbol("w", real=True), sp.Symbol("c", positive=True)
    e = sp.symbols(f"e1:{N + 1}", real=True)
    ep = sp.Symbol("ep", real=True)
    variables = list(e) + [ep]
    cov = sp.eye(N + 1) * c
    total2 = total4 = 0
    for i in range(N):
        u = [-(w * (e[i] - ep)) ** 2 / 2] + [-(w * (p[i] - p[j] + e[i] - e[j])) ** 2 / 2
                                             for j in range(N) if j != i]
        sub = dict(zip(v, u))
        total2 += gaussian_expectation(c2.subs(sub, simultaneous=True), variables, cov)
        if quartic:
            total4 += gaussian_expectation(c4.subs(sub, simultaneous=True), variables, cov)
    K = N - 1 + ALPHA
    mean, mean2 = sum(p) / N, sum(q**2 for q in p) / N
    return (sp.expand(total2 / N), sp.expand(-(N / K) * (mean2 - mean**2) * w**2),
            sp.expand(total4 / N), (p, w, c))


# ----------------------------------------------------------------------------- numeric predictors
def coefficients(N, alpha) -> dict:
    """Numeric b, κ_S, κ_P, κ_T: the factored forms of ``derived_coefficients`` (tests check them against the
    symbolic ones), evaluated without cancellation: κ_S = (N−1)(¾(N−2) + α)/K², whose expanded SymPy form
    3N/4 + α − 3/2 loses a tiny α at N = 2 in float64."""
    _check_N(N)
    _check_alpha(alpha)
    N, alpha = int(N), float(alpha)
    K = N - 1 + alpha
    return {"b": (N - 1) / K, "kS": (N - 1) * (0.75 * (N - 2) + alpha) / K**2,
            "kP": alpha * (N - 1) / (2 * K**2), "kT": alpha * (N - 1) / (2 * K**2)}


def derived_B(A0, N, alpha) -> np.ndarray:
    """B = (N−1)/(N−1+α) A0 (population, independent negatives): independent of C."""
    return coefficients(N, alpha)["b"] * _psd("A0", A0)


def source_B(A0, C, N, alpha) -> np.ndarray:
    """The source's B = A0 − (1−α)C/N (§1.1)."""
    _check_N(N)
    _check_alpha(alpha)
    return _psd("A0", A0) - (1 - alpha) / N * _psd("C", C)


def expected_loss_small_w(W, A0, C, N, alpha) -> float:
    """log K + E2 + E4: the derived expansion of E[ℓ] to order W⁴."""
    W = np.atleast_2d(np.asarray(W, dtype=np.float64))
    A0, C = _psd("A0", A0), _psd("C", C)
    k = coefficients(N, alpha)
    S, P = W @ (A0 + C) @ W.T, W @ C @ W.T
    ta = np.trace(W @ A0 @ W.T)
    return float(np.log(N - 1 + alpha) - k["b"] * ta + k["kS"] * np.trace(S @ S)
                 + k["kP"] * np.trace(P @ P) + k["kT"] * ta**2)


def curvature_at_origin(W, A0, C, N, alpha, gamma=0.0) -> float:
    """d²/da² [L(aW) + γ‖aW‖²_F] at a = 0 = −2Tr[WBWᵀ] + 2γ‖W‖²_F, B = (N−1)/K A0 (C drops out).

    Weight-decay convention: penalty γ‖W‖²_F (torch's weight_decay=γ is the penalty (γ/2)‖W‖²_F).
    ``C`` is validated only: the curvature does not depend on it."""
    if gamma < 0:
        raise ValueError(f"gamma must be >= 0, got {gamma}")
    W = np.atleast_2d(np.asarray(W, dtype=np.float64))
    _psd("C", C)
    B = derived_B(A0, N, alpha)
    return float(-2 * np.trace(W @ B @ W.T) + 2 * gamma * np.sum(W**2))


def collapse_gamma_threshold(a_i, N, alpha, convention: str = "penalty") -> float:
    """Smallest weight decay that collapses eigendirection i: γ ≥ b_i = (N−1)/K a_i (penalty γ‖W‖²);
    with convention='torch' (weight_decay=γ ⇔ penalty (γ/2)‖W‖²) the threshold is 2 b_i."""
    if convention not in ("penalty", "torch"):
        raise ValueError(f"convention must be 'penalty' or 'torch', got {convention!r}")
    b = coefficients(N, alpha)["b"] * float(a_i)
    return b if convention == "penalty" else 2 * b


def predicted_gram_eigs(A0_eigs, c_eigs, N, alpha) -> np.ndarray:
    """Eigenvalues λ_i of WᵀW at the minimiser of the derived order-2 + order-4 loss (commuting
    A0, C; d1 ≥ d0).  In the common eigenbasis the loss is the strictly convex quadratic
    −b Σa_iλ_i + Σ(κ_S s_i² + κ_P c_i²)λ_i² + κ_T(Σa_iλ_i)², s_i = a_i + c_i, whose minimiser over
    λ ≥ 0 is λ_i = b a_i⁺ / (2D_i (1 + 2κ_T R)), D_i = κ_S s_i² + κ_P c_i², R = Σ(a_j⁺)²/(2D_j).
    Uses the DERIVED quartic (not the source's Tr S²) because that is the InfoNCE expansion."""
    a = np.asarray(A0_eigs, dtype=np.float64).ravel()
    c = np.asarray(c_eigs, dtype=np.float64).ravel()
    if a.shape != c.shape:
        raise ValueError("A0_eigs and c_eigs must have the same length")
    if (a < 0).any() or (c < 0).any() or ((a + c) <= 0).any():
        raise ValueError("A0_eigs and c_eigs must be >= 0 with a_i + c_i > 0")
    k = coefficients(N, alpha)
    D = k["kS"] * (a + c) ** 2 + k["kP"] * c**2
    ap = np.clip(a, 0, None)
    R = np.sum(ap**2 / (2 * D))
    return k["b"] * ap / (2 * D * (1 + 2 * k["kT"] * R))


@lru_cache(maxsize=None)
def sigma_slope_expr():
    """d log λ / d log σ for A0 = a, C = σ² (per direction, κ_T-coupling excluded): SymPy expr."""
    a, sig = sp.symbols("a sigma", positive=True)
    k = derived_coefficients()
    lam = a / (k["kS"] * (a + sig**2) ** 2 + k["kP"] * sig**4)
    return sp.simplify(sig * sp.diff(sp.log(lam), sig)), a, sig


def sigma_slope(a, sigma, N, alpha) -> float:
    """Local exponent of λ(σ); = −4σ²/(a+σ²) for α = 0, → −4 as σ → ∞ for every α."""
    _check_N(N)
    _check_alpha(alpha)
    expr, a_, s_ = sigma_slope_expr()
    return float(expr.subs({a_: a, s_: sigma, N_: N, ALPHA: alpha}))


def paper_ncrit_main(a, c, alpha) -> float:
    """§1.1: collapse iff (1−α)c/N ≥ a, i.e. for N ≤ (1−α)c/a (returned)."""
    _check_alpha(alpha)
    if a <= 0:
        raise ValueError(f"a must be > 0, got {a}")
    return (1 - alpha) * c / a


def paper_ncrit_eq7(a, c, alpha) -> float:
    """App. B eq. 7: collapse iff N > a/(c(1−α)) =: N_crit (returned)."""
    _check_alpha(alpha)
    if c <= 0 or alpha == 1:
        raise ValueError("c must be > 0 and alpha < 1 for eq. 7's N_crit to exist")
    return a / (c * (1 - alpha))


def _centered(X) -> np.ndarray:
    X = np.atleast_2d(np.asarray(X, dtype=np.float64))
    if X.shape[0] < 2:
        raise ValueError("X must hold at least 2 data points (rows)")
    return X - X.mean(axis=0)


def predicted_B_fixed_dataset(X, alpha) -> np.ndarray:
    """Fixed data set X (N×d0), fresh noise, anchor-mean loss: order 2 = −(N/K)Tr[W(Â0 − mmᵀ)Wᵀ]."""
    _check_alpha(alpha)
    Xc = _centered(X)
    N = Xc.shape[0]
    return N / (N - 1 + alpha) * (Xc.T @ Xc) / N


def predicted_rank_fixed_dataset(X, d1: int) -> int:
    """rank(WᵀW) = min(d1, rank of the centred data) ≤ min(d1, N−1): B is PSD with that rank for every
    α, σ, so the only collapse is the data-rank one (no augmentation-driven N_crit)."""
    if int(d1) != d1 or d1 < 1:
        raise ValueError(f"d1 must be a positive integer, got {d1}")
    Xc = _centered(X)
    s = np.linalg.svd(Xc, compute_uv=False)
    tol = s.max() * max(Xc.shape) * np.finfo(float).eps if s.size and s.max() > 0 else 0.0
    return int(min(d1, int(np.sum(s > tol))))
