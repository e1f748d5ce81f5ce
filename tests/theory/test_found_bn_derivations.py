"""``batchnorm.bn_derivations``: the smallest legal batch, and that its Jacobian / variance checks reject a BN built with
the unbiased batch variance (divide by N − 1) while the collapse facts, which do not see the variance, still hold."""
from __future__ import annotations

import pytest
import sympy as sp

from sslverify.theory.found import batchnorm


def test_bn_derivations_batch_size_two_is_smallest():
    """N = 2 works (collapse diagonal γ(1 − 1/N)/√ε = γ/(2√ε) by hand); N = 1 raises ValueError naming batch_size."""
    res = batchnorm.bn_derivations(2)
    assert sp.simplify(res["collapse_diag"] - batchnorm.GAMMA / (2 * sp.sqrt(batchnorm.EPS))) == 0
    with pytest.raises(ValueError, match="batch_size must be an integer >= 2"):
        batchnorm.bn_derivations(1)


def _bn_unbiased(z, eps):
    # BN with the unbiased variance Σ(z − μ)²/(N − 1): the returned v is the one under the root, so √(v + ε) → S still works
    n = len(z)
    mu = sp.Add(*z) / n
    v = sp.Add(*[(x - mu) ** 2 for x in z]) / (n - 1)
    return [batchnorm.GAMMA * (x - mu) / sp.sqrt(v + eps) + batchnorm.BETA for x in z], mu, v


def test_bn_derivations_rejects_unbiased_variance(monkeypatch):
    """With v = Σ(z−μ)²/(N−1) the Jacobian has (z_b−μ)(z_c−μ)/((N−1)S²), not /(NS²), and Var(ẑ) = γ²(N−1)v/(NS²) ≠ γ²v/S²:
    both checks fail (N = 2); at collapse the variance term vanishes, so J₀ = γ(I − 11ᵀ/N)/√ε and ẑ = β still hold."""
    monkeypatch.setattr(batchnorm, "_bn", _bn_unbiased)
    res = batchnorm.bn_derivations.__wrapped__(2)  # skips the lru_cache: the wrong BN's result is not stored
    assert (res["jacobian_ok"], res["variance_ok"]) == (False, False)
    assert res["collapse_ok"] and res["collapse_projection"] and res["output_at_collapse_is_beta"]



@pytest.mark.parametrize("fn", ["bn_derivations", "near_collapse", "as_defined"])
def test_float_batch_size_is_rejected_naming_it(fn):
    """The symbolic batch z1..zN needs an int: 2.0 must raise a ValueError naming batch_size (before, SymPy failed
    with '2.0 is not an integer'), also after the int batch's result is memoised (2.0 == 2 share a cache key)."""
    getattr(batchnorm, fn)(2)
    with pytest.raises(ValueError, match="batch_size must be an integer >= 2, got 2.0"):
        getattr(batchnorm, fn)(2.0)
