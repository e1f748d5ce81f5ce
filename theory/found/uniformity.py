"""Alignment, uniformity, NT-Xent and simplex ETFs (foundations note, "Alignment and Uniformity on
the Hypersphere", Theorem (Wang & Isola), Exercise 5, "Dimensional Collapse", Exercise 6).

Derived here:

* ``sphere_kernel_identity``: on the unit sphere ‖u − v‖² = 2 − 2uᵀv, so e^{−2‖u−v‖²} = e^{−4}e^{4uᵀv};
  the kernel is ≤ 1 with equality iff u = v, so L_uniform ≤ 0 with 0 exactly at collapse;
* ``circle_energy``: on S¹, E e^{4cos(θ−φ)} = I₀(4) + 2Σ_k I_k(4)|E e^{ikθ}|² (Jacobi–Anger), all
  I_k(4) > 0, so the uniform law is the unique minimiser among *all* laws on S¹ — no trace constraint
  is needed; in R² with tr Cov = 1 fixed, N(0, ½I) gives exactly 1/5 < e^{−4}I₀(4) ≈ 0.2070;
* ``sphere2_energy``: on S², E e^{4uᵀv} = Σ_ℓ (2ℓ+1) i_ℓ(4) E P_ℓ(uᵀv) (Legendre expansion, i_ℓ the
  modified spherical Bessel functions, all > 0); E_{μ⊗μ} P_ℓ(uᵀv) ≥ 0 (addition theorem) with the
  ℓ = 0 term i₀(4) = sinh(4)/4 the uniform law's energy — the same argument one dimension up;
* ``gegenbauer_rodrigues`` / ``gegenbauer_coefficients`` / ``sphere_energy``: the same argument on S^{d−1} for every
  d: e^{st} = Σ_ℓ b_ℓ C_ℓ^ν(t), ν = (d−2)/2 (Chebyshev T_ℓ for d = 2), with every b_ℓ > 0 — by Rodrigues' formula
  (1−t²)^{ν−½}C_ℓ^ν(t) = r_ℓ (d/dt)^ℓ (1−t²)^{ℓ+ν−½}, (−1)^ℓ r_ℓ > 0, and ℓ-fold integration by parts (the boundary
  terms vanish): ∫e^{st}C_ℓ^ν(1−t²)^{ν−½}dt = (−1)^ℓ r_ℓ s^ℓ ∫e^{st}(1−t²)^{ℓ+ν−½}dt > 0 (SymPy checks Rodrigues' identity,
  the sign of r_ℓ and the vanishing boundary terms exactly for ℓ ≤ lmax); numerically the projection equals the
  closed form π2^{1−ν}s^{−ν}Γ(ℓ+2ν)I_{ℓ+ν}(s)/(ℓ!Γ(ν)) (πI_ℓ(s) for d = 2).  With the addition theorem
  E_{μ⊗μ}C_ℓ^ν(uᵀv) = c_ℓ Σ_m |E_μ Y_ℓm|² ≥ 0 (zero for every ℓ ≥ 1 only for the uniform law) the uniform law is the
  unique minimiser of E e^{−2‖u−v‖²} among all laws on S^{d−1}; a fixed covariance trace (= 1 − ‖E u‖² on the sphere)
  plays no role;
* ``ntxent_limit``: as N → ∞, NT-Xent − log(2N − 2) → L_align/(2τ) − 1/τ + E_x log E_y e^{f(x)ᵀf(y)/τ}
  (the repulsion term enters with a *plus* sign, log inside the outer expectation);
* ``simplex_gram``: G = (N/(N−1))I − 11ᵀ/(N−1) satisfies G² = (N/(N−1))G for symbolic N, so it is
  PSD with rank tr G/(N/(N−1)) = N − 1; and mean_{i≠j} z_iᵀz_j = (‖Σz‖² − N)/(N(N−1)) ≥ −1/(N−1);
* ``log_n_bounds``: NT-Xent of unit vectors ≥ log(1 + (2N−2)e^{−2/τ}) (→ ∞ as N → ∞), and the gap
  between full collapse and the simplex configuration → 0 as τ → ∞: "O(log N) dimensions suffice
  for near-minimal loss" depends on τ and on a tolerance the note never fixes.
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import sympy as sp
from scipy import special

TAU = sp.Symbol("tau", positive=True)
NN = sp.Symbol("N", integer=True, positive=True)


# ----------------------------------------------------------------------------- uniformity
@lru_cache(maxsize=None)
def sphere_kernel_identity(d: int = 3) -> dict:
    u = sp.Matrix(sp.symbols(f"u1:{d + 1}", real=True))
    v = sp.Matrix(sp.symbols(f"v1:{d + 1}", real=True))
    sq = ((u - v).T * (u - v))[0, 0]
    uv = (u.T * v)[0, 0]
    nu, nv = (u.T * u)[0, 0], (v.T * v)[0, 0]
    # ‖u−v‖² − (‖u‖² + ‖v‖² − 2uᵀv) = 0 identically; on the sphere ‖u‖ = ‖v‖ = 1
    ident = sp.expand(sq - (nu + nv - 2 * uv)) == 0
    t = sp.Symbol("t", real=True)
    kern = sp.simplify(sp.exp(-2 * (2 - 2 * t)) - sp.exp(-4) * sp.exp(4 * t)) == 0
    return {"distance_identity": bool(ident), "kernel_identity": bool(kern),
            "collapse_value": sp.log(sp.exp(-2 * sp.Integer(0)))}


def circle_energy(weights: np.ndarray, angles: np.ndarray, kmax: int = 60) -> tuple[float, float]:
    """(direct E e^{4cos(θ−φ)}, Jacobi–Anger series) for a discrete law on S¹."""
    w = np.asarray(weights, dtype=float)
    a = np.asarray(angles, dtype=float)
    if np.any(w < 0) or not np.isclose(w.sum(), 1.0):
        raise ValueError("weights must be a probability vector (non-negative, summing to 1)")
    direct = float(w @ np.exp(4 * np.cos(a[:, None] - a[None, :])) @ w)
    c = np.array([np.abs(np.sum(w * np.exp(1j * k * a))) ** 2 for k in range(1, kmax + 1)])
    series = float(special.iv(0, 4) + 2 * np.sum(special.iv(np.arange(1, kmax + 1), 4) * c))
    return direct, series


def sphere2_energy(weights: np.ndarray, points: np.ndarray, lmax: int = 40) -> tuple[float, float, list[float]]:
    """(direct E e^{4uᵀv}, Legendre series, [E P_ℓ(uᵀv) for ℓ = 1..lmax]) for a discrete law on S².

    Uniform law: E e^{4uᵀv} = i₀(4) = sinh(4)/4; the series truncated at ℓ = 40 leaves < 1e-30."""
    w = np.asarray(weights, dtype=float)
    x = np.asarray(points, dtype=float)
    if np.any(w < 0) or not np.isclose(w.sum(), 1.0):
        raise ValueError("weights must be a probability vector (non-negative, summing to 1)")
    if x.ndim != 2 or x.shape[1] != 3 or not np.allclose(np.linalg.norm(x, axis=1), 1.0, rtol=0.0, atol=1e-12):
        raise ValueError(f"points must be unit vectors in R^3, shape (m, 3); got shape {x.shape}")
    G = np.clip(x @ x.T, -1.0, 1.0)
    direct = float(w @ np.exp(4 * G) @ w)
    terms = [float(w @ special.eval_legendre(l, G) @ w) for l in range(1, lmax + 1)]
    coef = np.array([(2 * l + 1) * special.spherical_in(l, 4.0) for l in range(1, lmax + 1)])
    series = float(special.spherical_in(0, 4.0) + coef @ np.array(terms))
    return direct, series, terms


def _check_sphere_dim(d) -> int:
    if not isinstance(d, int) or isinstance(d, bool) or d < 2:
        raise ValueError(f"d must be an int >= 2 (the sphere S^(d-1)), got {d!r}")
    return d


@lru_cache(maxsize=None, typed=True)  # typed: 3.0 must reach the int check, not 3's cached result
def gegenbauer_rodrigues(d: int, lmax: int = 6) -> dict:
    """SymPy, exact: for ℓ = 0..lmax, Rodrigues' identity (1−t²)^{ν−½}C_ℓ^ν(t) = r_ℓ (d/dt)^ℓ g_ℓ, g_ℓ = (1−t²)^{ℓ+ν−½}
    (C = Chebyshev T_ℓ for d = 2), with r_ℓ a rational constant of sign (−1)^ℓ, and the integration-by-parts boundary
    terms (d/dt)^k g_ℓ, k < ℓ, of the form (1−t²)^{ℓ+ν−½−k}·polynomial with a positive exponent (so they vanish at ±1).
    Then b_ℓ ∝ ∫e^{st}C_ℓ^ν(1−t²)^{ν−½}dt = (−1)^ℓ r_ℓ s^ℓ ∫e^{st}g_ℓ dt > 0 for every s > 0."""
    _check_sphere_dim(d)
    if not isinstance(lmax, int) or lmax < 0:
        raise ValueError(f"lmax must be an int >= 0, got {lmax!r}")
    t = sp.Symbol("t", real=True)
    nu = sp.Rational(d - 2, 2)
    rows = []
    for ell in range(lmax + 1):
        C = sp.chebyshevt(ell, t) if d == 2 else sp.gegenbauer(ell, nu, t)
        e = ell + nu - sp.Rational(1, 2)
        D, boundary_ok = (1 - t**2) ** e, True
        for k in range(ell):
            # (d/dt)^k g = (1 − t²)^{e−k}·P_k(t) with P_k a polynomial and e − k ≥ ν + ½ > 0: zero at t = ±1
            Pk = sp.cancel(sp.powsimp(D / (1 - t**2) ** (e - k), force=True))
            boundary_ok = boundary_ok and bool(Pk.is_polynomial(t)) and bool(e - k > 0)
            D = sp.diff(D, t)
        # (d/dt)^ℓ g = (1 − t²)^{ν−½}·P_ℓ(t): Rodrigues says C_ℓ = r_ℓ P_ℓ with r_ℓ a constant
        Pl = sp.cancel(sp.powsimp(D / (1 - t**2) ** (e - ell), force=True))
        r = sp.cancel(C / Pl)
        rows.append({"l": ell, "r": str(r), "r_is_constant": bool(Pl.is_polynomial(t)) and not r.free_symbols,
                     "sign_ok": bool(((-1) ** ell * r) > 0) if not r.free_symbols else False,
                     "boundary_terms_vanish": boundary_ok})
    return {"d": d, "lmax": lmax, "rows": rows,
            "all_positive": all(r["r_is_constant"] and r["sign_ok"] and r["boundary_terms_vanish"] for r in rows)}


def gegenbauer_closed_form(d: int, ell: int, s: float = 4.0) -> float:
    """∫_{−1}^{1} e^{st} C_ℓ^ν(t)(1−t²)^{ν−½} dt = π2^{1−ν}s^{−ν}Γ(ℓ+2ν)I_{ℓ+ν}(s)/(ℓ!Γ(ν)), ν = (d−2)/2 (πI_ℓ(s) for d = 2)."""
    _check_sphere_dim(d)
    if d == 2:
        return float(np.pi * special.iv(ell, s))
    nu = (d - 2) / 2
    return float(np.pi * 2 ** (1 - nu) * s ** (-nu) * np.exp(special.gammaln(ell + 2 * nu) - special.gammaln(ell + 1)
                                                             - special.gammaln(nu)) * special.iv(ell + nu, s))


def gegenbauer_coefficients(d: int, lmax: int = 12, s: float = 4.0, nodes: int = 64) -> dict:
    """The projections ∫e^{st}C_ℓ^ν(t)(1−t²)^{ν−½}dt by Gauss quadrature with that weight (Gauss–Chebyshev for d = 2,
    Gauss–Gegenbauer otherwise; ``nodes`` nodes integrate polynomials of degree < 2·nodes exactly, and the Taylor tail
    of e^{st} beyond degree 2·nodes − lmax is < s^{100}/100! ≈ 1e-98 relative), next to the Bessel closed form,
    ℓ = 0..lmax — a second method for the positivity shown by ``gegenbauer_rodrigues``."""
    _check_sphere_dim(d)
    nu = (d - 2) / 2
    t, wts = special.roots_chebyt(nodes) if d == 2 else special.roots_gegenbauer(nodes, nu)
    out = []
    for ell in range(lmax + 1):
        C = special.eval_chebyt(ell, t) if d == 2 else special.eval_gegenbauer(ell, nu, t)
        terms = wts * np.exp(s * t) * C
        # abs_sum = Σ|terms| bounds the float64 round-off of the sum (≈ nodes·2.2e-16·abs_sum): the projections fall
        # like I_{ℓ+ν}(4) while the terms stay O(e^4), so the relative round-off grows with ℓ (1e-8 at ℓ = 12)
        out.append({"l": ell, "quadrature": float(terms.sum()), "abs_sum": float(np.abs(terms).sum()),
                    "closed_form": gegenbauer_closed_form(d, ell, s)})
    return {"d": d, "s": s, "nodes": nodes, "rows": out}


def uniform_sphere_energy(d: int, s: float = 4.0) -> float:
    """E e^{s uᵀv} for u, v uniform on S^{d−1}: Γ(d/2)(2/s)^ν I_ν(s), ν = (d−2)/2 (I₀(s) for d = 2)."""
    _check_sphere_dim(d)
    nu = (d - 2) / 2
    return float(special.iv(0, s)) if d == 2 else float(np.exp(special.gammaln(d / 2)) * (2 / s) ** nu * special.iv(nu, s))


def sphere_energy(weights: np.ndarray, points: np.ndarray, lmax: int = 40, s: float = 4.0) -> tuple[float, float, list[float]]:
    """(direct E e^{suᵀv}, Gegenbauer series, [E C_ℓ^ν(uᵀv), ℓ = 1..lmax]) for a discrete law on S^{d−1}, d ≥ 3.

    e^{st} = Γ(ν)(2/s)^ν Σ_ℓ (ℓ+ν) I_{ℓ+ν}(s) C_ℓ^ν(t); the ℓ = 0 term is the uniform law's energy."""
    w = np.asarray(weights, dtype=float)
    x = np.asarray(points, dtype=float)
    if np.any(w < 0) or not np.isclose(w.sum(), 1.0):
        raise ValueError("weights must be a probability vector (non-negative, summing to 1)")
    if x.ndim != 2 or x.shape[1] < 3 or not np.allclose(np.linalg.norm(x, axis=1), 1.0, rtol=0.0, atol=1e-12):
        raise ValueError(f"points must be unit vectors in R^d, d >= 3, shape (m, d); got shape {x.shape}")
    nu = (x.shape[1] - 2) / 2
    G = np.clip(x @ x.T, -1.0, 1.0)
    direct = float(w @ np.exp(s * G) @ w)
    terms = [float(w @ special.eval_gegenbauer(ell, nu, G) @ w) for ell in range(1, lmax + 1)]
    pref = np.exp(special.gammaln(nu)) * (2 / s) ** nu
    coef = np.array([pref * (ell + nu) * special.iv(ell + nu, s) for ell in range(1, lmax + 1)])
    series = float(uniform_sphere_energy(x.shape[1], s) + coef @ np.array(terms))
    return direct, series, terms


