"""theory.rusak.table1: the large-N expectations behind rusak.table1 (sphere margins, partial collapse, box rescaling)."""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pytest
from scipy import integrate, special

from sslverify.numerics.content_style import sample_pairs
from sslverify.theory.rusak import table1 as T


def test_sphere_margin_formula():
    # full collapse vs g⁻¹ on the sphere (κ = 10, τ = 1): the N → ∞ closed form −d_s(1 − A_{d_s}(κ))/(dτ) + log m_{d_c}
    # − log m_d against the large-N Monte Carlo value at N = 10,000 (50k pairs).  Tolerance 2e-3: the finite-N term
    # e^{pos}/((N−1)m) ≤ e/10⁴ ≈ 3e-4 plus 5 standard errors of the 50k-pair mean (≈ 5e-4)
    for (d, dc), sign in (((10, 5), -1), ((6, 3), 1)):
        closed = T.sphere_collapse_margin_formula(d, dc, 10.0, 1.0)
        mc = T.sphere_collapse_margin(d, dc, 10.0, 1.0, 10000, n=50_000)
        assert abs(closed - mc) < 2e-3
        assert np.sign(closed) == sign  # −0.046 at d = 10 (collapse wins), +0.029 at d = 6 (collapse loses)
    assert abs(T.sphere_collapse_margin_formula(10, 5, 10.0, 1.0) + 0.0456) < 5e-4  # the recorded 4-digit value
    assert abs(T.sphere_collapse_margin_formula(6, 3, 10.0, 1.0) - 0.0290) < 5e-4


def test_partial_collapse_quadrature_vs_closed_form():
    # the Gauss–Jacobi log m_c(r) against the two closed forms it must reduce to: c = 1 is g⁻¹ (log m_d for every r,
    # 1e-10: quadrature of an analytic integrand with 40 nodes per coordinate), c → ∞ is full collapse (log m_{d_c};
    # the O(1/c²) remainder at c = 1e4 is ~1e-8, so 1e-6)
    r = np.array([0.2, 0.5, 0.9])
    for d, dc in ((6, 3), (10, 5), (4, 1)):
        assert np.abs(T.log_m_partial(d, dc, 1.0, 1.0, r) - T.log_m_sphere(d, 1.0)).max() < 1e-10
        assert np.abs(T.log_m_partial(d, dc, 1e4, 1.0, r) - T.log_m_sphere(dc, 1.0)).max() < 1e-6
    # the partially collapsed encoder normalize(1.5 z_c, z_s) beats g⁻¹ at d = 6, d_c = 3 (the review's −0.008) although
    # full collapse loses there: margin −0.0077 with a common-random-number SE ≈ 1.5e-4 at 20k pairs
    fam = T.sphere_partial_collapse(6, 3, 10.0, 1.0, 10000, cs=(1.0, 1.5), n=20_000)
    m, se = fam["L_minus_ginv"][1], fam["se"][1]
    assert m + 5 * se < 0 < fam["full_collapse_margin"]
    assert abs(m + 0.0077) < 5 * se + 2e-4  # 2e-4: the recorded value's rounding plus the 200k-pair run's own SE


def test_box_rescaling_beats_ginv_without_content():
    # box, d_c = 0 (no content), σ_s = 0.1, τ = 0.5, N = 10,000: the large-N (Jensen upper bound) loss of 6·g⁻¹ is
    # ≥ 5 nats below g⁻¹ (recorded −7.19 at 200k pairs; 5 is far outside the 20k-pair Monte Carlo error ~0.01)
    b = T.box_best_scaling(10, 0, 0.1, 0.5, 10000, scales=(1.0, 6.0), n=20_000)
    assert b["best_scale"] == 6.0 and b["best_margin"] < -5
    # g⁻¹'s own value reproduces the source's L_uniform = 7.69 ± 0.20 at this temperature (d_c = 5 as in Table 1)
    g = T.box_prediction(10, 5, 0.1, 0.5, 10000, n=20_000)
    assert abs(g["L_uniform"] - 7.69) < 0.20


