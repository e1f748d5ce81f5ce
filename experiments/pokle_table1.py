"""pokle.table1: simplified SimCLR vs simplified SimSiam on sparse-coding data (Pokle et al., 002, Table 1, §5.2.2).

Data (§4.1–4.2): x = Mz + ε, M ∈ R^{p×d} column-orthonormal (QR of a seeded Gaussian matrix), symmetric latents
z ∈ {0, ±1}^d with Pr(z_i = ±1) = β ("Pr(sparse)") and at least one non-zero coordinate, ε ~ N(0, σ₀²I);
views a_i = D_i x with independent Bernoulli(α = ½) masks (eq. 3); n = 1000 samples per run, d = 10, p = m = 50.
Networks (``numerics.dual_nets.train_dual``): one shared linear encoder W ∈ R^{m×p}, batch normalisation and ReLU
after it (Table 1's text), then a linear m×m head: a projector + NT-Xent (temperature τ) for simplified SimCLR,
a predictor + symmetrised negative cosine with stop-gradient for simplified SimSiam.  Plain SGD from the random
initialisation N(0, 1/(pd)) of §4.2.  Metric: max-cosine of eq. 12 between the rows of W and the atoms of M
(max / median / min over atoms), mean ± std over seeds; all 3 sparsities × seeds of one method in one batch.

Choices where the source is silent or ambiguous (recorded in the claim's assumptions):
* σ₀ = log d / d as a standard deviation (§4.1's σ₀ = Θ(log d/d); §4.2's N(0, log d/d) read as (mean, std)).
* τ = 0.2 for NT-Xent (the paper gives no temperature); batch 128.
Shrunk for a CPU (the paper: 8000 epochs of 2 batches of 512 at lr 0.025, i.e. ~16,000 steps, lr·steps ≈ 400):
1200 steps at lr 0.5 (lr·steps = 600), batch 128, 3 seeds instead of 5.  The loss curves are checked to be flat
over the last quarter of training (convergence check); the max-cosine curves are plotted next to them.

Prediction (Table 1, copied below): SimCLR min max-cosine 0.57–0.90, SimSiam 0.37–0.47, i.e. SimSiam "fails to recover
the ground-truth support".  Checks (stable keys): ``simsiam_loss_flat``, ``simsiam_min_not_falling``, ``simclr_loss_flat``
(the convergence criterion: loss flat over the last quarter), ``simsiam_above_paper`` / ``simsiam_within_paper`` (every
SimSiam run above Table 1's mean + std / within mean + 2 std).  ``power`` gives, per sparsity, the smallest SimSiam-vs-
Table-1 difference the seeds can detect next to the SimCLR − SimSiam contrast Table 1 claims; ``source_setting`` is
Table 1's setting as the source states it (None where it is lost: the caption's mask probability, the temperature)
and ``run_setting`` the run's.  The claim pokle.table1 is underspecified for that reason
(verdicts/builtin/pokle_experiments.py); this run shows what happens at our setting.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from sslverify.numerics.dual_nets import Setting, train_dual
from sslverify.numerics.device import check_placement
from sslverify.numerics.experiment import ExperimentSpec, main
from sslverify.numerics.sparse_coding import check_mask_prob, check_sparsity, random_dictionary, sample_data, sample_latents
from sslverify.numerics.validation import check_int, check_nonnegative, check_positive
from sslverify.theory.pokle.power import min_detectable_difference

# Pokle et al., Table 1: (max, median, min) max-cosine, each (mean, std) over 5 runs.
PAPER_TABLE1 = {
    ("simclr", 0.1): ((0.94, 0.005), (0.92, 0.004), (0.83, 0.16)),
    ("simclr", 0.2): ((0.94, 0.004), (0.93, 0.003), (0.90, 0.01)),
    ("simclr", 0.3): ((0.94, 0.006), (0.92, 0.007), (0.57, 0.019)),
    ("simsiam", 0.1): ((0.94, 0.007), (0.87, 0.08), (0.47, 0.07)),
    ("simsiam", 0.2): ((0.93, 0.008), (0.82, 0.01), (0.45, 0.005)),
    ("simsiam", 0.3): ((0.678, 0.2), (0.45, 0.01), (0.37, 0.03)),
}
PAPER_RUNS = 5  # "We report mean ± std. deviation over 5 runs" (Table 1 caption)
METHODS = ("simclr", "simsiam")
#: Table 1's setting as the source states it (§4.2 "Training setting", Table 1 caption); None = not given / lost:
#: the caption's "we sample the diagonal entries in random masks from Bernoulli( for these experiments" has lost
#: its value (and overrides §4.2's default 0.5), and no NT-Xent temperature τ is given anywhere in the source.
SOURCE_SETTING = {"lr": 0.025, "batch": 512, "epochs": 8000, "n": 1000, "d": 10, "p": 50, "m": 50, "alpha": None,
                  "tau": None}
STATS = ("max", "median", "min")


@dataclass(frozen=True)
class Config:
    d: int = 10
    p: int = 50
    m: int = 50
    n: int = 1000  # samples per run (§4.2)
    sparsities: tuple = (0.1, 0.2, 0.3)
    alpha: float = 0.5  # mask probability
    sigma0: float = float(np.log(10) / 10)  # noise std, log d / d for d = 10
    act: str = "relu"
    tau: float = 0.2
    seeds: int = 3
    steps: int = 1200
    batch: int = 128
    lr: float = 0.5
    flat_tol: float = 0.03  # convergence rule: |loss change| over the last quarter ≤ flat_tol·(total drop); SGD noise ~1%
    fall_tol: float = 0.03  # the min max-cosine jitters by ~0.02 between records (SGD noise); a fall beyond 0.03 is real
    seed: int = 0
    device: str = "auto"
    dtype: str = "float64"

    def validate(self) -> None:
        check_int(self.d, "d", 2)
        check_int(self.p, "p", 1)
        if self.p < self.d:
            raise ValueError(f"p must be >= d, got p={self.p}, d={self.d}")
        check_int(self.m, "m", 1)
        check_int(self.n, "n", 2)
        if not self.sparsities:
            raise ValueError("sparsities must be a non-empty tuple")
        for b in self.sparsities:
            check_sparsity(b)
        check_mask_prob(self.alpha)
        check_nonnegative(self.sigma0, "sigma0")
        if self.act not in ("relu", "srelu"):
            raise ValueError(f"act must be 'relu' or 'srelu', got {self.act!r}")
        check_positive(self.tau, "tau")
        check_int(self.seeds, "seeds", 1)
        check_int(self.steps, "steps", 8)
        check_int(self.batch, "batch", 2)
        check_positive(self.lr, "lr")
        check_positive(self.flat_tol, "flat_tol")
        check_positive(self.fall_tol, "fall_tol")
        check_placement(self)


QUICK = dict(seeds=1, steps=500, lr=1.0, batch=64)
FULL = dict(seeds=5, steps=16000, lr=0.025, batch=512)


def make_data(cfg: Config):
    """(K, n, p) data and (K, p, d) dictionaries, K = len(sparsities)·seeds, order (sparsity, seed)."""
    Xs, Ms, keys = [], [], []
    for b in cfg.sparsities:
        for s in range(cfg.seeds):
            base = cfg.seed * 1000 + s
            M = random_dictionary(cfg.p, cfg.d, base)
            z = sample_latents(cfg.n, cfg.d, b, kind="symmetric", seed=base + 100)
            Xs.append(sample_data(M, z, cfg.sigma0, seed=base + 200))
            Ms.append(M)
            keys.append((float(b), s))
    return torch.stack(Xs), torch.stack(Ms), keys


def flatness(curve: np.ndarray) -> np.ndarray:
    """Per run: |mean of the last eighth of the records − mean of the eighth ending at ¾| / |first − last eighth|.

    ``curve`` (R, K) recorded after every block of steps (row 0 = before training, skipped).  A curve still
    drifting at the end gives a value comparable to its share of the total change; a flat one gives ~SGD noise."""
    L = np.asarray(curve, dtype=float)[1:]
    R = len(L)
    q = max(1, R // 8)
    late = L[R - q:].mean(0)
    prev = L[max(0, R - 3 * q): R - 2 * q].mean(0)
    drop = np.abs(L[0] - late).clip(1e-12)
    return np.abs(late - prev) / drop


def run(cfg: Config, out_dir: Path) -> dict:
    X, M, keys = make_data(cfg)
    K = len(keys)
    curves, table = {}, []
    final, flat = {}, {}
    for i, method in enumerate(METHODS):
        res = train_dual(X, M, [Setting(act=cfg.act, bn=True, head=True)] * K, method, m=cfg.m, steps=cfg.steps,
                         batch=cfg.batch, lr=cfg.lr, alpha=cfg.alpha, tau=cfg.tau, record_every=max(1, cfg.steps // 32),
                         seed=cfg.seed * 1000 + 17 + i, device=cfg.device, dtype=cfg.dtype)
        curves[method] = {"steps": res.steps.tolist(), "min_maxcos": res.maxcos[:, :, 2].tolist(), "loss": res.loss.tolist()}
        final[method] = res.maxcos[-1]  # (K, 3)
        flat[method] = flatness(res.loss)
    for method in METHODS:
        for b in cfg.sparsities:
            idx = [k for k, key in enumerate(keys) if key[0] == float(b)]
            vals = final[method][idx]  # (seeds, 3)
            row = {"method": method, "sparsity": float(b)}
            for j, st in enumerate(STATS):
                row[f"{st}_mean"] = float(vals[:, j].mean())
                row[f"{st}_std"] = float(vals[:, j].std(ddof=1)) if len(idx) > 1 else 0.0
                paper = PAPER_TABLE1.get((method, round(float(b), 1)))  # sparsities outside Table 1: no paper value
                pm, ps = paper[j] if paper else (np.nan, np.nan)
                row[f"paper_{st}_mean"], row[f"paper_{st}_std"] = pm, ps
            row["loss_flatness_max"] = float(flat[method][idx].max())
            table.append(row)
    per_seed = {(m, float(b)): final[m][[k for k, key in enumerate(keys) if key[0] == float(b)], 2] for m in METHODS for b in cfg.sparsities}
    for r in table:
        r["min_per_seed"] = per_seed[(r["method"], r["sparsity"])].round(4).tolist()
    ss = [r for r in table if r["method"] == "simsiam" and not np.isnan(r["paper_min_mean"])]
    cl = [r for r in table if r["method"] == "simclr" and not np.isnan(r["paper_min_mean"])]
    # convergence of SimSiam (the method whose values we contradict): its loss is flat and its min max-cosine is not
    # falling at the end (a rising metric would only move further from the paper's value)
    mc_end = {m: flatness_signed(curves[m]["min_maxcos"]) for m in METHODS}
    ss_flat = float(flat["simsiam"].max())
    cl_flat = float(flat["simclr"].max())
    ss_fall = float(-mc_end["simsiam"].min())
    above = [min(r["min_per_seed"]) > r["paper_min_mean"] + r["paper_min_std"] for r in ss]
    within = [max(r["min_per_seed"]) <= r["paper_min_mean"] + 2 * r["paper_min_std"] for r in ss]
    power = power_rows(ss, cl)
    checks = [
        {"key": "simsiam_loss_flat", "name": "SimSiam loss converged (flat over the last quarter)", "passed": ss_flat <= cfg.flat_tol,
         "detail": f"max |late − prev| / total drop = {ss_flat:.4f} (tol {cfg.flat_tol})"},
        {"key": "simsiam_min_not_falling", "name": "SimSiam min max-cos not falling at the end", "passed": ss_fall <= cfg.fall_tol,
         "detail": f"largest fall of the last eighth vs the eighth ending at ¾: {ss_fall:.3f} (tol {cfg.fall_tol})"},
        {"key": "simclr_loss_flat", "name": "SimCLR loss converged (flat over the last quarter)", "passed": cl_flat <= cfg.flat_tol,
         "detail": f"max |late − prev| / total drop = {cl_flat:.4f} (tol {cfg.flat_tol}); if not flat, SimCLR's values are lower bounds"},
        {"key": "simsiam_above_paper", "name": "every SimSiam run's min max-cos > Table 1 mean + std, at every sparsity",
         "passed": bool(ss) and all(above),
         "detail": "; ".join(f"β={r['sparsity']}: seeds {r['min_per_seed']} vs paper {r['paper_min_mean']:.2f}±{r['paper_min_std']:.3f}"
                             for r in ss)},
        {"key": "simsiam_within_paper", "name": "every SimSiam run's min max-cos ≤ Table 1 mean + 2 std, at every sparsity",
         "passed": bool(ss) and all(within), "detail": "the failure of Table 1 reproduces if this holds"},
    ]
    summary = ("Table 1 at CPU size (min max-cos, mean over seeds): " + ", ".join(
        f"{r['method']} β={r['sparsity']} {r['min_mean']:.2f} (paper {r['paper_min_mean']:.2f})" for r in table))
    return {"checks": checks, "table": table, "summary": summary, "curves": curves,
            "simsiam_loss_flatness": ss_flat, "simclr_loss_flatness": cl_flat, "simsiam_maxcos_fall": ss_fall,
            "simsiam_above_paper": above, "power": power,
            "run_setting": run_setting(cfg), "source_setting": dict(SOURCE_SETTING),
            "median_simclr_minus_simsiam": [float(c["median_mean"] - s["median_mean"]) for s, c in zip(ss, cl)]}


def run_setting(cfg: Config) -> dict:
    """The run's values of the keys of SOURCE_SETTING (epochs = steps / batches per epoch)."""
    return {"lr": cfg.lr, "batch": cfg.batch, "epochs": cfg.steps / -(-cfg.n // cfg.batch), "n": cfg.n, "d": cfg.d,
            "p": cfg.p, "m": cfg.m, "alpha": cfg.alpha, "tau": cfg.tau}


def power_rows(ss: list[dict], cl: list[dict]) -> list[dict]:
    """Per sparsity: the smallest SimSiam-vs-Table-1 difference our seeds can detect (MDE, 5 % level, 80 % power,
    Table 1's std over its 5 runs included) and the effect Table 1 claims there: SimCLR − SimSiam min max-cosine."""
    out = []
    for s in ss:
        c = next(r for r in cl if r["sparsity"] == s["sparsity"])
        out.append({"sparsity": s["sparsity"], "n_seeds": len(s["min_per_seed"]),
                    "mde": min_detectable_difference(s["min_per_seed"], s["paper_min_std"], PAPER_RUNS),
                    "source_effect": round(c["paper_min_mean"] - s["paper_min_mean"], 6)})
    return out


def flatness_signed(curve) -> np.ndarray:
    """Per run: mean of the last eighth of the records − mean of the eighth ending at ¾ (positive = rising)."""
    L = np.asarray(curve, dtype=float)[1:]
    R = len(L)
    q = max(1, R // 8)
    return L[R - q:].mean(0) - L[max(0, R - 3 * q): R - 2 * q].mean(0)


def _plotting():
    from sslverify.numerics import plotting

    return plotting


CLAIMS = ("pokle.table1",)  # the claim this experiment is evidence for (plot titles)


def plot(results: dict, out_dir: Path) -> list:
    P = _plotting()
    fig, axes = P.figure(2, 2, width=5.0, height=3.4)
    P.claim_title(fig, CLAIMS, "simplified SimCLR vs simplified SimSiam on sparse-coding data: min over atoms of "
                               "the max-cosine between the rows of W and the atoms of M, against Table 1's values")
    sp = sorted({r["sparsity"] for r in results["table"]})
    seeds = len(results["curves"]["simclr"]["min_maxcos"][0]) // max(1, len(sp))
    for i, method in enumerate(METHODS):
        c = results["curves"][method]
        steps = np.asarray(c["steps"])
        mc, ls = np.asarray(c["min_maxcos"]), np.asarray(c["loss"])
        for j, b in enumerate(sp):
            sl = slice(j * seeds, (j + 1) * seeds)
            axes[2 * i].plot(steps, mc[:, sl].mean(1), color=P.COLORS[j], label=f"ours, Pr(sparse) = {b}")
            axes[2 * i + 1].plot(steps[1:], ls[1:, sl].mean(1), color=P.COLORS[j], label=f"Pr(sparse) = {b}")
            paper = PAPER_TABLE1.get((method, round(b, 1)))
            if paper:
                mean, std = paper[2]
                axes[2 * i].axhline(mean, color=P.COLORS[j], ls=":", lw=1,
                                    label=f"source Table 1, Pr(sparse) = {b}: {mean:g} ± {std:g}")
                axes[2 * i].axhspan(mean - std, mean + std, color=P.COLORS[j], alpha=0.1, label="_nolegend_")
        axes[2 * i].set_title(f"simplified {method}: min max-cosine", fontsize=9)
        axes[2 * i].set_ylabel(f"min max-cosine (mean of {seeds} seeds)")
        axes[2 * i + 1].set_title(f"simplified {method}: training loss", fontsize=9)
        axes[2 * i + 1].set_ylabel(f"{'NT-Xent' if method == 'simclr' else 'negative cosine'} loss "
                                   f"(mean of {seeds} seeds)")
        for ax in axes[2 * i: 2 * i + 2]:
            ax.set_xlabel("SGD step")
            ax.legend(fontsize=6)
    return [P.save(fig, Path(out_dir) / "table1_curves.png")]


SPEC = ExperimentSpec(name="pokle_table1", config=Config, run=run, plot=plot, quick=QUICK, full=FULL,
                      description=__doc__.splitlines()[0])

if __name__ == "__main__":
    raise SystemExit(main(SPEC))
