"""The public API: everything a researcher needs to declare a claim and check it like a built-in one.

Import from the package root (``from sslverify import claim, Outcome, gaussian_expectation``).

Declaring claims
    claim, Claim, Source, Reading, Outcome, inconclusive, VERDICTS, OUTCOMES, ClaimDeclarationError
Checking claims programmatically
    load_claims, check_claim, get_claim, list_claims
Exact derivations (SymPy)
    gaussian_expectation, block_covariance, small_w_expansion
Stationary points and Hessians (autograd, float64)
    gradient, hessian, newton_stationary, classify_hessian, StationaryPoint
Losses of the linear (and any) model
    weighted_infonce, nt_xent, spectral_contrastive, barlow_twins, quartic_loss, weight_decay
Training: the batched trainer (K configurations in one tensor program)
    train_batch, LinearProblem, TrainSettings, TrainResult, TrainingDiverged
Collapse metrics
    gram_eigenvalues, numerical_rank, rank_above, stable_rank, entropy_rank, rankme, covariance_spectrum,
    principal_angles
Tolerance tiers
    relative_error, assert_rel_close, monte_carlo_close
Experiment harness and plots
    ExperimentSpec, run_spec, experiment_main, run_experiment, figure, save_figure, scatter_pred_vs_measured
"""
from __future__ import annotations

from pathlib import Path

from sslverify.experiments import run_experiment
from sslverify.numerics.experiment import ExperimentSpec, execute as _execute, main as experiment_main
from sslverify.numerics.losses import (
    barlow_twins, nt_xent, quartic_loss, spectral_contrastive, weight_decay, weighted_infonce,
)
from sslverify.numerics.metrics import entropy_rank, gram_eigenvalues, numerical_rank, rank_above, stable_rank
from sslverify.numerics.plotting import figure, save as save_figure, scatter_pred_vs_measured
from sslverify.numerics.ssl_metrics import covariance_spectrum, principal_angles, rankme
from sslverify.numerics.stationary import StationaryPoint, classify_hessian, gradient, hessian, newton_stationary
from sslverify.numerics.tolerance import assert_rel_close, monte_carlo_close, relative_error
from sslverify.numerics.trainer import LinearProblem, TrainingDiverged, TrainResult, TrainSettings, train_batch
from sslverify.theory.gaussian import block_covariance, gaussian_expectation
from sslverify.theory.small_w import small_w_expansion
from sslverify.verdicts.record import (
    OUTCOMES, VERDICTS, Claim, ClaimDeclarationError, Outcome, Reading, Source, claim, inconclusive,
)
from sslverify.verdicts.registry import get_claim, load_claims_path, registry
from sslverify.verdicts.runner import CheckReport, run_check


def load_claims(path: str | Path) -> list[Claim]:
    """The claims declared in a Python file, or in every ``*.py`` of a folder."""
    return load_claims_path(path)


def list_claims(paths: tuple = (), include_builtin: bool = True) -> list[Claim]:
    """Built-in and installed claims, plus those of ``paths``."""
    return list(registry(tuple(paths), include_builtin=include_builtin).values())


def check_claim(claim_or_id: Claim | str, quick: bool = True, out_dir: str | Path = "results/check") -> CheckReport:
    """Run one claim's check; the report says whether the computed verdict reproduces the recorded one."""
    rec = get_claim(claim_or_id) if isinstance(claim_or_id, str) else claim_or_id
    if not isinstance(rec, Claim):
        raise ValueError(f"claim_or_id must be a Claim or a claim id, got {type(claim_or_id).__name__}")
    return run_check(rec, quick, Path(out_dir))


def run_spec(spec: ExperimentSpec, cfg=None, out_dir: str | Path = "results", echo: bool = True) -> dict:
    """Run a user's ExperimentSpec in-process: config.json, results.json and plots under ``out_dir``."""
    if not isinstance(spec, ExperimentSpec):
        raise ValueError(f"spec must be an ExperimentSpec, got {type(spec).__name__}")
    return _execute(spec, cfg if cfg is not None else spec.config(), Path(out_dir), echo=echo)


__all__ = [
    "claim", "Claim", "Source", "Reading", "Outcome", "inconclusive", "VERDICTS", "OUTCOMES", "ClaimDeclarationError",
    "load_claims", "check_claim", "get_claim", "list_claims", "CheckReport",
    "gaussian_expectation", "block_covariance", "small_w_expansion",
    "gradient", "hessian", "newton_stationary", "classify_hessian", "StationaryPoint",
    "weighted_infonce", "nt_xent", "spectral_contrastive", "barlow_twins", "quartic_loss", "weight_decay",
    "train_batch", "LinearProblem", "TrainSettings", "TrainResult", "TrainingDiverged",
    "gram_eigenvalues", "numerical_rank", "rank_above", "stable_rank", "entropy_rank", "rankme",
    "covariance_spectrum", "principal_angles",
    "relative_error", "assert_rel_close", "monte_carlo_close",
    "ExperimentSpec", "run_spec", "experiment_main", "run_experiment", "figure", "save_figure",
    "scatter_pred_vs_measured",
]