@lru_cache(maxsize=None)
def trace_constraint_counterexample() -> dict:
    """R², tr Cov = 1: uniform on S¹ vs N(0, ½I) for E e^{−2‖u−v‖²} (u, v i.i.d.)."""
    w = sp.Symbol("w", real=True)
    # u − v ~ N(0, I₂): per coordinate E e^{−2w²} with w ~ N(0, 1)
    per = sp.integrate(sp.exp(-2 * w**2) * sp.exp(-w**2 / 2) / sp.sqrt(2 * sp.pi), (w, -sp.oo, sp.oo))
    gauss = sp.simplify(per**2)
    uniform = sp.exp(-4) * sp.besseli(0, 4)
    return {"gaussian_value": gauss, "gaussian_float": float(gauss), "uniform_circle_float": float(uniform.evalf()),
            "gaussian_trace": 1.0, "uniform_trace": 1.0, "uniform_is_not_minimiser": bool(float(gauss) < float(uniform.evalf()))}


# ----------------------------------------------------------------------------- NT-Xent limit on S¹
def _wrapped_normal(x, s):
    ks = np.arange(-6, 7)[:, None]
    return np.exp(-((x[None, :] + 2 * np.pi * ks) ** 2) / (2 * s * s)).sum(0) / np.sqrt(2 * np.pi * s * s)


