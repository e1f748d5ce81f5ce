"""numerics/trainer.py: batching, padding, Adam, divergence, validation, reproducibility, Thm 1.

Tolerance for "batched == alone": each configuration's arithmetic is the same op sequence
on its own slice; only a batched BLAS kernel could reorder a dot product (≤ d·eps relative
per op).  Adam maps a relative gradient perturbation δ to an update perturbation ~δ, and
over ≤ 60 steps of a smooth, non-chaotic descent the drift stays ≲ steps·d·eps ≈ 1e-13;
rtol 1e-11 (relative to max(|W_ij|, 1e-3): W entries are O(0.1)) leaves a 100x margin.
"""
from __future__ import annotations

from dataclasses import replace
from unittest import mock

import numpy as np
import pytest
import torch

from sslverify.numerics import losses, trainer
from sslverify.numerics.data import commuting_pair, gaussian_dataset, isotropic_noise
from sslverify.numerics.tolerance import TABLE, assert_rel_close
from sslverify.numerics.trainer import LinearProblem, TrainingDiverged, TrainSettings, expected_loss, train_batch

BATCHED = TABLE["batched_vs_alone_float64"].reason  # rtol 1e-11: the module docstring's analysis
FAST = TrainSettings(steps=40, lr=5e-3, dtype="float64", device="cpu", progress=False, record_every=10)
D0, D1 = 3, 2


def prob(**kw) -> LinearProblem:
    base = dict(A0=np.diag([1.0, 0.5, 0.2]), C=isotropic_noise(D0, 0.3), d1=D1, n=6, alpha=1.0, seed=0)
    base.update(kw)
    return LinearProblem(**base)


def mixed_problems() -> list[LinearProblem]:
    return [prob(seed=1, alpha=0.0), prob(seed=2, alpha=0.3, gamma=0.1), prob(seed=3, kappa=0.5, c_norm=2.0),
            prob(seed=4, data_seed=9)]


# ---------------------------------------------------------------- batched == alone
@pytest.mark.parametrize("loss", ["weighted_infonce", "ntxent", "scl", "barlow", "barlow_raw"])
def test_batched_equals_alone(loss):
    probs = mixed_problems()
    s = replace(FAST, loss=loss)
    batched = train_batch(probs, s)
    for k, p in enumerate(probs):
        alone = train_batch([p], s)
        assert_rel_close(batched.W[k].numpy(), alone.W[0].numpy(), 1e-11, floor=1e-3, reason=BATCHED)
        assert_rel_close(batched.loss_history[:, k], alone.loss_history[:, 0], 1e-11, floor=1e-3, reason=BATCHED)


@pytest.mark.parametrize("loss", ["weighted_infonce", "ntxent", "scl", "barlow", "barlow_raw"])
def test_padding_equals_alone(loss):
    # different N in one batch: rows beyond a configuration's N are masked everywhere
    probs = [prob(seed=1, n=6), prob(seed=2, n=9, alpha=0.3), prob(seed=3, n=4, kappa=0.2)]
    s = replace(FAST, loss=loss)
    batched = train_batch(probs, s)
    for k, p in enumerate(probs):
        alone = train_batch([p], s)
        assert_rel_close(batched.W[k].numpy(), alone.W[0].numpy(), 1e-11, floor=1e-3, reason=BATCHED)


def test_noise_device_on_the_cpu_is_the_cpu_stream():
    # on a CPU run "device" noise is the CPU generators' noise: the same numbers
    probs = mixed_problems()
    assert torch.equal(train_batch(probs, FAST).W, train_batch(probs, FAST, noise_device="device").W)
    with pytest.raises(ValueError, match="noise_device must be"):
        train_batch(probs, FAST, noise_device="gpu")


def test_float32_batched_equals_alone_and_is_reproducible():
    # float32 runs draw float32 noise; per-configuration arithmetic is still independent of the
    # batch: float32 rounding (eps 1.2e-7) reordered at most per op over 40 steps -> rtol 1e-5
    probs = [prob(seed=1, n=6), prob(seed=2, n=4, alpha=0.3)]
    s = replace(FAST, dtype="float32")
    batched = train_batch(probs, s)
    assert torch.equal(batched.W, train_batch(probs, s).W)
    for k, p in enumerate(probs):
        alone = train_batch([p], s)
        assert_rel_close(batched.W[k].numpy(), alone.W[0].numpy(), 1e-5, floor=1e-3, reason="float32 rounding")


