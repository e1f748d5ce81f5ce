"""Batched full-batch Adam for K linear SSL configurations at once (App. B).

A sweep (seeds, σ, α, N, γ, κ, ...) is K small independent trainings.  They are
stacked into one tensor program: W has shape (K, d1, d0), datasets are padded to
the largest N with a mask, and one backward pass of Σ_k L_k gives every
configuration its own gradient.  Adam is elementwise, so the update of config k
is exactly what a separate Adam on config k would do.

Randomness: configuration k owns a ``torch.Generator`` seeded with its ``seed``;
it draws W's initialization, then the augmentation noise in chunks of
``noise_chunk`` steps.  Nothing depends on the other configurations in the batch,
so a configuration gives the same numbers alone or batched (tests/numerics).
Augmentation is drawn fresh at every step; the dataset is fixed (``data_seed``).

Read top to bottom: validate -> build tensors -> loop {noise, loss, grad, Adam,
divergence check} -> metrics.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import torch
from tqdm.auto import tqdm

from sslverify.numerics import losses
from sslverify.numerics.data import cholesky_psd, gaussian_dataset
from sslverify.numerics.device import resolve_device
from sslverify.numerics.metrics import gram_eigenvalues
from sslverify.numerics.validation import (
    check_alpha, check_covariance, check_finite_number, check_int, check_nonnegative, check_positive,
)

LOSSES = ("weighted_infonce", "ntxent", "quartic", "scl", "barlow", "barlow_raw")
DATA_FREE = ("quartic",)


class TrainingDiverged(RuntimeError):
    """A configuration produced NaN/inf or its weights blew up."""


@dataclass(frozen=True)
class LinearProblem:
    """One configuration of the linear model f(x) = W x (+ b), W ∈ R^{d1×d0}."""

    A0: Any  # data covariance (d0, d0), used to sample the fixed dataset
    C: Any  # augmentation covariance (d0, d0)
    d1: int
    n: int = 64  # dataset size N
    alpha: float = 1.0  # weighted InfoNCE weight (eq. 3)
    gamma: float = 0.0  # weight decay γ‖W‖_F²
    kappa: float = 0.0  # normalization regularizer κ (E‖f‖² − c)² (eq. 5)
    c_norm: float = 1.0
    seed: int = 0  # W init and augmentation stream
    data_seed: int | None = None  # fixed dataset; defaults to seed
    B: Any = None  # quartic loss only: B (d0, d0)
    Sigma: Any = None  # quartic loss only: Σ (d0, d0); defaults to A0 + C
    tags: dict = field(default_factory=dict)  # free labels carried into result tables

    @property
    def d0(self) -> int:
        return int(np.asarray(self.A0).shape[0])

    def describe(self) -> str:
        extra = ", ".join(f"{k}={v}" for k, v in self.tags.items())
        return (f"d0={self.d0}, d1={self.d1}, N={self.n}, alpha={self.alpha}, gamma={self.gamma}, "
                f"kappa={self.kappa}, seed={self.seed}" + (f", {extra}" if extra else ""))


@dataclass(frozen=True)
class TrainSettings:
    """What every configuration of a batch shares."""

    loss: str = "weighted_infonce"
    steps: int = 5000
    lr: float = 6e-4  # App. B
    lr_schedule: str = "constant"  # or "cosine" (decays to 0: removes Adam's noise floor)
    betas: tuple[float, float] = (0.9, 0.999)
    adam_eps: float = 1e-8
    init_scale: float = 0.1  # W0 entries ~ N(0, init_scale² / d0)
    bias: bool = False
    normalize: bool = False  # output normalization f / ‖f‖
    tau: float = 0.5  # NT-Xent temperature
    barlow_lambda: float = 5e-3
    dtype: str = "float64"
    device: str = "auto"
    noise_chunk: int = 50  # steps of augmentation noise drawn per generator call
    record_every: int = 50
    aug_draws: int = 1  # independent augmentation pairs per step, loss averaged (lowers gradient noise)
    average_tail: float = 0.0  # Polyak–Ruppert: return the mean of the last fraction of iterates
    max_weight_norm: float = 1e6  # ‖W‖_F beyond this counts as divergence
    progress: bool = True

    def validate(self) -> "TrainSettings":
        if self.loss not in LOSSES:
            raise ValueError(f"loss must be one of {LOSSES}, got {self.loss!r}")
        check_int(self.steps, "steps", 1)
        check_positive(self.lr, "lr")
        if self.lr_schedule not in ("constant", "cosine"):
            raise ValueError(f"lr_schedule must be 'constant' or 'cosine', got {self.lr_schedule!r}")
        check_positive(self.tau, "tau")
        if len(self.betas) != 2 or not all(0.0 <= check_finite_number(b, "betas") < 1.0 for b in self.betas):
            raise ValueError(f"betas must be two numbers in [0, 1), got {self.betas!r}")
        check_positive(self.adam_eps, "adam_eps")
        check_nonnegative(self.barlow_lambda, "barlow_lambda")
        check_positive(self.max_weight_norm, "max_weight_norm")
        check_nonnegative(self.init_scale, "init_scale")
        check_int(self.noise_chunk, "noise_chunk", 1)
        check_int(self.record_every, "record_every", 1)
        check_int(self.aug_draws, "aug_draws", 1)
        if not 0.0 <= check_finite_number(self.average_tail, "average_tail") < 1.0:
            raise ValueError(f"average_tail must lie in [0, 1), got {self.average_tail!r}")
        if self.dtype not in ("float32", "float64"):
            raise ValueError(f"dtype must be 'float32' or 'float64', got {self.dtype!r}")
        resolve_device(self.device)
        return self


@dataclass
class TrainResult:
    W: torch.Tensor  # (K, d1, d0) final weights (cpu, float64)
    b: torch.Tensor | None  # (K, d1)
    gram_eigs: torch.Tensor  # (K, d0) eigenvalues of WᵀW, ascending
    loss_history: np.ndarray  # (records, K)
    steps_recorded: np.ndarray  # (records,)
    problems: list[LinearProblem]
    settings: TrainSettings


def _validate_problem(k: int, p: LinearProblem, loss: str) -> None:
    where = f"configuration {k}"
    try:
        check_covariance(p.A0, "A0")
        check_covariance(p.C, "C", dim=np.asarray(p.A0).shape[0])
        check_int(p.d1, "d1", 1)
        if loss not in DATA_FREE:
            check_int(p.n, "N", 2)
        check_alpha(p.alpha)
        check_nonnegative(p.gamma, "gamma")
        check_nonnegative(p.kappa, "kappa")
        check_nonnegative(p.c_norm, "c_norm")
        if loss == "quartic":
            if p.B is None:
                raise ValueError("B must be given for loss 'quartic'")
            B = np.asarray(p.B, dtype=float)
            if not np.all(np.isfinite(B)):
                raise ValueError("B must be finite (it contains NaN or inf)")
            if B.shape != (p.d0, p.d0) or not np.allclose(B, B.T, rtol=0, atol=1e-12 * max(1.0, np.abs(B).max())):  # float64 round-off
                raise ValueError(f"B must be a symmetric ({p.d0}, {p.d0}) matrix, got shape {B.shape}")
            if p.Sigma is not None:
                check_covariance(p.Sigma, "Sigma", dim=p.d0, definite=True)
    except ValueError as exc:
        raise ValueError(f"{where} ({p.describe()}): {exc}") from None


def _lr_at(settings: TrainSettings, step: int) -> float:
    if settings.lr_schedule == "constant":
        return settings.lr
    return settings.lr * 0.5 * (1 + math.cos(math.pi * step / settings.steps))


class _Batch:
    """Tensors of K configurations sharing (d0, d1)."""

    def __init__(self, problems: list[LinearProblem], settings: TrainSettings):
        self.settings = settings
        self.problems = problems
        dev = resolve_device(settings.device)
        dt = getattr(torch, settings.dtype)
        self.dev, self.dt = dev, dt
        d0s = {p.d0 for p in problems}
        d1s = {p.d1 for p in problems}
        if len(d0s) != 1 or len(d1s) != 1:
            raise ValueError(f"problems in one batch must share d0 and d1, got d0 in {sorted(d0s)}, d1 in {sorted(d1s)}")
        self.d0, self.d1 = d0s.pop(), d1s.pop()
        K = len(problems)
        t = lambda xs: torch.tensor(xs, dtype=dt, device=dev)  # noqa: E731
        self.alpha = t([p.alpha for p in problems])
        self.gamma = t([p.gamma for p in problems])
        self.kappa = t([p.kappa for p in problems])
        self.c_norm = t([p.c_norm for p in problems])
        self.gens = [torch.Generator().manual_seed(int(p.seed)) for p in problems]
        # initialization first, from each config's own generator
        W0 = torch.stack([torch.randn(self.d1, self.d0, generator=g, dtype=torch.float64) for g in self.gens])
        self.W = (W0 * settings.init_scale / math.sqrt(self.d0)).to(dt).to(dev).requires_grad_(True)
        self.b = torch.zeros(K, 1, self.d1, dtype=dt, device=dev, requires_grad=True) if settings.bias else None
        if settings.loss in DATA_FREE:
            self.Bm = torch.stack([torch.as_tensor(np.asarray(p.B, float)) for p in problems]).to(dt).to(dev)
            self.Sigma = torch.stack([
                torch.as_tensor(np.asarray(p.Sigma if p.Sigma is not None else np.asarray(p.A0) + np.asarray(p.C), float))
                for p in problems]).to(dt).to(dev)
            return
        self.ns = [int(p.n) for p in problems]
        nmax = max(self.ns)
        X = torch.zeros(K, nmax, self.d0, dtype=dt, device=dev)
        mask = torch.zeros(K, nmax, dtype=torch.bool, device=dev)
        for k, p in enumerate(problems):
            seed = p.seed if p.data_seed is None else p.data_seed
            X[k, : p.n] = gaussian_dataset(p.n, p.A0, seed, dtype=dt, device=dev)
            mask[k, : p.n] = True
        self.X, self.mask = X, mask
        # noise is drawn in the training dtype (float32 normals are ~5x cheaper to draw on a
        # CPU; float64 runs draw exactly what they always drew)
        self.L = [torch.as_tensor(cholesky_psd(check_covariance(p.C, "C")), dtype=dt) for p in problems]
        self._chunk: torch.Tensor | None = None
        self._chunk_pos = 0

    def noise(self) -> tuple[torch.Tensor, torch.Tensor]:
        """Fresh augmentation ε, ε' for this step, (K, Nmax, d0) each."""
        T = self.settings.noise_chunk
        if self._chunk is None or self._chunk_pos == T:
            K, nmax = len(self.problems), self.X.shape[1]
            chunk = torch.zeros(T, K, nmax, 2, self.d0, dtype=self.dt, device=self.dev)
            for k, (g, n, L) in enumerate(zip(self.gens, self.ns, self.L)):
                z = torch.randn(T, n, 2, self.d0, generator=g, dtype=self.dt)
                chunk[:, k, :n] = (z @ L.T).to(self.dev)
            self._chunk, self._chunk_pos = chunk, 0
        e = self._chunk[self._chunk_pos]
        self._chunk_pos += 1
        return e[:, :, 0], e[:, :, 1]

    def features(self, W: torch.Tensor, e1: torch.Tensor, e2: torch.Tensor):
        fx = (self.X + e1) @ W.transpose(1, 2)
        fxp = (self.X + e2) @ W.transpose(1, 2)
        if self.b is not None:
            fx, fxp = fx + self.b, fxp + self.b
        if self.settings.normalize:
            fx, fxp = losses.normalize_rows(fx), losses.normalize_rows(fxp)
        return fx, fxp

    def loss(self, e1=None, e2=None) -> torch.Tensor:
        """(K,) loss of every configuration at the current parameters."""
        s, W = self.settings, self.W
        reg = losses.weight_decay(W, self.gamma)
        if s.loss == "quartic":
            out = losses.quartic_loss(W, self.Bm, self.Sigma) + reg
            return out + self.kappa * losses.norm_regularizer(W, self.Sigma, self.c_norm)
        fx, fxp = self.features(W, e1, e2)
        if s.loss == "weighted_infonce":
            out = losses.weighted_infonce(fx, fxp, self.alpha, self.mask, fused=True)
        elif s.loss == "ntxent":
            out = losses.nt_xent(fx, fxp, s.tau, self.mask)
        elif s.loss == "scl":
            out = losses.spectral_contrastive(fx, fxp, self.mask)
        else:
            out = losses.barlow_twins(fx, fxp, s.barlow_lambda, standardize=(s.loss == "barlow"), mask=self.mask)
        out = out + reg
        if bool((self.kappa > 0).any()):
            out = out + self.kappa * losses.norm_regularizer_empirical(fx, self.c_norm, self.mask)
        return out


