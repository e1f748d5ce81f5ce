"""found.bn-variance, found.bn-collapse-gradient, found.bn-near-collapse (note: "Batch Normalization", Exercise 4)."""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
import torch

from sslverify.experiments import found_bn_gradient as bn_exp
from sslverify.theory.found import batchnorm
from sslverify.verdicts.builtin import found as checks


@pytest.mark.parametrize("n", [2, 3])
def test_bn_symbolic(n):
    # exact Jacobian, output variance γ²v/(v+ε), collapse value γ(1−1/N)/√ε
    r = batchnorm.bn_derivations(n)
    assert r["jacobian_ok"] and r["variance_ok"] and r["collapse_ok"] and r["collapse_projection"]
    assert r["output_at_collapse_is_beta"]


def test_bn_variance_torch():
    # reading "torch's ε": BatchNorm1d(eps=1e-5) at batch variance 5.25e-8 gives γ²v/(v+ε) ≈ 0.021, not γ² = 4
    n = checks._bn_numeric(gamma=2.0)
    pred = 4.0 * n["v"] / (n["v"] + n["eps"])
    assert abs(n["var_torch_eps"] / pred - 1) < 1e-9  # float64 module, a few dozen operations
    assert n["var_torch_eps"] < 0.1  # far from γ² = 4


def test_bn_variance_as_defined_symbolic():
    # the note's σ_j (no ε): Var_b(ẑ) − γ² cancels to exactly 0 (N = 2, 3); ẑ is shift- and scale-invariant
    for n in (2, 3):
        r = batchnorm.as_defined(n)
        assert r["variance_residual"] == "0"
        assert r["jacobian_kills_ones"] and r["jacobian_kills_centred"]
        assert r["eps_product_is_gamma_eps_over_root3"]  # with ε > 0 the scale direction is not annihilated


def test_bn_variance_as_defined_autograd():
    # second method (float64 evaluation and autograd of the note's formula, no SymPy): Var_b(ẑ) = γ² at batch
    # variance 5.25e-8 (4.000000), and at σ from 1e-6 to 10; the unbiased reading gives γ²N/(N−1)
    n = checks._bn_numeric(gamma=2.0)
    assert abs(n["var_eps0"] - 4.0) < 4e-9  # deviations 1e-4 on a 0.4 offset: float64 rounding ~1e-12 relative
    assert abs(n["var_eps0_unbiased"] - 4.0 * 8 / 7) < 4e-9  # same rounding, γ²N/(N−1) = 4.571
    u = bn_exp.unit_batch(6, 5, seed=3)
    for sigma in (1e-6, 1e-3, 1.0, 10.0):
        var = bn_exp.note_batchnorm(0.7 + sigma * u, 1.5, 0.3).var(0, unbiased=False)
        # σu rounded on a 0.7 offset: relative error of the deviations ≤ 2.2e-16·0.7/σ ≤ 1.6e-10 at σ = 1e-6
        assert torch.all((var / 1.5**2 - 1).abs() < 1e-9)


def test_bn_gloss_does_not_follow():
    # the note's gloss "forced to have nonzero variance — all N batch samples cannot map to the same value": the identity
    # Var_b(ẑ) = γ² presupposes σ_j > 0. Numpy, independent of torch: the ε-free formula is 0/0 (NaN) at collapse, and
    # the ε = 1e-5 formula gives γ²v/(v + ε) → 0 (3.996, 3.636, 0.364, 0.0040, 0 at v = 1e-2 … 1e-8, 0; γ = 2)
    with np.errstate(invalid="ignore"):
        z = np.full(8, 0.4)
        assert np.isnan(2.0 * (z - z.mean()) / np.sqrt(((z - z.mean()) ** 2).mean()) + 0.3).all()
    u = np.array([-1.5, -1.0, -0.5, 0.0, 0.0, 0.5, 1.0, 1.5])
    u /= np.sqrt((u**2).mean())
    got = []
    for v in (1e-2, 1e-4, 1e-6, 1e-8, 0.0):
        zb = 0.4 + np.sqrt(v) * u
        out = 2.0 * (zb - zb.mean()) / np.sqrt(((zb - zb.mean()) ** 2).mean() + 1e-5) + 0.3
        got.append(out.var())
    # √v·u rounded on a 0.4 offset: relative error of the deviations ≤ 2.2e-16·0.4/1e-4 ≈ 1e-12 at v = 1e-8
    assert np.allclose(got[:4], [4 * v / (v + 1e-5) for v in (1e-2, 1e-4, 1e-6, 1e-8)], rtol=1e-9, atol=0)
    assert got[4] == 0.0 and got[3] < 1e-3 * 4  # at collapse exactly 0; at v = 1e-8 below 0.1 % of γ²
    # the evidence's torch BatchNorm1d values agree with this numpy evaluation (float64, a few dozen operations)
    rows = checks._bn_gloss()["torch_eps"]
    assert np.allclose([r["var_torch_eps"] for r in rows], got, rtol=1e-9, atol=1e-15)