def test_bias_and_normalize_batched_equals_alone():
    probs = [prob(seed=1), prob(seed=2, n=5)]
    s = replace(FAST, bias=True, normalize=True)
    batched = train_batch(probs, s)
    for k, p in enumerate(probs):
        alone = train_batch([p], s)
        assert_rel_close(batched.W[k].numpy(), alone.W[0].numpy(), 1e-11, floor=1e-3, reason=BATCHED)
        assert_rel_close(batched.b[k].numpy(), alone.b[0].numpy(), 1e-11, floor=1e-3, reason=BATCHED)


def test_fused_loss_training_equals_plain_loss_training():
    # the trainer's closed-form backward (WeightedInfoNCEFused) vs autograd of the plain eq. 3:
    # gradients agree to ~1e-15 relative; 40 Adam steps keep that ≲ 1e-12 (rtol 1e-10, margin 100)
    probs = mixed_problems()
    fused = train_batch(probs, FAST)
    plain_fn = losses.weighted_infonce
    with mock.patch.object(trainer.losses, "weighted_infonce",
                           lambda fx, fxp, a, m=None, fused=False: plain_fn(fx, fxp, a, m, fused=False)):
        plain = train_batch(probs, FAST)
    assert_rel_close(fused.W.numpy(), plain.W.numpy(), 1e-10, floor=1e-3, reason="gradients equal to float rounding")


# ---------------------------------------------------------------- Adam == torch.optim.Adam
def _torch_adam_reference(p: LinearProblem, s: TrainSettings, loss_fn) -> torch.Tensor:
    g = torch.Generator().manual_seed(p.seed)
    W = (torch.randn(p.d1, p.d0, generator=g, dtype=torch.float64) * s.init_scale / np.sqrt(p.d0)).requires_grad_()
    opt = torch.optim.Adam([W], lr=s.lr, betas=s.betas, eps=s.adam_eps)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda t: trainer._lr_at(s, t) / s.lr)
    for step in range(s.steps):
        opt.zero_grad()
        loss_fn(W, step).backward()
        opt.step()
        sched.step()
    return W.detach()


@pytest.mark.parametrize("schedule", ["constant", "cosine"])
def test_manual_adam_matches_torch_adam_quartic(schedule):
    # Prop 6 landscape + γ‖W‖² + κ(Tr[WΣWᵀ] - c)², data-free, same init; the two Adams differ only
    # in where bias corrections are applied (√(v/(1-β₂ᵗ)) vs √v/√(1-β₂ᵗ)): rounding-level per
    # step, ≲ 1e-13 after 150 steps; rtol 1e-10
    A0, C = commuting_pair([2.0, 1.0, 0.5], [0.3, 0.2, 0.1], seed=3)
    B = np.diag([1.0, 0.5, -0.2])
    p = prob(A0=A0, C=C, B=B, gamma=0.05, kappa=0.3, c_norm=0.5, seed=7)
    s = replace(FAST, loss="quartic", steps=150, lr=1e-2, lr_schedule=schedule)
    ours = train_batch([p], s).W[0]
    Bt, St = torch.tensor(B)[None], torch.tensor(A0 + C)[None]

    def loss_fn(W, step):
        W3 = W[None]
        return (losses.quartic_loss(W3, Bt, St) + losses.weight_decay(W3, p.gamma)
                + p.kappa * losses.norm_regularizer(W3, St, p.c_norm)).sum()

    ref = _torch_adam_reference(p, s, loss_fn)
    assert_rel_close(ours.numpy(), ref.numpy(), 1e-10, floor=1e-3, reason="Adam algebra reordered: rounding only")


