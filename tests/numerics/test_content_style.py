"""numerics.content_style / content_style_train: the Rusak §4.1 DGP, losses, R² (and their bad inputs)."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy import special

from sslverify.numerics.content_style import Generator, make_generator, sample_marginal, sample_pairs, sample_vmf
from sslverify.numerics.content_style_train import adjusted_r2, infonce, infonce_parts, init_mlp, forward, temperatures
from sslverify.numerics.tolerance import monte_carlo_close


def test_box_pairs_content_fixed_style_moves():
    p = sample_pairs(20000, 6, 2, "box", sigma_s=0.1, seed=1)
    assert np.array_equal(p.z[:, :2], p.z_pos[:, :2])  # δ conditional on content
    assert p.z_pos.min() >= 0 and p.z_pos.max() <= 1  # truncated to the box
    # truncated N(z, 0.1²): E(z − z~)² < 0.01, and the marginal stays uniform (mean ½, 5 standard errors)
    assert ((p.z - p.z_pos)[:, 2:] ** 2).mean() < 0.01
    ok, _, _ = monte_carlo_close(p.z_pos[:, 2:], 0.5)
    assert ok


def test_sphere_pairs_stay_on_sphere():
    p = sample_pairs(5000, 5, 2, "sphere", kappa=10.0, seed=2)
    assert np.allclose(np.linalg.norm(p.z_pos, axis=1), 1.0, atol=1e-12)  # float64 rounding only
    assert np.array_equal(p.z[:, :2], p.z_pos[:, :2])


def test_vmf_mean_resultant_length():
    # E[vᵀμ] = A_p(κ) = I_{p/2}(κ)/I_{p/2−1}(κ) for vMF on S^{p−1}: 5 standard errors of the sample mean
    mu = np.tile(np.eye(4)[0], (40000, 1))
    v = sample_vmf(mu, 5.0, np.random.default_rng(0))
    ok, _, _ = monte_carlo_close(v[:, 0], special.iv(2, 5.0) / special.iv(1, 5.0))
    assert ok


@pytest.mark.parametrize("kind", ["linear", "mlp"])
def test_generator_invertible(kind):
    g = make_generator(5, kind, seed=3, cond=4.0)
    z = sample_marginal(100, 5, "box", seed=4)
    assert np.abs(g.inverse(g(z)) - z).max() < 1e-12  # cond ≤ 4 per layer: round trip to ~1e-15
    # 1e-9: float64 SVD of a κ ≤ 4 matrix has relative error ~1e-15; the slack only absorbs that round-off
    assert all(np.linalg.cond(w) <= 4.0 + 1e-9 for w in g.weights)


def test_bad_inputs():
    with pytest.raises(ValueError, match="d_c must be <= d"):
        sample_pairs(10, 3, 4)
    with pytest.raises(ValueError, match="kappa must be > 0"):
        sample_pairs(10, 3, 1, "sphere", kappa=0.0)
    with pytest.raises(ValueError, match="must be invertible"):
        Generator("linear", (np.array([[1.0, 2.0], [2.0, 4.0]]),))
    with pytest.raises(ValueError, match="slope must be > 0"):
        Generator("mlp", (np.eye(2), np.eye(2)), slope=0.0)
    with pytest.raises(ValueError, match="tau_c must be > 0"):
        temperatures(4, 2, 0.0, 1.0)
    with pytest.raises(ValueError, match="tau must be > 0"):
        infonce(torch.zeros(1, 3, 2), torch.zeros(1, 3, 2), torch.tensor([1.0, -1.0]))
    with pytest.raises(ValueError, match="space must be one of"):
        sample_pairs(10, 3, 1, "torus")


def test_infonce_matches_loop():
    # eq. 4 (one sum, averaged): batched implementation vs an explicit loop, per-dim temperatures
    g = torch.Generator().manual_seed(0)
    z, zt = torch.randn(5, 3, generator=g, dtype=torch.float64), torch.randn(5, 3, generator=g, dtype=torch.float64)
    tau = torch.tensor([0.5, 1.0, 2.0], dtype=torch.float64)
    for kind in ("gaussian", "cosine"):
        a, u = infonce_parts(z, zt, tau, kind)
        def s(p, q):
            if kind == "gaussian":
                return -(((p - q) ** 2) / (2 * tau)).sum()
            return (p / p.norm() * q / q.norm() / tau).sum()
        la, lu = [], []
        for i in range(5):
            pos = s(z[i], zt[i])
            terms = torch.stack([pos] + [s(z[i], z[j]) for j in range(5) if j != i])
            la.append(-pos)
            lu.append(torch.logsumexp(terms, 0))
        # float64 on O(1) numbers: 1e-12 is ~1e4 ulp
        assert abs(float(a) - float(torch.stack(la).mean())) < 1e-12
        assert abs(float(u) - float(torch.stack(lu).mean())) < 1e-12


def test_adjusted_r2_and_mlp_activations():
    g = torch.Generator().manual_seed(1)
    z = torch.rand(1, 500, 3, generator=g, dtype=torch.float64)
    h = torch.cat([z @ torch.randn(3, 3, generator=g, dtype=torch.float64), torch.randn(1, 500, 1, generator=g, dtype=torch.float64)], -1)
    r2 = adjusted_r2(h, z)
    assert torch.allclose(r2, torch.ones_like(r2), atol=1e-10)  # exact linear map: R² = 1 up to lstsq rounding
    noise = torch.randn(1, 500, 4, generator=g, dtype=torch.float64)
    assert float(adjusted_r2(noise, z).max()) < 0.05  # independent features: R²_adj ≈ 0 (± ~2/√n)
    p = init_mlp(2, 4, 3, seed=0)
    out, acts = forward(p, torch.rand(2, 7, 4, dtype=torch.float64), return_all=True)
    assert len(acts) == 3 and acts[-1] is out