def test_near_collapse_eps0_autograd():
    # second method for Exercise 4 with the note's σ_j: autograd diag vs γ(1 − 1/N − u_b²/N)/σ, N = 2 gives 0,
    # N = 4 batch mean / note = 2/3 at every σ; and J·u = 0 (the O(1/σ) Jacobian does not change σ)
    for n in (2, 4):
        u = bn_exp.unit_batch(n, 7, seed=n)
        for sigma in (1e-5, 1e-2, 3.0):
            z = (0.7 + sigma * u).requires_grad_(True)
            out = bn_exp.note_batchnorm(z, 1.5, 0.3)
            J = torch.stack([torch.autograd.grad(out[b].sum(), z, retain_graph=True)[0] for b in range(n)])  # (b, c, col)
            diag = torch.stack([J[b, b] for b in range(n)])
            exact = 1.5 * (1 - 1 / n - u**2 / n) / sigma
            scale = 1.5 / sigma
            # float64: entries O(1/σ) built from deviations known to ~1e-10 relative at σ = 1e-5
            assert torch.all((diag - exact).abs() < 1e-8 * scale)
            Ju = torch.einsum("bcm,cm->bm", J, u)
            assert torch.all(Ju.abs() < 1e-8 * scale)  # scale invariance up to the same rounding
            if n == 2:
                assert torch.all(diag.abs() < 1e-8 * scale)  # exactly 0 for N = 2
            else:
                ratio = diag.mean(0) / (1.5 * (1 - 1 / n) / sigma)
                assert torch.all((ratio - 2 / 3).abs() < 1e-8)  # mean u² = 1 exactly: (N−2)/(N−1), rounding only


def test_bn_collapse_torch():
    # torch BatchNorm1d at exact collapse, N = 5, ε = 1e-5, γ = 1.5: diag γ(1−1/N)/√ε, off-diagonal −γ/(N√ε)
    t = checks.bn_collapse_gradient_evidence()["torch"]
    assert abs(t["diag"] / (1.5 / np.sqrt(1e-5) * 0.8) - 1) < 1e-9  # float64 module, a handful of operations
    assert abs(t["off_diag"] / (-1.5 / np.sqrt(1e-5) / 5) - 1) < 1e-9


def test_near_collapse():
    # Exercise 4: the note drops −γu_b²/(Nσ); N = 2 batch mean is exactly 0 at ε = 0
    r4, r2 = batchnorm.near_collapse(4), batchnorm.near_collapse(2)
    g, s, ub = batchnorm.GAMMA, batchnorm.SIGMA, r4["u_b"]
    assert sp.simplify(r4["eps0_minus_note"] + g * ub**2 / (4 * s)) == 0
    assert sp.simplify(r4["batch_mean_eps0"] - g * sp.Rational(1, 2) / s) == 0
    assert r2["batch_mean_eps0"] == 0
    assert sp.simplify(r4["small_sigma_limit"] - 3 * g / (4 * sp.sqrt(batchnorm.EPS))) == 0
    # numeric closed form vs torch for a random batch
    z = np.random.default_rng(0).standard_normal((5, 3)) * 1e-2 + 0.3
    zt = torch.tensor(z, requires_grad=True)
    bn = torch.nn.BatchNorm1d(3, eps=1e-5).double().train()
    out = bn(zt)
    diag = np.stack([torch.autograd.grad(out[b].sum(), zt, retain_graph=True)[0][b].numpy() for b in range(5)])
    # float64 autograd vs the closed form at batch std ~1e-2 (well above √ε ≈ 3e-3): agreement to ~1e-13
    np.testing.assert_allclose(diag, batchnorm.bn_diag_numeric(z, 1.0, 1e-5), rtol=1e-10)


def test_bad_bn_inputs():
    with pytest.raises(ValueError, match="batch_size must be an integer >= 2"):
        batchnorm.check_bn_inputs(n=1)
    with pytest.raises(ValueError, match="eps must be >= 0"):
        batchnorm.check_bn_inputs(eps=-1e-5)
    with pytest.raises(ValueError, match="sigma must be >= 0"):
        batchnorm.check_bn_inputs(sigma=-0.1)