def test_manual_adam_matches_torch_adam_weighted_infonce():
    # the trainer on eq. 3 vs torch.optim.Adam on the plain loss fed the same data and noise stream
    p = prob(alpha=0.3, gamma=0.05, seed=5)
    s = replace(FAST, steps=60)
    ours = train_batch([p], s).W[0]
    stream = trainer._Batch([p], s)  # only its noise stream and dataset are used
    stream.init_weights([torch.Generator().manual_seed(p.seed)])  # W0 is the generator's first draw
    X = gaussian_dataset(p.n, p.A0, p.seed)
    assert torch.equal(stream.X[0], X)
    noise = [stream.noise() for _ in range(s.steps)]

    def loss_fn(W, step):
        e1, e2 = noise[step]
        fx, fxp = (X + e1[0]) @ W.T, (X + e2[0]) @ W.T
        return losses.weighted_infonce(fx[None], fxp[None], p.alpha).sum() + p.gamma * (W * W).sum()

    ref = _torch_adam_reference(p, s, loss_fn)
    assert_rel_close(ours.numpy(), ref.numpy(), 1e-10, floor=1e-3, reason="Adam algebra reordered: rounding only")


# ---------------------------------------------------------------- divergence
def test_huge_lr_diverges_naming_configuration():
    with pytest.raises(TrainingDiverged, match=r"configuration 0 .*lower lr"):
        train_batch([prob(seed=1), prob(seed=2)], replace(FAST, lr=1e8, steps=20))


def test_lr_far_too_large_ends_worse_and_is_named():
    # issue 11: at lr = 1e3 Adam does not blow up; the run ends far above its start and is named
    p = LinearProblem(A0=np.eye(4), C=isotropic_noise(4, 0.5), d1=4, n=32, alpha=0.5, seed=0)
    s = replace(FAST, steps=300, lr=1e3, record_every=100)
    with pytest.raises(TrainingDiverged, match=r"configuration 0 \(d0=4, d1=4, N=32, .*\) ended far worse than it started"):
        train_batch([p], s)
    with pytest.warns(RuntimeWarning, match="ended far worse"):
        res = train_batch([p], s, on_worse="warn")
    assert res.loss_history[-1, 0] > losses.log_n_minus_1_plus_alpha(32, 0.5)  # above the loss at W = 0
    assert train_batch([p], replace(s, lr=1e-3)).loss_history[-1, 0] < losses.log_n_minus_1_plus_alpha(32, 0.5)


def test_infinite_loss_in_one_configuration_names_it():
    # c_norm = 1e200: (Tr[WΣWᵀ] - c)² overflows to inf in configuration 2 only
    A0, C = commuting_pair([1.0, 1.0, 1.0], [0.0, 0.0, 0.0])
    B = np.eye(3)
    probs = [prob(A0=A0, C=C, B=B, seed=k, kappa=1.0, c_norm=1e200 if k == 2 else 1.0) for k in range(4)]
    with pytest.raises(TrainingDiverged, match=r"configuration 2 \("):
        train_batch(probs, replace(FAST, loss="quartic", steps=10, record_every=5))


def test_nan_input_is_rejected_before_training():
    bad = np.diag([1.0, np.nan, 1.0])
    with pytest.raises(ValueError, match=r"configuration 1 .*A0 must be finite"):
        train_batch([prob(), prob(A0=bad)], FAST)
    with pytest.raises(ValueError, match=r"configuration 0 .*B must be finite"):
        train_batch([prob(B=bad)], replace(FAST, loss="quartic"))


