"""Every loss of numerics/losses.py against a brute-force reference written with explicit loops.

Tolerances: the references are the same formulas evaluated in float64 with a different
summation order, so they agree to a few hundred ulps of the loss magnitude; rtol 1e-10
(relative to max(|value|, floor), floor = the O(1) scale where values can be ~0) is ≥ 10^5 eps above that and far
below any formula error (a wrong constant/sign shows up at O(1e-2) or larger).
"""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from sslverify.numerics import losses
from sslverify.numerics.tolerance import assert_rel_close

FLOAT = "same formula in float64, different summation order"
DT = torch.float64


# ---------------------------------------------------------------- references (explicit loops)
def ref_weighted_infonce(fx, fxp, alpha, n):
    """Ziyin eq. 3 for one configuration, first n rows real: loops over anchors and negatives."""
    total = 0.0
    for i in range(n):
        s = 0.0
        for j in range(n):
            kij = math.exp(-0.5 * sum((fx[i][a] - fxp[j][a]) ** 2 for a in range(len(fx[i]))))
            s += alpha * kij if j == i else kij
        pos = 0.5 * sum((fx[i][a] - fxp[i][a]) ** 2 for a in range(len(fx[i])))
        total += pos + math.log(s)
    return total / n


def ref_nt_xent(z1, z2, tau, n):
    """SimCLR NT-Xent: 2n views, cosine/τ, denominator = all 2n-1 other views."""
    z = [np.asarray(v) / np.linalg.norm(v) for v in list(z1[:n]) + list(z2[:n])]
    total = 0.0
    for a in range(2 * n):
        partner = a + n if a < n else a - n
        denom = sum(math.exp(float(z[a] @ z[b]) / tau) for b in range(2 * n) if b != a)
        total += -float(z[a] @ z[partner]) / tau + math.log(denom)
    return total / (2 * n)


def simclr_cross_entropy(z1, z2, tau):
    """The usual SimCLR code path: F.cross_entropy over the 2N×2N similarity matrix."""
    n = z1.shape[0]
    z = F.normalize(torch.cat([z1, z2]), dim=1)
    sim = z @ z.T / tau
    sim.fill_diagonal_(float("-inf"))
    labels = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    return F.cross_entropy(sim, labels)


def ref_scl(fx, fxp, n):
    pos = sum(float(fx[i] @ fxp[i]) for i in range(n)) / n
    neg = sum(float(fx[i] @ fxp[j]) ** 2 for i in range(n) for j in range(n) if i != j) / (n * (n - 1))
    return -2 * pos + neg


def ref_barlow(fx, fxp, lam, standardize, n, eps=1e-5):
    fx, fxp = np.asarray(fx[:n], float), np.asarray(fxp[:n], float)
    d = fx.shape[1]

    def std(f):
        out = np.empty_like(f)
        for a in range(d):
            mu = sum(f[m, a] for m in range(n)) / n
            var = sum((f[m, a] - mu) ** 2 for m in range(n)) / n
            for m in range(n):
                out[m, a] = (f[m, a] - mu) / math.sqrt(var + eps)
        return out

    a, b = (std(fx), std(fxp)) if standardize else (fx, fxp)
    loss = 0.0
    for p in range(d):
        for q in range(d):
            c = sum(a[m, p] * b[m, q] for m in range(n)) / n
            loss += (1 - c) ** 2 if p == q else lam * c**2
    return loss


def padded(rng, ns, d, junk=50.0):
    """(K, Nmax, d) feature pairs; padded rows hold large junk that a correct mask ignores."""
    K, nmax = len(ns), max(ns)
    fx = junk * rng.standard_normal((K, nmax, d))
    fxp = junk * rng.standard_normal((K, nmax, d))
    mask = np.zeros((K, nmax), bool)
    for k, n in enumerate(ns):
        fx[k, :n] = rng.standard_normal((n, d))
        fxp[k, :n] = fx[k, :n] + 0.5 * rng.standard_normal((n, d))
        mask[k, :n] = True
    return torch.tensor(fx), torch.tensor(fxp), torch.tensor(mask)


