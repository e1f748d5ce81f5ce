"""Closed-form losses and gradients (the report's speed-ups) against the plain autograd formulas they replace.

Every fast path here must give the numbers of the definition it stands for: InfoNCE of Rusak eq. 2 with its
gradient (``infonce_with_grad``), NT-Xent with its gradient (``nt_xent_with_grad``), the trainer's closed-form
weighted InfoNCE through output normalisation, the blocked Monte Carlo of ``expected_loss``, the chunked
evaluation of Rusak's Table 1, the paired minibatch draw and the per-member architecture options of Pokle's
dual networks.
"""
from __future__ import annotations

import importlib
from dataclasses import replace

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from sslverify.numerics import content_style_train as cst
from sslverify.numerics import losses, trainer
from sslverify.numerics.dual_nets import _bn, _Net, srelu
from sslverify.numerics.engine import Context
from sslverify.numerics.trainer import LinearProblem, TrainSettings, expected_loss, train_batch

F64 = torch.float64
# float64 closed form vs autograd of the same formula: the two sum the same terms in a different order;
# O(1) entries agree to a few hundred ulps (rtol 1e-10 leaves a margin of ~1e3 over what is observed)
RTOL = 1e-10


def _z(K, N, d, seed, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(K, N, d, generator=g, dtype=F64) * scale,
            torch.randn(K, N, d, generator=g, dtype=F64) * scale)


@pytest.mark.parametrize("kind", cst.KINDS)
@pytest.mark.parametrize("scale", [0.3, 3.0])
def test_infonce_with_grad_equals_autograd(kind, scale):
    z, zt = _z(3, 7, 4, seed=1, scale=scale)
    tau = torch.tensor([0.5, 1.0, 2.0, 0.1], dtype=F64)
    a, b = z.clone().requires_grad_(), zt.clone().requires_grad_()
    ref = cst.infonce(a, b, tau, kind)
    ga, gb = torch.autograd.grad(ref.sum(), (a, b))
    L, gz, gzt = cst.infonce_with_grad(z, zt, tau, kind)
    torch.testing.assert_close(L, ref.detach(), rtol=RTOL, atol=0)
    torch.testing.assert_close(gz, ga, rtol=RTOL, atol=1e-13)  # atol: entries that cancel to ~0
    torch.testing.assert_close(gzt, gb, rtol=RTOL, atol=1e-13)


def test_infonce_with_grad_exponent_floor_is_below_round_off_in_float32():
    # widely spread embeddings: most e^{neg − max} underflow; the floor e^{-80} must not change the result
    # beyond float32 round-off (rtol 1e-5: ~100 ulps of float32).  The losses here are ~2e4 and the gradient entries
    # O(10) (up to ~260), so rtol decides; the atols only cover entries that cancel to ~0 (far below rtol · O(10))
    z, zt = _z(2, 9, 3, seed=2, scale=30.0)
    tau = torch.tensor([0.05, 1.0, 1.0])
    a, b = z.float().requires_grad_(), zt.float().requires_grad_()
    ref = cst.infonce(a, b, tau, "gaussian")
    ga, gb = torch.autograd.grad(ref.sum(), (a, b))
    L, gz, gzt = cst.infonce_with_grad(z.float(), zt.float(), tau, "gaussian")
    torch.testing.assert_close(L, ref.detach(), rtol=1e-5, atol=1e-4)
    torch.testing.assert_close(gz, ga, rtol=1e-5, atol=1e-6)


def test_infonce_with_grad_rejects_an_unknown_kind():
    z, zt = _z(1, 3, 2, seed=0)
    with pytest.raises(ValueError, match="kind"):
        cst.infonce_with_grad(z, zt, torch.ones(2, dtype=F64), "dot")


@pytest.mark.parametrize("tau", [0.1, 0.5, 2.0])
def test_nt_xent_with_grad_equals_autograd(tau):
    z1, z2 = _z(2, 6, 5, seed=3)
    a, b = z1.clone().requires_grad_(), z2.clone().requires_grad_()
    ref = losses.nt_xent(a, b, tau=tau)
    ga, gb = torch.autograd.grad(ref.sum(), (a, b))
    L, g1, g2 = losses.nt_xent_with_grad(z1, z2, tau=tau)
    torch.testing.assert_close(L, ref.detach(), rtol=RTOL, atol=0)
    torch.testing.assert_close(g1, ga, rtol=RTOL, atol=1e-13)
    torch.testing.assert_close(g2, gb, rtol=RTOL, atol=1e-13)


def test_nt_xent_with_grad_rejects_bad_tau():
    z1, z2 = _z(1, 3, 2, seed=0)
    with pytest.raises(ValueError, match="tau"):
        losses.nt_xent_with_grad(z1, z2, tau=0.0)