def test_bad_inputs():
    with pytest.raises(ValueError, match="d_c must lie in"):
        T.sphere_partial_collapse(4, 0, 10.0, 1.0, 100)
    with pytest.raises(ValueError, match="cs must contain 1.0"):
        T.sphere_partial_collapse(4, 2, 10.0, 1.0, 100, cs=(2.0,))
    with pytest.raises(ValueError, match="scales must contain 1.0"):
        T.box_best_scaling(4, 0, 0.1, 0.5, 100, scales=(2.0,))
    with pytest.raises(ValueError, match="tau must be > 0"):
        T.box_prediction(4, 1, 0.1, 0.0, 100)


# ----------------------------------------------------------------------------- independent re-derivations
# Each expectation below is re-computed from its definition in the module docstring (quadrature of the densities,
# closed forms of small cases) and compared with the module.  The pair samples are the module's convention
# sample_pairs(n, d, d_c, space, ..., seed=seed + 99), which the recorded rusak.table1 values depend on.


@lru_cache(maxsize=None)
def trunc_sq_by_double_integral(sigma: float) -> float:
    """E(z − z~)², z ~ U[0,1], z~ | z ~ N(z, σ²) restricted to [0,1]: ∫∫ (t − z)² φ((t − z)/σ)/(σ Z(z)) dt dz."""
    def density_term(t, z):
        Zz = special.ndtr((1 - z) / sigma) - special.ndtr(-z / sigma)
        return (t - z) ** 2 * np.exp(-((t - z) / sigma) ** 2 / 2) / (sigma * np.sqrt(2 * np.pi) * Zz)
    return integrate.dblquad(density_term, 0, 1, 0, 1, epsabs=1e-12, epsrel=1e-10)[0]


def vmf_A_reference(p: int, kappa: float) -> float:
    """E[vᵀμ] for v ~ vMF on S^{p−1}: p = 1 (v = ±1 ∝ e^{±κ}), p = 2 (circle integral), p = 3 (coth κ − 1/κ)."""
    if p == 1:
        return (np.exp(kappa) - np.exp(-kappa)) / (np.exp(kappa) + np.exp(-kappa))
    if p == 2:
        num = integrate.quad(lambda t: np.cos(t) * np.exp(kappa * np.cos(t)), 0, np.pi, epsabs=1e-13)[0]
        return num / integrate.quad(lambda t: np.exp(kappa * np.cos(t)), 0, np.pi, epsabs=1e-13)[0]
    assert p == 3
    return 1 / np.tanh(kappa) - 1 / kappa


def log_m_reference(d: int, tau: float) -> float:
    """log E e^{t/τ}, t = uᵀv of two independent uniform points of S^{d−1}: t = ±1 (d = 1), else the density
    ∝ (1 − t²)^{(d−3)/2} on [−1, 1] (quadrature with the algebraic end-point weight)."""
    if d == 1:
        return float(np.log(np.cosh(1 / tau)))
    g = (d - 3) / 2
    num = integrate.quad(lambda t: np.exp((t - 1) / tau), -1, 1, weight="alg", wvar=(g, g), epsabs=0, epsrel=1e-13)[0]
    den = integrate.quad(lambda t: 1.0, -1, 1, weight="alg", wvar=(g, g), epsabs=0, epsrel=1e-13)[0]
    return float(np.log(num / den) + 1 / tau)


