"""The one training engine: K independent runs stacked into one tensor program.

Every trainer of the project (``trainer.train_batch`` for Ziyin's linear models,
``content_style_train.train`` for Rusak's encoders, ``lastlayer.train_encoder_projector``,
``dual_nets.train_dual`` for Pokle's dual networks, ``ssl_nets.train_linear_siamese`` for linear
SimSiam/BYOL) is a model + a loss + data that calls :func:`train_stacked`.  The engine owns

* **the runs**: every parameter is a tensor whose leading dimension indexes the K runs.  The runs share
  no parameters, and every update below is elementwise, so run k follows exactly the trajectory it
  would follow alone;
* **randomness**: ``seeds`` = a list of K integers gives every run its own ``torch.Generator`` (on the
  CPU, whatever the device; see ``numerics.device``): a run then gives the same numbers alone or
  batched.  ``seeds`` = one integer gives the batch ONE shared generator; a run's numbers then depend
  on the batch it is in (kept for the Rusak, last-layer and Pokle experiments, whose recorded numbers
  were drawn that way);
* **the optimizer** (:class:`Optimizer`): Adam (the exact arithmetic of ``torch.optim.Adam``'s
  single-tensor path, on every device) or plain SGD; learning-rate schedules ``constant`` and
  ``cosine`` (lr·½(1 + cos(π t/T)) at the 0-based step t, decaying to 0);
* **weight decay, one convention**: ``weight_decay = λ`` adds λ·θ to the gradient of θ, i.e. the
  penalty (λ/2)‖θ‖²_F is part of the objective (torch.optim's coupled convention; for Adam it goes
  through the moments, it is not AdamW).  λ may differ per run (a length-K sequence).  A source that
  writes γ‖θ‖² (Ziyin et al.) passes λ = 2γ.  The recorded loss includes the penalty;
* **Polyak–Ruppert averaging** of the last fraction of iterates, optionally modulo the rotation
  symmetry θ → Rθ (orthogonal Procrustes onto the first averaged iterate);
* **guards**: a non-finite loss or a parameter norm beyond ``max_norm`` raises
  :class:`TrainingDiverged` naming the step, the run and its configuration; a run whose loss at the end
  is far above its loss at the start (:class:`Guard` ``worse``) raises or warns, naming it too;
* **history**: the loss at chosen steps (the last step's or the mean since the previous record),
  extra per-run values the step returns, and snapshots of the parameters;
* **placement**: parameters on ``device`` in ``dtype``; progress with tqdm.

A step function receives the parameters, the 1-based step s and the :class:`Context`, and returns a
:class:`Step`: the (K,) loss of every run (the objective whose gradient is followed) and, if it
computes them itself (closed form), the gradients; otherwise the engine differentiates ``loss.sum()``.
Order inside step s: loss and gradient at the current parameters, guard, update (lr of step s − 1 of
the schedule), ``after_update`` hook (projections, EMA targets), Polyak sum, record.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import torch
from tqdm.auto import tqdm

from sslverify.numerics.device import resolve_device, resolve_dtype
from sslverify.numerics.validation import check_finite_number, check_int, check_nonnegative, check_positive

#: Bumped when the engine's arithmetic changes (stored sweep shards are keyed by it).
ENGINE_VERSION = 1
SCHEDULES = ("constant", "cosine")
OPTIMIZERS = ("adam", "sgd")


class TrainingDiverged(RuntimeError):
    """A run produced NaN/inf, its weights blew up, or it ended far worse than it started."""


# ----------------------------------------------------------------------------- configuration
@dataclass(frozen=True)
class Optimizer:
    """Adam or SGD, one convention for weight decay (module docstring).

    ``lr`` and ``weight_decay`` are one value for every parameter or a mapping name -> value
    (names not in the mapping: lr must be given, weight decay 0); a weight decay may also be a length-K
    sequence (one value per run).
    """

    kind: str = "adam"
    lr: float | Mapping[str, float] = 1e-3
    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8
    weight_decay: Any = 0.0

    def validate(self) -> "Optimizer":
        if self.kind not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {self.kind!r}")
        lrs = self.lr.values() if isinstance(self.lr, Mapping) else [self.lr]
        for v in lrs:
            check_positive(v, "lr")
        if len(self.betas) != 2 or not all(0.0 <= check_finite_number(b, "betas") < 1.0 for b in self.betas):
            raise ValueError(f"betas must be two numbers in [0, 1), got {self.betas!r}")
        check_positive(self.eps, "adam_eps")
        wds = self.weight_decay.values() if isinstance(self.weight_decay, Mapping) else [self.weight_decay]
        for v in wds:
            for x in np.atleast_1d(np.asarray(v, dtype=float)).ravel():
                check_nonnegative(x, "weight_decay")
        return self

    def lr_of(self, name: str) -> float:
        if isinstance(self.lr, Mapping):
            if name not in self.lr:
                raise ValueError(f"lr has no value for parameter {name!r} (given for {sorted(self.lr)})")
            return float(self.lr[name])
        return float(self.lr)

    def weight_decay_of(self, name: str):
        wd = self.weight_decay.get(name, 0.0) if isinstance(self.weight_decay, Mapping) else self.weight_decay
        return wd


@dataclass(frozen=True)
class Record:
    """What the history keeps and when.

    Records are taken after the update of step s for s in ``at`` (default: every ``every`` steps,
    counted from ``offset``: s ≡ offset mod every, and always the last step).  ``initial``: also a
    record at s = 0 (the initialisation; its loss is NaN, or 0 in ``loss="mean"`` mode).
    ``loss``: "last" = the loss of step s; "mean" = the mean loss of the steps since the previous record.
    ``snapshot(params) -> {name: (K, ...) tensor}``: values computed from the parameters at a record.
    """

    every: int = 50
    offset: int = 0
    initial: bool = False
    loss: str = "last"
    snapshot: Callable[[dict], dict] | None = None
    at: Sequence[int] | None = None

    def steps(self, total: int) -> list[int]:
        if self.at is not None:
            return sorted({int(s) for s in self.at if 1 <= int(s) <= total})
        check_int(self.every, "record_every", 1)
        return [s for s in range(1, total + 1) if (s - self.offset) % self.every == 0 or s == total]


@dataclass(frozen=True)
class Guard:
    """Divergence detection.

    At every record (and every ``every`` steps if given): a non-finite loss, or a per-run Frobenius
    norm of a parameter in ``norm_of`` (None: all) above ``max_norm``, raises TrainingDiverged.
    At the end: a run whose mean loss over the last tenth of the steps exceeds its loss at step 1 by more
    than ``worse_factor``·max(|loss at step 1|, ``worse_floor``) "ended far worse than it started"
    (lr far too large: Adam then oscillates at amplitude ~lr without blowing up):
    ``worse="raise"`` raises TrainingDiverged, ``"warn"`` warns, ``"off"`` does nothing (for losses that
    are not objectives, e.g. stop-gradient losses, which may rise while training is correct).
    """

    max_norm: float = 1e6
    norm_of: tuple[str, ...] | None = None
    every: int | None = None
    worse: str = "raise"
    worse_factor: float = 1.0
    worse_floor: float = 1e-8

    def validate(self) -> "Guard":
        check_positive(self.max_norm, "max_weight_norm")
        if self.every is not None:
            check_int(self.every, "guard every", 1)
        if self.worse not in ("raise", "warn", "off"):
            raise ValueError(f"worse must be 'raise', 'warn' or 'off', got {self.worse!r}")
        check_positive(self.worse_factor, "worse_factor")
        check_nonnegative(self.worse_floor, "worse_floor")
        return self


@dataclass(frozen=True)
class Polyak:
    """Average the iterates of the last ``tail`` fraction of the steps (of the parameters ``params``).

    ``align=True``: before summing, rotate each iterate θ onto the first averaged one by orthogonal
    Procrustes (θ -> R θ, R = U Vᵀ from the SVD of θ_ref θᵀ): for losses that depend on θ only through
    θᵀθ, noise diffuses θ along that orbit, and averaging without alignment would shrink it.
    """

    tail: float
    params: tuple[str, ...] = ("W",)
    align: bool = False

    def first_step(self, steps: int) -> int:
        if not 0.0 <= check_finite_number(self.tail, "average_tail") < 1.0:
            raise ValueError(f"average_tail must lie in [0, 1), got {self.tail!r}")
        return steps - int(self.tail * steps) + 1


@dataclass
class Step:
    """What a step function returns.

    ``loss`` (K,): the objective of every run at the current parameters (without the engine's weight
    decay penalty).  ``grads``: {name: gradient} if the step computed them (closed form); None -> the
    engine differentiates ``loss.sum()``.  ``update``: the parameters updated this step (None: all;
    e.g. alternating online/target updates).  ``values``: extra (K, ...) tensors kept at records.
    """

    loss: torch.Tensor
    grads: dict[str, torch.Tensor | None] | None = None
    update: tuple[str, ...] | None = None
    values: dict[str, torch.Tensor] = field(default_factory=dict)


@dataclass
class Context:
    """What init and step functions see: the generators, device, dtype and number of runs."""

    gens: list[torch.Generator]
    device: torch.device
    dtype: torch.dtype
    K: int | None = None

    def place(self, t, dtype: torch.dtype | None = None) -> torch.Tensor:
        """A tensor (or array) on the engine's device, in its dtype (or ``dtype``)."""
        t = torch.as_tensor(t)
        return t.to(device=self.device, dtype=dtype or (self.dtype if t.is_floating_point() else t.dtype))


