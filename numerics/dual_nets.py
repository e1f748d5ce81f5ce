"""Dual single-layer networks of Pokle et al. (002, §4.1, §5.2) on sparse-coding data, batched over K settings.

* ``max_cosine(W, M)``: eq. 12 — for every atom M_{*j}, max_i |cos(W_{i*}, M_{*j})|; returns the
  maximum, median and minimum over the d atoms (shape (..., 3)).
* activations: ``srelu`` (eq. 14, bias b ≥ 0), ReLU with bias, identity.
* losses (K-batched, (K,) results): ``ncl_l2`` (eqs. 4/5, normalised outputs, stop-gradient on the
  target), ``ncl_inner`` (eqs. 6–8, 2 − 2E⟨·, sg ·⟩), ``linear_ncl_wd`` (eq. 13), ``contrastive_inner``
  (eq. 9 with S = inner product and in-batch negatives), simplified SimCLR (linear projector +
  ``numerics.losses.nt_xent``) and simplified SimSiam (predictor + ``numerics.ssl_nets.siamese_loss``).
* ``warm_start``: rows of W = random atoms of M (each atom at least once) + N(0, p^{−c}) noise (§5.2.2);
  ``warm_start_columns``: the literal "columns of W" reading of the same sentence (m = p).
* ``train_dual``: SGD on K settings of one loss family in one tensor program (``numerics.engine``); non-contrastive
  settings alternate online/target updates (§4.1), flags per setting: activation, batch norm,
  linear head (predictor / projector), two-layer encoder, warm start, row/column normalisation.
* ``alternating_srelu``: Thm 3's alternating optimisation (inner loops to convergence, row norm.).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from sslverify.numerics.device import resolve_device, resolve_dtype
from sslverify.numerics.engine import Guard, Optimizer, Record, Step, train_stacked
from sslverify.numerics.losses import nt_xent, nt_xent_with_grad  # noqa: F401 (nt_xent: the reference)
from sslverify.numerics.sparse_coding import check_mask_prob, views
from sslverify.numerics.ssl_nets import siamese_loss
from sslverify.numerics.validation import check_int, check_nonnegative, check_positive

ACTS = ("srelu", "relu", "none")
NORMS = ("none", "row", "col")
LOSSES = ("ncl", "cl", "simclr", "simsiam")


# ----------------------------------------------------------------------------- metric (eq. 12)
def max_cosine(W: torch.Tensor, M: torch.Tensor, eps: float = 1e-12) -> torch.Tensor:
    """(..., 3): [max, median, min] over atoms j of max_i |⟨W_i/‖W_i‖, M_j/‖M_j‖⟩| (eq. 12).

    W (..., m, p) neurons as rows; M (..., p, d) atoms as columns.  The median of an even number
    of atoms is the mean of the two middle values (numpy's convention)."""
    if W.shape[-1] != M.shape[-2]:
        raise ValueError(f"W must have p={M.shape[-2]} columns, got {W.shape[-1]}")
    Wn = W / W.norm(dim=-1, keepdim=True).clamp_min(eps)
    Mn = M / M.norm(dim=-2, keepdim=True).clamp_min(eps)
    best = (Wn @ Mn).abs().amax(dim=-2)  # (..., d): best neuron for each atom
    s = best.sort(dim=-1).values
    d = s.shape[-1]
    med = 0.5 * (s[..., (d - 1) // 2] + s[..., d // 2])
    return torch.stack([s[..., -1], med, s[..., 0]], dim=-1)


# ----------------------------------------------------------------------------- activations
def srelu(x: torch.Tensor, b) -> torch.Tensor:
    """Symmetric ReLU, eq. 14: ReLU(x − b) − ReLU(−x − b)."""
    return torch.relu(x - b) - torch.relu(-x - b)


def _unit(f: torch.Tensor, eps: float = 1e-12) -> torch.Tensor:
    return f / f.norm(dim=-1, keepdim=True).clamp_min(eps)


# ----------------------------------------------------------------------------- losses
def ncl_l2(f_online: torch.Tensor, f_target: torch.Tensor) -> torch.Tensor:
    """Eq. 4 (eq. 5 with f_online = predictor output): mean ‖f/‖f‖ − sg(f'/‖f'‖)‖² = 2 − 2 mean cos(f, sg f').

    Written as 2 − 2cos (BYOL's / lightly's form): equal to the squared distance of unit vectors for nonzero
    outputs, and a zero output has cos 0 (F.normalize's convention) so it scores 2 — the difference form
    would score it 1 (or 0 when both outputs are zero: "perfectly aligned")."""
    return (2 - 2 * (_unit(f_online) * _unit(f_target.detach())).sum(-1)).mean(-1)


def ncl_inner(f_online: torch.Tensor, f_target: torch.Tensor) -> torch.Tensor:
    """Eqs. 6–8: 2 − 2 mean ⟨f, sg f'⟩ (unnormalised)."""
    return 2 - 2 * (f_online * f_target.detach()).sum(-1).mean(-1)


def linear_ncl_wd(Wo, Wt, a1, a2, lam) -> torch.Tensor:
    """Eq. 13: 2 − 2 mean⟨Wᵒa₁, Wᵗa₂⟩ + (1−λ)/2 (‖Wᵒ‖² + ‖Wᵗ‖²)  (both networks receive gradients)."""
    inner = (a1 @ Wo.transpose(-1, -2) * (a2 @ Wt.transpose(-1, -2))).sum(-1).mean(-1)
    return 2 - 2 * inner + (1 - lam) / 2 * ((Wo**2).sum((-1, -2)) + (Wt**2).sum((-1, -2)))


def contrastive_inner(f1: torch.Tensor, f2: torch.Tensor, tau: float = 1.0) -> torch.Tensor:
    """Eq. 9 on a batch: −mean_i log e^{τS_ii}/(Σ_j e^{τS_ij}), S_ij = ⟨f1_i, f2_j⟩ (negatives: other rows)."""
    logits = tau * torch.bmm(f1, f2.transpose(1, 2))
    return (torch.logsumexp(logits, -1) - torch.diagonal(logits, dim1=1, dim2=2)).mean(-1)


# ----------------------------------------------------------------------------- initialisation
def warm_start(M: torch.Tensor, m: int, c: float, generator: torch.Generator) -> torch.Tensor:
    """(K, m, p): row i = M_{*π(i)} + N(0, σ²I), σ = p^{−c/2}; π covers every atom (m ≥ d)."""
    K, p, d = M.shape
    if m < d:
        raise ValueError(f"m must be >= d for a warm start that covers every atom, got m={m}, d={d}")
    check_nonnegative(c, "c")
    idx = torch.stack([torch.arange(m)[torch.randperm(m, generator=generator)] % d for _ in range(K)])  # (K, m)
    rows = torch.gather(M.transpose(1, 2), 1, idx.unsqueeze(-1).expand(K, m, p))
    return rows + p ** (-c / 2) * torch.randn(K, m, p, generator=generator, dtype=M.dtype)


def warm_start_columns(M: torch.Tensor, m: int, c: float, generator: torch.Generator) -> torch.Tensor:
    """(K, m, p): the literal reading of §5.2.2 ("we initialize the columns of the matrix W with random columns
    of the dictionary matrix M"): column k of W = M_{*π(k)} + N(0, σ²I), σ = p^{−c/2}; needs m = p (a column of
    W has m entries, an atom p)."""
    K, p, d = M.shape
    if m != p:
        raise ValueError(f"m must equal p for columns of W to be atoms, got m={m}, p={p}")
    check_nonnegative(c, "c")
    idx = torch.stack([torch.arange(p)[torch.randperm(p, generator=generator)] % d for _ in range(K)])  # (K, p)
    cols = torch.gather(M, 2, idx.unsqueeze(1).expand(K, p, p))  # (K, m = p, p): column k = atom idx[k]
    return cols + p ** (-c / 2) * torch.randn(K, m, p, generator=generator, dtype=M.dtype)


def random_init(K: int, m: int, p: int, d: int, generator: torch.Generator, dtype=torch.float64) -> torch.Tensor:
    """Entries N(0, 1/(pd)) (§4.2)."""
    return torch.randn(K, m, p, generator=generator, dtype=dtype) / np.sqrt(p * d)


def normalize_weight(W: torch.Tensor, mode: torch.Tensor) -> torch.Tensor:
    """mode (K,) long: 0 none, 1 unit rows, 2 unit columns (a normalisation no run asks for is not computed)."""
    kinds = set(mode.reshape(-1).tolist())
    if kinds <= {0}:
        return W
    r = W / W.norm(dim=-1, keepdim=True).clamp_min(1e-12) if 1 in kinds else None
    c = W / W.norm(dim=-2, keepdim=True).clamp_min(1e-12) if 2 in kinds else None
    if len(kinds) == 1:
        return r if r is not None else c
    mode = mode.view(-1, 1, 1)
    return torch.where(mode == 1, r if r is not None else W, torch.where(mode == 2, c if c is not None else W, W))


# ----------------------------------------------------------------------------- batched trainer
@dataclass(frozen=True)
class Setting:
    """One member of a batch: architecture flags + its data index and initialisation."""

    act: str = "srelu"
    bn: bool = False
    head: bool = False  # linear predictor (ncl / simsiam) or projector (simclr)
    two_layer: bool = False
    warm_c: float | None = None
    weight_norm: str = "none"

    def validate(self) -> None:
        if self.act not in ACTS:
            raise ValueError(f"act must be one of {ACTS}, got {self.act!r}")
        if self.weight_norm not in NORMS:
            raise ValueError(f"weight_norm must be one of {NORMS}, got {self.weight_norm!r}")
        if self.warm_c is not None and self.two_layer:
            raise ValueError("warm_c needs a one-layer encoder (two_layer=False)")


@dataclass
class DualResult:
    steps: np.ndarray  # (R,)
    maxcos: np.ndarray  # (R, K, 3) max / median / min max-cosine of the online encoder
    loss: np.ndarray  # (R, K) mean training loss since the previous record
    W: torch.Tensor  # (K, m, p) final effective online encoder


def _bn(h: torch.Tensor, eps: float = 1e-5) -> torch.Tensor:
    mu = h.mean(1, keepdim=True)
    var = h.var(1, unbiased=False, keepdim=True)
    return (h - mu) / (var + eps).sqrt()


def _members(flag: torch.Tensor):
    """A per-setting flag as True (every member), False (none) or the LongTensor of the members that have it."""
    flag = flag.reshape(-1).bool()
    if bool(flag.all()):
        return True
    if not bool(flag.any()):
        return False
    return torch.nonzero(flag).reshape(-1)


def _apply(members, fn, h: torch.Tensor, *extra: torch.Tensor) -> torch.Tensor:
    """fn(h, *extra) on the members that have a flag, h elsewhere.  Each member is computed exactly as in the full
    batch (bmm, BN and activations act per member), so the values equal ``torch.where(flag, fn(h), h)``; only the
    members that need it pay for it."""
    if members is True:
        return fn(h, *extra)
    if members is False:
        return h
    return h.index_copy(0, members, fn(h.index_select(0, members), *(e.index_select(0, members) for e in extra)))


class _Net:
    """Encoder (+ optional 2nd linear layer, BN, activation) and linear head for K settings.

    ``flags`` holds per-setting tensors; ``members`` (from :func:`_members`) says which settings have each
    architectural option, so that an option is computed only for them (same values as a ``torch.where`` over all)."""

    def __init__(self, W, W2, b, P, flags, members=None):
        self.W, self.W2, self.b, self.P, self.f = W, W2, b, P, flags
        self.m = members if members is not None else {k: _members(flags[k]) for k in ("two", "bn", "head")} | {
            "act": {a: _members(flags["act"] == i) for i, a in enumerate(ACTS)}}

    def params(self):
        return [self.W, self.W2, self.b, self.P]

    def encode(self, a):
        m = self.m
        h = torch.bmm(a, self.W.transpose(1, 2))
        h = _apply(m["two"], lambda x, W2: torch.bmm(x, W2.transpose(1, 2)), h, self.W2)
        h = _apply(m["bn"], lambda x: _bn(x), h)
        b = self.b.unsqueeze(1)
        act = m["act"]
        if act["srelu"] is True:
            return srelu(h, b)
        if act["relu"] is True:
            return torch.relu(h + b)
        if act["none"] is True:
            return h
        flag = self.f["act"].view(-1, 1, 1)
        return torch.where(flag == 0, srelu(h, b), torch.where(flag == 1, torch.relu(h + b), h))

    def head(self, h):
        return _apply(self.m["head"], lambda x, P: torch.bmm(x, P.transpose(1, 2)), h, self.P)

    def effective_W(self):
        return _apply(self.m["two"], lambda W, W2: torch.bmm(W2, W), self.W, self.W2)


def train_dual(X: torch.Tensor, M: torch.Tensor, settings: list[Setting], loss: str, *, m: int, steps: int,
               batch: int, lr: float, alpha: float, tau: float = 0.5, scheme: str = "independent",
               record_every: int = 50, seed: int = 0, device: str = "cpu", dtype: str | None = None,
               progress: bool = False) -> DualResult:
    """SGD on K settings (X (K, n, p) data, M (K, p, d) dictionaries) of one loss family.

    loss 'ncl': eq. 4 (eq. 5 with a predictor), online/target alternate every step (§4.1);
    'cl': NT-Xent on the shared encoder's outputs (eq. 9 with cosine similarity, temperature τ);
    'simclr': NT-Xent after a linear projector; 'simsiam': symmetrised negative cosine after a
    linear predictor, stop-gradient on the other branch (Table 1).  Weight normalisation (row/col)
    is applied to the updated encoder(s) after every step.  Training runs on ``numerics.engine``;
    one generator (``seed``) shared by the K settings draws the initialisations, minibatches and masks
    (on the CPU: the same stream on every device).  ``dtype``: None = X's dtype."""
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}")
    K, n, p = X.shape
    if M.shape[0] != K or M.shape[1] != p:
        raise ValueError(f"M must have shape ({K}, {p}, d), got {tuple(M.shape)}")
    if len(settings) != K:
        raise ValueError(f"settings must hold K={K} entries, got {len(settings)}")
    for s in settings:
        s.validate()
    check_mask_prob(alpha)
    m, steps, batch = check_int(m, "m", 1), check_int(steps, "steps", 1), check_int(batch, "batch", 2)
    check_positive(lr, "lr")
    batch = min(batch, n)
    d = M.shape[2]
    dev, dt = resolve_device(device), resolve_dtype(dtype or X.dtype)
    xdt = X.dtype  # initialisation, minibatches and masks in the data's dtype, on the CPU
    flags_cpu = {"act": torch.tensor([ACTS.index(s.act) for s in settings]),
                 "bn": torch.tensor([s.bn for s in settings]), "head": torch.tensor([s.head for s in settings]),
                 "two": torch.tensor([s.two_layer for s in settings])}
    flags = {k: v.to(dev) for k, v in flags_cpu.items()}
    wnorm_cpu = torch.tensor([NORMS.index(s.weight_norm) for s in settings])
    wnorm = wnorm_cpu.to(dev)
    warm = torch.tensor([s.warm_c is not None for s in settings]).view(-1, 1, 1)
    cvals = [s.warm_c if s.warm_c is not None else 0.0 for s in settings]
    Md = M.to(device=dev, dtype=dt)
    shared = loss in ("cl", "simclr", "simsiam")

    def new_net(g):
        W = random_init(K, m, p, d, g, xdt)
        if bool(warm.any()):
            Ws = torch.stack([warm_start(M[k:k + 1], m, cvals[k], g)[0] for k in range(K)]).to(xdt)
            W = torch.where(warm, Ws, W)
        W = normalize_weight(W, wnorm_cpu)
        W2 = torch.where(flags_cpu["two"].view(-1, 1, 1), random_init(K, m, m, d, g, xdt) * np.sqrt(d),
                         torch.eye(m, dtype=xdt).expand(K, m, m))
        P = torch.where(flags_cpu["head"].view(-1, 1, 1), random_init(K, m, m, d, g, xdt),
                        torch.eye(m, dtype=xdt).expand(K, m, m))
        return W, W2, torch.zeros(K, m, dtype=xdt), P

    def init(ctx):
        W, W2, b, P = new_net(ctx.gens[0])
        out = {"W": W, "W2": W2, "b": b, "P": P}  # one predictor / projector P, shared by online and target
        if not shared:
            tW, tW2, tb, _ = new_net(ctx.gens[0])
            out.update({"tW": tW, "tW2": tW2, "tb": tb})
        return out

    members = _Net(None, None, None, None, flags).m  # which settings have which option (computed once)

    def net(prm, prefix=""):
        return _Net(prm[prefix + "W"], prm[prefix + "W2"], prm[prefix + "b"], prm["P"], flags, members)

    names = {"": ("W", "W2", "b", "P"), "t": ("tW", "tW2", "tb", "P")}
    gmask = [torch.ones(K, 1, 1, dtype=dt, device=dev), flags["two"].to(dt).view(-1, 1, 1),
             torch.ones(K, 1, dtype=dt, device=dev), flags["head"].to(dt).view(-1, 1, 1)]

    Xflat = X.reshape(K * n, p)  # rows of run k start at k·n (a view when X is contiguous)
    offset = (torch.arange(K) * n).unsqueeze(1)

    def step(prm, s, ctx):
        g = ctx.gens[0]
        idx = torch.rand(K, n, generator=g).argsort(-1)[:, :batch]
        x = Xflat.index_select(0, (idx + offset).reshape(-1)).view(K, batch, p)  # = X[k, idx[k]] (a copy of rows)
        a1, a2 = (a.to(device=dev, dtype=dt) for a in views(x, alpha, g, scheme))
        online = net(prm)
        upd_prefix = ""
        if loss == "ncl":
            target = net(prm, "t")
            upd_prefix = "" if (s - 1) % 2 == 0 else "t"
            upd, other = (online, target) if upd_prefix == "" else (target, online)
            L = ncl_l2(upd.head(upd.encode(a1)), other.encode(a2))
        elif loss in ("cl", "simclr"):
            # NT-Xent's N×N part in closed form (= nt_xent and its gradient to round-off); autograd only through
            # the networks, from ∂L/∂z
            z1, z2 = online.encode(a1), online.encode(a2)
            if loss == "simclr":
                z1, z2 = online.head(z1), online.head(z2)
            L, g1, g2 = nt_xent_with_grad(z1.detach(), z2.detach(), tau=tau)
            upd_names = names[upd_prefix]
            if not bool(torch.isfinite(L).all()):
                return Step(L, grads={}, update=upd_names)
            grads = torch.autograd.grad([z1, z2], [prm[k] for k in upd_names], grad_outputs=[g1, g2], allow_unused=True)
            return Step(L, grads={k: (None if gq is None else gq * mk) for k, gq, mk in zip(upd_names, grads, gmask)},
                        update=upd_names)
        else:
            z1, z2 = online.encode(a1), online.encode(a2)
            L = siamese_loss(online.head(z1), online.head(z2), z1, z2, kind="cosine")
        upd_names = names[upd_prefix]
        if not bool(torch.isfinite(L).all()):  # no gradient of a non-finite loss: the engine's guard names the run
            return Step(L, grads={}, update=upd_names)
        grads = torch.autograd.grad(L.sum(), [prm[k] for k in upd_names], allow_unused=True)
        return Step(L, grads={k: (None if gq is None else gq * mk) for k, gq, mk in zip(upd_names, grads, gmask)},
                    update=upd_names)

    def after_update(prm, s, updated):
        for key in ("W", "tW"):
            if key in updated:
                prm[key].copy_(normalize_weight(prm[key], wnorm))

    def snapshot(prm):
        return {"maxcos": max_cosine(net(prm).effective_W(), Md)}

    hist = train_stacked(init, step, steps=steps, seeds=int(seed), optimizer=Optimizer("sgd", lr=lr),
                         record=Record(every=record_every, initial=True, loss="mean", snapshot=snapshot),
                         guard=Guard(norm_of=(), every=1, worse="off"), after_update=after_update,
                         describe=lambda k: f"{loss}, {settings[k]}", device=dev, dtype=dt, progress=progress,
                         desc=f"train {K} dual nets ({loss})")
    with torch.no_grad():
        W = net(hist.params).effective_W().detach().cpu()
    return DualResult(hist.steps, hist.values["maxcos"].numpy(), hist.loss, W)


# ----------------------------------------------------------------------------- Thm 3 dynamics
def srelu_ncl_gradient(W_upd, W_fix, b_upd, b_fix, x, d1, d2, weights):
    """∇_{W_upd} of eq. 15 with W_fix held constant: −2 E[1{active} (D₁x) SReLU(W_fix D₂x)ᵀ]ᵀ.

    x, d1, d2 (N, p); weights (N,) probabilities (exact enumeration) or 1/N (samples); W (K, m, p)."""
    a1, a2 = d1 * x, d2 * x
    return _srelu_ncl_gradient_given(W_upd, b_upd, _srelu_fixed(W_fix, b_fix, a2), a1, weights)


def _srelu_fixed(W_fix, b_fix, a2):
    """SReLU(W_fix D₂x) (K, N, m): the fixed network's outputs, constant while W_upd is optimised."""
    return srelu(torch.einsum("kmp,np->knm", W_fix, a2), b_fix.unsqueeze(1))


def _srelu_ncl_gradient_given(W_upd, b_upd, out_fix, a1, weights):
    pre = torch.einsum("kmp,np->knm", W_upd, a1)
    active = (pre.abs() > b_upd.unsqueeze(1)).to(a1.dtype)
    return -2 * torch.einsum("n,knm,np->kmp", weights, active * out_fix, a1)


def alternating_srelu(Wo, Wt, bo, bt, x, d1, d2, weights, *, outer: int, inner: int, lr: float,
                      tol: float = 1e-13):
    """Thm 3: repeat {GD on Wᵒ with Wᵗ fixed + row normalisation, to convergence; same for Wᵗ}.

    The target update uses L(Wᵗ, Wᵒ) (roles swapped, §4.1).  Returns the final (Wᵒ, Wᵗ) and the
    history of max|W − I| per outer iteration, shape (outer + 1, K, 2)."""
    def rn(W):
        return W / W.norm(dim=-1, keepdim=True)

    a1, a2 = d1 * x, d2 * x

    def solve(Wu, Wf, bu, bf):
        out_fix = _srelu_fixed(Wf, bf, a2)  # the fixed network's outputs: computed once per inner loop
        for _ in range(inner):
            new = rn(Wu - lr * _srelu_ncl_gradient_given(Wu, bu, out_fix, a1, weights))
            done = (new - Wu).abs().max() < tol
            Wu = new
            if done:
                break
        return Wu

    Wo, Wt = rn(Wo), rn(Wt)
    eye = torch.eye(Wo.shape[-1], dtype=Wo.dtype)
    dist = lambda W: (W - eye).abs().amax((-1, -2))  # noqa: E731
    hist = [torch.stack([dist(Wo), dist(Wt)], -1)]
    for _ in range(outer):
        Wo = solve(Wo, Wt, bo, bt)
        Wt = solve(Wt, Wo, bt, bo)
        hist.append(torch.stack([dist(Wo), dist(Wt)], -1))
    return Wo, Wt, torch.stack(hist)
