"""found.bn-variance, found.bn-collapse-gradient, found.bn-near-collapse (note: "Batch Normalization", Exercise 4)."""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
import torch

from sslverify.theory.found import batchnorm
from sslverify.verdicts.builtin import found as checks


@pytest.mark.parametrize("n", [2, 3])
def test_bn_symbolic(n):
    # exact Jacobian, output variance γ²v/(v+ε), collapse value γ(1−1/N)/√ε
    r = batchnorm.bn_derivations(n)
    assert r["jacobian_ok"] and r["variance_ok"] and r["collapse_ok"] and r["collapse_projection"]
    assert r["output_at_collapse_is_beta"]


def test_bn_variance_torch():
    o = checks.check_bn_variance(True, None)
    assert o.verdict == "corrected"
    assert abs(o.details["torch_var"] / o.details["predicted"] - 1) < 1e-9  # float64
    assert o.details["torch_var"] < 0.1  # far from γ² = 4


def test_bn_collapse_torch():
    o = checks.check_bn_collapse_gradient(True, None)
    assert o.verdict == "proved"


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
    np.testing.assert_allclose(diag, batchnorm.bn_diag_numeric(z, 1.0, 1e-5), rtol=1e-10)  # float64


def test_bad_bn_inputs():
    with pytest.raises(ValueError, match="batch_size must be an integer >= 2"):
        batchnorm.check_bn_inputs(n=1)
    with pytest.raises(ValueError, match="eps must be >= 0"):
        batchnorm.check_bn_inputs(eps=-1e-5)
    with pytest.raises(ValueError, match="sigma must be >= 0"):
        batchnorm.check_bn_inputs(sigma=-0.1)