@dataclass
class History:
    """steps (R,): the step after which each record was taken (0 = initialisation); loss (R, K) float64;
    values: {name: (R, K, ...) array/tensor} (step values and snapshots, on the CPU); params: final
    parameters (on the device); averaged: Polyak averages (or {}); loss_first / loss_last (K,): the loss at
    step 1 and its mean over the last tenth of the steps."""

    steps: np.ndarray
    loss: np.ndarray
    values: dict[str, Any]
    params: dict[str, torch.Tensor]
    averaged: dict[str, torch.Tensor]
    loss_first: np.ndarray
    loss_last: np.ndarray


# ----------------------------------------------------------------------------- helpers
def lr_at(lr: float, schedule: str, t: int, steps: int) -> float:
    """Learning rate at the 0-based step t of ``steps``: constant, or cosine lr·½(1 + cos(π t/steps))."""
    if schedule == "constant":
        return lr
    if schedule == "cosine":
        return lr * 0.5 * (1 + math.cos(math.pi * t / steps))
    raise ValueError(f"lr_schedule must be one of {SCHEDULES}, got {schedule!r}")


def check_schedule(schedule: str) -> str:
    if schedule not in SCHEDULES:
        raise ValueError(f"lr_schedule must be 'constant' or 'cosine', got {schedule!r}")
    return schedule


