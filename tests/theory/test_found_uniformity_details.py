"""found.uniformity details: the wrapped-normal kernel, the population terms on S¹, the view sampler, NT-Xent and the
simplex gap, against closed forms worked by hand.

Closed form used for L_uniform (Jacobi–Anger, module docstring): for independent views θ, θ' with
E e^{ikθ} = (I_k(κ)/I₀(κ))·e^{−k²s²/2} (vonMises(0, κ) image angle plus N(0, s²) view noise),
    log E e^{−2‖f(θ) − f(θ')‖²} = −4 + log(I₀(4) + 2Σ_{k≥1} I_k(4)(I_k(κ)/I₀(κ))² e^{−k²s²}).
"""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from scipy import special

from sslverify.theory.found import uniformity


def _uniform_closed_form(kappa, s, kmax=60):
    """Jacobi–Anger series of L_uniform; I_k(4) < 4^k/k! makes the tail beyond k = 60 < 1e-40."""
    k = np.arange(1, kmax + 1)
    ratio = special.ive(k, kappa) / special.ive(0, kappa)  # I_k(κ)/I₀(κ), exponentially scaled to avoid overflow
    return -4 + np.log(special.iv(0, 4) + 2 * np.sum(special.iv(k, 4) * ratio**2 * np.exp(-(k * s) ** 2)))


# ----------------------------------------------------------------------------- wrapped normal kernel
@pytest.mark.parametrize("s", [0.3, 1.0])
def test_wrapped_normal_is_the_circle_density(s):
    """the wrapped N(0, s²) density on [−π, π): mass 1 (periodic trapezoid, 64 nodes) and equal to its Fourier series
    (1/2π)(1 + 2Σ_k e^{−k²s²/2} cos kx); the images beyond |k| = 6 weigh < e^{−(11π)²/2} for s ≤ 1."""
    x = np.linspace(-np.pi, np.pi, 64, endpoint=False)
    f = uniformity._wrapped_normal(x, s)
    k = np.arange(1, 61)[:, None]
    series = (1 + 2 * np.sum(np.exp(-(k * s) ** 2 / 2) * np.cos(k * x), 0)) / (2 * np.pi)
    # spectral accuracy: the trapezoid error is the k = 64 Fourier coefficient e^{−64²s²/2} < 1e-80; round-off 1e-15
    assert abs(f.sum() * 2 * np.pi / 64 - 1) < 1e-12
    assert np.abs(f - series).max() < 1e-12  # O(1) values, float64 round-off of ≤ 60-term sums


def test_wrapped_normal_is_even_for_wide_noise():
    """s = 10 (images far from the circle matter): the kernel sums the symmetric images k = −6..6, so it is even,
    f(x) = f(−x), to round-off (1e-12 relative; a one-sided extra image would break it by ~5e-5)."""
    x = np.linspace(0.5, 3.0, 6)
    f, g = uniformity._wrapped_normal(x, 10.0), uniformity._wrapped_normal(-x, 10.0)
    assert np.abs(f / g - 1).max() < 1e-12


# ----------------------------------------------------------------------------- circle_population
@pytest.mark.parametrize("kappa, s, tau", [(-0.1, 0.3, 0.5), (1.0, 0.0, 0.5), (1.0, 0.3, 0.0)])
def test_circle_population_rejects_bad_parameters(kappa, s, tau):
    """κ < 0, s = 0 or τ = 0 (each alone, the first illegal value): ValueError naming the parameters."""
    with pytest.raises(ValueError, match=r"^kappa must be >= 0 and s, tau > 0"):
        uniformity.circle_population(kappa, s, tau, grid=64)


def test_circle_population_boundary_kappa_zero():
    """κ = 0 (uniform images) is legal: L_uniform = −4 + log I₀(4) (all Fourier moments vanish)."""
    r = uniformity.circle_population(0.0, 0.3, 1.0, grid=64)
    assert abs(r["uniform"] - (-4 + np.log(special.iv(0, 4)))) < 1e-12  # spectral quadrature, round-off only


