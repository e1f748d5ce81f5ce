"""Large-N expectations behind rusak.table1 (moved here from experiments/rusak_table1.py, issue 8 item 2).

Loss: one batch of N pairs, each anchor's negatives are the other N − 1 anchors; L_align = mean −s(z, z~),
L_uniform = mean log(e^{s(z, z~)} + Σ_{j≠i} e^{s(z_i, z_j)}), L_CL = L_align + L_uniform.  Kernels:
box s(u, v) = −‖u − v‖²/(2τ); sphere s(u, v) = ûᵀv̂/τ.  "Large N": the sum over negatives is replaced by
(N − 1) m(z_i), m(z) = E_v e^{s(z, v)} (it concentrates: relative spread O(N^{-1/2})), so
L_uniform ≈ E log(e^{s(z, z~)} + (N − 1) m(z)); the anchor expectation is a Monte Carlo mean over a
large sample of pairs (its standard error is returned).

Predictions:

* f = g⁻¹ (the encoder recovers z):
  box  L_align = Σ_style E(z − z~)²/(2τ) (1-D quadrature of the truncated Gaussian), m(z) = Π_k φ(z_k),
       φ(z) = ∫₀¹ e^{−(z−u)²/(2τ)} du (erf);
  sphere L_align = −(d_c + d_s A_{d_s}(κ))/(d τ), A_p = I_{p/2}/I_{p/2−1};
       m = Γ(d/2)(2τ)^{d/2−1} I_{d/2−1}(1/τ) for every anchor.
* sphere, the partially collapsed family f_c(z) = normalize(c z_c, z_s) (c = 1: g⁻¹, c → ∞: full collapse
  (z_c, 0)/‖z_c‖): m_c depends on the anchor only through r = ‖z_c‖ (rotations inside the content and the
  style block), computed by Gauss–Jacobi quadrature on a grid of r (no sampling of negatives).
  Full collapse: pos = 1/τ, m = m_{d_c} exactly, so L_coll − L_g⁻¹ ≈ −d_s(1 − A_{d_s}(κ))/(dτ)
  + log m_{d_c} − log m_d  (the alignment it gains minus the uniformity it loses).
* box, the scaled family f_a(z) = (a_c z_c, a_s z_s): L_align = a_s² Σ_style E(z − z~)²/(2τ),
  m(z) = Π_k φ_{a_k}(z_k), φ_a(z) = ∫₀¹ e^{−a²(z−u)²/(2τ)} du.  With d_c = 0 (no content at all) it shows
  whether g⁻¹ (a = 1) is the minimizer of the box loss at all.

Jensen: conditional on the anchor and its positive, E log(e^{pos} + S) ≤ log(e^{pos} + E S), S the sum over the
N − 1 negatives.  So every "large-N" value here is an UPPER bound on the expected finite-N loss, tight when S
concentrates (relative spread O(N^{-1/2}): f = g⁻¹ on the box, every smooth kernel on the sphere) and loose for
sharp kernels (a large a on the box, where S is dominated by the rare close negative).  A negative margin
bound(a) − L(g⁻¹) therefore proves that a·g⁻¹ beats g⁻¹ wherever the g⁻¹ value itself is tight.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy import integrate, special

from sslverify.numerics.content_style import sample_pairs
from sslverify.numerics.validation import check_int, check_positive

#: anchor/positive pairs of the Monte Carlo expectations (standard error ~ spread/√n is returned)
N_MC = 200_000
#: Gauss–Jacobi nodes per coordinate of the sphere's m_c(r) (partial collapse) and its grid of r = ‖z_c‖
N_QUAD, N_R = 40, 41


def _check(d: int, d_c: int, tau: float, N: int) -> None:
    check_int(d, "d", 2)
    if not 0 <= d_c <= d:
        raise ValueError(f"d_c must lie in [0, d={d}], got {d_c}")
    check_positive(tau, "tau")
    check_int(N, "N", 2)


def _trunc_std_moments(z, sigma: float):
    """(E t, E t²) of a standard normal t truncated to [a, b] = [−z/σ, (1 − z)/σ]: z~ = z + σt is N(z, σ²) truncated to
    [0, 1] (``numerics.content_style.truncated_normal_box``)."""
    a, b = -z / sigma, (1 - z) / sigma
    Z = special.ndtr(b) - special.ndtr(a)
    pa, pb = np.exp(-a * a / 2) / np.sqrt(2 * np.pi), np.exp(-b * b / 2) / np.sqrt(2 * np.pi)
    return (pa - pb) / Z, 1 + (a * pa - b * pb) / Z


@lru_cache(maxsize=None)
def trunc_sq_mean(sigma: float) -> float:
    """E(z − z~)² for z ~ U[0,1], z~ ~ N(z, σ²) truncated to [0,1] (1-D quadrature)."""
    check_positive(sigma, "sigma")
    return integrate.quad(lambda z: sigma**2 * _trunc_std_moments(z, sigma)[1], 0, 1, limit=200)[0]


@lru_cache(maxsize=None)
def trunc_cond_var_mean(sigma: float) -> float:
    """E_z Var(z~ | z) for the same pair law: below ``trunc_sq_mean`` by E_z (E[z~|z] − z)², the conditional's
    off-centring near the faces (Assum. 4's 'variance of the positive pair's conditional', read word for word)."""
    check_positive(sigma, "sigma")

    def inner(z):
        m1, m2 = _trunc_std_moments(z, sigma)
        return sigma**2 * (m2 - m1**2)
    return integrate.quad(inner, 0, 1, limit=200)[0]


def _log_phi(z: np.ndarray, a: float, tau: float) -> np.ndarray:
    """log ∫₀¹ e^{−a²(z−u)²/(2τ)} du (closed form with erf)."""
    s = np.sqrt(2 * tau) / a
    return np.log(np.sqrt(np.pi * tau / 2) / a * (special.erf((1 - z) / s) + special.erf(z / s)))


def _mean_se(v: np.ndarray) -> tuple[float, float]:
    return float(v.mean()), float(v.std() / np.sqrt(v.size))


def box_scaled_loss(d: int, d_c: int, sigma_s: float, tau: float, N: int, a_c: float = 1.0, a_s: float = 1.0,
                    seed: int = 0, n: int = N_MC) -> dict:
    """Large-N L_align, L_uniform, L_CL of z ↦ (a_c z_c, a_s z_s) on the box (a_c = a_s = 1: f = g⁻¹)."""
    _check(d, d_c, tau, N)
    check_positive(sigma_s, "sigma_s")
    check_positive(a_c, "a_c")
    check_positive(a_s, "a_s")
    p = _box_sample(d, d_c, sigma_s, seed, n)
    scales = np.array([a_c] * d_c + [a_s] * (d - d_c))
    pos = -((scales * (p.z - p.z_pos)) ** 2).sum(1) / (2 * tau)
    log_m = sum(_log_phi(p.z[:, k], scales[k], tau) for k in range(d))
    terms = np.logaddexp(pos, np.log(N - 1) + log_m)
    align = a_s**2 * (d - d_c) * trunc_sq_mean(sigma_s) / (2 * tau)
    uniform, se = _mean_se(terms)
    return {"L_align": align, "L_uniform": uniform, "L_CL": align + uniform,
            "se": {"L_align": 0.0, "L_uniform": se, "L_CL": se}}


@lru_cache(maxsize=8)
def _box_sample(d, d_c, sigma_s, seed, n):
    return sample_pairs(n, d, d_c, "box", sigma_s=sigma_s, seed=seed + 99)


def box_prediction(d: int, d_c: int, sigma_s: float, tau: float, N: int, seed: int = 0, n: int = N_MC) -> dict:
    """f = g⁻¹ on the box (large N)."""
    return box_scaled_loss(d, d_c, sigma_s, tau, N, 1.0, 1.0, seed, n)


def box_best_scaling(d: int, d_c: int, sigma_s: float, tau: float, N: int, scales=(1.0, 1.25, 1.5, 2.0, 2.5, 3.0, 4.0, 6.0),
                     seed: int = 0, n: int = N_MC) -> dict:
    """Uniform rescaling a·g⁻¹ (a_c = a_s = a) on the box: L(a) − L(1) for each a, the best a and its margin.

    With d_c = 0 there is no content: a margin < 0 means g⁻¹ is not the minimizer of the box loss even
    without content (common random numbers: one pair sample for every a)."""
    if 1.0 not in scales:
        raise ValueError(f"scales must contain 1.0 (f = g⁻¹), got {scales}")
    L = {a: box_scaled_loss(d, d_c, sigma_s, tau, N, a, a, seed, n) for a in scales}
    base = L[1.0]["L_CL"]
    diffs = [L[a]["L_CL"] - base for a in scales]
    k = int(np.argmin(diffs))
    return {"scales": list(scales), "L_minus_ginv": diffs, "best_scale": scales[k], "best_margin": diffs[k],
            "L_ginv": base, "se_ginv": L[1.0]["se"]["L_CL"]}


# ----------------------------------------------------------------------------- sphere
def vmf_mean_resultant(p: int, kappa: float) -> float:
    """A_p(κ) = E[vᵀμ] for v ~ vMF(μ, κ) on S^{p−1} (p = 1: tanh κ)."""
    if p == 1:
        return float(np.tanh(kappa))
    return float(special.ive(p / 2, kappa) / special.ive(p / 2 - 1, kappa))


def log_m_sphere(d: int, tau: float) -> float:
    """log E e^{uᵀv/τ}, u, v uniform on S^{d−1} (d ≥ 1; d = 1 gives log cosh(1/τ))."""
    check_int(d, "d", 1)
    check_positive(tau, "tau")
    if d == 1:
        return float(np.log(np.cosh(1 / tau)))
    nu = d / 2 - 1
    return float(special.gammaln(d / 2) + nu * np.log(2 * tau) + np.log(special.ive(nu, 1 / tau)) + 1 / tau)


@lru_cache(maxsize=8)
def _sphere_sample(d, d_c, kappa, seed, n):
    return sample_pairs(n, d, d_c, "sphere", kappa=kappa, seed=seed + 99)


def sphere_prediction(d: int, d_c: int, kappa: float, tau: float, N: int, seed: int = 0, n: int = N_MC) -> dict:
    """f = g⁻¹ on the sphere (large N): L_align exact, L_uniform = E log(e^{pos} + (N − 1) m_d)."""
    _check(d, d_c, tau, N)
    check_positive(kappa, "kappa")
    ds = d - d_c
    align = -(d_c + ds * vmf_mean_resultant(ds, kappa)) / (d * tau) if ds else -1 / tau
    p = _sphere_sample(d, d_c, kappa, seed, n)
    pos = (p.z * p.z_pos).sum(1) / tau
    uniform, se = _mean_se(np.logaddexp(pos, np.log(N - 1) + log_m_sphere(d, tau)))
    return {"L_align": align, "L_uniform": uniform, "L_CL": align + uniform,
            "se": {"L_align": 0.0, "L_uniform": se, "L_CL": se}}


def sphere_collapse_margin(d: int, d_c: int, kappa: float, tau: float, N: int, seed: int = 0, n: int = N_MC) -> float:
    """Large-N L_CL(z ↦ (z_c, 0)/‖z_c‖) − L_CL(g⁻¹) on the sphere (negative: full collapse wins).

    Collapsed: pos = 1/τ for every pair, m = m_{d_c} (z_c/‖z_c‖ is uniform on S^{d_c−1})."""
    if not 1 <= d_c < d:
        raise ValueError(f"d_c must lie in [1, d-1] (content and style both present), got d_c={d_c}, d={d}")
    full = sphere_prediction(d, d_c, kappa, tau, N, seed, n)
    pos = 1 / tau
    coll = -pos + float(np.logaddexp(pos, np.log(N - 1) + log_m_sphere(d_c, tau)))
    return coll - full["L_CL"]


def sphere_collapse_margin_formula(d: int, d_c: int, kappa: float, tau: float) -> float:
    """N → ∞ form of the same margin: −d_s(1 − A_{d_s}(κ))/(dτ) + log m_{d_c} − log m_d (the log N cancels and
    e^{pos} ≪ N m): the alignment full collapse gains minus the uniformity it loses."""
    ds = d - d_c
    return -ds * (1 - vmf_mean_resultant(ds, kappa)) / (d * tau) + log_m_sphere(d_c, tau) - log_m_sphere(d, tau)


def _partial_normalize(z: np.ndarray, d_c: int, c: float) -> np.ndarray:
    u = z.copy()
    u[:, :d_c] *= c
    return u / np.linalg.norm(u, axis=1, keepdims=True)


def _unit_coordinate_rule(p: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights (summing to 1) for t = first coordinate of a uniform point on S^{p−1}:
    density ∝ (1 − t²)^{(p−3)/2} on [−1, 1] (Gauss–Jacobi); p = 1: t = ±1 with weight ½ each."""
    if p == 1:
        return np.array([-1.0, 1.0]), np.array([0.5, 0.5])
    g = (p - 3) / 2
    x, w = special.roots_jacobi(n, g, g)
    return x, w / w.sum()


