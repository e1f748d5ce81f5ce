"""More checks of sslverify.theory.found.uniformity: input validation of the discrete-law energies,
the d = 2 and odd-d branches, and the s / metadata that the returned records carry."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import special

from sslverify.theory.found import uniformity

E3 = np.eye(3)


def _circle_mean(f, s, m=64):
    """(1/2π)∫ f(s cos θ) dθ by the trapezoid rule on m points (spectrally exact for smooth periodic f)."""
    th = np.linspace(0, 2 * np.pi, m, endpoint=False)
    return float(np.mean(f(s * np.cos(th))))


# ------------------------------------------------------------------ weights validation
@pytest.mark.parametrize("fn, pts", [
    (uniformity.circle_energy, np.array([0.0, 1.0])),
    (uniformity.sphere2_energy, E3[:2]),
    (uniformity.sphere_energy, E3[:2]),
])
def test_energies_reject_negative_weights_summing_to_one(fn, pts):
    """Weights (1.5, −0.5) sum to 1 but are not a probability vector: must raise."""
    with pytest.raises(ValueError, match="weights"):
        fn(np.array([1.5, -0.5]), pts)


@pytest.mark.parametrize("fn, pts", [
    (uniformity.circle_energy, np.array([0.0, 1.0])),
    (uniformity.sphere2_energy, E3[:2]),
    (uniformity.sphere_energy, E3[:2]),
])
def test_energies_accept_a_zero_weight(fn, pts):
    """A zero weight is legal; a point mass (1, 0) has E e^{s uᵀv} = e^{s} (the point with itself), s = 4."""
    direct = fn(np.array([1.0, 0.0]), pts)[0]
    assert abs(direct - np.exp(4.0)) < 1e-12 * np.exp(4.0)  # float64 round-off of one exp


# ------------------------------------------------------------------ points validation
@pytest.mark.parametrize("fn", [uniformity.sphere2_energy, uniformity.sphere_energy])
def test_energies_reject_one_dimensional_points(fn):
    """A single 1-D vector is not an (m, d) array of points: ValueError naming points."""
    with pytest.raises(ValueError, match="points"):
        fn(np.array([1.0]), np.array([1.0, 0.0, 0.0]))


def test_sphere2_energy_rejects_unit_points_in_r2():
    """Unit vectors of R² are not points of S² ⊂ R³: must raise naming points."""
    with pytest.raises(ValueError, match="points"):
        uniformity.sphere2_energy(np.array([0.5, 0.5]), np.eye(2))


def test_sphere_energy_rejects_unit_points_in_r2():
    """sphere_energy needs d ≥ 3 (the Gegenbauer expansion needs ν > 0): unit vectors of R² raise."""
    with pytest.raises(ValueError, match="points"):
        uniformity.sphere_energy(np.array([0.5, 0.5]), np.eye(2))


@pytest.mark.parametrize("fn", [uniformity.sphere2_energy, uniformity.sphere_energy])
def test_energies_reject_far_from_unit_points(fn):
    """Vectors of norm 2 are not on the sphere: must raise naming points."""
    with pytest.raises(ValueError, match="points"):
        fn(np.array([0.5, 0.5]), 2 * E3[:2])


def test_sphere_energy_accepts_d_three():
    """d = 3 is legal; the antipodal pair ±e₁ with weights ½ has energy (e^{s} + e^{−s})/2 = cosh 4."""
    direct, series, _ = uniformity.sphere_energy(np.array([0.5, 0.5]), np.array([[1.0, 0, 0], [-1.0, 0, 0]]))
    assert abs(direct - np.cosh(4.0)) < 1e-12 * np.cosh(4.0)  # float64 round-off
    assert abs(series - np.cosh(4.0)) < 1e-9 * np.cosh(4.0)  # truncation at ℓ = 40 is < 1e-30; round-off of 40 terms


# ------------------------------------------------------------------ default truncation
@pytest.mark.parametrize("fn", [uniformity.sphere2_energy, uniformity.sphere_energy])
def test_energies_default_truncation_is_forty_terms(fn):
    """The documented default lmax = 40 returns E P_ℓ / E C_ℓ for ℓ = 1..40 (one per ℓ)."""
    terms = fn(np.array([1.0]), E3[:1])[2]
    assert len(terms) == 40


# ------------------------------------------------------------------ odd d and s ≠ 4
@pytest.mark.parametrize("d, s", [(3, 4.0), (5, 4.0), (3, 2.5)])
def test_sphere_energy_series_matches_direct_odd_d(d, s):
    """Gegenbauer series = direct sum for two orthogonal unit points (uᵀv ∈ {0, 1}): (e^{s} + 1)/2, any d, s."""
    x = np.eye(d)[:2]
    direct, series, _ = uniformity.sphere_energy(np.array([0.5, 0.5]), x, s=s)
    want = (np.exp(s) + 1) / 2
    assert abs(direct - want) < 1e-12 * want  # float64 round-off
    assert abs(series - want) < 1e-9 * want  # truncation at ℓ = 40 negligible (< s^40/40!); round-off of 40 terms


@pytest.mark.parametrize("s", [2.5, 4.0])
def test_uniform_sphere_energy_circle_is_bessel_i0(s):
    """d = 2: E e^{s cos θ} over the uniform circle = I₀(s), here by the trapezoid rule (exact to round-off)."""
    assert abs(uniformity.uniform_sphere_energy(2, s) - _circle_mean(np.exp, s)) < 1e-12 * np.exp(s)  # round-off


@pytest.mark.parametrize("s", [2.5, 4.0])
def test_uniform_sphere_energy_s2_is_sinh_over_s(s):
    """d = 3: uᵀv is uniform on [−1, 1] (Archimedes), so E e^{s uᵀv} = sinh(s)/s."""
    assert abs(uniformity.uniform_sphere_energy(3, s) - np.sinh(s) / s) < 1e-12 * np.sinh(s)  # float64 round-off


def test_uniform_sphere_energy_s4_by_quadrature():
    """d = 5: uᵀv has density ∝ (1−t²) on [−1, 1], so E e^{st} = 3∫e^{st}(1−t²)dt/4, here by Gauss–Legendre."""
    s = 2.5
    t, w = np.polynomial.legendre.leggauss(40)  # exact for polynomials of degree < 80; e^{st} tail < 2.5^80/80! ≈ 1e-87
    want = 0.75 * float(np.sum(w * np.exp(s * t) * (1 - t**2)))
    assert abs(uniformity.uniform_sphere_energy(5, s) - want) < 1e-12 * want  # float64 round-off


# ------------------------------------------------------------------ Gegenbauer projections
def test_gegenbauer_coefficients_circle_matches_chebyshev_projection():
    """d = 2: ∫e^{st}T_ℓ(t)(1−t²)^{−½}dt = ∫_0^π e^{s cos θ}cos ℓθ dθ = πI_ℓ(s), checked by the trapezoid rule in θ."""
    r = uniformity.gegenbauer_coefficients(2, lmax=3)
    th = np.linspace(0, 2 * np.pi, 64, endpoint=False)
    for row in r["rows"]:
        want = np.pi * float(np.mean(np.exp(4 * np.cos(th)) * np.cos(row["l"] * th)))
        assert abs(row["quadrature"] - want) < 1e-12 * np.exp(4)  # round-off on terms of size e^4
        assert abs(row["closed_form"] - want) < 1e-12 * np.exp(4)  # same


def test_gegenbauer_coefficients_record_their_inputs_and_use_s():
    """The record carries d, s, nodes as passed, and the closed form is evaluated at that s (s = 2.5 ≠ default 4)."""
    r = uniformity.gegenbauer_coefficients(3, lmax=1, s=2.5, nodes=16)
    assert (r["d"], r["s"], r["nodes"]) == (3, 2.5, 16)
    # d = 3, ℓ = 0: ∫e^{st}dt over [−1, 1] = 2 sinh(s)/s
    assert abs(r["rows"][0]["closed_form"] - 2 * np.sinh(2.5) / 2.5) < 1e-12 * np.sinh(2.5)  # round-off


# ------------------------------------------------------------------ trace counterexample
def test_trace_counterexample_both_traces_are_one():
    """N(0, ½I₂) has trace 2·½ = 1; a law on the unit circle has tr Cov = E‖u‖² − ‖Eu‖² = 1 − 0 = 1 (uniform)."""
    r = uniformity.trace_constraint_counterexample()
    assert r["gaussian_trace"] == 2 * 0.5
    assert r["uniform_trace"] == 1.0 - 0.0


# ------------------------------------------------------------------ Gram entries clamped to [−1, 1]
# a normalised vector whose float64 self inner product rounds to 1 + 2⁻⁵² (so the clamp is exercised)
U_ROUND = np.array([0.36486176735685877, 0.9240647543268905, -0.11393077078653184])


@pytest.mark.parametrize("fn", [uniformity.sphere2_energy, uniformity.sphere_energy])
def test_energies_clamp_self_similarity_to_one(fn):
    """uᵀu of a unit vector is 1; the Gram matrix is clamped, so a point mass gives exactly the float e^{4·1}."""
    assert U_ROUND @ U_ROUND > 1.0  # the rounding that makes the clamp matter
    assert fn(np.array([1.0]), U_ROUND[None, :])[0] == np.exp(4.0)


@pytest.mark.parametrize("fn, poly", [
    (uniformity.sphere2_energy, lambda l, t: special.eval_legendre(l, t)),
    (uniformity.sphere_energy, lambda l, t: special.eval_gegenbauer(l, 0.5, t)),
])
def test_energies_clamp_antipodal_similarity_to_minus_one(fn, poly):
    """For ±u (weights ½) uᵀv ∈ {1, −1} exactly after clamping, so E P_ℓ = ½P_ℓ(1) + ½P_ℓ(−1) (ν = ½ for d = 3);
    the products 0.5·x are exact in float64, so the equality is exact."""
    x = np.stack([U_ROUND, -U_ROUND])
    assert x[0] @ x[1] < -1.0  # the rounding that makes the clamp matter
    terms = fn(np.array([0.5, 0.5]), x)[2]
    assert terms == [0.5 * poly(l, 1.0) + 0.5 * poly(l, -1.0) for l in range(1, 41)]


@pytest.mark.parametrize("energy", ["sphere2_energy", "sphere_energy"])
def test_points_off_the_sphere_by_more_than_round_off_are_rejected(energy):
    """The unit-norm check is absolute (1e-12, float64 round-off of a norm): a point 1e-6 off the sphere — inside
    numpy's default relative tolerance 1e-5 — must be rejected."""
    w = np.array([0.5, 0.5])
    x = np.array([[1.0 + 1e-6, 0.0, 0.0], [0.0, 1.0, 0.0]])
    with pytest.raises(ValueError):
        getattr(uniformity, energy)(w, x)
    getattr(uniformity, energy)(w, np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]))  # unit points are accepted