def box_reference(d, d_c, sigma_s, tau, N, a_c, a_s, seed, n):
    """Large-N box losses from the definitions: pos = −Σ_k a_k²(z_k − z~_k)²/(2τ), m(z) = Π_k ∫₀¹ e^{−a_k²(z_k−u)²/(2τ)} du
    (the Gaussian integral in erf form, checked against quadrature in test_log_phi_against_quadrature),
    L_uniform = mean log(e^{pos} + (N − 1)m), L_align = a_s² d_s E(z − z~)²/(2τ)."""
    p = sample_pairs(n, d, d_c, "box", sigma_s=sigma_s, seed=seed + 99)
    a = np.array([a_c] * d_c + [a_s] * (d - d_c))
    pos = -(a**2 * (p.z - p.z_pos) ** 2).sum(1) / (2 * tau)
    w = np.sqrt(2 * tau)
    m = np.prod(w * np.sqrt(np.pi) / (2 * a) * (special.erf(a * (1 - p.z) / w) + special.erf(a * p.z / w)), axis=1)
    terms = np.log(np.exp(pos) + (N - 1) * m)
    return {"L_align": a_s**2 * (d - d_c) * trunc_sq_by_double_integral(sigma_s) / (2 * tau), "L_uniform": terms.mean(),
            "se": terms.std(ddof=1) / np.sqrt(n)}


def test_input_checks_name_parameter_rule_and_value():
    # the smallest admissible settings are accepted: d = 2, N = 2, d_c = d (content only), d_c = 0 (style only)
    for d_c in (0, 2):
        assert np.isfinite(T.box_prediction(2, d_c, 0.1, 0.5, 2, n=50)["L_CL"])
    cases = [(lambda: T.box_prediction(1, 0, 0.1, 0.5, 10, n=50), r"^d must be an integer >= 2, got 1$"),
             (lambda: T.box_prediction(2, 0, 0.1, 0.5, 1, n=50), r"^N must be an integer >= 2, got 1$"),
             (lambda: T.box_prediction(2, 3, 0.1, 0.5, 10, n=50), r"^d_c must lie in \[0, d=2\]"),
             (lambda: T.trunc_sq_mean(0.0), r"^sigma must be > 0"),
             (lambda: T.box_prediction(2, 1, -0.1, 0.5, 10, n=50), r"^sigma_s must be > 0"),
             (lambda: T.box_scaled_loss(2, 1, 0.1, 0.5, 10, a_c=0.0, n=50), r"^a_c must be > 0"),
             (lambda: T.box_scaled_loss(2, 1, 0.1, 0.5, 10, a_s=-1.0, n=50), r"^a_s must be > 0"),
             (lambda: T.log_m_sphere(0, 1.0), r"^d must be an integer >= 1, got 0$"),
             (lambda: T.log_m_sphere(3, 0.0), r"^tau must be > 0"),
             (lambda: T.sphere_prediction(3, 1, 0.0, 0.5, 10, n=50), r"^kappa must be > 0"),
             (lambda: T.sphere_partial_collapse(3, 1, -1.0, 0.5, 10, n=50), r"^kappa must be > 0"),
             (lambda: T.sphere_collapse_margin(3, 3, 4.0, 0.5, 10, n=50), r"^d_c must lie in \[1, d-1\]"),
             (lambda: T.sphere_collapse_margin(3, 0, 4.0, 0.5, 10, n=50), r"^d_c must lie in \[1, d-1\]"),
             (lambda: T.sphere_partial_collapse(3, 3, 4.0, 0.5, 10, n=50), r"^d_c must lie in \[1, d-1\]")]
    for call, msg in cases:
        with pytest.raises(ValueError, match=msg):
            call()


def test_trunc_sq_mean_against_double_integral():
    # the 1-D closed-form inner expectation against the 2-D integral of the truncated-normal density itself (both
    # quadratures to ~1e-12; 1e-9 leaves room for their errors), and the limits σ → ∞ (uniform: E(z − u)² = 1/6, the
    # O(σ⁻²) correction is 1e-7 at σ = 1000) and σ → 0 (interior: σ², boundary effect O(σ³) = 1e-12 at σ = 1e-4)
    for sigma in (0.05, 0.3, 1.5):
        assert abs(T.trunc_sq_mean(sigma) - trunc_sq_by_double_integral(sigma)) < 1e-9
    assert abs(T.trunc_sq_mean(1000.0) - 1 / 6) < 1e-6
    assert abs(T.trunc_sq_mean(1e-4) - 1e-8) < 1e-11