# ---------------------------------------------------------------- weighted InfoNCE (eq. 3)
@pytest.mark.parametrize("fused", [False, True])
@pytest.mark.parametrize("alpha", [0.0, 0.3, 1.0])
def test_weighted_infonce_matches_loops_with_padding(alpha, fused):
    # Ziyin eq. 3 (α = 1: eq. 1), padded batch of N = 5, 3, 4
    rng = np.random.default_rng(0)
    ns = [5, 3, 4]
    fx, fxp, mask = padded(rng, ns, 3)
    got = losses.weighted_infonce(fx, fxp, alpha, mask, fused=fused).numpy()
    want = [ref_weighted_infonce(fx[k].tolist(), fxp[k].tolist(), alpha, n) for k, n in enumerate(ns)]
    assert_rel_close(got, want, 1e-10, reason=FLOAT)


def test_weighted_infonce_per_config_alpha_tensor():
    # eq. 3 with a different α per configuration in one call
    rng = np.random.default_rng(1)
    fx, fxp, mask = padded(rng, [4, 4, 4], 2)
    alphas = torch.tensor([0.0, 0.3, 1.0], dtype=DT)
    for fused in (False, True):
        got = losses.weighted_infonce(fx, fxp, alphas, mask, fused=fused).numpy()
        want = [ref_weighted_infonce(fx[k].tolist(), fxp[k].tolist(), float(a), 4) for k, a in enumerate(alphas)]
        assert_rel_close(got, want, 1e-10, reason=FLOAT)


@pytest.mark.parametrize("alpha", [0.0, 0.3, 1.0])
@pytest.mark.parametrize("n", [2, 5])
def test_weighted_infonce_at_zero_weights(alpha, n):
    # W = 0: every kernel is 1, so ℓ_i = log(N - 1 + α) (eq. 3 at the origin)
    z = torch.zeros(1, n, 3, dtype=DT)
    for fused in (False, True):
        got = float(losses.weighted_infonce(z, z, alpha, fused=fused)[0])
        assert_rel_close(got, math.log(n - 1 + alpha), 1e-14, floor=1e-14, reason="exact: sums of exp(0)")
    assert losses.log_n_minus_1_plus_alpha(n, alpha) == math.log(n - 1 + alpha)


@pytest.mark.parametrize("alpha", [0.3, 1.0])
def test_weighted_infonce_identical_views_far_apart(alpha):
    # f(x) = f(x'), points 64·√2 apart: negative kernels exp(-4096) underflow to 0, positive
    # kernel is 1, so eq. 3 gives ℓ_i = 0 + log(α).  The bmm form -½|f|² + fᵀf' - ½|f'|² works
    # with intermediates up to |f|² = 73728, so log α is absorbed into numbers of that size:
    # absolute error a few eps·|f|² ≈ 2e-11, i.e. ≤ 1e-10 absolute (floor 1 makes rtol absolute).
    f = 64.0 * torch.arange(4, dtype=DT).view(1, 4, 1).repeat(1, 1, 2)
    for fused in (False, True):
        got = float(losses.weighted_infonce(f, f, alpha, fused=fused)[0])
        assert_rel_close(got, math.log(alpha), 1e-10, floor=1.0, reason="rounding eps·|f|² of the bmm form")


def test_weighted_infonce_identical_views_general():
    # f(x) = f(x'): eq. 3 reduces to log(α + Σ_{j≠i} exp(-½|f_i - f_j|²))
    rng = np.random.default_rng(2)
    f = torch.tensor(rng.standard_normal((1, 5, 2)))
    d2 = ((f[0, :, None] - f[0, None]) ** 2).sum(-1)
    want = float(torch.log(0.3 + torch.exp(-0.5 * d2).sum(1) - 1.0).mean())
    for fused in (False, True):
        assert_rel_close(float(losses.weighted_infonce(f, f, 0.3, fused=fused)[0]), want, 1e-12, reason=FLOAT)