def make_generators(seeds: int | Sequence[int]) -> list[torch.Generator]:
    """One CPU generator per seed (or one for an int: the batch's shared stream)."""
    if isinstance(seeds, (int, np.integer)):
        return [torch.Generator().manual_seed(int(seeds))]
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise ValueError("seeds must hold at least one seed")
    return [torch.Generator().manual_seed(s) for s in seeds]


def _per_run(value, K: int, like: torch.Tensor) -> torch.Tensor | float | None:
    """A weight decay as a float (same for all runs) or a (K, 1, ...) tensor; None when zero."""
    arr = np.asarray(value, dtype=float)
    if arr.ndim == 0:
        v = float(arr)
        return None if v == 0.0 else v
    if arr.shape != (K,):
        raise ValueError(f"a per-run weight decay must hold K={K} values, got shape {arr.shape}")
    if not np.any(arr):
        return None
    return torch.as_tensor(arr, dtype=like.dtype, device=like.device).view(K, *([1] * (like.dim() - 1)))


def _norms(t: torch.Tensor) -> torch.Tensor:
    return t.detach().reshape(t.shape[0], -1).norm(dim=1)


def _procrustes_add(W: torch.Tensor, ref: torch.Tensor, total: torch.Tensor) -> torch.Tensor:
    U, _, Vh = torch.linalg.svd(ref @ W.transpose(1, 2))
    return total + (U @ Vh) @ W