def circle_population(kappa: float, s: float, tau: float, grid: int = 2048) -> dict:
    """Population terms for image angles α ~ vonMises(0, κ) and views θ = α + ξ, ξ ~ N(0, s²).

    Returns L_align = E‖f₁ − f₂‖², L_uniform(t=2) = log E e^{−2‖f(x)−f(y)‖²} over independent views,
    rep = E_x log E_y e^{f(x)ᵀf(y)/τ}, and the corrected limit L_align/(2τ) − 1/τ + rep.
    """
    if kappa < 0 or s <= 0 or tau <= 0:
        raise ValueError(f"kappa must be >= 0 and s, tau > 0, got kappa={kappa}, s={s}, tau={tau}")
    th = np.linspace(-np.pi, np.pi, grid, endpoint=False)
    h = 2 * np.pi / grid
    p0 = np.exp(kappa * np.cos(th))
    p0 /= p0.sum() * h
    kern = _wrapped_normal(th, s)
    q = np.real(np.fft.ifft(np.fft.fft(p0) * np.fft.fft(np.fft.ifftshift(kern)))) * h  # view marginal
    q = np.clip(q, 0, None)
    q /= q.sum() * h
    cosd = np.cos(th[:, None] - th[None, :])
    align = 2 - 2 * np.exp(-s * s)  # E cos(ξ₁ − ξ₂) = e^{−s²}
    uni = np.log((q * h) @ np.exp(-4 * (1 - cosd)) @ (q * h))
    inner = np.exp(cosd / tau) @ (q * h)
    rep = float((q * h) @ np.log(inner))
    return {"align": float(align), "uniform": float(uni), "rep": rep,
            "limit": float(align / (2 * tau) - 1 / tau + rep)}