def test_log_phi_against_quadrature():
    # log ∫₀¹ e^{−a²(z−u)²/(2τ)} du by adaptive quadrature (1e-13 relative), a ≠ 1 and τ ≠ ½ so that a, τ cannot swap
    for a, tau in ((0.5, 0.7), (2.0, 0.3)):
        z = np.array([0.0, 0.3, 1.0])
        ref = [np.log(integrate.quad(lambda u: np.exp(-a * a * (zi - u) ** 2 / (2 * tau)), 0, 1, epsrel=1e-13)[0])
               for zi in z]
        assert np.abs(T._log_phi(z, a, tau) - ref).max() < 1e-11


def test_box_scaled_loss_from_definitions():
    # a_c = 1.5, a_s = 0.8, τ = 0.7, N = 5, σ_s = 0.2 (all ≠ the defaults and each other).  1e-9: the same pairs, the
    # uniform term differs only by float64 rounding (~1e-15), the alignment by the two quadratures (< 1e-10)
    args = (3, 1, 0.2, 0.7, 5)
    r = T.box_scaled_loss(*args, a_c=1.5, a_s=0.8, seed=2, n=400)
    ref = box_reference(*args, 1.5, 0.8, 2, 400)
    assert abs(r["L_align"] - ref["L_align"]) < 1e-9 and abs(r["L_uniform"] - ref["L_uniform"]) < 1e-9
    assert abs(r["L_CL"] - ref["L_align"] - ref["L_uniform"]) < 1e-9
    # standard errors: the alignment is exact (quadrature, no sampling), the uniformity term is a mean of 400 draws
    # (ddof 0 or 1 differ by 0.1 %)
    assert r["se"]["L_align"] == 0.0 and r["se"]["L_CL"] == r["se"]["L_uniform"]
    assert abs(r["se"]["L_uniform"] / ref["se"] - 1) < 2e-3
    # the defaults are f = g⁻¹ (a_c = a_s = 1) and seed 0; box_prediction is that case for any seed
    g = box_reference(*args, 1.0, 1.0, 0, 400)
    for r in (T.box_scaled_loss(*args, n=400), T.box_prediction(*args, n=400)):
        assert abs(r["L_align"] - g["L_align"]) < 1e-9 and abs(r["L_uniform"] - g["L_uniform"]) < 1e-9
    assert abs(T.box_prediction(*args, seed=4, n=400)["L_uniform"] - box_reference(*args, 1.0, 1.0, 4, 400)["L_uniform"]) < 1e-9


def test_box_best_scaling_from_definitions():
    # L(a) − L(1) for a uniform rescaling a·g⁻¹ on one common pair sample; the best a is the arg-min (1e-9 as above)
    args = (3, 0, 0.2, 0.7, 5)
    for b, seed in ((T.box_best_scaling(*args, scales=(0.5, 1.0, 2.0), seed=3, n=300), 3),
                    (T.box_best_scaling(*args, scales=(0.5, 1.0, 2.0), n=300), 0)):
        L = {a: box_reference(*args, a, a, seed, 300) for a in (0.5, 1.0, 2.0)}
        LCL = {a: v["L_align"] + v["L_uniform"] for a, v in L.items()}
        diffs = [LCL[a] - LCL[1.0] for a in (0.5, 1.0, 2.0)]
        assert b["scales"] == [0.5, 1.0, 2.0] and np.abs(np.array(b["L_minus_ginv"]) - diffs).max() < 1e-9
        k = int(np.argmin(diffs))
        assert b["best_scale"] == (0.5, 1.0, 2.0)[k] and abs(b["best_margin"] - diffs[k]) < 1e-9
        assert abs(b["L_ginv"] - LCL[1.0]) < 1e-9 and abs(b["se_ginv"] / L[1.0]["se"] - 1) < 2e-3


