"""numerics/engine.py: the one training loop -- optimizer arithmetic, weight-decay convention, schedules,
generators per run, Polyak averaging, records, guards."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch

from sslverify.numerics.engine import (Guard, Optimizer, Polyak, Record, Step, TrainingDiverged, lr_at,
                                       train_stacked)

K, D = 3, 4


def _quadratic(A: torch.Tensor, b: torch.Tensor):
    """L_k(θ) = ½ θᵀA_kθ − b_kᵀθ per run (θ (K, D)); a deterministic step."""
    def step(p, s, ctx):
        th = p["th"]
        return Step(0.5 * torch.einsum("ki,kij,kj->k", th, A, th) - (b * th).sum(-1))
    return step


def _problem(seed=0):
    g = torch.Generator().manual_seed(seed)
    Q = torch.randn(K, D, D, generator=g, dtype=torch.float64)
    A = Q @ Q.transpose(1, 2) + torch.eye(D, dtype=torch.float64)
    return A, torch.randn(K, D, generator=g, dtype=torch.float64), torch.randn(K, D, generator=g, dtype=torch.float64)


@pytest.mark.parametrize("kind", ["adam", "sgd"])
@pytest.mark.parametrize("schedule", ["constant", "cosine"])
def test_optimizer_is_torch_optim_bit_for_bit(kind, schedule):
    A, b, th0 = _problem()
    steps, lr, wd = 60, 0.05, 0.3
    hist = train_stacked(lambda ctx: {"th": th0}, _quadratic(A, b), steps=steps, seeds=[0, 1, 2],
                         optimizer=Optimizer(kind, lr=lr, weight_decay=wd), schedule=schedule,
                         record=Record(every=steps), guard=Guard(worse="off"))
    th = th0.clone().requires_grad_(True)
    opt = (torch.optim.Adam if kind == "adam" else torch.optim.SGD)([th], lr=lr, weight_decay=wd)
    for t in range(steps):
        for group in opt.param_groups:
            group["lr"] = lr_at(lr, schedule, t, steps)
        opt.zero_grad()
        _quadratic(A, b)({"th": th}, t + 1, None).loss.sum().backward()
        opt.step()
    if kind == "adam":  # the engine runs torch.optim.Adam's single-tensor arithmetic: identical
        assert torch.equal(hist.params["th"], th.detach())
    else:  # SGD: θ − lr·(g + λθ) vs torch's θ + (−lr)·(g + λθ): one rounding apart per step
        assert torch.allclose(hist.params["th"], th.detach(), rtol=1e-13, atol=1e-15)


def test_weight_decay_convention_is_half_lambda_norm_squared():
    # λ in the optimizer = the penalty (λ/2)‖θ‖² in the objective: same trajectory as autograd of that
    # objective with no weight decay; the recorded loss includes the penalty; λ may differ per run
    A, b, th0 = _problem(1)
    lam = [0.0, 0.5, 2.0]
    hist = train_stacked(lambda ctx: {"th": th0}, _quadratic(A, b), steps=40, seeds=[0, 1, 2],
                         optimizer=Optimizer("sgd", lr=0.02, weight_decay={"th": lam}),
                         record=Record(every=10), guard=Guard(worse="off"))
    lam_t = torch.tensor(lam, dtype=torch.float64)

    def penalised(p, s, ctx):
        th = p["th"]
        return Step(_quadratic(A, b)(p, s, ctx).loss + 0.5 * lam_t * (th * th).sum(-1))

    ref = train_stacked(lambda ctx: {"th": th0}, penalised, steps=40, seeds=[0, 1, 2],
                        optimizer=Optimizer("sgd", lr=0.02), record=Record(every=10), guard=Guard(worse="off"))
    assert torch.allclose(hist.params["th"], ref.params["th"], rtol=1e-12, atol=1e-14)  # float64 reordering
    assert np.allclose(hist.loss, ref.loss, rtol=1e-12, atol=1e-14)


def test_lr_schedules():
    assert lr_at(0.1, "constant", 7, 10) == 0.1
    assert lr_at(0.1, "cosine", 0, 10) == pytest.approx(0.1)
    assert lr_at(0.1, "cosine", 5, 10) == pytest.approx(0.05)
    assert lr_at(0.1, "cosine", 10, 10) == pytest.approx(0.0, abs=1e-18)
    with pytest.raises(ValueError, match="lr_schedule"):
        lr_at(0.1, "step", 1, 10)


def _noisy_step(p, s, ctx):
    """A stochastic step drawing from each run's generator (per-run) or the shared one."""
    th = p["th"]
    if len(ctx.gens) == 1 and th.shape[0] > 1:
        noise = torch.randn(th.shape, generator=ctx.gens[0], dtype=th.dtype)
    else:
        noise = torch.stack([torch.randn(th.shape[1:], generator=g, dtype=th.dtype) for g in ctx.gens])
    return Step(((th - noise) ** 2).sum(-1))