# ---------------------------------------------------------------- validation
@pytest.mark.parametrize("kw, pattern", [
    (dict(C=np.array([[1.0, 0.5, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])), "C must be symmetric"),
    (dict(A0=np.diag([1.0, -0.5, 1.0])), "A0 must be positive semi-definite"),
    (dict(C=np.eye(2)), r"C must have shape \(3, 3\)"),
    (dict(A0=np.ones(3)), "A0 must be a square matrix"),
    (dict(alpha=1.5), r"alpha must lie in \[0, 1\], got 1.5"),
    (dict(alpha=-0.1), r"alpha must lie in \[0, 1\]"),
    (dict(gamma=-1.0), "gamma must be >= 0"),
    (dict(kappa=-0.1), "kappa must be >= 0"),
    (dict(c_norm=-1.0), "c_norm must be >= 0"),
    (dict(n=1), "N must be an integer >= 2"),
    (dict(n=2.5), "N must be an integer >= 2"),
    (dict(d1=0), "d1 must be an integer >= 1"),
])
def test_bad_problem_raises_naming_parameter(kw, pattern):
    with pytest.raises(ValueError, match=r"configuration 1 .*" + pattern):
        train_batch([prob(), prob(**kw)], FAST)


@pytest.mark.parametrize("kw, pattern", [
    (dict(lr=0.0), "lr must be > 0"),
    (dict(lr=-1e-3), "lr must be > 0"),
    (dict(steps=0), "steps must be an integer >= 1"),
    (dict(loss="mse"), "loss must be one of"),
    (dict(lr_schedule="step"), "lr_schedule must be"),
    (dict(dtype="float16"), "dtype must be"),
    (dict(tau=0.0), "tau must be > 0"),
    (dict(device="tpu"), "device must be"),
    (dict(betas=(1.0, 0.999)), r"betas must be two numbers in \[0, 1\)"),
    (dict(betas=(0.9, float("nan"))), "betas must be finite"),
    (dict(adam_eps=0.0), "adam_eps must be > 0"),
    (dict(barlow_lambda=-1.0), "barlow_lambda must be >= 0"),
    (dict(init_scale=float("inf")), "init_scale must be finite"),
    (dict(noise_chunk=0), "noise_chunk must be an integer >= 1"),
])
def test_bad_settings_raise_naming_parameter(kw, pattern):
    with pytest.raises(ValueError, match=pattern):
        train_batch([prob()], FAST, **kw)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the no-GPU error")
def test_cuda_without_gpu_is_a_value_error():
    with pytest.raises(ValueError, match="no GPU"):
        train_batch([prob()], FAST, device="cuda")


def test_quartic_needs_symmetric_B_of_right_shape():
    with pytest.raises(ValueError, match="B must be given"):
        train_batch([prob()], FAST, loss="quartic")
    with pytest.raises(ValueError, match="B must be a symmetric"):
        train_batch([prob(B=np.eye(2))], FAST, loss="quartic")
    with pytest.raises(ValueError, match="B must be a symmetric"):
        train_batch([prob(B=np.triu(np.ones((3, 3))))], FAST, loss="quartic")
    with pytest.raises(ValueError, match="Sigma must be positive definite"):
        train_batch([prob(B=np.eye(3), Sigma=np.diag([1.0, 0.0, 1.0]))], FAST, loss="quartic")


def test_mismatched_shapes_in_one_batch():
    with pytest.raises(ValueError, match="must share d0 and d1"):
        train_batch([prob(), prob(d1=3)], FAST)
    with pytest.raises(ValueError, match="at least one configuration"):
        train_batch([], FAST)


# ---------------------------------------------------------------- reproducibility
def test_same_seed_same_weights_different_seed_different():
    a = train_batch([prob(seed=11)], FAST).W
    b = train_batch([prob(seed=11)], FAST).W
    c = train_batch([prob(seed=12)], FAST).W
    assert torch.equal(a, b)
    assert not torch.allclose(a, c)
    # a different dataset seed alone also changes the result
    d = train_batch([prob(seed=11, data_seed=5)], FAST).W
    assert not torch.allclose(a, d)


def test_result_shapes_and_history():
    res = train_batch(mixed_problems(), replace(FAST, steps=25, record_every=10))
    assert res.W.shape == (4, D1, D0) and res.W.dtype == torch.float64
    assert res.gram_eigs.shape == (4, D0)
    assert list(res.steps_recorded) == [10, 20, 25]
    assert res.loss_history.shape == (3, 4)


def test_expected_loss_uses_the_training_dataset():
    # with C = 0 there is no augmentation, so E_ε[L] is the loss on the fixed dataset itself
    # (the dataset drawn from the configuration's data seed, as in training)
    p = prob(C=np.zeros((3, 3)), seed=4, alpha=0.3)
    W = torch.tensor(np.random.default_rng(0).standard_normal((1, D1, D0)))
    got = expected_loss([p], W, FAST, draws=3)
    X = gaussian_dataset(p.n, p.A0, p.seed)
    f = (X @ W[0].T)[None]
    want = float(losses.weighted_infonce(f, f, p.alpha)[0])
    assert_rel_close(got, [want], 1e-12, reason="same formula, float64")


# ---------------------------------------------------------------- Thm 1 on the quartic landscape
def _predicted_gram(b, s, Q, d1):
    """Global minimum of -Tr[WBWᵀ] + Tr[(WΣWᵀ)²] for B = Q diag(b) Qᵀ, Σ = Q diag(s) Qᵀ.

    Restricted to W = Σ_i w_i u_i e_iᵀ the loss is Σ_i (-b_i t_i + s_i² t_i²), t_i = w_i²:
    t_i = b_i / (2 s_i²) with gain b_i² / (4 s_i²), so the d1 rows take the top-min(m, d1)
    positive-b directions ranked by b_i / s_i (the same order as b_i²/s_i² for b_i > 0).
    """
    ratio = np.where(b > 0, b / s, -np.inf)
    keep = np.argsort(-ratio)[: min(d1, int((b > 0).sum()))]
    t = np.zeros_like(b)
    t[keep] = b[keep] / (2 * s[keep] ** 2)
    return Q @ np.diag(t) @ Q.T


@pytest.mark.parametrize("d1", [2, 4])
def test_quartic_training_recovers_thm1_minimum(d1):
    # b/s = (3, 1, 2, -1): ranking by b/s differs from ranking by b, so d1 = 2 must pick
    # directions 0 and 2 (WᵀW eigenvalues 1.5 and 2.0), not 0 and 1
    b = np.array([3.0, 2.0, 1.0, -1.0])
    s = np.array([1.0, 2.0, 0.5, 1.0])
    Q = np.linalg.qr(np.random.default_rng(0).standard_normal((4, 4)))[0]
    B, S = Q @ np.diag(b) @ Q.T, Q @ np.diag(s) @ Q.T
    p = LinearProblem(A0=np.eye(4), C=np.zeros((4, 4)), d1=d1, B=B, Sigma=S, seed=1)
    res = train_batch([p], TrainSettings(loss="quartic", steps=1000, lr=0.02, lr_schedule="cosine",
                                         progress=False, device="cpu"))
    W = res.W[0].clone().requires_grad_()
    Bt, St = torch.tensor(B)[None], torch.tensor(S)[None]
    loss = lambda w: losses.quartic_loss(w[None], Bt, St).sum()  # noqa: E731
    grad = torch.autograd.grad(loss(W), W)[0]
    # stopping rule -> tolerance: near a strict minimum (modulo W -> OW), ‖ΔW‖ ≤ ‖∇L‖/μ with μ
    # the smallest nonzero Hessian eigenvalue, and ‖Δ(WᵀW)‖ ≤ 2‖W‖‖ΔW‖; ×10 for curvature
    # changes over that distance, + 1e-12 for float64 rounding of WᵀW itself
    H = torch.autograd.functional.hessian(loss, W.detach()).reshape(W.numel(), W.numel())
    ev = torch.linalg.eigvalsh(H)
    n_sym = d1 * (d1 - 1) // 2  # zero modes of the O(d1) symmetry W -> OW
    assert float(ev[0]) > -1e-8, "trained point is not a minimum"
    mu = float(ev[n_sym:].min())
    assert mu > 1e-3, "minimum must be strict up to the symmetry for the bound to apply"
    bound = 10 * 2 * float(W.detach().norm()) * float(grad.norm()) / mu + 1e-12
    assert bound < 1e-6, f"optimizer did not converge: ‖∇L‖ = {float(grad.norm()):.3g}"
    pred = _predicted_gram(b, s, Q, d1)
    G = (W.T @ W).detach().numpy()
    assert np.abs(G - pred).max() <= bound, (np.linalg.eigvalsh(G), np.linalg.eigvalsh(pred))
    want_eigs = {2: [0.0, 0.0, 1.5, 2.0], 4: [0.0, 0.25, 1.5, 2.0]}[d1]
    assert np.allclose(res.gram_eigs[0].numpy(), want_eigs, rtol=0, atol=bound + 1e-12)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_underflow_fallback_is_per_run(dtype):
    """A run whose rows underflow (|f_i − f'_j|² ≫ 2·708) takes the row-max shift; a run beside it in the batch keeps
    the unshifted arithmetic: its loss and ∂L/∂W equal, bit for bit, its own alone, and the shifted run's equal its
    alone too (before: one global switch, so a run's round-off depended on its batch-mates)."""
    big = LinearProblem(A0=np.eye(4), C=1e5 * np.eye(4), d1=4, n=16, alpha=0.5, seed=1)
    ok = LinearProblem(A0=np.eye(4), C=0.25 * np.eye(4), d1=4, n=16, alpha=0.5, seed=2)
    s = TrainSettings(loss="weighted_infonce", dtype=dtype, progress=False).validate()
    W = torch.randn(2, 4, 4, dtype=getattr(torch, dtype), generator=torch.Generator().manual_seed(0))

    def step(probs, W):
        b = trainer._Batch(probs, s)
        b.init_weights([torch.Generator().manual_seed(int(p.seed)) for p in probs])
        return b.infonce_step(W)

    (lb, gb), (l_big, g_big), (l_ok, g_ok) = step([big, ok], W), step([big], W[:1]), step([ok], W[1:])
    assert float(l_big[0]) > 1e4 and bool(torch.isfinite(g_big).all())  # the shifted path ran and is finite
    assert torch.equal(lb[1:], l_ok) and torch.equal(gb[1:], g_ok)
    assert torch.equal(lb[:1], l_big) and torch.equal(gb[:1], g_big)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("normalize", [False, True])
def test_aug_draws_as_one_batch_equal_one_call_per_draw(dtype, normalize):
    """infonce_steps(W, m) (the m draws of every run as one batch of K·m) == m infonce_step calls added in order, bit
    for bit: padded runs (different N), α < 1 and α = 0, κ > 0 (without normalize: the closed form needs κ = 0 there),
    a run that takes the underflow fallback, and a noise chunk of 7 so that draws straddle chunks (one call per draw
    then), over several steps."""
    probs = [prob(seed=1, alpha=0.0, n=6), prob(seed=2, alpha=0.3, n=4, gamma=0.1), prob(seed=4, data_seed=9, n=5),
             LinearProblem(A0=np.eye(3), C=1e5 * np.eye(3), d1=D1, n=6, alpha=0.5, seed=7)]  # underflows
    if not normalize:
        probs.append(prob(seed=3, kappa=0.5, c_norm=2.0, n=6))
    s = TrainSettings(loss="weighted_infonce", dtype=dtype, normalize=normalize, noise_chunk=7, progress=False).validate()
    W = torch.randn(len(probs), D1, D0, dtype=getattr(torch, dtype), generator=torch.Generator().manual_seed(0))

    def batch():
        b = trainer._Batch(probs, s)
        b.init_weights([torch.Generator().manual_seed(int(p.seed)) for p in probs])
        return b

    one, seq = batch(), batch()
    assert one.closed_form_ok()
    for m in (3, 2, 4, 3, 1, 3):  # 16 draws: crosses the 7-draw chunks both inside and at a boundary
        lb, gb = one.infonce_steps(W, m)
        ls, gs = seq.infonce_step(W)
        for _ in range(m - 1):
            more = seq.infonce_step(W)
            ls, gs = ls + more[0], gs + more[1]
        assert torch.equal(lb, ls) and torch.equal(gb, gs), m
    if not normalize:  # (unit features cannot underflow)
        assert float(lb[3]) > 1e4  # the underflowing run really is in the batch
    assert 3 in one._reps and 2 in one._reps  # the batched path ran (not only the straddling fallback)


@pytest.mark.parametrize("loss", ["weighted_infonce", "ntxent"])
def test_expected_loss_of_several_weights_equals_one_call_each(loss):
    """expected_loss(problems, [W1, W2, W3]) draws the noise once: each estimate equals, bit for bit, the call with
    that W alone (common random numbers, the same chunk order), including padded problems and a draws count that is
    not a multiple of the noise chunk."""
    probs = mixed_problems() + [prob(seed=5, n=4)]
    s = replace(FAST, loss=loss, noise_chunk=7)
    g = torch.Generator().manual_seed(3)
    Ws = [torch.randn(len(probs), D1, D0, generator=g, dtype=torch.float64) * c for c in (0.1, 1.0, 2.0)]
    together = expected_loss(probs, Ws, s, draws=17, seed=9)
    assert isinstance(together, list) and len(together) == 3
    for W, est in zip(Ws, together):
        assert np.array_equal(est, expected_loss(probs, W, s, draws=17, seed=9))
    with pytest.raises(ValueError, match="non-empty list"):
        expected_loss(probs, [], s)