@pytest.mark.parametrize("alpha", [0.0, 0.3, 1.0])
def test_fused_gradient_equals_autograd_of_plain(alpha):
    # closed-form backward of WeightedInfoNCEFused vs autograd through the plain eq. 3,
    # and torch.autograd.gradcheck (finite differences) of the fused Function, float64
    rng = np.random.default_rng(3)
    fx, fxp, mask = padded(rng, [4, 2, 3], 2, junk=3.0)
    weights = torch.tensor([1.0, -2.0, 0.5], dtype=DT)  # a non-uniform upstream gradient
    grads = []
    for fused in (False, True):
        a, b = fx.clone().requires_grad_(), fxp.clone().requires_grad_()
        out = (losses.weighted_infonce(a, b, alpha, mask, fused=fused) * weights).sum()
        grads.append(torch.autograd.grad(out, (a, b)))
    for gp, gf in zip(*grads):
        assert_rel_close(gf.numpy(), gp.numpy(), 1e-10, floor=1e-3, reason=FLOAT)
    a, b = fx.clone().requires_grad_(), fxp.clone().requires_grad_()
    assert torch.autograd.gradcheck(lambda u, v: losses.weighted_infonce(u, v, alpha, mask, fused=True), (a, b))


def test_fused_refuses_double_backward():
    # the fused Function is first-order only: a second derivative must fail loudly, not silently
    f = torch.randn(1, 3, 2, dtype=DT, requires_grad=True)
    g = torch.autograd.grad(losses.weighted_infonce(f, f.detach() + 1, 0.5, fused=True).sum(), f, create_graph=True)[0]
    with pytest.raises(RuntimeError):
        torch.autograd.grad(g.sum(), f)


@given(st.integers(1, 3), st.integers(2, 5), st.integers(1, 3), st.floats(0.0, 1.0), st.integers(0, 2**31 - 1))
def test_weighted_infonce_property(K, n, d, alpha, seed):
    # eq. 3: plain = fused = loops; invariant under a common translation of every feature
    # (it depends on differences only); non-decreasing in α (the α term adds to the denominator)
    rng = np.random.default_rng(seed)
    fx, fxp = (torch.tensor(2 * rng.standard_normal((K, n, d))) for _ in range(2))
    plain = losses.weighted_infonce(fx, fxp, alpha).numpy()
    fused = losses.weighted_infonce(fx, fxp, alpha, fused=True).numpy()
    want = [ref_weighted_infonce(fx[k].tolist(), fxp[k].tolist(), alpha, n) for k in range(K)]
    assert_rel_close(plain, want, 1e-10, floor=1.0, reason=FLOAT)
    assert_rel_close(fused, want, 1e-10, floor=1.0, reason=FLOAT)
    shift = torch.tensor(rng.standard_normal(d))
    shifted = losses.weighted_infonce(fx + shift, fxp + shift, alpha).numpy()
    assert_rel_close(shifted, plain, 1e-10, floor=1.0, reason=FLOAT + " (translation moves roundoff only)")
    more = losses.weighted_infonce(fx, fxp, min(1.0, alpha + 0.1)).numpy()
    assert np.all(more >= plain - 1e-12)


# ---------------------------------------------------------------- NT-Xent (SimCLR)
@pytest.mark.parametrize("tau", [0.1, 0.5, 1.0])
def test_nt_xent_matches_loops_and_cross_entropy(tau):
    rng = np.random.default_rng(4)
    ns = [5, 3]
    z1, z2, mask = padded(rng, ns, 3)
    got = losses.nt_xent(z1, z2, tau, mask).numpy()
    want = [ref_nt_xent(z1[k].numpy(), z2[k].numpy(), tau, n) for k, n in enumerate(ns)]
    assert_rel_close(got, want, 1e-10, reason=FLOAT)
    ce = [float(simclr_cross_entropy(z1[k, :n], z2[k, :n], tau)) for k, n in enumerate(ns)]
    assert_rel_close(got, ce, 1e-10, reason=FLOAT)