def _init(ctx):
    """Each run's initialisation: its generator's first draw."""
    return {"th": torch.stack([torch.randn(D, generator=g, dtype=torch.float64) for g in ctx.gens])}


def _init_shared(ctx):
    return {"th": torch.zeros(3, D, dtype=torch.float64)}


def test_one_generator_per_run_gives_the_same_numbers_alone_or_batched():
    kw = dict(steps=30, optimizer=Optimizer("adam", lr=0.05), record=Record(every=10), guard=Guard(worse="off"))
    both = train_stacked(_init, _noisy_step, seeds=[5, 6, 7], **kw)
    alone = train_stacked(_init, _noisy_step, seeds=[6], **kw)
    assert torch.equal(both.params["th"][1:2], alone.params["th"])
    assert np.array_equal(both.loss[:, 1:2], alone.loss)
    # one int = one shared stream for the batch (numbers depend on the batch; reproducible)
    shared = train_stacked(_init_shared, _noisy_step, seeds=11, **kw)
    assert torch.equal(shared.params["th"], train_stacked(_init_shared, _noisy_step, seeds=11, **kw).params["th"])
    with pytest.raises(ValueError, match="seeds must hold K=3"):
        train_stacked(lambda ctx: {"th": torch.zeros(3, D)}, _noisy_step, seeds=[1, 2], **kw)


def test_polyak_plain_and_procrustes_aligned():
    # the iterates are R_s W with R_s a rotation: the aligned average recovers W, the plain one shrinks it
    W = torch.tensor([[[1.0, 0.5, 0.0], [0.0, 2.0, 1.0]]], dtype=torch.float64)

    def rot(s):
        c, si = math.cos(0.3 * s), math.sin(0.3 * s)
        return torch.tensor([[c, -si], [si, c]], dtype=torch.float64)

    def after(p, s, upd):
        p["W"].copy_(rot(s) @ W[0])

    def zero_step(p, s, ctx):
        return Step(torch.zeros(1, dtype=torch.float64), grads={"W": torch.zeros_like(p["W"])})

    kw = dict(steps=10, seeds=[0], optimizer=Optimizer("sgd", lr=1.0), after_update=after, autograd=False,
              record=Record(every=10), guard=Guard(worse="off"))
    plain = train_stacked(lambda ctx: {"W": W}, zero_step, polyak=Polyak(0.5, ("W",)), **kw)
    aligned = train_stacked(lambda ctx: {"W": W}, zero_step, polyak=Polyak(0.5, ("W",), align=True), **kw)
    steps = range(6, 11)  # the last half: 5 iterates
    mean = sum(rot(s) @ W[0] for s in steps) / 5
    assert torch.allclose(plain.averaged["W"][0], mean, atol=1e-14)
    G = lambda M: M.T @ M  # noqa: E731 -- the rotation-invariant content
    assert torch.allclose(G(aligned.averaged["W"][0]), G(W[0]), atol=1e-12)
    assert not torch.allclose(G(plain.averaged["W"][0]), G(W[0]), atol=1e-3)


def test_records_offsets_initial_and_mean():
    A, b, th0 = _problem(2)
    step = _quadratic(A, b)
    kw = dict(steps=7, seeds=[0, 1, 2], optimizer=Optimizer("sgd", lr=0.01), guard=Guard(worse="off"))
    h = train_stacked(lambda ctx: {"th": th0}, step, record=Record(every=3), **kw)
    assert list(h.steps) == [3, 6, 7]
    h1 = train_stacked(lambda ctx: {"th": th0}, step, record=Record(every=3, offset=1), **kw)
    assert list(h1.steps) == [1, 4, 7]
    hi = train_stacked(lambda ctx: {"th": th0}, step, record=Record(every=3, initial=True, loss="mean",
                                                                       snapshot=lambda p: {"th": p["th"]}), **kw)
    assert list(hi.steps) == [0, 3, 6, 7]
    assert np.array_equal(hi.loss[0], np.zeros(K))  # mean mode: nothing averaged yet at the initialisation
    assert torch.equal(hi.values["th"][0], th0)
    per_step = train_stacked(lambda ctx: {"th": th0}, step, record=Record(every=1), **kw).loss
    assert np.allclose(hi.loss[1], per_step[:3].mean(0), rtol=1e-14)  # mean of the steps since the last record
    assert np.allclose(hi.loss[3], per_step[6], rtol=1e-14)


