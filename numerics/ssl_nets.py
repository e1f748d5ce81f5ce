"""Non-contrastive SSL losses and a batched trainer for linear SimSiam / BYOL (foundations note,
"Stop-Gradient", "SimSiam as an EM Algorithm", "The Linear Regime Analysis"; Tian et al. 2021).

Losses take (K, N, d) tensors (K independent configurations) and return a (K,) tensor:

* ``neg_cosine(p, z)``: D(p, sg z) = −mean_b cos(p_b, z_b) with an explicit ``detach`` on z;
* ``mse_prediction(p, z)``: mean_b ‖p_b − sg z_b‖² (the note's MSE surrogate);
* ``siamese_loss``: ½D(p₁, sg z₂) + ½D(p₂, sg z₁) (symmetrised, as in SimSiam/BYOL);
* ``align_loss`` / ``uniform_loss``: Wang & Isola's E‖f(x) − f(x⁺)‖^α and log E_{i≠j} e^{−t‖f_i − f_j‖²}.

``train_linear_siamese`` trains K seeds of z = Wx, predictor p = Az (A ∈ R^{d×d}) on x ~ N(0, Σ_x)
with views x + η_i, η_i ~ N(0, C), fresh samples every step, plain SGD (+ weight decay λ: gradient + λW,
the engine's convention), target branch W.detach() (SimSiam) or an EMA copy of W (BYOL); the loop is
``numerics.engine.train_stacked``.  Seed k owns a ``torch.Generator`` that
draws its initialisation and then its data, so a seed gives the same numbers alone or batched.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import torch

from sslverify.numerics.data import cholesky_psd
from sslverify.numerics.device import resolve_device, resolve_dtype
from sslverify.numerics.engine import Guard, Optimizer, Record, Step, check_schedule, train_stacked
from sslverify.numerics.validation import check_covariance, check_int, check_nonnegative, check_positive

METHODS = ("simsiam", "byol")
LOSS_KINDS = ("mse", "cosine")


# ----------------------------------------------------------------------------- losses
def neg_cosine(p: torch.Tensor, z: torch.Tensor, stop_gradient: bool = True, eps: float = 1e-12) -> torch.Tensor:
    z = z.detach() if stop_gradient else z
    cos = (p * z).sum(-1) / (p.norm(dim=-1).clamp_min(eps) * z.norm(dim=-1).clamp_min(eps))
    return -cos.mean(-1)


def mse_prediction(p: torch.Tensor, z: torch.Tensor, stop_gradient: bool = True) -> torch.Tensor:
    z = z.detach() if stop_gradient else z
    return ((p - z) ** 2).sum(-1).mean(-1)


def siamese_loss(p1, p2, z1, z2, kind: str = "cosine", stop_gradient: bool = True) -> torch.Tensor:
    if kind not in LOSS_KINDS:
        raise ValueError(f"kind must be one of {LOSS_KINDS}, got {kind!r}")
    D = neg_cosine if kind == "cosine" else mse_prediction
    return 0.5 * D(p1, z2, stop_gradient) + 0.5 * D(p2, z1, stop_gradient)


def align_loss(x: torch.Tensor, y: torch.Tensor, alpha: float = 2.0) -> torch.Tensor:
    check_positive(alpha, "alpha")
    return (x - y).norm(dim=-1).pow(alpha).mean(-1)


def uniform_loss(x: torch.Tensor, t: float = 2.0) -> torch.Tensor:
    """log mean_{i≠j} exp(−t‖x_i − x_j‖²) over the N rows of each configuration."""
    check_positive(t, "t")
    n = x.shape[-2]
    if n < 2:
        raise ValueError(f"uniform_loss needs N >= 2 rows, got {n}")
    sq = torch.cdist(x, x).pow(2)
    off = ~torch.eye(n, dtype=torch.bool, device=x.device)
    vals = (-t * sq)[..., off]
    return torch.logsumexp(vals, dim=-1) - math.log(n * (n - 1))


# ----------------------------------------------------------------------------- training
@dataclass(frozen=True)
class SiameseSettings:
    method: str = "simsiam"  # "simsiam": target W.detach(); "byol": EMA target
    loss: str = "mse"
    steps: int = 2000
    batch: int = 128
    lr: float = 0.02
    lr_pred: float | None = None  # predictor learning rate (defaults to lr)
    lr_schedule: str = "constant"  # or "cosine" (to 0: removes SGD noise at the end)
    weight_decay: float = 0.0  # on W
    weight_decay_pred: float | None = None  # on A (defaults to weight_decay)
    ema: float = 0.99  # BYOL target momentum
    init_scale: float = 1.0  # W0 ~ init_scale·N(0, 1/n)
    pred_init: str = "random"  # "random" (init_scale·N(0, 1/d)) or "identity"
    record_every: int = 50
    chunk: int = 50  # steps of data drawn per generator call
    dtype: str = "float64"
    device: str = "cpu"
    max_norm: float = 1e6

    def validate(self) -> "SiameseSettings":
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, got {self.method!r}")
        if self.loss not in LOSS_KINDS:
            raise ValueError(f"loss must be one of {LOSS_KINDS}, got {self.loss!r}")
        check_int(self.steps, "steps", 1)
        check_int(self.batch, "batch", 2)
        check_positive(self.lr, "lr")
        if self.lr_pred is not None:
            check_positive(self.lr_pred, "lr_pred")
        check_schedule(self.lr_schedule)
        check_nonnegative(self.weight_decay, "weight_decay")
        if self.weight_decay_pred is not None:
            check_nonnegative(self.weight_decay_pred, "weight_decay_pred")
        if not 0.0 <= self.ema < 1.0:
            raise ValueError(f"ema must lie in [0, 1), got {self.ema}")
        check_nonnegative(self.init_scale, "init_scale")
        if self.pred_init not in ("random", "identity"):
            raise ValueError(f"pred_init must be 'random' or 'identity', got {self.pred_init!r}")
        check_int(self.record_every, "record_every", 1)
        check_int(self.chunk, "chunk", 1)
        resolve_dtype(self.dtype)
        resolve_device(self.device)
        return self


@dataclass
class SiameseResult:
    W: torch.Tensor  # (K, d, n) online encoder (cpu float64)
    A: torch.Tensor  # (K, d, d) predictor
    W_target: torch.Tensor  # (K, d, n) target encoder (= W for SimSiam)
    steps: np.ndarray  # (R,) recorded steps (0 = initialisation)
    W_hist: torch.Tensor  # (R, K, d, n)
    A_hist: torch.Tensor  # (R, K, d, d)
    Wt_hist: torch.Tensor  # (R, K, d, n)
    loss_hist: np.ndarray  # (R, K); NaN at step 0


def train_linear_siamese(Sigma_x, C, d: int, seeds, settings: SiameseSettings | None = None,
                         **overrides) -> SiameseResult:
    """Train K = len(seeds) linear SimSiam/BYOL models as one tensor program (``numerics.engine``).

    Weight decay: the engine's convention, ``weight_decay = λ`` adds λW to the gradient (penalty (λ/2)‖W‖²)."""
    s = replace(settings or SiameseSettings(), **overrides).validate()
    Sx = check_covariance(Sigma_x, "Sigma_x")
    Cm = check_covariance(C, "C", dim=Sx.shape[0])
    d = check_int(d, "d", 1)
    seeds = [int(x) for x in seeds]
    if not seeds:
        raise ValueError("seeds must hold at least one seed")
    n, K, B = Sx.shape[0], len(seeds), s.batch
    dev, dt = resolve_device(s.device), resolve_dtype(s.dtype)
    Lx = torch.as_tensor(cholesky_psd(Sx), dtype=torch.float64)
    Lc = torch.as_tensor(cholesky_psd(Cm), dtype=torch.float64)
    lr_pred = s.lr if s.lr_pred is None else s.lr_pred
    wd_pred = s.weight_decay if s.weight_decay_pred is None else s.weight_decay_pred
    state = {"chunk": None, "pos": s.chunk, "Wt": None}
    init_hist = {}

    def init(ctx):
        W0 = torch.stack([torch.randn(d, n, generator=g, dtype=torch.float64) for g in ctx.gens]) * s.init_scale / math.sqrt(n)
        if s.pred_init == "identity":
            A0 = torch.eye(d, dtype=torch.float64).expand(K, d, d).clone()
        else:
            A0 = torch.stack([torch.randn(d, d, generator=g, dtype=torch.float64) for g in ctx.gens]) * s.init_scale / math.sqrt(d)
        state["Wt"] = W0.clone().to(dt).to(dev)
        init_hist.update(W=W0.clone(), A=A0.clone())
        return {"W": W0, "A": A0}

    def step(p, k, ctx):
        if state["pos"] == s.chunk:  # fresh data: x, η₁, η₂ for the next `chunk` steps, per seed
            raw = torch.stack([torch.randn(s.chunk, B, 3, n, generator=g, dtype=torch.float64) for g in ctx.gens], 1)
            x = raw[..., 0, :] @ Lx.T
            state["chunk"] = ((x + raw[..., 1, :] @ Lc.T).to(dt).to(dev), (x + raw[..., 2, :] @ Lc.T).to(dt).to(dev))
            state["pos"] = 0
        x1, x2 = state["chunk"][0][state["pos"]], state["chunk"][1][state["pos"]]  # (K, B, n)
        state["pos"] += 1
        W, A = p["W"], p["A"]
        z1, z2 = x1 @ W.transpose(1, 2), x2 @ W.transpose(1, 2)
        if s.method == "byol":
            Wt = state["Wt"]
            t1, t2 = x1 @ Wt.transpose(1, 2), x2 @ Wt.transpose(1, 2)
        else:
            t1, t2 = z1, z2
        p1, p2 = z1 @ A.transpose(1, 2), z2 @ A.transpose(1, 2)
        return Step(siamese_loss(p1, p2, t1, t2, kind=s.loss, stop_gradient=True))

    def after_update(p, k, updated):
        if s.method == "byol":
            state["Wt"].mul_(s.ema).add_(p["W"], alpha=1 - s.ema)
        else:
            state["Wt"] = p["W"].detach().clone()

    def snapshot(p):
        return {"W": p["W"].detach().cpu().double().clone(), "A": p["A"].detach().cpu().double().clone(),
                "Wt": state["Wt"].detach().cpu().double().clone()}

    hist = train_stacked(init, step, steps=s.steps, seeds=seeds,
                         optimizer=Optimizer("sgd", lr={"W": s.lr, "A": lr_pred},
                                             weight_decay={"W": s.weight_decay, "A": wd_pred}),
                         schedule=s.lr_schedule, record=Record(every=s.record_every, initial=True, snapshot=snapshot),
                         guard=Guard(max_norm=s.max_norm, norm_of=("W",), worse="off"), after_update=after_update,
                         describe=lambda k: f"linear {s.method}, seed {seeds[k]}", device=dev, dtype=dt,
                         desc=f"train {K} linear {s.method} runs")
    vals = hist.values
    W_hist, A_hist, Wt_hist = vals["W"], vals["A"], vals["Wt"]
    W_hist[0], A_hist[0], Wt_hist[0] = init_hist["W"], init_hist["A"], init_hist["W"]  # the float64 initialisation
    return SiameseResult(W=hist.params["W"].cpu().double(), A=hist.params["A"].cpu().double(),
                         W_target=state["Wt"].detach().cpu().double(), steps=hist.steps, W_hist=W_hist,
                         A_hist=A_hist, Wt_hist=Wt_hist, loss_hist=hist.loss)