def _diverged(batch: _Batch, step: int, loss: torch.Tensor) -> None:
    wnorm = batch.W.detach().flatten(1).norm(dim=1)
    loss = loss.detach()
    bad = (~torch.isfinite(loss.detach())) | (~torch.isfinite(wnorm)) | (wnorm > batch.settings.max_weight_norm)
    if bool(bad.any()):
        k = int(torch.nonzero(bad)[0])
        raise TrainingDiverged(
            f"training diverged at step {step} in configuration {k} ({batch.problems[k].describe()}): "
            f"loss={float(loss[k]):.4g}, ‖W‖_F={float(wnorm[k]):.4g} "
            f"(limit {batch.settings.max_weight_norm:g}); lower lr or check the loss parameters")


def _accumulate_aligned(W: torch.Tensor, W_ref, W_sum):
    """Polyak–Ruppert averaging modulo the symmetry W -> R W (R orthogonal, d1 x d1).

    The losses depend on W only through WᵀW (and f's rotation-invariant kernel), so
    noise also diffuses W along that orbit; each iterate is first rotated onto the
    first tail iterate by orthogonal Procrustes (R = U Vᵀ from the SVD of W_ref Wᵀ),
    then summed.  Averaging cancels the zero-mean fluctuation of Adam's steps that
    otherwise sets a noise floor under small eigenvalues of WᵀW.
    """
    if W_ref is None:
        return W.clone(), W.clone()
    U, _, Vh = torch.linalg.svd(W_ref @ W.transpose(1, 2))
    return W_ref, W_sum + (U @ Vh) @ W