def _beta_rule(a: float, b: float, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes/weights for B ~ Beta(a, b) on [0, 1] (Gauss–Jacobi on x = 2B − 1)."""
    x, w = special.roots_jacobi(n, b - 1, a - 1)
    return (x + 1) / 2, w / w.sum()


def log_m_partial(d: int, d_c: int, c: float, tau: float, r, n_quad: int = N_QUAD) -> np.ndarray:
    """log m_c(r) = log E_v exp(u_c(z)ᵀu_c(v)/τ), v uniform on S^{d−1}, u_c = normalize(c z_c, z_s), for an
    anchor with ‖z_c‖ = r (Gauss–Jacobi quadrature over ‖v_c‖² ~ Beta(d_c/2, d_s/2) and the two
    coordinates of v's content and style directions along the anchor's; exact to quadrature error, which
    the m_1 check against the closed form log m_d bounds)."""
    ds = d - d_c
    r = np.atleast_1d(np.asarray(r, float))
    B, wB = _beta_rule(d_c / 2, ds / 2, n_quad)
    t1, w1 = _unit_coordinate_rule(d_c, n_quad)
    t2, w2 = _unit_coordinate_rule(ds, n_quad)
    Bg, T1, T2 = np.meshgrid(B, t1, t2, indexing="ij")
    W = (wB[:, None, None] * w1[None, :, None] * w2[None, None, :]).ravel()
    vc, vs = (np.sqrt(Bg) * T1).ravel(), (np.sqrt(1 - Bg) * T2).ravel()
    nv = np.sqrt(c * c * Bg.ravel() + 1 - Bg.ravel())
    nz = np.sqrt(c * c * r**2 + 1 - r**2)
    dots = (c * c * r[:, None] * vc[None] + np.sqrt(1 - r**2)[:, None] * vs[None]) / (nz[:, None] * nv[None])
    x = dots / tau
    mx = x.max(1, keepdims=True)
    return mx[:, 0] + np.log((np.exp(x - mx) * W[None]).sum(1))


@lru_cache(maxsize=256)
def _log_m_on_grid(d: int, d_c: int, c: float, tau: float, n_r: int) -> np.ndarray:
    """log_m_partial on the r grid linspace(0, 1, n_r), read-only (it does not depend on κ or the sample)."""
    out = log_m_partial(d, d_c, c, tau, np.linspace(0.0, 1.0, n_r))
    out.setflags(write=False)
    return out


def sphere_partial_collapse(d: int, d_c: int, kappa: float, tau: float, N: int,
                            cs=(1.0, 1.1, 1.25, 1.5, 2.0, 3.0, 5.0, 10.0), seed: int = 0, n: int = N_MC,
                            n_r: int = N_R) -> dict:
    """Large-N L_CL(normalize(c z_c, z_s)) − L_CL(g⁻¹) for each content weight c (c = 1 is g⁻¹), plus full
    collapse (c = ∞, exact).  One pair sample serves every c (common random numbers), so the differences
    are much more precise than each loss (``se``: their standard errors).  ``m1_check``: the quadrature's
    log m at c = 1 (every r) against the closed form log m_d."""
    _check(d, d_c, tau, N)
    check_positive(kappa, "kappa")
    if not 1 <= d_c < d:
        raise ValueError(f"d_c must lie in [1, d-1] (content and style both present), got d_c={d_c}, d={d}")
    if 1.0 not in cs or any(c < 1 for c in cs):
        raise ValueError(f"cs must contain 1.0 (g⁻¹) and values >= 1, got {cs}")
    p = _sphere_sample(d, d_c, kappa, seed, n)
    r = np.linalg.norm(p.z[:, :d_c], axis=1)
    grid = np.linspace(0.0, 1.0, n_r)
    out_L, m1_err = [], None
    for c in cs:
        u, ut = _partial_normalize(p.z, d_c, c), _partial_normalize(p.z_pos, d_c, c)
        pos = (u * ut).sum(1) / tau
        log_m_grid = _log_m_on_grid(d, d_c, float(c), float(tau), n_r)  # the same for every κ: computed once
        log_m = np.interp(r, grid, log_m_grid)  # m_c is smooth in r; 41 nodes: interpolation error < 1e-5
        out_L.append(-pos + np.logaddexp(pos, np.log(N - 1) + log_m))
        if c == 1.0:
            m1_err = float(np.abs(log_m_grid - log_m_sphere(d, tau)).max())
    base = out_L[list(cs).index(1.0)]
    diffs = [_mean_se(L - base) for L in out_L]
    full = sphere_collapse_margin(d, d_c, kappa, tau, N, seed, n)
    k = int(np.argmin([m for m, _ in diffs]))
    return {"d": d, "d_c": d_c, "kappa": kappa, "tau": tau, "cs": list(cs),
            "L_minus_ginv": [m for m, _ in diffs], "se": [s for _, s in diffs],
            "best_c": cs[k], "best_margin": diffs[k][0], "best_se": diffs[k][1],
            "full_collapse_margin": full, "m1_max_abs_err": m1_err}


def normalize_partial(z, d_c: int, c: float):
    """The partially collapsed encoder's output normalize(c z_c, z_s) (numpy or torch rows)."""
    u = z.clone() if hasattr(z, "clone") else np.array(z, dtype=float, copy=True)
    u[:, :d_c] = u[:, :d_c] * c
    return u / (u.norm(dim=1, keepdim=True) if hasattr(u, "norm") else np.linalg.norm(u, axis=1, keepdims=True))