def test_vmf_mean_resultant_small_dimensions():
    # A_p(κ) against its definition E[vᵀμ] (p = 1: two-point law; p = 2: circle integrals to 1e-13) and the closed form
    # coth κ − 1/κ (p = 3); κ = 0.7 and 4 (1e-10: Bessel-ratio evaluation vs quadrature)
    for p in (1, 2, 3):
        for kappa in (0.7, 4.0):
            assert abs(T.vmf_mean_resultant(p, kappa) - vmf_A_reference(p, kappa)) < 1e-10


def test_log_m_sphere_against_quadrature():
    # log E e^{uᵀv/τ} against the quadrature of the law of t = uᵀv (d = 2, 3, 5; d = 1 the two-point law; d = 3 also
    # the closed form log(τ sinh(1/τ))); τ = ½ and 2 separate τ from 1/τ.  1e-10: quadrature to 1e-13 relative
    for tau in (0.5, 2.0):
        for d in (1, 2, 3, 5):
            assert abs(T.log_m_sphere(d, tau) - log_m_reference(d, tau)) < 1e-10
        assert abs(T.log_m_sphere(3, tau) - np.log(tau * np.sinh(1 / tau))) < 1e-12


def sphere_reference(d, d_c, kappa, tau, N, seed, n):
    p = sample_pairs(n, d, d_c, "sphere", kappa=kappa, seed=seed + 99)
    dots = (p.z * p.z_pos).sum(1)
    ds = d - d_c
    align = -(d_c + ds * vmf_A_reference(ds, kappa)) / (d * tau) if ds else -1 / tau
    terms = np.logaddexp(dots / tau, np.log(N - 1) + log_m_reference(d, tau))
    return {"L_align": align, "L_uniform": terms.mean(), "se": terms.std(ddof=1) / np.sqrt(n), "dots": dots}


def test_sphere_prediction_from_definitions():
    # d = 4, d_c = 2, κ = 4, τ = ½, N = 5 (not the defaults or the recorded setting).  1e-9: same pairs, quadrature
    # errors ≤ 1e-12.  The exact alignment −(d_c + d_s A_{d_s}(κ))/(dτ) is also the Monte Carlo mean of −zᵀz~/τ over
    # the 3000 pairs (5 standard errors): the pair sample really has concentration κ
    for seed, call in ((1, lambda: T.sphere_prediction(4, 2, 4.0, 0.5, 5, seed=1, n=3000)),
                       (0, lambda: T.sphere_prediction(4, 2, 4.0, 0.5, 5, n=3000))):
        r, ref = call(), sphere_reference(4, 2, 4.0, 0.5, 5, seed, 3000)
        assert abs(r["L_align"] - ref["L_align"]) < 1e-9 and abs(r["L_uniform"] - ref["L_uniform"]) < 1e-9
        assert abs(r["L_CL"] - ref["L_align"] - ref["L_uniform"]) < 1e-9
        assert abs(-ref["dots"].mean() / 0.5 - ref["L_align"]) < 5 * ref["dots"].std() / 0.5 / np.sqrt(3000)
        assert r["se"]["L_align"] == 0.0 and r["se"]["L_CL"] == r["se"]["L_uniform"]
        assert abs(r["se"]["L_uniform"] / ref["se"] - 1) < 2e-3
    # content only (d_c = d): the positive is the anchor itself, L_align = −1/τ exactly
    r = T.sphere_prediction(3, 3, 4.0, 0.5, 5, n=200)
    assert r["L_align"] == -2.0 and abs(r["L_uniform"] - sphere_reference(3, 3, 4.0, 0.5, 5, 0, 200)["L_uniform"]) < 1e-9


