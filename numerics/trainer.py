"""The linear models of Ziyin et al. (App. B) on the training engine: K configurations at once.

A sweep (seeds, σ, α, N, γ, κ, ...) is K small independent trainings.  They are
stacked into one tensor program (``numerics.engine.train_stacked``): W has shape
(K, d1, d0), datasets are padded to the largest N with a mask, and one backward pass
of Σ_k L_k gives every configuration its own gradient.  Adam is elementwise, so the
update of config k is exactly what a separate Adam on config k would do.

Weight decay: the source's γ‖W‖_F² (§1.1) is the engine's weight decay λ = 2γ
(penalty (λ/2)‖W‖²); the recorded loss includes γ‖W‖_F².

Randomness: configuration k owns a ``torch.Generator`` seeded with its ``seed``;
it draws W's initialization, then the augmentation noise in chunks of
``noise_chunk`` steps.  Nothing depends on the other configurations in the batch,
so a configuration gives the same numbers alone or batched (tests/numerics).
Augmentation is drawn fresh at every step; the dataset is fixed (``data_seed``).

Read top to bottom: validate -> build tensors (``_Batch``: data, noise, loss) ->
``train_stacked`` {noise, loss, grad, Adam, divergence check} -> metrics.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import torch

from sslverify.numerics import losses
from sslverify.numerics.data import cholesky_psd, gaussian_dataset
from sslverify.numerics.device import resolve_device, resolve_dtype
from sslverify.numerics.engine import (Guard, Optimizer, Polyak, Record, Step, TrainingDiverged, check_schedule,
                                       lr_at, train_stacked)
from sslverify.numerics.metrics import gram_eigenvalues
from sslverify.numerics.validation import (
    check_alpha, check_covariance, check_finite_number, check_int, check_nonnegative, check_positive,
)

LOSSES = ("weighted_infonce", "ntxent", "quartic", "scl", "barlow", "barlow_raw")
DATA_FREE = ("quartic",)


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
    on_worse: str = "raise"  # a configuration ending far worse than it started: "raise", "warn" or "off"
    closed_form: bool = True  # weighted InfoNCE without bias/normalize: ∂L/∂W in closed form (no autograd graph)
    noise_device: str = "cpu"  # "cpu": noise from the CPU generators (the same numbers on every device);
    # "device": per-configuration generators on the training device (CUDA: no host-side sampling, a
    # different -- still seeded, reproducible -- stream than on the CPU)
    progress: bool = True

    def validate(self) -> "TrainSettings":
        if self.loss not in LOSSES:
            raise ValueError(f"loss must be one of {LOSSES}, got {self.loss!r}")
        check_int(self.steps, "steps", 1)
        check_positive(self.lr, "lr")
        check_schedule(self.lr_schedule)
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
        if self.noise_device not in ("cpu", "device"):
            raise ValueError(f"noise_device must be 'cpu' or 'device', got {self.noise_device!r}")
        if self.on_worse not in ("raise", "warn", "off"):
            raise ValueError(f"on_worse must be 'raise', 'warn' or 'off', got {self.on_worse!r}")
        resolve_dtype(self.dtype)
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
    """Learning rate at the 0-based step (the engine's schedule)."""
    return lr_at(settings.lr, settings.lr_schedule, step, settings.steps)


class _Repeated:
    """A batch's per-run tensors repeated m times (run k -> rows k·m … k·m + m − 1) with buffers of their own:
    ``_Batch.infonce_step`` on it evaluates m augmentation draws of every run as one batch (``infonce_steps``)."""

    def __init__(self, batch: "_Batch", m: int):
        def rep(t):
            return None if t is None else t.repeat_interleave(m, 0)

        self.w, self.neg_w, self.mask, self.col_mask = rep(batch.w), rep(batch.neg_w), rep(batch.mask), rep(batch.col_mask)
        self.log_alpha, self.kappa, self.c_norm = rep(batch.log_alpha), rep(batch.kappa), rep(batch.c_norm)
        self._Waug: torch.Tensor | None = None
        self._work: dict | None = None


class _Batch:
    """Data, augmentation noise and loss of K configurations sharing (d0, d1); the weights live in the engine."""

    def __init__(self, problems: list[LinearProblem], settings: TrainSettings):
        self.settings = settings
        self.problems = problems
        dev = resolve_device(settings.device)
        dt = resolve_dtype(settings.dtype)
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
        self.gens: list[torch.Generator] | None = None  # set by attach(): the engine's per-config generators
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
        self._buf: torch.Tensor | None = None
        self._X2: torch.Tensor | None = None
        self._dgens: list[torch.Generator] | None = None
        valid = mask.to(dt)
        self.w = valid / valid.sum(-1, keepdim=True)  # 1/N_k on real anchors, 0 on padding
        self.X_cpu = X.cpu()
        self.neg_w = -self.w.unsqueeze(-1)
        self._Waug: torch.Tensor | None = None
        self._work: dict | None = None
        self._reps: dict[int, _Repeated] = {}  # m -> the per-run tensors repeated m times (infonce_steps)
        self.padded = any(n < nmax for n in self.ns)
        # padded negatives get −huge (finite: e^{−huge} = 0 without inf·0 = NaN inside a GEMM)
        huge = torch.finfo(dt).max / 4
        self.col_mask = torch.zeros(K, nmax, dtype=dt, device=dev).masked_fill_(~mask, -huge) if self.padded else None
        self.log_alpha = torch.where(self.alpha > 0, self.alpha.clamp_min(1e-300).log(),
                                     torch.full_like(self.alpha, -huge))  # α = 0: e^{log α} = 0
        self.any_alpha_lt1 = bool((self.alpha < 1).any())
        self.any_kappa = bool((self.kappa > 0).any())
        # a row sum below this has lost precision (terms flushed as denormals): use the row max instead;
        # N e^{-(clamp)} / tiny stays below float round-off (1e-20 float32, 1e-280 float64)
        self.tiny = 1e-20 if dt == torch.float32 else 1e-280

    def attach(self, gens: list[torch.Generator]) -> "_Batch":
        self.gens, self._chunk, self._chunk_pos = gens, None, 0
        return self

    def init_weights(self, gens: list[torch.Generator]) -> dict:
        """W0 ~ N(0, init_scale²/d0) from each configuration's own generator (its first draw); b0 = 0."""
        self.attach(gens)
        W0 = torch.stack([torch.randn(self.d1, self.d0, generator=g, dtype=torch.float64) for g in gens])
        out = {"W": W0 * self.settings.init_scale / math.sqrt(self.d0)}
        if self.settings.bias:
            out["b"] = torch.zeros(len(gens), 1, self.d1, dtype=torch.float64)
        return out

    def closed_form_ok(self) -> bool:
        s = self.settings
        # output normalization: closed form too (chain rule through f/‖f‖), unless κ > 0 (its term reads |f|²)
        return s.closed_form and s.loss == "weighted_infonce" and not s.bias and not (s.normalize and self.any_kappa)

    def infonce_step(self, W: torch.Tensor, x12: torch.Tensor | None = None,
                     per: "_Repeated | None" = None) -> tuple[torch.Tensor, torch.Tensor]:
        """(K,) loss and ∂L/∂W of weighted InfoNCE (+ κ(mean‖f‖² − c)²) at W, fresh noise, no autograd.

        With f = x Wᵀ (anchors), f' = x' Wᵀ (positives), s_ij = f_i·f'_j − ½|f'_j|² (+ log α at j = i),
        ℓ_i = log Σ_j e^{s_ij} − s_ii|_{α=1}, L = Σ_i w_i ℓ_i, w_i = 1/N on real anchors.
        One bmm of augmented features gives D_ij = s_ij − ½|f_i|² = −½|f_i − f'_j|² (+ log α at j = i):
        [f, −½|f|², 1]·[f', 1, −½|f'|²].  The shift ½|f_i|² is an exact bound (e^{D_ij} ≤ 1: no overflow;
        a run with a row whose sum underflows falls back to the row max, that run only) and cancels in
        ℓ_i = log Σ_j e^{D_ij} − D_ii|_{α=1}.
        With E = e^D, one bmm E [f', 1] gives E f' and the row sums z; with a = w/z,
        G = diag(a) E − diag(w) = ∂L/∂s = diag(a) E', E' = E − diag(z):
            ∂L/∂f = a ⊙ (E f') − w ⊙ f',   ∂L/∂f' = Gᵀ f − colsum(G) ⊙ f' = E'ᵀ(a ⊙ f) − (E'ᵀa) ⊙ f'
        (one bmm E'ᵀ [a ⊙ f, a]), and ∂L/∂W = (∂L/∂f)ᵀ x + (∂L/∂f')ᵀ x'.  N×N passes: bmm, exp, two
        bmm's (the autograd path: seven).
        """
        p = self if per is None else per  # the per-run tensors and buffers (``per``: m draws of each run, see infonce_steps)
        if x12 is None:
            x12 = self.input_slab()  # (K, N, 2, d0): [..., 0, :] = x̂ + ε, [..., 1, :] = x̂ + ε'
        K, N, _, d0 = x12.shape
        d1 = W.shape[1]
        x12 = x12.reshape(K, 2 * N, d0)  # a view (rows 2i anchors, 2i + 1 positives)
        if p._Waug is None:
            p._Waug = torch.zeros(K, d1 + 2, d0, dtype=W.dtype, device=W.device)
        p._Waug[:, :d1].copy_(W)
        if p._work is None:  # buffers reused step after step: no allocation (and page faults) per step
            opts = dict(dtype=W.dtype, device=W.device)
            p._work = {"aug": torch.empty(K, 2 * N, d1 + 2, **opts), "D": torch.empty(K, N, N, **opts),
                       "t": torch.empty(K, N, d1 + 1, **opts), "uT": torch.empty(K, d1 + 1, N, **opts),
                       "fa1": torch.empty(K, N, d1 + 1, **opts), "d12": torch.empty(K, N, 2, d1, **opts)}
        buf = p._work
        aug = torch.bmm(x12, p._Waug.transpose(1, 2), out=buf["aug"]).view(K, N, 2, d1 + 2)  # [f, 0, 0] rows
        inv = None
        if self.settings.normalize:  # f → f/‖f‖ (normalize_rows: ‖f‖ clamped at 1e-12); the loss sees the unit rows
            nrm = torch.linalg.vector_norm(aug[..., :d1], dim=-1, keepdim=True)
            inv = 1.0 / nrm.clamp_min(1e-12)
            aug[..., :d1].mul_(inv)
        f, fp = aug[:, :, 0, :d1], aug[:, :, 1, :d1]
        sq = torch.linalg.vector_norm(aug, dim=-1).square_()  # (K, N, 2): |f|², |f'|² (the 0 columns add 0)
        aug[:, :, 0, d1] = sq[..., 0].mul_(-0.5)
        aug[:, :, 0, d1 + 1] = 1.0
        aug[:, :, 1, d1] = 1.0
        if p.col_mask is not None:  # padded negatives: a huge finite negative (no inf·0 inside the GEMM)
            torch.add(p.col_mask, sq[..., 1], alpha=-0.5, out=aug[:, :, 1, d1 + 1])
        else:
            aug[:, :, 1, d1 + 1] = sq[..., 1].mul_(-0.5)
        fa, fpa = aug[:, :, 0], aug[:, :, 1]
        D = torch.bmm(fa, fpa.transpose(1, 2), out=buf["D"])  # −½|f_i − f'_j|²
        diag = D.diagonal(dim1=1, dim2=2)
        dpos = diag.clone()
        if self.any_alpha_lt1:
            diag.add_(p.log_alpha.unsqueeze(-1))
        shift = None
        E = D.exp_()
        fp1 = fpa[..., : d1 + 1].contiguous()  # [f', 1] (contiguous: a faster GEMM operand)
        t = torch.bmm(E, fp1, out=buf["t"])  # (K, N, d1 + 1): E f' and the row sums
        z = t[..., d1]
        zmin = (torch.where(p.mask, z, 1.0) if self.padded else z).amin(-1)  # (K,)
        need = zmin < self.tiny
        if bool(need.any()):  # exact bound too loose for some row of run k: shift run k's rows by their max
            D = torch.bmm(fa, fpa.transpose(1, 2), out=buf["D"])
            if self.any_alpha_lt1:
                D.diagonal(dim1=1, dim2=2).add_(p.log_alpha.unsqueeze(-1))
            # per run, so that a run's numbers do not depend on the others in its batch: the other runs subtract
            # and add 0.0, which reproduces the unshifted path exactly (D − 0 = D, log z + 0 = log z)
            shift = torch.where(need.unsqueeze(-1), D.amax(-1), 0.0)
            E = D.sub_(shift.unsqueeze(-1)).exp_()
            t = torch.bmm(E, fp1, out=buf["t"])
            z = t[..., d1]
        ell = z.log().sub_(dpos) if shift is None else z.log().add_(shift).sub_(dpos)
        if self.padded:
            ell = torch.where(p.mask, ell, 0.0)
        loss = (ell * p.w).sum(-1)
        a = p.w / z
        E.diagonal(dim1=1, dim2=2).sub_(z)  # E' = E − diag(z): diag(a) E' = G
        fa1 = buf["fa1"]
        torch.mul(f, a.unsqueeze(-1), out=fa1[..., :d1])
        fa1[..., d1] = a
        u = torch.bmm(fa1.transpose(1, 2), E, out=buf["uT"]).transpose(1, 2)  # (K, N, d1 + 1): Gᵀ f, colsum(G)
        d12 = buf["d12"]
        torch.mul(fp, p.neg_w, out=d12[:, :, 0]).addcmul_(t[..., :d1], a.unsqueeze(-1))
        torch.addcmul(u[..., :d1], fp, u[..., d1:], value=-1, out=d12[:, :, 1])
        if self.any_kappa:  # κ (Σ_i w_i |f_i|² − c)²: ∂/∂f_i = 4κ (ρ − c) w_i f_i
            rho = (p.w * sq[..., 0]).sum(-1) * -2.0  # sq[..., 0] now holds −½|f|²
            loss = loss + p.kappa * (rho - p.c_norm) ** 2
            d12[:, :, 0] += (4 * p.kappa * (rho - p.c_norm)).view(K, 1, 1) * p.w.unsqueeze(-1) * f
        if inv is not None:  # ∂L/∂f = (g − (g·u) u)/‖f‖ for u = f/‖f‖ (g/1e-12 where ‖f‖ was clamped)
            u12 = aug[..., :d1]
            proj = (d12 * u12).sum(-1, keepdim=True) * u12
            d12.sub_(torch.where(nrm >= 1e-12, proj, 0.0)).mul_(inv)
        gW = torch.bmm(d12.view(K, 2 * N, d1).transpose(1, 2), x12)
        return loss, gW

    def infonce_steps(self, W: torch.Tensor, m: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Σ over m fresh augmentation draws of (loss, ∂L/∂W), added in draw order: the numbers of m ``infonce_step``
        calls.  When the m draws lie in one noise chunk, every run's m draws are one batch of K·m (run k's draws at
        rows k·m … k·m + m − 1, W repeated): each row's arithmetic is that of its own call (per-run fallback
        included), and the per-step cost of the small ops is paid once instead of m times."""
        if m == 1:
            return self.infonce_step(W)
        T = self.settings.noise_chunk
        if self._chunk is None or self._chunk_pos == T:
            self._fill(add_data=True)
        if self._chunk_pos + m > T:  # the draws straddle two chunks: one call per draw
            loss, gW = self.infonce_step(W)
            for _ in range(m - 1):
                more = self.infonce_step(W)
                loss, gW = loss + more[0], gW + more[1]
            return loss, gW
        block = self._chunk[:, self._chunk_pos:self._chunk_pos + m]  # (K, m, Nmax, 2, d0)
        self._chunk_pos += m
        K = block.shape[0]
        if self._reps.get(m) is None:
            self._reps[m] = _Repeated(self, m)
        loss_r, gW_r = self.infonce_step(W.repeat_interleave(m, 0), block.reshape(K * m, *block.shape[2:]),
                                         self._reps[m])
        loss_r, gW_r = loss_r.view(K, m), gW_r.view(K, m, *gW_r.shape[1:])
        loss, gW = loss_r[:, 0], gW_r[:, 0]
        for j in range(1, m):
            loss, gW = loss + loss_r[:, j], gW + gW_r[:, j]
        return loss, gW

    def _fill(self, add_data: bool = False) -> None:
        """Draw the next ``noise_chunk`` steps of ε, ε' for every configuration from its own generator.

        Buffer (K, T, Nmax, 2, d0) on the CPU: configuration k draws its (T, N_k, 2, d0) normals straight
        into its slab (one ``normal_`` per configuration; same stream as ``torch.randn`` of that shape),
        then ε = z Lᵀ (an elementwise scale when L is diagonal, e.g. isotropic C: the same numbers as the
        matmul, exactly).  Rows beyond N_k stay 0.  ``add_data``: the buffer then holds x̂ + ε (the views
        the closed-form step trains on; the same sums as adding per step) and is reused chunk after chunk
        (the slabs of ``input_slab`` are valid until the next chunk); ``noise()`` chunks are fresh tensors."""
        T = self.settings.noise_chunk
        K, nmax = len(self.problems), self.X.shape[1]
        on_dev = self.settings.noise_device == "device" and self.dev.type != "cpu"
        bdev = self.dev if on_dev else torch.device("cpu")
        if on_dev and self._dgens is None:  # seeded per configuration, on the device
            self._dgens = [torch.Generator(device=self.dev).manual_seed(int(p.seed)) for p in self.problems]
        gens = self._dgens if on_dev else self.gens
        if self._buf is None or not add_data:  # noise(): a fresh buffer (earlier steps' views stay valid)
            self._buf = torch.zeros(K, T, nmax, 2, self.d0, dtype=self.dt, device=bdev)
        if self._X2 is None:
            diag = [torch.diagonal(L) for L in self.L]
            self._diag = [bool(torch.count_nonzero(L - torch.diag(dg)) == 0) for L, dg in zip(self.L, diag)]
            # isotropic C = σ²I: normal_(0, σ) draws the same numbers as σ·normal_() (z·σ + 0), one pass
            self._std = [float(dg[0]) if dk and bool((dg == dg[0]).all()) else None
                         for dk, dg in zip(self._diag, diag)]
            self._X2 = self.X_cpu.unsqueeze(2).expand(K, nmax, 2, self.d0).contiguous().unsqueeze(1).to(bdev)
            self.L = [L.to(bdev) for L in self.L]
        buf = self._buf
        if add_data and self.padded:
            buf.zero_()  # padded rows held x̂ + 0 = 0 before: keep them 0
        for k, (g, n, L) in enumerate(zip(gens, self.ns, self.L)):
            if n == nmax and self._std[k] is not None:
                buf[k].normal_(0.0, self._std[k], generator=g)
            elif n == nmax:
                buf[k].normal_(generator=g)
                buf[k] = buf[k] * torch.diagonal(L) if self._diag[k] else buf[k] @ L.T
            else:
                z = torch.randn(T, n, 2, self.d0, generator=g, dtype=self.dt, device=bdev)
                buf[k, :, :n] = z * torch.diagonal(L) if self._diag[k] else z @ L.T
        if add_data:
            buf.add_(self._X2)
        self._chunk = buf if self.dev.type == "cpu" else buf.to(self.dev)
        self._chunk_pos = 0

    def input_slab(self) -> torch.Tensor:
        """This step's inputs x̂ + ε, x̂ + ε', (K, Nmax, 2, d0) (closed-form path; use noise_slab or input_slab)."""
        if self._chunk is None or self._chunk_pos == self.settings.noise_chunk:
            self._fill(add_data=True)
        e = self._chunk[:, self._chunk_pos]
        self._chunk_pos += 1
        return e

    def noise_slab(self) -> torch.Tensor:
        """This step's augmentation, (K, Nmax, 2, d0): [..., 0, :] = ε (anchors), [..., 1, :] = ε' (positives)."""
        if self._chunk is None or self._chunk_pos == self.settings.noise_chunk:
            self._fill()
        e = self._chunk[:, self._chunk_pos]
        self._chunk_pos += 1
        return e

    def noise_block(self, most: int) -> torch.Tensor:
        """The next m ≤ ``most`` steps of augmentation at once, (K, m, Nmax, 2, d0) (up to the end of the current
        chunk): the same numbers ``noise_slab`` would return one step after another."""
        if self._chunk is None or self._chunk_pos == self.settings.noise_chunk:
            self._fill()
        m = min(int(most), self.settings.noise_chunk - self._chunk_pos)
        e = self._chunk[:, self._chunk_pos:self._chunk_pos + m]
        self._chunk_pos += m
        return e

    def loss_draws(self, W: torch.Tensor, b, e: torch.Tensor, reg: bool = True) -> torch.Tensor:
        """(K, m) loss of every configuration at weights W (K, d1, d0) for each of m augmentation draws
        e (K, m, Nmax, 2, d0): ``loss`` of each draw, evaluated as one batch of K·m configurations."""
        K, m = e.shape[:2]
        rep = lambda t: t.repeat_interleave(m, 0)  # noqa: E731  configuration k -> its m draws
        X = self.X.unsqueeze(1)
        x1 = (X + e[..., 0, :]).reshape(K * m, *self.X.shape[1:])
        x2 = (X + e[..., 1, :]).reshape(K * m, *self.X.shape[1:])
        Wr = rep(W)
        fx, fxp = x1 @ Wr.transpose(1, 2), x2 @ Wr.transpose(1, 2)
        if b is not None:
            br = rep(b)
            fx, fxp = fx + br, fxp + br
        if self.settings.normalize:
            fx, fxp = losses.normalize_rows(fx), losses.normalize_rows(fxp)
        s, mask = self.settings, rep(self.mask)
        if s.loss == "weighted_infonce":
            out = losses.weighted_infonce(fx, fxp, rep(self.alpha), mask, fused=True)
        elif s.loss == "ntxent":
            out = losses.nt_xent(fx, fxp, s.tau, mask)
        elif s.loss == "scl":
            out = losses.spectral_contrastive(fx, fxp, mask)
        else:
            out = losses.barlow_twins(fx, fxp, s.barlow_lambda, standardize=(s.loss == "barlow"), mask=mask)
        if bool((self.kappa > 0).any()):
            out = out + rep(self.kappa) * losses.norm_regularizer_empirical(fx, self.c_norm.repeat_interleave(m), mask)
        out = out.view(K, m)
        return out + losses.weight_decay(W, self.gamma).unsqueeze(1) if reg else out

    def noise(self) -> tuple[torch.Tensor, torch.Tensor]:
        """Fresh augmentation ε, ε' for this step, (K, Nmax, d0) each."""
        e = self.noise_slab()
        return e[:, :, 0], e[:, :, 1]

    def features(self, W: torch.Tensor, b, e1: torch.Tensor, e2: torch.Tensor):
        fx = (self.X + e1) @ W.transpose(1, 2)
        fxp = (self.X + e2) @ W.transpose(1, 2)
        if b is not None:
            fx, fxp = fx + b, fxp + b
        if self.settings.normalize:
            fx, fxp = losses.normalize_rows(fx), losses.normalize_rows(fxp)
        return fx, fxp

    def loss(self, W: torch.Tensor, b=None, e1=None, e2=None, reg: bool = False) -> torch.Tensor:
        """(K,) loss of every configuration at weights W (K, d1, d0); ``reg``: + γ‖W‖_F² (in training the
        engine adds it as weight decay 2γ)."""
        s = self.settings
        if s.loss == "quartic":
            out = losses.quartic_loss(W, self.Bm, self.Sigma)
            out = out + self.kappa * losses.norm_regularizer(W, self.Sigma, self.c_norm)
            return out + losses.weight_decay(W, self.gamma) if reg else out
        fx, fxp = self.features(W, b, e1, e2)
        if s.loss == "weighted_infonce":
            out = losses.weighted_infonce(fx, fxp, self.alpha, self.mask, fused=True)
        elif s.loss == "ntxent":
            out = losses.nt_xent(fx, fxp, s.tau, self.mask)
        elif s.loss == "scl":
            out = losses.spectral_contrastive(fx, fxp, self.mask)
        else:
            out = losses.barlow_twins(fx, fxp, s.barlow_lambda, standardize=(s.loss == "barlow"), mask=self.mask)
        if bool((self.kappa > 0).any()):
            out = out + self.kappa * losses.norm_regularizer_empirical(fx, self.c_norm, self.mask)
        return out + losses.weight_decay(W, self.gamma) if reg else out