# ----------------------------------------------------------------------------- the engine
def train_stacked(init: Callable[[Context], dict], step_fn: Callable[[dict, int, Context], Step], *,
                  steps: int, seeds: int | Sequence[int], optimizer: Optimizer,
                  schedule: str = "constant", record: Record = Record(), guard: Guard = Guard(),
                  polyak: Polyak | None = None, after_update: Callable[[dict, int, tuple], None] | None = None,
                  describe: Callable[[int], str] | None = None, device="cpu", dtype="float64",
                  autograd: bool = True, flush_denormal: bool = False, progress: bool = False,
                  desc: str = "train") -> History:
    """Train K stacked runs; see the module docstring for what the engine owns.

    ``init(ctx) -> {name: (K, ...) tensor}``: initial parameters, drawn from ``ctx.gens`` (placed on the
    device in the dtype by the engine, which never modifies the tensors it is given).
    ``step_fn(params, s, ctx) -> Step``.  ``autograd``: parameters require grad (False when the step
    always returns closed-form gradients: no graph is built).  ``flush_denormal``: flush subnormal floats
    to zero on this thread while training (what XLA does; values below 1e-38 in float32 then count as 0
    instead of slowing every instruction that touches them ~100x; restored to off afterwards).
    """
    if flush_denormal and torch.set_flush_denormal(True):
        try:
            return train_stacked(init, step_fn, steps=steps, seeds=seeds, optimizer=optimizer, schedule=schedule,
                                 record=record, guard=guard, polyak=polyak, after_update=after_update,
                                 describe=describe, device=device, dtype=dtype, autograd=autograd,
                                 flush_denormal=False, progress=progress, desc=desc)
        finally:
            torch.set_flush_denormal(False)
    steps = check_int(steps, "steps", 1)
    optimizer = optimizer.validate()
    check_schedule(schedule)
    guard = guard.validate()
    if record.loss not in ("last", "mean"):
        raise ValueError(f"record loss must be 'last' or 'mean', got {record.loss!r}")
    dev, dt = resolve_device(device), resolve_dtype(dtype)
    ctx = Context(make_generators(seeds), dev, dt)
    raw = init(ctx)
    if not raw:
        raise ValueError("init must return at least one parameter")
    params = {n: t.detach().to(device=dev, dtype=dt).clone() for n, t in raw.items()}
    Ks = {t.shape[0] for t in params.values()}
    if len(Ks) != 1:
        raise ValueError(f"every parameter must have the runs as its leading dimension, got leading sizes {sorted(Ks)}")
    K = ctx.K = Ks.pop()
    shared = isinstance(seeds, (int, np.integer))
    if not shared and len(ctx.gens) != K:
        raise ValueError(f"seeds must hold K={K} seeds (one per run) or be one int (a shared stream), "
                         f"got {len(ctx.gens)}")
    if autograd:
        for t in params.values():
            t.requires_grad_(True)
    describe = describe or (lambda k: f"run {k}")
    names = list(params)
    lrs = {n: optimizer.lr_of(n) for n in names}
    wds = {n: _per_run(optimizer.weight_decay_of(n), K, params[n]) for n in names}
    unknown = set(optimizer.weight_decay) - set(names) if isinstance(optimizer.weight_decay, Mapping) else set()
    if unknown:
        raise ValueError(f"weight_decay names unknown parameters {sorted(unknown)} (parameters: {names})")
    adam = optimizer.kind == "adam"
    b1, b2 = optimizer.betas
    state = {n: (torch.zeros_like(params[n]), torch.zeros_like(params[n])) for n in names} if adam else {}
    counts = dict.fromkeys(names, 0)
    norm_of = [n for n in names if guard.norm_of is None or n in guard.norm_of]

    rec_steps = set(record.steps(steps))
    tail_first = polyak.first_step(steps) if polyak is not None and polyak.tail > 0 else steps + 1
    avg_ref: dict[str, torch.Tensor] = {}
    avg_sum: dict[str, torch.Tensor] = {}
    last_n = max(1, steps // 10)
    loss_first = loss_tail = None
    hist_steps: list[int] = []
    hist_loss: list[np.ndarray] = []
    hist_vals: dict[str, list] = {}
    acc = torch.zeros(K, dtype=dt, device=dev) if record.loss == "mean" else None
    cnt = 0

    def penalty(loss: torch.Tensor) -> torch.Tensor:
        """loss + Σ_θ (λ/2)‖θ‖² (the objective the optimizer follows)."""
        for n, wd in wds.items():
            if wd is not None:
                p = params[n].detach()
                sq = (p * p).reshape(K, -1).sum(1)
                loss = loss + 0.5 * (wd.reshape(K) if torch.is_tensor(wd) else wd) * sq
        return loss

    def check(s: int, loss: torch.Tensor) -> None:
        bad = ~torch.isfinite(loss)
        norms = {n: _norms(params[n]) for n in norm_of}
        for v in norms.values():
            bad = bad | ~torch.isfinite(v) | (v > guard.max_norm)
        if bool(bad.any()):
            k = int(torch.nonzero(bad)[0])
            parts = ", ".join(f"‖{n}‖_F={float(v[k]):.4g}" for n, v in norms.items())
            raise TrainingDiverged(
                f"training diverged at step {s} in configuration {k} ({describe(k)}): loss={float(loss[k]):.4g}"
                + (f", {parts} (limit {guard.max_norm:g})" if parts else "")
                + "; lower lr or check the loss parameters")

    def keep(s: int, loss_row, values: dict) -> None:
        hist_steps.append(s)
        hist_loss.append(loss_row)
        snap = record.snapshot(params) if record.snapshot is not None else {}
        for n, v in {**values, **snap}.items():
            hist_vals.setdefault(n, []).append(v.detach().to("cpu", copy=True) if torch.is_tensor(v) else v)

    if record.initial:
        with torch.no_grad():
            keep(0, np.zeros(K) if acc is not None else np.full(K, np.nan), {})

    bar = tqdm(range(1, steps + 1), desc=desc, disable=not progress, leave=False, mininterval=1.0)
    for step in bar:  # the project's one training loop
        out = step_fn(params, step, ctx)
        upd = tuple(out.update) if out.update is not None else names
        grads = out.grads
        if grads is None:
            ts = [params[n] for n in upd]
            gs = torch.autograd.grad(out.loss.sum(), ts, allow_unused=True)
            grads = dict(zip(upd, gs))
        loss = out.loss.detach()
        with torch.no_grad():
            full = penalty(loss) if (step == 1 or step in rec_steps) else None  # at the parameters of this step
        if step == 1:
            loss_first = full
        if guard.every is not None and step % guard.every == 0:
            if not bool(torch.isfinite(loss).all()):
                check(step, loss)
        with torch.no_grad():
            for n in upd:
                g = grads.get(n)
                if g is None:
                    continue
                p, wd = params[n], wds[n]
                lr = lr_at(lrs[n], schedule, step - 1, steps)
                if adam:  # torch.optim.Adam's single-tensor arithmetic, coupled weight decay
                    counts[n] += 1
                    if wd is not None:
                        g = g.add(p, alpha=wd) if not torch.is_tensor(wd) else g + wd * p
                    m, v = state[n]
                    m.lerp_(g, 1 - b1)
                    v.mul_(b2).addcmul_(g, g, value=1 - b2)
                    t = float(counts[n])
                    bc1, bc2 = 1 - b1**t, 1 - b2**t
                    denom = (v.sqrt() / bc2**0.5).add_(optimizer.eps)
                    p.addcdiv_(m, denom, value=-(lr / bc1))
                else:
                    p.sub_(lr * (g if wd is None else g + wd * p))
            if after_update is not None:
                after_update(params, step, upd)
            if step >= tail_first:
                for n in polyak.params:
                    p = params[n].detach()
                    if n not in avg_sum:
                        avg_ref[n], avg_sum[n] = p.clone(), p.clone()
                    elif polyak.align:
                        avg_sum[n] = _procrustes_add(p, avg_ref[n], avg_sum[n])
                    else:
                        avg_sum[n] = avg_sum[n] + p
            if step > steps - last_n:
                loss_tail = loss if loss_tail is None else loss_tail + loss
            if acc is not None:
                acc = acc + loss
                cnt += 1
            if step in rec_steps:
                check(step, full)
                if acc is not None:
                    row = acc / max(cnt, 1)
                    acc, cnt = torch.zeros(K, dtype=dt, device=dev), 0
                else:
                    row = full
                keep(step, row.cpu().double().numpy(), out.values)
    with torch.no_grad():
        first = loss_first.cpu().double().numpy()
        last = penalty(loss_tail / last_n).cpu().double().numpy()
    if guard.worse != "off":
        worse = last - first > guard.worse_factor * np.maximum(np.abs(first), guard.worse_floor)
        if worse.any():
            k = int(np.flatnonzero(worse)[0])
            msg = (f"configuration {k} ({describe(k)}) ended far worse than it started: loss {first[k]:.4g} at "
                   f"step 1, {last[k]:.4g} at the end (mean of the last {last_n} steps), a rise of more than "
                   f"{guard.worse_factor:g}x |loss at step 1|; lower lr or check the loss parameters")
            if guard.worse == "raise":
                raise TrainingDiverged(f"training diverged: {msg}")
            warnings.warn(msg, RuntimeWarning, stacklevel=2)
    n_avg = steps - tail_first + 1
    averaged = {n: v / n_avg for n, v in avg_sum.items()}
    values = {n: (torch.stack(v) if torch.is_tensor(v[0]) else np.array(v)) for n, v in hist_vals.items()}
    return History(steps=np.array(hist_steps), loss=np.array(hist_loss), values=values,
                   params={n: t.detach() for n, t in params.items()}, averaged=averaged,
                   loss_first=first, loss_last=last)