def test_nt_xent_identical_embeddings():
    # every view the same vector: all similarities 1/τ, so each anchor's loss is log(2N - 1)
    z = torch.ones(1, 4, 3, dtype=DT)
    assert_rel_close(float(losses.nt_xent(z, z, 0.3)[0]), math.log(7), 1e-13, reason="exact up to float rounding")


@given(st.integers(2, 5), st.integers(1, 3), st.floats(0.05, 2.0), st.integers(0, 2**31 - 1))
def test_nt_xent_property(n, d, tau, seed):
    # SimCLR NT-Xent = loops = F.cross_entropy; invariant under rescaling any embedding (cosine)
    rng = np.random.default_rng(seed)
    z1, z2 = (torch.tensor(rng.standard_normal((1, n, d)) + 0.1) for _ in range(2))
    got = float(losses.nt_xent(z1, z2, tau)[0])
    assert_rel_close(got, ref_nt_xent(z1[0].numpy(), z2[0].numpy(), tau, n), 1e-9, reason=FLOAT + ", 1/τ ≤ 20 amplifies")
    assert_rel_close(got, float(simclr_cross_entropy(z1[0], z2[0], tau)), 1e-9, reason=FLOAT + ", 1/τ ≤ 20 amplifies")
    scale = torch.tensor(rng.uniform(0.5, 3.0, (1, n, 1)))
    assert_rel_close(float(losses.nt_xent(z1 * scale, z2, tau)[0]), got, 1e-9, reason=FLOAT)


# ---------------------------------------------------------------- quartic landscape, regularizers
def test_quartic_loss_trace_formula():
    # Prop 6: L = -Tr[W B Wᵀ] + Tr[W Σ Wᵀ W Σ Wᵀ], numpy traces
    rng = np.random.default_rng(5)
    K, d1, d0 = 3, 2, 4
    W = rng.standard_normal((K, d1, d0))
    B = rng.standard_normal((K, d0, d0))
    B = B + B.transpose(0, 2, 1)
    M = rng.standard_normal((K, d0, d0))
    S = M @ M.transpose(0, 2, 1)
    got = losses.quartic_loss(torch.tensor(W), torch.tensor(B), torch.tensor(S)).numpy()
    want = [-np.trace(W[k] @ B[k] @ W[k].T) + np.trace(W[k] @ S[k] @ W[k].T @ W[k] @ S[k] @ W[k].T) for k in range(K)]
    assert_rel_close(got, want, 1e-12, reason=FLOAT)


def test_norm_regularizers_and_weight_decay():
    rng = np.random.default_rng(6)
    W = rng.standard_normal((2, 3, 4))
    M = rng.standard_normal((2, 4, 4))
    S = M @ M.transpose(0, 2, 1)
    # eq. 5 with the population E‖Wx‖² = Tr[W Σ Wᵀ]
    got = losses.norm_regularizer(torch.tensor(W), torch.tensor(S), 1.5).numpy()
    assert_rel_close(got, [(np.trace(W[k] @ S[k] @ W[k].T) - 1.5) ** 2 for k in range(2)], 1e-12, reason=FLOAT)
    # eq. 5 on a batch: (mean_i ‖f_i‖² - c)², padded rows ignored
    fx, _, mask = padded(rng, [4, 2], 3)
    got = losses.norm_regularizer_empirical(fx, 0.7, mask).numpy()
    want = [(sum(float(fx[k, i] @ fx[k, i]) for i in range(n)) / n - 0.7) ** 2 for k, n in enumerate([4, 2])]
    assert_rel_close(got, want, 1e-12, reason=FLOAT)
    # γ‖W‖_F² with a per-configuration γ
    got = losses.weight_decay(torch.tensor(W), torch.tensor([0.0, 0.25], dtype=DT)).numpy()
    assert_rel_close(got, [0.0, 0.25 * float((W[1] ** 2).sum())], 1e-13, floor=1e-300, reason=FLOAT)