def test_divergence_names_step_and_configuration():
    A, b, th0 = _problem(3)
    with pytest.raises(TrainingDiverged, match=r"step 10 in configuration 0 \(cfg-0\).*‖th‖_F=.*limit 10"):
        train_stacked(lambda ctx: {"th": th0}, _quadratic(-A, b), steps=50, seeds=[0, 1, 2],
                      optimizer=Optimizer("sgd", lr=0.5), record=Record(every=10), guard=Guard(max_norm=10.0),
                      describe=lambda k: f"cfg-{k}")

    def nan_in_run_2(p, s, ctx):
        loss = _quadratic(A, b)(p, s, ctx).loss
        return Step(torch.where(torch.arange(K) == 2, loss * float("nan"), loss) if s >= 4 else loss)

    with pytest.raises(TrainingDiverged, match=r"step 4 in configuration 2 .*loss=nan"):
        train_stacked(lambda ctx: {"th": th0}, nan_in_run_2, steps=10, seeds=[0, 1, 2],
                      optimizer=Optimizer("sgd", lr=0.01), record=Record(every=10), guard=Guard(every=1))


def test_run_ending_far_worse_than_it_started_raises_warns_or_not():
    # Adam at a far too large lr on a noisy loss does not blow up: it jumps around at amplitude ~lr,
    # so the loss ends far above where it started (issue 11: lr = 1e3 returned normally at 15x the start)
    kw = dict(steps=200, seeds=[0, 1, 2], optimizer=Optimizer("adam", lr=100.0), record=Record(every=50),
              describe=lambda k: f"cfg-{k}")
    with pytest.raises(TrainingDiverged, match=r"configuration \d \(cfg-\d\) ended far worse than it started"):
        train_stacked(_init, _noisy_step, guard=Guard(), **kw)
    with pytest.warns(RuntimeWarning, match="ended far worse"):
        train_stacked(_init, _noisy_step, guard=Guard(worse="warn"), **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        h = train_stacked(_init, _noisy_step, guard=Guard(worse="off"), **kw)
    assert np.any(h.loss_last - h.loss_first > np.abs(h.loss_first))  # the guard's rule, factor 1
    ok = train_stacked(_init, _noisy_step, guard=Guard(), **{**kw, "optimizer": Optimizer("adam", lr=0.05)})
    assert np.all(ok.loss_last < 2 * D)  # E‖θ − ε‖² = ‖θ‖² + D: near θ = 0, the tail mean of 20 draws ≈ D


def test_bad_arguments():
    A, b, th0 = _problem()
    step = _quadratic(A, b)
    base = dict(steps=5, seeds=[0, 1, 2], optimizer=Optimizer("adam", lr=0.1))
    with pytest.raises(ValueError, match="optimizer must be one of"):
        train_stacked(lambda ctx: {"th": th0}, step, **{**base, "optimizer": Optimizer("lbfgs")})
    with pytest.raises(ValueError, match="lr must be > 0"):
        train_stacked(lambda ctx: {"th": th0}, step, **{**base, "optimizer": Optimizer(lr=-1.0)})
    with pytest.raises(ValueError, match="weight_decay names unknown parameters"):
        train_stacked(lambda ctx: {"th": th0}, step, **{**base, "optimizer": Optimizer(weight_decay={"W": 0.1})})
    with pytest.raises(ValueError, match="leading dimension"):
        train_stacked(lambda ctx: {"th": th0, "x": torch.zeros(2, 1)}, step, **base)
    with pytest.raises(ValueError, match="steps must be an integer >= 1"):
        train_stacked(lambda ctx: {"th": th0}, step, **{**base, "steps": 0})
    with pytest.raises(ValueError, match="dtype must be"):
        train_stacked(lambda ctx: {"th": th0}, step, dtype="float16", **base)
    with pytest.raises(ValueError, match="per-run weight decay must hold K=3"):
        train_stacked(lambda ctx: {"th": th0}, step, **{**base, "optimizer": Optimizer(weight_decay=[0.1, 0.2])})
