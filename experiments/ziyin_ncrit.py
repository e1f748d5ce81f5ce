"""App. B, eq. 7, Fig. 2 mid (Ziyin et al.): collapse of weighted InfoNCE against the dataset size N.

Weighted InfoNCE (eq. 3), α = 0.1, isotropic augmentation C = σ²I (σ = 5 as in App. B, and σ = 3), data N(0, I_d)
(a fixed set of N points, fresh augmentation every step).  Three predictions of rank(WᵀW), per data set
(â_i: eigenvalues of the empirical second moment Â0):

* source, main text (§1.1): direction i collapses iff (1−α)c/N ≥ â_i (with weight decay: (1−α)c/N + γ ≥ â_i);
* source, eq. 7: direction i collapses iff N > â_i/(c(1−α)) =: N_crit;
* derived (``theory.ziyin.expansion``): B = (N/(N−1+α))·(centred empirical covariance), C cancels, so
  rank = min(d1, N−1) (data rank only; with weight decay the directions with b_i ≤ γ), eigenvalues from the
  minimiser of the derived order-4 expansion (``theory.ziyin.expansion_numeric.fixed_dataset_minimizer``).

Protocol and comparison as in ziyin_prop2 (its docstring): init scale 1e-3, cosine lr 2e-3, Polyak averaging of
the last 30% (deviates from App. B's lr 6e-4 constant, 5000 steps, last iterate, which is also run and reported:
``source_protocol``); noise floor from weight-decay twins (for N > d, γ between the two smallest derived b_i:
both rules call that direction zero); resolved / unresolved directions; at N ≤ d the d − N + 1 directions
without data variance are predicted zero (b = 0, only the quartic restores them) and must measure ≤ τ unless
E_ε[L] still decreases when they are removed (then: unresolved, not converged).  Where the main-text rule
predicts fewer directions, a paired Monte Carlo of E_ε[L] compares the derived minimiser with the same point
with the main-text-collapsed directions projected out.  σ = 3 is added because at σ = 5 the weakest data
directions need longer than the CPU budget to grow (they are reported as unresolved, not counted).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from sslverify.numerics.data import empirical_second_moment, gaussian_dataset, isotropic_noise
from sslverify.numerics.experiment import ExperimentSpec, main
from sslverify.numerics.sweep import run_sweep
from sslverify.numerics.trainer import LinearProblem, TrainSettings
from sslverify.numerics.validation import check_alpha, check_int, check_positive
from sslverify.theory.ziyin import expansion
from sslverify.theory.ziyin.expansion_numeric import fixed_dataset_minimizer
from sslverify.numerics import plotting
from sslverify.experiments import rank_evidence as RE  # shared with ziyin_prop2: noise floor, classify, direction tests

NAME = "ziyin_ncrit"



@dataclass(frozen=True)
class Config:
    seed: int = 0
    device: str = "auto"
    dtype: str = "float64"
    noise_device: str = "cpu"  # "device": augmentation drawn on the GPU (own stream; numerics.trainer)
    d: int = 4  # d0 = d1 = d (App. B: d0 = d1 = 32)
    alpha: float = 0.1
    sigmas: tuple = (3.0, 5.0)
    ns: tuple = (3, 4, 6, 8, 12, 16, 24)
    n_seeds: int = 2
    steps: int = 4000
    lr: float = 2e-3
    lr_schedule: str = "cosine"
    init_scale: float = 1e-3
    average_tail: float = 0.3
    aug_draws: int = 1
    mc_draws: int = 30000  # paired MC draws for the landscape test at the derived minimiser
    direction_draws: int = 120000  # paired MC draws per direction test at a trained point (N ≤ 8; × (8/N)² above)
    source_protocol: bool = True  # also train with App. B's protocol (informative, not a check)
    source_steps: int = 5000

    def validate(self) -> "Config":
        check_int(self.seed, "seed", 0)
        check_int(self.d, "d", 2)
        check_alpha(self.alpha)
        if self.alpha == 1:
            raise ValueError("alpha must be < 1 (eq. 7's N_crit divides by 1 − α)")
        if not self.sigmas:
            raise ValueError("sigmas must hold at least one noise level")
        for s in self.sigmas:
            check_positive(s, "sigmas")
        if not self.ns:
            raise ValueError("ns must hold at least one dataset size")
        for n in self.ns:
            check_int(n, "ns", 2)
        for name in ("n_seeds", "steps", "aug_draws", "source_steps"):
            check_int(getattr(self, name), name, 1)
        check_positive(self.lr, "lr")
        check_positive(self.init_scale, "init_scale")
        if self.lr_schedule not in ("constant", "cosine"):
            raise ValueError(f"lr_schedule must be 'constant' or 'cosine', got {self.lr_schedule!r}")
        if not 0.0 <= self.average_tail < 1.0:
            raise ValueError(f"average_tail must lie in [0, 1), got {self.average_tail}")
        check_int(self.mc_draws, "mc_draws", 100)
        check_int(self.direction_draws, "direction_draws", 100)
        if not any(n > self.d + 1 for n in self.ns):
            raise ValueError(f"ns must contain some N > d + 1 = {self.d + 1}: the weight-decay twins that measure "
                             "the noise floor need two nonzero derived directions")
        return self


QUICK = dict(sigmas=(5.0,), ns=(3, 6, 12, 24), n_seeds=1, steps=2500, mc_draws=16000, direction_draws=40000,
             source_protocol=False)
FULL = dict(d=32, sigmas=(5.0,), ns=(8, 16, 24, 32, 48, 64, 96, 128, 192, 256), n_seeds=2, steps=8000,
            mc_draws=8000, direction_draws=40000)


def predictions(X: np.ndarray, c: float, alpha: float, d1: int, gamma: float = 0.0) -> dict:
    """Ranks predicted by the main text, eq. 7 and the derived rule for dataset X (N×d), C = cI, weight decay γ."""
    N = X.shape[0]
    a = np.sort(np.linalg.eigvalsh(empirical_second_moment(torch.as_tensor(X))))
    tiny = 1e-12 * max(1.0, a.max())  # float round-off: â_i of the N < d null directions
    # main text: direction i survives iff (1−α)c/N + γ < â_i (paper_ncrit_main at γ = 0); â_i = 0 always collapses
    main_keep = [ai > tiny and (1 - alpha) * c / N + gamma < ai for ai in a]
    # eq. 7: direction i collapses iff N > â_i/(c(1−α)) (no weight-decay form)
    eq7_keep = [ai > tiny and not N > expansion.paper_ncrit_eq7(ai, c, alpha) for ai in a]
    if gamma > 0:
        derived = min(d1, RE.n_positive(expansion.predicted_B_fixed_dataset(X, alpha) - gamma * np.eye(X.shape[1])))
    else:
        derived = expansion.predicted_rank_fixed_dataset(X, d1)
    return {"a_hat": a.tolist(), "main": min(d1, int(sum(main_keep))), "eq7": min(d1, int(sum(eq7_keep))),
            "derived": derived, "main_keep": main_keep}


def _centred_basis(X: np.ndarray) -> np.ndarray:
    Xc = X - X.mean(0)
    _, s, Vt = np.linalg.svd(Xc, full_matrices=False)
    r = int(np.sum(s > s.max() * max(Xc.shape) * np.finfo(float).eps))
    return Vt[:r].T


def _problems(cfg: Config) -> list[LinearProblem]:
    probs = []
    for sigma in cfg.sigmas:
        for n in cfg.ns:
            for s in range(cfg.n_seeds):
                data_seed = cfg.seed * 1000 + 500 + s
                X = gaussian_dataset(n, np.eye(cfg.d), data_seed).numpy()
                gammas = [0.0]
                if n > cfg.d + 1:  # weight-decay twin: collapses the weakest data direction by both rules
                    b = np.sort(np.linalg.eigvalsh(expansion.predicted_B_fixed_dataset(X, cfg.alpha)))
                    gammas.append(float(np.sqrt(b[0] * b[1])))
                for gamma in gammas:
                    probs.append(LinearProblem(A0=np.eye(cfg.d), C=isotropic_noise(cfg.d, sigma), d1=cfg.d, n=n,
                                               alpha=cfg.alpha, gamma=gamma, seed=cfg.seed * 1000 + s,
                                               data_seed=data_seed, tags={"N": n, "rep": s, "sigma": sigma}))
    return probs


def _settings(cfg: Config, source: bool = False) -> TrainSettings:
    if source:  # App. B: Adam lr 6e-4 constant, 5000 steps, last iterate, the trainer's default init
        return TrainSettings(loss="weighted_infonce", steps=cfg.source_steps, lr=6e-4, lr_schedule="constant",
                             device=cfg.device, dtype=cfg.dtype, noise_device=cfg.noise_device, record_every=100)
    return TrainSettings(loss="weighted_infonce", steps=cfg.steps, lr=cfg.lr, lr_schedule=cfg.lr_schedule,
                         init_scale=cfg.init_scale, average_tail=cfg.average_tail, aug_draws=cfg.aug_draws,
                         device=cfg.device, dtype=cfg.dtype, noise_device=cfg.noise_device, record_every=100)


def _row(cfg: Config, p: LinearProblem, rec: dict, init_scale: float) -> dict:
    X = gaussian_dataset(p.n, p.A0, p.data_seed).numpy()
    c = p.tags["sigma"] ** 2
    pr = predictions(X, c, cfg.alpha, cfg.d, p.gamma)
    # isotropic C: the derived minimiser lives in the span of the centred data (exact restriction)
    Wd, gnorm = fixed_dataset_minimizer(X, np.asarray(p.C), cfg.alpha, gamma=p.gamma, d1=cfg.d, seed=cfg.seed,
                                        basis=_centred_basis(X))
    meas = np.asarray(rec["gram_eigs"], dtype=float)
    return {"sigma": p.tags["sigma"], "N": p.n, "rep": p.tags["rep"], "gamma": p.gamma, "meas_eigs": meas.tolist(),
            "derived_eigs": RE.sorted_eigs(Wd.T @ Wd).tolist(), "derived_grad": gnorm, "pred_main": pr["main"],
            "pred_eq7": pr["eq7"] if p.gamma == 0 else None, "pred_derived": pr["derived"],
            "derived_rank": pr["derived"], "source_rank": pr["main"],
            "both_zero": cfg.d - max(pr["derived"], pr["main"]) if p.gamma > 0 else 0,
            "lam_init": RE.trainer_init_gram_max(p.seed, cfg.d, cfg.d, init_scale), "a_hat": pr["a_hat"],
            "_Wd": Wd, "_W": np.asarray(rec["W"]), "_X": X, "_C": np.asarray(p.C), "_keep": pr["main_keep"]}


def run(cfg: Config, out_dir: Path) -> dict:
    store = Path(out_dir) / "runs"
    probs = _problems(cfg)
    rows = [_row(cfg, p, rec, cfg.init_scale) for p, rec in zip(probs, run_sweep(probs, _settings(cfg), store=store))]
    floor = RE.noise_floor(rows)
    tau = math.sqrt(RE.RESOLVE) * floor
    land = []
    for r in rows:
        # cost ∝ draws·N²; the per-draw sd falls and the effects grow with N, so N > 8 needs fewer draws
        draws = max(2000, int(cfg.direction_draws * min(1.0, (8 / r["N"]) ** 2)))
        r.update(RE.classify(r, floor, r["_X"], r["_C"], cfg.alpha, r["gamma"], r["_W"], draws, cfg.seed + 7))
        r["grown_rank"] = RE.grown_rank(r, tau)
        if r["rep"] == 0 and r["gamma"] == 0 and r["pred_main"] < r["pred_derived"]:
            a_vecs = np.linalg.eigh(empirical_second_moment(torch.as_tensor(r["_X"])))[1]
            keep = a_vecs[:, np.asarray(r["_keep"], dtype=bool)]
            t = RE.direction_test(r["_X"], r["_C"], cfg.alpha, 0.0, r["_Wd"], r["_Wd"] @ keep @ keep.T,
                                  cfg.mc_draws, cfg.seed + 77)
            land.append({"sigma": r["sigma"], "N": r["N"], "source_rank": r["pred_main"], "derived_rank": r["pred_derived"],
                         "dL_projected": t["dL"], "se_projected": t["se"], "z_projected": t["z"]})
    src = []
    if cfg.source_protocol:
        sel = [p for p in probs if p.gamma == 0]
        st = _settings(cfg, source=True)
        for p, rec in zip(sel, run_sweep(sel, st, store=store)):
            row = _row(cfg, p, rec, st.init_scale)
            meas = np.asarray(row["meas_eigs"])
            src.append({"sigma": row["sigma"], "N": row["N"], "rep": row["rep"], "pred_derived": row["pred_derived"],
                        "pred_main": row["pred_main"], "meas_rank": int(np.sum(meas > tau * meas.max())),
                        "lam_init": row["lam_init"], "meas_eigs": row["meas_eigs"]})
    for r in rows:
        for k in ("_Wd", "_W", "_X", "_C", "_keep"):
            r.pop(k)
    return _assemble(cfg, rows, land, src, floor, tau)


def _assemble(cfg, rows, land, src, floor, tau) -> dict:
    plain = [r for r in rows if r["gamma"] == 0]
    n_dir = sum(len(r["status"]) for r in rows)
    n_unres = sum(r["n_unresolved"] for r in rows)
    n_mis = sum(r["n_mismatch"] for r in rows)
    nulls = [s for r in plain if r["N"] <= cfg.d for s in r["status"][: cfg.d - r["pred_derived"]]]
    n_conf = sum(s == "nonzero" for r in rows for s in r["status"])
    eq7_bad = [r for r in plain if r["grown_rank"] <= r["pred_eq7"] and r["n_unresolved"] == 0]
    diff = [r for r in plain if r["pred_main"] < r["pred_derived"]]
    grew, unres, support = RE.split_contested(diff)
    checks = [
        {"key": "derived_rank_followed", "name": "every resolved direction follows the derived rank min(d1, N−1) (incl. the N ≤ d zeros)",
         "passed": n_mis == 0,
         "detail": f"{n_conf} nonzero confirmed, {nulls.count('zero')}/{len(nulls)} data-rank zeros confirmed "
                   f"({sum(s.startswith('unresolved') for s in nulls)} unresolved), {n_mis} mismatches; floor "
                   f"{floor:.1e} (weight-decay twins), τ {tau:.1e}"},
        {"key": "decisive", "name": "sweep is decisive (≤ 25% of directions unresolved)", "passed": n_unres <= 0.25 * n_dir,
         "detail": f"{n_unres}/{n_dir} unresolved"},
        {"key": "eq7_contradicted", "name": "eq. 7 (collapse iff N > a/(c(1−α))) contradicted: directions grow at every N",
         "passed": not eq7_bad and all(r["grown_rank"] > r["pred_eq7"] for r in plain if r["n_unresolved"] == 0),
         "detail": f"eq. 7 predicts rank {sorted({r['pred_eq7'] for r in plain})}; grown ranks "
                   f"{sorted({r['grown_rank'] for r in plain})}"},
        {"key": "main_text_contradicted", "name": "main-text rule ((1−α)c/N ≥ a collapses) contradicted where it predicts fewer directions",
         "passed": bool(diff) and not support and len(grew) >= 0.75 * len(diff),
         "detail": f"{len(grew)}/{len(diff)} runs grew a direction it collapses, {len(unres)} unresolved, "
                   f"{len(support)} support it"},
    ]
    if land:
        checks.append({"key": "landscape_projection", "name": "landscape: removing the main-text-collapsed directions raises E[L] (z > 5)",
                       "passed": all(t["z_projected"] > 5 for t in land),
                       "detail": ", ".join(f"σ={t['sigma']:g},N={t['N']}: z={t['z_projected']:.1f}" for t in land)})
    agree = {k: sum(r["meas_rank"] == r[f"pred_{k}"] for r in plain) for k in ("main", "eq7", "derived")}
    summary = (f"{n_conf} predicted directions confirmed, {n_unres} unresolved, {n_mis} mismatches; main text "
               f"contradicted in {len(grew)}/{len(diff)} runs; measured rank = derived/main/eq7 in "
               f"{agree['derived']}/{agree['main']}/{agree['eq7']} of {len(plain)}")
    if src:
        app = sum(s["meas_rank"] < s["pred_derived"] for s in src)
        summary += f"; App. B protocol appears collapsed in {app}/{len(src)} runs"
    table = [{k: v for k, v in r.items() if k not in ("meas_eigs", "derived_eigs", "a_hat", "direction_tests")}
             for r in rows]
    return {"checks": checks, "table": table, "summary": summary, "rows": rows, "landscape": land,
            "source_protocol": src, "thresholds": {"floor": floor, "tau": tau},
            "ncrit_main_pop": {str(s): expansion.paper_ncrit_main(1.0, s**2, cfg.alpha) for s in cfg.sigmas},
            "ncrit_eq7_pop": {str(s): expansion.paper_ncrit_eq7(1.0, s**2, cfg.alpha) for s in cfg.sigmas}}


CLAIMS = ("ziyin.ncrit", "ziyin.collapse-threshold")  # the claims this experiment is evidence for (plot titles)


def plot(results: dict, out_dir: Path) -> list[str]:
    P = plotting
    cfg = results.get("config", {})
    tau = results["thresholds"]["tau"]
    rows = [r for r in results["rows"] if r["gamma"] == 0]
    sigmas = sorted({r["sigma"] for r in rows})
    fig, axes = P.figure(1, len(sigmas), width=5.2, height=4.4)
    P.claim_title(fig, CLAIMS, "rank of trained weighted InfoNCE (γ = 0) against dataset size N: derived rank vs "
                               "the source's two collapse rules (marker area ∝ number of runs)")
    for ax, sigma in zip(np.atleast_1d(axes), sigmas):
        sel = [r for r in rows if r["sigma"] == sigma]
        ns = sorted({r["N"] for r in sel})
        for key, col, ls, lab in (("pred_derived", "tab:green", "-", "derived: min(d1, N−1) (C cancels)"),
                                  ("pred_main", "tab:red", "--", "source §1.1: (1−α)c/N ≥ â_i collapses"),
                                  ("pred_eq7", "tab:purple", ":", "source eq. 7: N > â_i/(c(1−α)) collapses")):
            ax.plot(ns, [np.mean([r[key] for r in sel if r["N"] == n]) for n in ns], ls, color=col, lw=1.5,
                    label=lab + (" (mean over data draws)" if key != "pred_derived" else ""))
        groups = (("resolved", "k", "o", False, "measured, every direction resolved"),
                  ("unresolved", "k", "o", True, "measured, some direction unresolved\n(not converged or MC undecided)"),
                  ("mismatch", "tab:red", "X", False, "measured, mismatch with the derived rank"))
        for kind, col, mk, hollow, lab in groups:
            g = [r for r in sel if (r["n_mismatch"] > 0 if kind == "mismatch" else
                                    r["n_mismatch"] == 0 and (r["n_unresolved"] > 0) == (kind == "unresolved"))]
            if g:
                P.count_scatter(ax, [r["N"] for r in g], [r["meas_rank"] for r in g], color=col, marker=mk,
                                hollow=hollow, label=lab)
        n_main = results["ncrit_main_pop"][str(sigma)]
        if min(ns) <= n_main <= max(ns) * 1.5:
            ax.axvline(n_main, color="tab:red", ls="-.", lw=0.8,
                       label=f"§1.1's N_crit = (1−α)c/a = {n_main:.1f} for a = 1")
        ax.set_xscale("log")
        P.integer_ticks(ax.xaxis, ns)
        P.integer_ticks(ax.yaxis, range(0, int(cfg.get("d", max(r["pred_derived"] for r in sel))) + 1))
        ax.set_xlabel("dataset size N (log scale)")
        ax.set_ylabel(f"rank of WᵀW: #eigenvalues > τ·λ_max\nτ = {tau:.1e} (√10 × noise floor)")
        ax.set_title(f"σ = {sigma:g} (c = σ²), α = {cfg.get('alpha', '?')}, d0 = d1 = {cfg.get('d', '?')}", fontsize=9)
    P.shared_legend(fig, axes, ncol=2 if len(sigmas) > 1 else 1)
    return [P.save(fig, Path(out_dir) / "ncrit.png")]


SPEC = ExperimentSpec(name=NAME, config=Config, run=run, plot=plot, quick=QUICK, full=FULL,
                      description=__doc__.splitlines()[0], sweeps=True)

if __name__ == "__main__":
    raise SystemExit(main(SPEC))