def test_spectral_contrastive_matches_loops():
    # SCL, eq. 16 (unconstrained): -2 mean_i f_iᵀf'_i + mean_{i≠j} (f_iᵀf'_j)²
    rng = np.random.default_rng(7)
    ns = [4, 3]
    fx, fxp, mask = padded(rng, ns, 3)
    got = losses.spectral_contrastive(fx, fxp, mask).numpy()
    want = [ref_scl(fx[k].numpy(), fxp[k].numpy(), n) for k, n in enumerate(ns)]
    assert_rel_close(got, want, 1e-10, reason=FLOAT)
    assert float(losses.spectral_contrastive(torch.zeros(1, 3, 2, dtype=DT), torch.zeros(1, 3, 2, dtype=DT))[0]) == 0.0


@pytest.mark.parametrize("standardize", [True, False])
def test_barlow_twins_matches_loops(standardize):
    # Zbontar et al.: Σ(1 - C_ii)² + λ Σ_{i≠j} C_ij², C from standardized (or raw) embeddings
    rng = np.random.default_rng(8)
    ns = [5, 3]
    fx, fxp, mask = padded(rng, ns, 3)
    got = losses.barlow_twins(fx, fxp, 0.05, standardize=standardize, mask=mask).numpy()
    want = [ref_barlow(fx[k].numpy(), fxp[k].numpy(), 0.05, standardize, n) for k, n in enumerate(ns)]
    assert_rel_close(got, want, 1e-10, reason=FLOAT)


def test_barlow_raw_zero_at_orthonormal_design():
    # raw cross-moment C = (1/N) Σ f f'ᵀ = I when f = f' = √N · I_N: loss exactly 0
    n = 3
    f = math.sqrt(n) * torch.eye(n, dtype=DT).unsqueeze(0)
    assert abs(float(losses.barlow_twins(f, f, 0.1, standardize=False)[0])) < 1e-28


def test_mask_shape_is_checked():
    f = torch.zeros(2, 3, 1, dtype=DT)
    with pytest.raises(ValueError, match="mask must have shape"):
        losses.weighted_infonce(f, f, 0.5, torch.ones(2, 4, dtype=torch.bool))


# ---------------------------------------------------------------- validation (issue 11)
@pytest.mark.parametrize("fused", [False, True])
@pytest.mark.parametrize("alpha, shown", [(2.0, "2.0"), (-1.0, "-1.0"), (float("nan"), "nan")])
def test_weighted_infonce_rejects_alpha_outside_unit_interval(alpha, shown, fused):
    # before: α = 2 returned a number, α = −1 was silently treated as α = 0 (log α → −inf)
    f = torch.randn(1, 4, 2, dtype=DT, generator=torch.Generator().manual_seed(0))
    with pytest.raises(ValueError, match=rf"alpha must (lie in \[0, 1\]|be finite), got {shown}"):
        losses.weighted_infonce(f, f + 0.3, alpha, fused=fused)
    with pytest.raises(ValueError, match=rf"alpha must lie in \[0, 1\] \(finite\), got {shown} at index 1"):
        losses.weighted_infonce(f.expand(2, -1, -1), f.expand(2, -1, -1) + 0.3, torch.tensor([0.5, alpha]), fused=fused)


def test_validated_alpha_tensor_is_rechecked_after_an_inplace_change():
    # the trainer passes one alpha tensor at every step, so a passed check is remembered — per tensor
    # version: writing into the tensor invalidates the memo
    f = torch.randn(2, 4, 2, dtype=DT, generator=torch.Generator().manual_seed(1))
    alpha = torch.tensor([0.5, 0.5], dtype=DT)
    losses.weighted_infonce(f, f + 0.3, alpha)
    alpha[1] = 3.0
    with pytest.raises(ValueError, match=r"alpha must lie in \[0, 1\] \(finite\), got 3.0 at index 1"):
        losses.weighted_infonce(f, f + 0.3, alpha)