def sample_views(kappa: float, s: float, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    alpha = rng.vonmises(0.0, kappa, n) if kappa > 0 else rng.uniform(-np.pi, np.pi, n)
    t1, t2 = alpha + s * rng.standard_normal(n), alpha + s * rng.standard_normal(n)
    f = lambda t: np.stack([np.cos(t), np.sin(t)], 1)  # noqa: E731
    return f(t1), f(t2)


def ntxent_numpy(z1: np.ndarray, z2: np.ndarray, tau: float) -> float:
    """SimCLR NT-Xent (mean over the 2N anchors; denominator: all 2N − 1 other views)."""
    z = np.concatenate([z1, z2])
    z = z / np.linalg.norm(z, axis=1, keepdims=True)
    n = z1.shape[0]
    sim = z @ z.T / tau
    np.fill_diagonal(sim, -np.inf)
    partner = np.concatenate([np.arange(n, 2 * n), np.arange(n)])
    m = sim.max(1, keepdims=True)
    lse = m[:, 0] + np.log(np.exp(sim - m).sum(1))
    return float(np.mean(lse - sim[np.arange(2 * n), partner]))


# ----------------------------------------------------------------------------- simplex ETF
@lru_cache(maxsize=None)
def simplex_gram() -> dict:
    a, b = NN / (NN - 1), -1 / (NN - 1)
    # G = aI + bJ with J² = NJ:  G² = a²I + (2ab + b²N)J
    g2_I, g2_J = a**2, 2 * a * b + b**2 * NN
    idem = sp.simplify(g2_I - a * a) == 0 and sp.simplify(g2_J - a * b) == 0  # G² = aG
    diag_ok = sp.simplify(a + b - 1) == 0
    off = sp.simplify(b)
    rank = sp.simplify((NN * (a + b)) / a)  # tr G / a for an a-scaled projection
    null_ok = sp.simplify(a + b * NN) == 0  # G·1 = (a + bN)·1
    S = sp.Symbol("S", nonnegative=True)  # ‖Σz‖²
    mean_off = (S - NN) / (NN * (NN - 1))
    bound_gap = sp.simplify(mean_off - (-1 / (NN - 1)))  # = S/(N(N−1)) ≥ 0
    return {"G2_equals_aG": bool(idem), "unit_diagonal": bool(diag_ok), "offdiag": off, "rank": rank,
            "ones_in_kernel": bool(null_ok), "mean_offdiag_minus_bound": bound_gap}


def simplex_vectors(n: int) -> np.ndarray:
    """z_i = √(N/(N−1)) (e_i − 1/N), rows; unit norm, pairwise −1/(N−1)."""
    if n < 2:
        raise ValueError(f"N must be >= 2, got {n}")
    return np.sqrt(n / (n - 1)) * (np.eye(n) - 1.0 / n)


# ----------------------------------------------------------------------------- O(log N)
@lru_cache(maxsize=None)
def log_n_bounds() -> dict:
    """NT-Xent lower bound and the collapse-vs-simplex gap as functions of τ and N."""
    lower = sp.log(1 + (2 * NN - 2) * sp.exp(-2 / TAU))
    collapsed = sp.log(2 * NN - 1)
    simplex = sp.log(1 + (2 * NN - 2) * sp.exp(-NN / ((NN - 1) * TAU)))
    gap = collapsed - simplex
    return {"lower_bound": lower, "lower_bound_N_to_inf": sp.limit(lower, NN, sp.oo),
            "gap_tau_to_inf": sp.limit(gap.subs(NN, 64), TAU, sp.oo),
            "gap_tau_to_0": sp.limit(gap.subs(NN, 64), TAU, 0, "+"),
            "simplex_tau_to_0": sp.limit(simplex.subs(NN, 64), TAU, 0, "+"),
            "gap_N64_tau": {t: float(gap.subs({NN: 64, TAU: t})) for t in (0.1, 0.5, 1.0, 10.0, 100.0)}}


# ----------------------------------------------------------------------------- O(log N) dimensions are near-minimal
def near_minimal_gap_identity() -> str:
    """found.log-n-dims, the bound: with both views equal, anchor i's NT-Xent is ℓ_i = log(1 + Σ_neg e^{(s−1)/τ}) over
    m = 2N − 2 negatives; if every |s| ≤ ε then ℓ_i ≤ log(1 + m a x) with a = e^{(−1/(N−1) − 1)/τ} and
    x = e^{(ε + 1/(N−1))/τ} ≥ 1, while the simplex (the note's global minimiser) has ℓ* = log(1 + m a).  The identity
    x − (1 + m a x)/(1 + m a) = (x − 1)/(1 + m a) ≥ 0 gives ℓ_i − ℓ* ≤ log x = (ε + 1/(N−1))/τ.  Returns the
    residual of that identity ("0")."""
    m, a, x = sp.symbols("m a x", positive=True)
    return str(sp.simplify(x - (1 + m * a * x) / (1 + m * a) - (x - 1) / (1 + m * a)))


def simplex_ntxent(n: int, tau: float) -> float:
    """The simplex (ETF) value of NT-Xent, log(1 + (2N − 2)e^{−N/((N−1)τ)}): the note's global minimum (its exercise)."""
    return math.log1p((2 * n - 2) * math.exp(-n / ((n - 1) * tau)))


def near_orthogonal_gap(n: int, tau: float, seed: int, c: float = 24.0) -> dict:
    """N random unit vectors in k = ⌈c ln N⌉ dimensions used as both views of N samples: NT-Xent (``ntxent_numpy``)
    minus the simplex value, ε = the largest |cos| between distinct samples, and the bound (ε + 1/(N−1))/τ.
    c = 24: for uniform unit vectors P(|cos| ≥ ½) ≤ 2e^{−k/8}, so over N²/2 pairs all |cos| < ½ with probability
    ≥ 1 − 1/N (a union bound)."""
    if not (isinstance(n, int) and n >= 2):
        raise ValueError(f"n must be an integer >= 2, got {n!r}")
    if not (tau > 0 and math.isfinite(tau)):
        raise ValueError(f"tau must be a finite number > 0, got {tau!r}")
    k = math.ceil(c * math.log(n))
    z = np.random.default_rng(seed).standard_normal((n, k))
    z /= np.linalg.norm(z, axis=1, keepdims=True)
    G = z @ z.T
    eps = float(np.abs(G - np.diag(np.diag(G))).max())
    gap = ntxent_numpy(z, z, tau) - simplex_ntxent(n, tau)
    return {"n": n, "k": k, "tau": tau, "eps": eps, "gap": float(gap), "bound": (eps + 1 / (n - 1)) / tau}