def test_circle_population_sharp_law_against_closed_form():
    """κ = 200, s = 0.1, τ = 0.25 on 512 nodes (p0's Fourier moments e^{−k²/400} are resolved there): L_uniform equals
    the Jacobi–Anger closed form, L_align = 2 − 2e^{−s²}, and limit = L_align/(2τ) − 1/τ + rep (the documented form)."""
    kappa, s, tau = 200.0, 0.1, 0.25
    r = uniformity.circle_population(kappa, s, tau, grid=512)
    # periodic trapezoid with 512 nodes: aliasing e^{−256²/400} ≈ 1e-71; float64 round-off of 512² sums ~1e-14
    assert abs(r["uniform"] - _uniform_closed_form(kappa, s)) < 1e-10
    assert abs(r["align"] - (2 - 2 * np.exp(-s * s))) < 1e-15  # the same 2-operation formula
    assert abs(r["limit"] - (r["align"] / (2 * tau) - 1 / tau + r["rep"])) < 1e-12  # O(4) values, round-off
    assert r["uniform"] <= 0 and r["rep"] <= 1 / tau  # kernel e^{−2‖u−v‖²} ≤ 1 and e^{cos/τ} ≤ e^{1/τ}


def test_circle_population_coarse_grid_stays_a_probability_law():
    """grid spacing h = 2π/64 ≈ 0.1 ≫ s = 0.02: the sampled noise kernel is nearly a point mass (its raw mass h·Σ is
    ≈ 1.96, not 1), yet the view law is renormalised, so L_uniform lies between the closed forms at noise 0 and at
    noise s (each Fourier factor e^{−k²s²} is between those of the two; slack 1e-12 for round-off)."""
    r = uniformity.circle_population(1.0, 0.02, 1.0, grid=64)
    lo, hi = _uniform_closed_form(1.0, 0.02), _uniform_closed_form(1.0, 0.0)
    assert hi - lo > 1e-4  # the two bounds are distinct (≈ 1.2e-4 apart)
    assert lo - 1e-12 <= r["uniform"] <= hi + 1e-12


# ----------------------------------------------------------------------------- sample_views
def test_sample_views_mean_direction():
    """κ = 4, s = 0.3, 4000 pairs: both views have mean resultant E e^{iθ} = (I₁(4)/I₀(4))e^{−s²/2} = 0.826 at
    angle 0 (images centred at 0); checked to 5 standard errors of the sample means."""
    z1, z2 = uniformity.sample_views(4.0, 0.3, 4000, 7)
    want = special.iv(1, 4) / special.iv(0, 4) * np.exp(-0.045)
    for z in (z1, z2):
        se = z.std(0, ddof=1) / np.sqrt(len(z))
        assert abs(z[:, 0].mean() - want) < 5 * se[0] and abs(z[:, 1].mean()) < 5 * se[1]


# ----------------------------------------------------------------------------- NT-Xent
def test_ntxent_normalises_its_inputs():
    """N = 2 orthogonal pairs (e₁, e₁), (e₂, e₂), τ = 1: every anchor sees its partner at similarity 1 and two others
    at 0, so the loss is log(2 + e) − 1; rescaled inputs (3e₁, 0.5e₂ | 2e₁, 4e₂) give the same (cosine similarity)."""
    e1, e2 = np.eye(2)
    want = np.log(2 + np.e) - 1
    assert abs(uniformity.ntxent_numpy(np.stack([e1, e2]), np.stack([e1, e2]), 1.0) - want) < 1e-14
    assert abs(uniformity.ntxent_numpy(np.stack([3 * e1, 0.5 * e2]), np.stack([2 * e1, 4 * e2]), 1.0) - want) < 1e-14


def test_ntxent_small_temperature_is_stable():
    """τ = 1e-3, views (e₁, e₁) and (e₁, −e₁): similarities ±1000; per anchor log 2, 2000 + log 2, log 2, log 3 (worked
    by hand), mean (2000 + 3 log 2 + log 3)/4 — finite although e^{−2000} underflows (per-anchor log-sum-exp)."""
    e1 = np.array([1.0, 0.0])
    got = uniformity.ntxent_numpy(np.stack([e1, e1]), np.stack([e1, -e1]), 1e-3)
    assert abs(got - (2000 + 3 * np.log(2) + np.log(3)) / 4) < 1e-9  # ~500 in float64: round-off ~1e-13


# ----------------------------------------------------------------------------- simplex gap
def test_simplex_mean_offdiag_gap_in_the_nonnegative_S():
    """mean_{i≠j} z_iᵀz_j − (−1/(N−1)) = (S − N)/(N(N−1)) + 1/(N−1) = S/(N(N−1)), in the documented S = ‖Σz‖² ≥ 0;
    at N = 3, S = 2: 1/3."""
    S = sp.Symbol("S", nonnegative=True)
    gap = uniformity.simplex_gram()["mean_offdiag_minus_bound"]
    assert sp.simplify(gap - S / (uniformity.NN * (uniformity.NN - 1))) == 0
    assert gap.subs({S: 2, uniformity.NN: 3}) == sp.Rational(1, 3)