@pytest.mark.parametrize("call, pattern", [
    (lambda f: losses.weighted_infonce(f[:, :1], f[:, :1], 0.5), r"fx must have N >= 2 rows"),
    (lambda f: losses.weighted_infonce(f, f[:, :3], 0.5), r"fxp must have the same shape as fx \(2, 4, 2\)"),
    (lambda f: losses.weighted_infonce(f, f.float(), 0.5), r"fxp must have the same dtype as fx"),
    (lambda f: losses.weighted_infonce(f[0], f[0], 0.5), r"fx must be a 3-D tensor \(K, N, d\), got shape \(4, 2\)"),
    (lambda f: losses.weighted_infonce(f, f, 0.5, torch.tensor([[1, 1, 0, 0], [1, 1, 1, 1]])), r"mask must be a bool"),
    (lambda f: losses.weighted_infonce(f, f, 0.5, torch.tensor([[True, False, False, False], [True] * 4])),
     r"mask must mark >= 2 real rows in every configuration .*got 1 in configuration 0"),
    (lambda f: losses.weighted_infonce(f, f, torch.full((3,), 0.5), None), r"alpha must be a number or a tensor of shape \(2,\)"),
    (lambda f: losses.weighted_infonce(f, f, 0.5, fused="yes"), r"fused must be True or False"),
    (lambda f: losses.weighted_infonce(f.masked_fill(f > 1, float("inf")), f, 0.5), r"fx must be finite .*inf at index"),
    (lambda f: losses.nt_xent(f, f, 0.0), r"tau must be > 0, got 0.0"),
    (lambda f: losses.spectral_contrastive(f[:, :1], f[:, :1]), r"fx must have N >= 2 rows"),
    (lambda f: losses.barlow_twins(f, f, -1.0), r"lam must be >= 0"),
    (lambda f: losses.barlow_twins(f[:, :1], f[:, :1]), r"fx must have N >= 2 rows .*batch standardisation"),
    (lambda f: losses.barlow_twins(f * torch.tensor([1.0, 0.0], dtype=DT), f, eps=0.0),
     r"fx column 1 of configuration 0 has zero batch variance"),
    (lambda f: losses.weight_decay(f, -0.1), r"gamma must be >= 0"),
    (lambda f: losses.quartic_loss(f[:, :2], torch.eye(2, dtype=DT), torch.tensor([[1.0, 2.0], [2.0, 1.0]], dtype=DT)),
     r"Sigma must be positive semi-definite, got smallest eigenvalue -1"),
    (lambda f: losses.quartic_loss(f[:, :2], torch.tensor([[1.0, 2.0], [0.0, 1.0]], dtype=DT), torch.eye(2, dtype=DT)),
     r"B must be symmetric"),
    (lambda f: losses.quartic_loss(f[:, :2], torch.eye(3, dtype=DT), torch.eye(2, dtype=DT)), r"B must have shape"),
])
def test_bad_loss_arguments_name_the_parameter(call, pattern):
    f = torch.randn(2, 4, 2, dtype=DT, generator=torch.Generator().manual_seed(2))
    with pytest.raises(ValueError, match=pattern):
        call(f)


def test_barlow_twins_eps0_is_fine_without_constant_columns():
    # eps = 0 only fails on a zero-variance column; on ordinary data it is the exact standardisation
    rng = np.random.default_rng(9)
    fx, fxp = torch.tensor(rng.standard_normal((1, 6, 3))), torch.tensor(rng.standard_normal((1, 6, 3)))
    got = float(losses.barlow_twins(fx, fxp, 0.05, eps=0.0)[0])
    assert_rel_close(got, ref_barlow(fx[0].numpy(), fxp[0].numpy(), 0.05, True, 6, eps=0.0), 1e-10, reason=FLOAT)
