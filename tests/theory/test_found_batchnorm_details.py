"""theory.found.batchnorm: output_variance, every entry of near_collapse, and bn_diag_numeric's validation/precision.

Complements test_found_batchnorm.py (which checks eps0_minus_note, batch_mean_eps0 and small_sigma_limit).
Expected values are worked by hand or come from central finite differences of the BN map written out here.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

from sslverify.theory.found import batchnorm

G, S, E = batchnorm.GAMMA, batchnorm.SIGMA, batchnorm.EPS
UB = sp.Symbol("u_b", real=True)  # the documented real placeholder for u_b


def bn(z: np.ndarray, gamma: float, eps: float) -> np.ndarray:
    """ẑ_b = γ(z_b − μ)/√(v + ε) with the biased batch variance v (β = 0: it does not change derivatives)."""
    mu = z.mean()
    v = ((z - mu) ** 2).mean()
    return gamma * (z - mu) / math.sqrt(v + eps)


def fd_diag(z: np.ndarray, gamma: float, eps: float, h: float) -> np.ndarray:
    """∂ẑ_b/∂z_b by central differences."""
    out = np.empty(len(z))
    for b in range(len(z)):
        zp, zm = z.copy(), z.copy()
        zp[b] += h
        zm[b] -= h
        out[b] = (bn(zp, gamma, eps)[b] - bn(zm, gamma, eps)[b]) / (2 * h)
    return out


# ----------------------------------------------------------------------------- output_variance
@pytest.mark.parametrize("z, eps, gamma", [([0.0, 4.0], 5.0, 3.0), ([1.0, 1.0, 4.0, 4.0], 4.0, 3.0)])
def test_output_variance_is_the_batch_variance_of_bn(z, eps, gamma):
    """Var_b of γ(z − μ)/√(v + ε), computed directly on the batch, equals output_variance(v, ε, γ).

    Batches chosen so that v + ε is a perfect square (4 + 5 = 9; 2.25 + 4 = 6.25): the direct values are ±2 and
    ±1.8, variances 4 and 3.24, all exact in binary up to one rounding."""
    z = np.array(z)
    v = float(((z - z.mean()) ** 2).mean())
    direct = float(bn(z, gamma, eps).var())
    assert abs(batchnorm.output_variance(v, eps, gamma) - direct) < 1e-12 * direct  # float64, a handful of ops
    v_ = sp.Symbol("v", positive=True)  # default γ: the symbolic γ²v/(v + ε)
    assert sp.simplify(batchnorm.output_variance(v_, E) - G**2 * v_ / (v_ + E)) == 0


# ----------------------------------------------------------------------------- near_collapse
def test_near_collapse_needs_batch_size_two():
    """N = 2 is the smallest legal batch (its ε = 0 batch mean is 0); N = 1 raises naming batch_size."""
    assert batchnorm.near_collapse(2)["batch_mean_eps0"] == 0
    with pytest.raises(ValueError, match="batch_size"):
        batchnorm.near_collapse(1)


# N = 4, u centred with mean u² = 1 exactly in exact arithmetic: (1.5 + 1.5 + 0.5 + 0.5)/4 = 1
U4 = np.array([math.sqrt(1.5), -math.sqrt(1.5), math.sqrt(0.5), -math.sqrt(0.5)])


@pytest.mark.parametrize("eps, key", [(0.1, "exact_diag"), (0.0, "eps0_diag")])
def test_near_collapse_diag_matches_finite_differences(eps, key):
    """The symbolic diagonal at z_b = c + σu_b (γ = 1.5, σ = 0.5, c = 0.7, N = 4) against central differences of the
    BN map; with ε = 0.1 the u_b-term denominator σ² + ε = 0.35 differs from σ² − ε = 0.15."""
    gamma, sigma = 1.5, 0.5
    r = batchnorm.near_collapse(4)
    z = 0.7 + sigma * U4
    # step 1e-6 on O(1) entries with derivatives O(γ/σ): truncation ~h²·γ/σ³ ≈ 1e-11, rounding ~1e-16/h ≈ 1e-10
    num = fd_diag(z, gamma, eps, 1e-6)
    for b in range(4):
        sym = float(r[key].subs({G: gamma, S: sigma, E: eps, UB: U4[b]}))
        assert abs(sym - num[b]) < 1e-7 * gamma / sigma


def test_near_collapse_large_sigma_order():
    """σ·diag → γ(1 − 1/N − u_b²/N) as σ → ∞ (σ/√(σ²+ε) → 1 and σ²/(σ²+ε) → 1); N = 4: γ(3 − u_b²)/4."""
    r = batchnorm.near_collapse(4)
    assert sp.simplify(r["large_sigma_order"] - G * (3 - UB**2) / 4) == 0


@pytest.mark.parametrize("n", [2, 4])
def test_near_collapse_first_order_series_in_eps(n):
    """f(ε) = γ[A(σ²+ε)^{-1/2} − B(σ²+ε)^{-3/2}], A = 1 − 1/N, B = u²σ²/N, so to first order
    f(0) = γ(A − u²/N)/σ and f′(0) = γ(−A/2 + 3u²/(2N))/σ³ (differentiated by hand)."""
    r = batchnorm.near_collapse(n)
    A = 1 - sp.Rational(1, n)
    expected = G * (A - UB**2 / n) / S + E * G * (3 * UB**2 / n - A) / (2 * S**3)
    assert sp.simplify(r["series_in_eps"] - expected) == 0


# ----------------------------------------------------------------------------- bn_diag_numeric
def test_bn_diag_numeric_smallest_legal_batch():
    """N = 2, ε = 0 (both legal edges): z_b − μ = ±√v, so 1 − 1/2 − v/(2v) = 0 on every column; also a (2, 1) batch."""
    z = np.array([[0.0, 1.0], [2.0, 5.0]])
    np.testing.assert_array_equal(batchnorm.bn_diag_numeric(z, 1.5, 0.0), np.zeros((2, 2)))  # exact: 1 − .5 − .5
    np.testing.assert_array_equal(batchnorm.bn_diag_numeric(z[:, :1], 1.5, 0.0), np.zeros((2, 1)))


@pytest.mark.parametrize("z, eps, match", [
    (np.array([[0.3, 0.1, 0.2]]), 1e-5, "batch_size"),    # N = 1 (one row, three features)
    (np.array([[0.0], [1.0]]), -1e-5, "eps must be >= 0"),  # first negative ε
])
def test_bn_diag_numeric_rejects_bad_inputs(z, eps, match):
    """A batch of one sample and a negative ε are rejected with ValueError naming the parameter."""
    with pytest.raises(ValueError, match=match):
        batchnorm.bn_diag_numeric(z, 1.0, eps)


def test_bn_diag_numeric_computes_in_float64_for_float32_input():
    """A float32 batch near collapse (σ = 1e-3 on a 0.3 offset) is evaluated in float64: central differences in
    float64 on the same (exactly upcast) values agree to 1e-6 relative. In float32 the centred values alone carry
    ~ulp(0.3)/σ ≈ 3e-5 relative error."""
    z32 = (0.3 + 1e-3 * U4).astype(np.float32).reshape(4, 1)
    got = batchnorm.bn_diag_numeric(z32, 1.0, 1e-7)
    z64 = z32[:, 0].astype(np.float64)
    # h = 1e-9 ≪ σ: truncation ~(h/σ)² = 1e-12 relative; rounding: ẑ carries ~ulp(0.3)/σ ≈ 6e-14, divided by 2h
    # ≈ 3e-5 absolute on a diagonal of O(1/σ) = 1e3, i.e. ~3e-8 relative; the 1e-6 bound leaves a 30x margin
    num = fd_diag(z64, 1.0, 1e-7, 1e-9)
    assert np.all(np.abs(got[:, 0] - num) < 1e-6 / 1e-3)