def train_batch(problems: list[LinearProblem], settings: TrainSettings | None = None, **overrides) -> TrainResult:
    """Train K configurations (same d0, d1) as one batched tensor program (``numerics.engine``)."""
    settings = replace(settings or TrainSettings(), **overrides).validate()
    if not problems:
        raise ValueError("problems must hold at least one configuration")
    for k, p in enumerate(problems):
        _validate_problem(k, p, settings.loss)
    batch = _Batch(problems, settings)

    closed = batch.closed_form_ok()

    def step(params: dict, s: int, ctx) -> Step:
        W, b = params["W"], params.get("b")
        if settings.loss in DATA_FREE:
            return Step(batch.loss(W, b))
        if closed:
            loss, gW = batch.infonce_steps(W, settings.aug_draws)
            if settings.aug_draws > 1:
                loss, gW = loss / settings.aug_draws, gW / settings.aug_draws
            return Step(loss, grads={"W": gW})
        loss = sum(batch.loss(W, b, *batch.noise()) for _ in range(settings.aug_draws)) / settings.aug_draws
        return Step(loss)

    tail = settings.average_tail
    hist = train_stacked(
        lambda ctx: batch.init_weights(ctx.gens), step, steps=settings.steps, seeds=[p.seed for p in problems],
        optimizer=Optimizer("adam", lr=settings.lr, betas=settings.betas, eps=settings.adam_eps,
                            weight_decay={"W": [2.0 * p.gamma for p in problems]}),
        schedule=settings.lr_schedule, record=Record(every=settings.record_every),
        guard=Guard(max_norm=settings.max_weight_norm, norm_of=("W",), worse=settings.on_worse),
        polyak=Polyak(tail, ("W",), align=True) if tail > 0 else None,
        describe=lambda k: problems[k].describe(), device=settings.device, dtype=settings.dtype,
        autograd=not closed, flush_denormal=closed, progress=settings.progress, desc=f"train {len(problems)} configs ({settings.loss})")
    W = (hist.averaged["W"] if tail > 0 else hist.params["W"]).cpu().double()
    b = hist.params.get("b")
    return TrainResult(
        W=W,
        b=None if b is None else b.cpu().double().squeeze(1),
        gram_eigs=gram_eigenvalues(W),
        loss_history=hist.loss,
        steps_recorded=hist.steps,
        problems=list(problems),
        settings=settings,
    )