def test_sphere_collapse_margin_from_definitions():
    # full collapse z ↦ z_c/‖z_c‖: pos = 1/τ for every pair and m = m_{d_c}; d_c = 1 is the smallest admissible
    # content block (m₁ = cosh(1/τ)).  1e-9 as above
    for seed, got in ((2, T.sphere_collapse_margin(4, 1, 4.0, 0.5, 5, seed=2, n=1000)),
                      (0, T.sphere_collapse_margin(4, 1, 4.0, 0.5, 5, n=1000))):
        full = sphere_reference(4, 1, 4.0, 0.5, 5, seed, 1000)
        coll = -2.0 + np.logaddexp(2.0, np.log(4) + np.log(np.cosh(2.0)))
        assert abs(got - (coll - full["L_align"] - full["L_uniform"])) < 1e-9
    # the N → ∞ form at τ = ½ from the independent pieces, and as the limit of the finite-N margin: at N = 10⁹ the
    # neglected e^{pos}/((N − 1)m) is < e²/10⁹ ≈ 1e-8
    ds, d, tau = 3, 4, 0.5
    formula = -ds * (1 - vmf_A_reference(ds, 4.0)) / (d * tau) + log_m_reference(1, tau) - log_m_reference(d, tau)
    assert abs(T.sphere_collapse_margin_formula(4, 1, 4.0, 0.5) - formula) < 1e-10
    assert abs(T.sphere_collapse_margin(4, 1, 4.0, 0.5, 10**9, n=1000) - formula) < 5e-8


def test_log_m_partial_any_temperature_and_sharp_kernels():
    # c = 1 is g⁻¹ at τ = ½ too (the module's own test uses τ = 1): log m_d for every r (1e-10, 40-node quadrature of an
    # analytic integrand); r given in float32 is evaluated in float64 (same values as the float64 copy of r, 1e-13)
    r = np.array([0.2, 0.5, 0.9])
    assert np.abs(T.log_m_partial(6, 3, 1.0, 0.5, r) - log_m_reference(6, 0.5)).max() < 1e-10
    r32 = np.array([0.2, 0.7], dtype=np.float32)
    assert np.abs(T.log_m_partial(6, 3, 1.5, 0.5, r32) - T.log_m_partial(6, 3, 1.5, 0.5, r32.astype(np.float64))).max() < 1e-13
    # sharp kernel τ = 1e-3, almost full collapse c = 1e4: an anchor without content (r = 0) has log m ≈ 0 and one with
    # all its mass in content (r = 1) log m ≈ log m_{d_c} ≈ 1/τ; both finite (the log-sum-exp shifts each anchor by its
    # own maximum).  0.2: 40 nodes resolve a kernel of width 1e-3 only to ~0.1 nat
    v = T.log_m_partial(4, 2, 1e4, 1e-3, np.array([0.0, 1.0]))
    assert np.all(np.isfinite(v)) and abs(v[0]) < 0.2 and abs(v[1] - log_m_reference(2, 1e-3)) < 0.2


def test_sphere_partial_collapse_from_definitions():
    # L(normalize(c z_c, z_s)) − L(g⁻¹) per c, with log m_c(r) interpolated on an n_r-point grid of r = ‖z_c‖ ∈ [0, 1]
    # (n_r = 3 here, coarse on purpose: the grid must be the one asked for), on one common pair sample; 1e-9 as above
    d, d_c, kappa, tau, N, n, cs = 4, 1, 4.0, 0.5, 5, 800, (1.0, 3.0, 1.5)
    for seed, res in ((2, T.sphere_partial_collapse(d, d_c, kappa, tau, N, cs=cs, seed=2, n=n, n_r=3)),
                      (0, T.sphere_partial_collapse(d, d_c, kappa, tau, N, cs=cs, n=n, n_r=3))):
        p = sample_pairs(n, d, d_c, "sphere", kappa=kappa, seed=seed + 99)
        grid = np.array([0.0, 0.5, 1.0])
        L = {}
        for c in cs:
            u = p.z * np.r_[c, 1.0, 1.0, 1.0]
            ut = p.z_pos * np.r_[c, 1.0, 1.0, 1.0]
            pos = (u * ut).sum(1) / (np.linalg.norm(u, axis=1) * np.linalg.norm(ut, axis=1)) / tau
            log_m = np.interp(np.abs(p.z[:, 0]), grid, T.log_m_partial(d, d_c, c, tau, grid))
            L[c] = -pos + np.logaddexp(pos, np.log(N - 1) + log_m)
        diffs = [(L[c] - L[1.0]).mean() for c in cs]
        assert np.abs(np.array(res["L_minus_ginv"]) - diffs).max() < 1e-9
        k = int(np.argmin(diffs))
        assert res["best_c"] == cs[k] and res["best_margin"] == res["L_minus_ginv"][k] and res["best_se"] == res["se"][k]
        assert res["se"][0] == 0.0 and res["se"][1] > 0  # c = 1 minus itself is exactly 0
        full = sphere_reference(d, d_c, kappa, tau, N, seed, n)
        coll = -2.0 + np.logaddexp(2.0, np.log(N - 1) + np.log(np.cosh(2.0)))
        assert abs(res["full_collapse_margin"] - (coll - full["L_align"] - full["L_uniform"])) < 1e-9
        # the c = 1 quadrature reproduces the closed form log m_d on the grid (the module's own accuracy check)
        assert res["m1_max_abs_err"] < 1e-10
        assert (res["d"], res["d_c"], res["kappa"], res["tau"], res["cs"]) == (d, d_c, kappa, tau, list(cs))