def train_batch(problems: list[LinearProblem], settings: TrainSettings | None = None, **overrides) -> TrainResult:
    """Train K configurations (same d0, d1) as one batched tensor program."""
    settings = replace(settings or TrainSettings(), **overrides).validate()
    if not problems:
        raise ValueError("problems must hold at least one configuration")
    for k, p in enumerate(problems):
        _validate_problem(k, p, settings.loss)
    batch = _Batch(problems, settings)
    params = [batch.W] + ([batch.b] if batch.b is not None else [])
    m = [torch.zeros_like(p) for p in params]
    v = [torch.zeros_like(p) for p in params]
    b1, b2 = settings.betas
    history, recorded = [], []
    bar = tqdm(range(1, settings.steps + 1), desc=f"train {len(problems)} configs ({settings.loss})",
               disable=not settings.progress, leave=False, mininterval=1.0)
    tail_start = settings.steps - int(settings.average_tail * settings.steps) + 1
    W_ref = W_sum = None
    for step in bar:
        if settings.loss in DATA_FREE:
            loss = batch.loss()
        else:
            loss = sum(batch.loss(*batch.noise()) for _ in range(settings.aug_draws)) / settings.aug_draws
        grads = torch.autograd.grad(loss.sum(), params)
        lr = _lr_at(settings, step - 1)
        with torch.no_grad():
            for p, g, mp, vp in zip(params, grads, m, v):  # Adam (Kingma & Ba), bias-corrected
                mp.mul_(b1).add_(g, alpha=1 - b1)
                vp.mul_(b2).addcmul_(g, g, value=1 - b2)
                mhat = mp / (1 - b1**step)
                vhat = vp / (1 - b2**step)
                p.sub_(lr * mhat / (vhat.sqrt() + settings.adam_eps))
        if step >= tail_start and settings.average_tail > 0:
            W_ref, W_sum = _accumulate_aligned(batch.W.detach(), W_ref, W_sum)
        if step % settings.record_every == 0 or step == settings.steps:
            _diverged(batch, step, loss)
            history.append(loss.detach().cpu().double().numpy())
            recorded.append(step)
    W = batch.W.detach().cpu().double()
    if W_sum is not None:
        W = (W_sum / (settings.steps - tail_start + 1)).cpu().double()
    return TrainResult(
        W=W,
        b=None if batch.b is None else batch.b.detach().cpu().double().squeeze(1),
        gram_eigs=gram_eigenvalues(W),
        loss_history=np.array(history),
        steps_recorded=np.array(recorded),
        problems=list(problems),
        settings=settings,
    )


def expected_loss(problems: list[LinearProblem], W: torch.Tensor, settings: TrainSettings, draws: int = 64,
                  seed: int = 12345) -> np.ndarray:
    """Monte Carlo estimate of E_ε[L] at weights W (K, d1, d0), averaging ``draws`` noise draws."""
    settings = replace(settings, progress=False).validate()
    # fresh noise stream, but the SAME fixed dataset the configuration was trained on
    probs = [replace(p, seed=seed + k, data_seed=p.seed if p.data_seed is None else p.data_seed)
             for k, p in enumerate(problems)]
    batch = _Batch(probs, settings)
    with torch.no_grad():
        batch.W.copy_(W.to(batch.dt))
        if settings.loss in DATA_FREE:
            return batch.loss().cpu().double().numpy()
        total = torch.zeros(len(problems), dtype=torch.float64)
        for _ in range(draws):
            e1, e2 = batch.noise()
            total += batch.loss(e1, e2).cpu().double()
    return (total / draws).numpy()