def expected_loss(problems: list[LinearProblem], W, settings: TrainSettings, draws: int = 64,
                  seed: int = 12345):
    """Monte Carlo estimate of E_ε[L] (including γ‖W‖²) at weights W (K, d1, d0), averaging ``draws`` noise draws.

    ``W`` may also be a list of such tensors: one estimate per entry (a list), all from the SAME draws (common
    random numbers), each the numbers a call with that entry alone gives; the noise is drawn once."""
    many = isinstance(W, (list, tuple))
    Ws = list(W) if many else [W]
    if not Ws:
        raise ValueError("W must be a (K, d1, d0) tensor or a non-empty list of them, got an empty list")
    settings = replace(settings, progress=False).validate()
    # fresh noise stream, but the SAME fixed dataset the configuration was trained on
    probs = [replace(p, seed=seed + k, data_seed=p.seed if p.data_seed is None else p.data_seed)
             for k, p in enumerate(problems)]
    batch = _Batch(probs, settings)
    gens = [torch.Generator().manual_seed(int(p.seed)) for p in probs]
    batch.init_weights(gens)  # the trainer's first draw, so that the noise stream is the one training would see
    with torch.no_grad():
        Wts = [w.to(device=batch.dev, dtype=batch.dt) for w in Ws]
        b = torch.zeros(len(probs), 1, batch.d1, dtype=batch.dt, device=batch.dev) if settings.bias else None
        if settings.loss in DATA_FREE:
            out = [batch.loss(Wt, b, reg=True).cpu().double().numpy() for Wt in Wts]
            return out if many else out[0]
        totals = [torch.zeros(len(problems), dtype=torch.float64) for _ in Wts]
        left = draws
        while left:  # the draws of one noise chunk at once (the same noise, in the same order, as draw by draw)
            e = batch.noise_block(left)  # (K, m, Nmax, 2, d0)
            for Wt, total in zip(Wts, totals):
                total += batch.loss_draws(Wt, b, e).sum(1).cpu().double()
            left -= e.shape[1]
    out = [(total / draws).numpy() for total in totals]
    return out if many else out[0]