# ------------------------------------------------------------------ trainer: closed form through f/‖f‖
def _problems():
    g = np.random.default_rng(0)
    out = []
    for k, (d0, n) in enumerate([(3, 6), (3, 8)]):  # one batch shares d0, d1; N may differ
        A = g.standard_normal((d0, d0))
        out.append(LinearProblem(A0=A @ A.T / d0 + np.eye(d0), C=0.2 * np.eye(d0), n=n, d1=d0, alpha=0.5 * k + 0.2,
                                 gamma=0.01, seed=10 + k))
    return out


def test_normalized_closed_form_training_equals_autograd_training():
    # the same noise and Adam; only the gradient differs in summation order: float64 round-off per step,
    # amplified mildly over 40 Adam steps (observed ≲ 1e-13; rtol 1e-9)
    s = TrainSettings(loss="weighted_infonce", normalize=True, steps=40, lr=1e-2, progress=False)
    closed = train_batch(_problems(), s)
    auto = train_batch(_problems(), replace(s, closed_form=False))
    torch.testing.assert_close(closed.W, auto.W, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(closed.loss_history, auto.loss_history, rtol=1e-9)


def test_expected_loss_blocks_equal_draw_by_draw():
    # expected_loss evaluates one noise chunk of draws as a batch; the reference draws them one at a time
    # from the same stream (same generator, same order): equal to float64 round-off of the mean
    probs = _problems()
    s = TrainSettings(loss="weighted_infonce", steps=1, progress=False, noise_chunk=16).validate()
    W = torch.stack([torch.eye(p.d1, p.A0.shape[0], dtype=F64) * 0.7 for p in probs[:1]])
    fast = expected_loss(probs[:1], W, s, draws=37, seed=5)
    ref_probs = [replace(p, seed=5 + k, data_seed=p.seed) for k, p in enumerate(probs[:1])]
    batch = trainer._Batch(ref_probs, s)
    batch.init_weights([torch.Generator().manual_seed(int(p.seed)) for p in ref_probs])
    with torch.no_grad():
        total = sum(batch.loss(W, None, *batch.noise(), reg=True) for _ in range(37))
    np.testing.assert_allclose(fast, (total / 37).numpy(), rtol=1e-12)


# ------------------------------------------------------------------ Rusak / last-layer minibatches
def test_paired_minibatch_stream_draws_the_documented_rows():
    g = torch.Generator().manual_seed(0)
    xp, xtp = torch.randn(3, 11, 2, generator=g, dtype=F64), torch.randn(3, 11, 2, generator=g, dtype=F64)
    ctx = Context(gens=[torch.Generator().manual_seed(4)], device=torch.device("cpu"), dtype=F64)
    ref_g = torch.Generator().manual_seed(4)
    draw = cst.paired_minibatch_stream(xp, xtp, 5)
    for _ in range(3):
        both = draw(ctx)
        idx = torch.randint(0, 11, (3, 5), generator=ref_g)
        ar = torch.arange(3).unsqueeze(1)
        assert torch.equal(both, torch.cat([xp[ar, idx], xtp[ar, idx]], 1))


@pytest.mark.parametrize("kind", cst.KINDS)
def test_rusak_table1_chunked_eval_equals_infonce_parts(kind):
    rt1 = importlib.import_module("sslverify.experiments.rusak_table1")
    z, zt = _z(1, 23, 4, seed=6)
    tau = torch.tensor([0.3, 0.3, 1.0, 2.0], dtype=F64)
    out = rt1.eval_loss(z[0], zt[0], tau, kind, chunk=5)  # 23 = 4·5 + 3: a ragged last block
    a, u = cst.infonce_parts(z, zt, tau, kind)
    assert out["L_align"] == pytest.approx(float(a[0]), rel=1e-12)
    assert out["L_uniform"] == pytest.approx(float(u[0]), rel=1e-12)


# ------------------------------------------------------------------ Pokle: options computed per member
def test_dual_net_members_equal_where_over_all_settings():
    g = torch.Generator().manual_seed(1)
    K, m, p = 4, 3, 5
    flags = {"act": torch.tensor([0, 1, 2, 0]), "bn": torch.tensor([True, False, True, False]),
             "head": torch.tensor([False, True, True, False]), "two": torch.tensor([True, True, False, False])}
    W, W2, P = (torch.randn(K, m, p, generator=g, dtype=F64), torch.randn(K, m, m, generator=g, dtype=F64),
                torch.randn(K, m, m, generator=g, dtype=F64))
    b = torch.randn(K, m, generator=g, dtype=F64)
    a = torch.randn(K, 7, p, generator=g, dtype=F64)
    net = _Net(W, W2, b, P, flags)
    h = torch.bmm(a, W.transpose(1, 2))
    h = torch.where(flags["two"].view(-1, 1, 1), torch.bmm(h, W2.transpose(1, 2)), h)
    h = torch.where(flags["bn"].view(-1, 1, 1), _bn(h), h)
    act = flags["act"].view(-1, 1, 1)
    ref = torch.where(act == 0, srelu(h, b.unsqueeze(1)), torch.where(act == 1, torch.relu(h + b.unsqueeze(1)), h))
    assert torch.equal(net.encode(a), ref)
    assert torch.equal(net.head(ref), torch.where(flags["head"].view(-1, 1, 1), torch.bmm(ref, P.transpose(1, 2)), ref))
    assert torch.equal(net.effective_W(), torch.where(flags["two"].view(-1, 1, 1), torch.bmm(W2, W), W))


# ------------------------------------------------------------------ Ziyin: the paired Monte Carlo of E_ε[L]
def test_paired_expected_loss_fused_chunks_equal_plain_eq3():
    # the theory's paired Monte Carlo evaluates the fused loss on blocks of draws (chunk 16 of 40: a ragged last
    # block); the reference draws the same noise (same generator, same order, same √C) and evaluates the plain
    # (unfused) eq. 3 on all draws at once: float64 round-off of O(1) losses (rtol 1e-11)
    from sslverify.theory.ziyin import expansion_numeric as en

    g = np.random.default_rng(3)
    X = g.standard_normal((6, 3))
    C = np.diag([0.3, 0.2, 0.1])
    Ws = [g.standard_normal((2, 3)), g.standard_normal((2, 3)) * 0.5]
    mf, vf = en.paired_expected_loss(X, C, 0.7, Ws, draws=40, seed=9, chunk=16)
    gen = torch.Generator().manual_seed(9)
    Xt, L = torch.as_tensor(X), torch.as_tensor(np.sqrt(C))
    e1 = torch.randn(40, 6, 3, generator=gen, dtype=F64) @ L.T
    e2 = torch.randn(40, 6, 3, generator=gen, dtype=F64) @ L.T
    ref = torch.stack([losses.weighted_infonce((Xt + e1) @ torch.as_tensor(W).T, (Xt + e2) @ torch.as_tensor(W).T, 0.7)
                       for W in Ws], 1).numpy()
    np.testing.assert_allclose(vf, ref, rtol=1e-11)
    np.testing.assert_allclose(mf, ref.mean(0), rtol=1e-11)
    with pytest.raises(ValueError, match="chunk"):
        en.paired_expected_loss(X, C, 0.7, Ws, draws=4, seed=0, chunk=0)


@settings(max_examples=40, deadline=None)
@given(K=st.integers(1, 3), N=st.integers(2, 12), d=st.integers(1, 6), log_tau=st.floats(-4.0, 1.0),
       antipodal=st.booleans(), tiny=st.booleans(), seed=st.integers(0, 2**16),
       dtype=st.sampled_from([torch.float32, torch.float64]))
def test_cosine_clamp_skip_changes_no_number(K, N, d, log_tau, antipodal, tiny, seed, dtype):
    """infonce_with_grad (cosine) skips the clamp to EXP_FLOOR when 2.02/min τ < −floor, because every exponent is then
    ≥ −2/min τ. Checked on the function itself: with the floor moved to −2.02/min τ (the skip condition is then false,
    so the clamp runs, at the bound) the results equal the skipping path bit for bit, for per-dimension τ, antipodal rows and rows
    of norm ~1e-13 below the 1e-12 clamp."""
    g = torch.Generator().manual_seed(seed)
    z = torch.randn(K, N, d, generator=g, dtype=dtype)
    if antipodal:
        z[:, 1] = -z[:, 0]
    if tiny:
        z[:, -1] *= 1e-13
    zt = z + 0.1 * torch.randn(K, N, d, generator=g, dtype=dtype)
    tau = torch.exp(torch.full((d,), log_tau, dtype=dtype)) * (1 + torch.rand(d, generator=g, dtype=dtype))
    bound = 2.02 / float(tau.min())
    floor = dict(cst.EXP_FLOOR)
    skipping = bound < -floor[dtype]
    # with the real floor: skipped when the bound allows it; then the clamp at a floor just under the bound (it runs)
    ref = cst.infonce_with_grad(z, zt, tau, "cosine")
    try:
        cst.EXP_FLOOR[dtype] = -bound
        clamped = cst.infonce_with_grad(z, zt, tau, "cosine")
    finally:
        cst.EXP_FLOOR[dtype] = floor[dtype]
    for a, b in zip(ref, clamped):
        if skipping:
            assert torch.equal(a, b)
        assert bool(torch.isfinite(a).all())