def test_normalize_partial_numpy_and_torch_rows():
    # the partially collapsed encoder u_c(z) = (c z_c, z_s)/‖(c z_c, z_s)‖ row by row (5 rows ≠ 3 columns so that a
    # wrong axis cannot broadcast), for float and integer numpy rows and float64 torch rows; the input is not modified.
    # 1e-15: one scaling and one division of O(1) float64 numbers
    import torch

    z = np.array([[1.0, 2.0, -2.0], [0.5, 0.0, 1.0], [-3.0, 4.0, 0.0], [0.0, 1.0, 1.0], [2.0, -1.0, 2.0]])
    ref = np.array([np.r_[2.5 * row[:1], row[1:]] / np.linalg.norm(np.r_[2.5 * row[:1], row[1:]]) for row in z])
    z_before = z.copy()
    out = T.normalize_partial(z, 1, 2.5)
    assert isinstance(out, np.ndarray) and np.abs(out - ref).max() < 1e-15 and np.array_equal(z, z_before)
    zi = z.astype(int)  # integer rows: the scaling by c = 2.5 must not be truncated
    refi = np.array([np.r_[2.5 * row[:1], row[1:]] / np.linalg.norm(np.r_[2.5 * row[:1], row[1:]]) for row in zi])
    assert np.abs(T.normalize_partial(zi, 1, 2.5) - refi).max() < 1e-15
    zt = torch.tensor(z)
    out_t = T.normalize_partial(zt, 1, 2.5)
    assert isinstance(out_t, torch.Tensor) and np.abs(out_t.numpy() - ref).max() < 1e-15
    assert torch.equal(zt, torch.tensor(z_before))
    # inside an autograd graph (torch rows that require grad): every output row is a unit vector, so the gradient of
    # Σ‖u_i‖² = 5 with respect to z vanishes (1e-14: float64 rounding of the chain rule through the norm)
    zg = torch.tensor(z, requires_grad=True)
    (T.normalize_partial(zg, 1, 2.5) ** 2).sum().backward()
    assert zg.grad is not None and float(zg.grad.abs().max()) < 1e-14


def test_log_m_grid_cache_is_the_quadrature_and_read_only():
    """sphere_partial_collapse reuses log m_c on the r grid across κ (it does not depend on κ): the cached array is
    the quadrature itself, and read-only, so that no caller can corrupt the value the next κ reads."""
    g = T._log_m_on_grid(4, 2, 1.5, 0.5, 9)
    assert np.array_equal(g, T.log_m_partial(4, 2, 1.5, 0.5, np.linspace(0.0, 1.0, 9)))
    assert T._log_m_on_grid(4, 2, 1.5, 0.5, 9) is g and not g.flags.writeable
    with pytest.raises(ValueError):
        g[0] = 0.0