def population_predictor(W: torch.Tensor, W_target: torch.Tensor, Sigma_x, C) -> torch.Tensor:
    """A* minimising ½E‖Az₁ − t₂‖² + ½E‖Az₂ − t₁‖² (z = Wx, t = W_target x): Σ_tz Σ_zz⁻¹,
    Σ_zz = W(Σ_x + C)Wᵀ, Σ_tz = W_t Σ_x Wᵀ (population; note Exercise 3)."""
    Sx = torch.as_tensor(check_covariance(Sigma_x, "Sigma_x"), dtype=W.dtype)
    Cm = torch.as_tensor(check_covariance(C, "C"), dtype=W.dtype)
    Szz = W @ (Sx + Cm) @ W.transpose(-1, -2)
    Stz = W_target @ Sx @ W.transpose(-1, -2)
    return torch.linalg.solve(Szz.transpose(-1, -2), Stz.transpose(-1, -2)).transpose(-1, -2)


def empirical_predictor(W: torch.Tensor, W_target: torch.Tensor, Sigma_x, C, samples: int, seed: int) -> torch.Tensor:
    """A* of the symmetrised MSE on ``samples`` fresh view pairs: (S_t₂z₁ + S_t₁z₂)(S_z₁z₁ + S_z₂z₂)⁻¹."""
    Sx = check_covariance(Sigma_x, "Sigma_x")
    Cm = check_covariance(C, "C", dim=Sx.shape[0])
    samples = check_int(samples, "samples", 2)
    n = Sx.shape[0]
    g = torch.Generator().manual_seed(int(seed))
    raw = torch.randn(samples, 3, n, generator=g, dtype=torch.float64)
    x = raw[:, 0] @ torch.as_tensor(cholesky_psd(Sx)).T
    Lc = torch.as_tensor(cholesky_psd(Cm)).T
    x1, x2 = x + raw[:, 1] @ Lc, x + raw[:, 2] @ Lc
    z1, z2 = x1 @ W.transpose(-1, -2), x2 @ W.transpose(-1, -2)
    t1, t2 = x1 @ W_target.transpose(-1, -2), x2 @ W_target.transpose(-1, -2)
    Szz = z1.transpose(-1, -2) @ z1 + z2.transpose(-1, -2) @ z2
    Stz = t2.transpose(-1, -2) @ z1 + t1.transpose(-1, -2) @ z2
    return torch.linalg.solve(Szz.transpose(-1, -2), Stz.transpose(-1, -2)).transpose(-1, -2)
