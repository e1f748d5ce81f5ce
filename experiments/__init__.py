"""Experiments: train the sources' models, compare with the derived prediction, return results.

Every experiment is a module of this package named ``<family>_<what>`` that defines ``SPEC`` (an
:class:`sslverify.numerics.experiment.ExperimentSpec`).  Run one from the shell with
``sslverify run NAME [--quick] [--out DIR] [--set field=value]`` or
``python -m sslverify.experiments.NAME``; in a source checkout ``python experiments/NAME.py`` works too
(and the pre-0.2 names such as ``experiments/verify_prop2.py`` are kept as aliases).
In-process: :func:`run_experiment` (used by the claim checks).
"""
from __future__ import annotations

import difflib
import importlib
from pathlib import Path

#: name -> one-line description; the module ``sslverify.experiments.<name>`` defines SPEC.
EXPERIMENTS: dict[str, str] = {
    "ziyin_prop2": "Prop 2 / Thm 1: trained quartic and InfoNCE minima vs the derived global minimum",
    "ziyin_ncrit": "eq. 7: rank of trained weighted InfoNCE vs dataset size N (derived vs source threshold)",
    "ziyin_sigma_scaling": "App. B Fig. 2 left: smallest eigenvalues of WᵀW vs augmentation σ",
    "ziyin_origin_stability": "§1.3 Fig. 1: curvature of L(aW) at a = 0 vs augmentation",
    "ziyin_norm_collapse": "App. B Fig. 3: collapse onset with output normalization",
    "found_em_predictor": "EM view of the predictor: M-step vs conditional variance",
    "found_bn_gradient": "BatchNorm Jacobian near collapse",
    "found_linear_byol": "linear BYOL: rows align with the top eigenvectors",
    "rusak_content_style_spectrum": "Rusak Fig. 1: spectrum of trained encoders vs per-dimension temperature",
    "rusak_table1": "Rusak Table 1: loss of trained vs ground-truth encoders on box / sphere",
    "lastlayer_reg": "last-layer regulariser: lift of the small singular values",
    "pokle_figures": "Pokle Figs. 1, 2, 7: dictionary recovery of CL vs NCL",
    "pokle_table1": "Pokle Table 1: SimCLR vs SimSiam dictionary recovery",
}

#: Names used before 0.2 (kept working as aliases).
ALIASES: dict[str, str] = {
    "verify_prop2": "ziyin_prop2",
    "verify_ncrit": "ziyin_ncrit",
    "verify_sigma_scaling": "ziyin_sigma_scaling",
    "verify_origin_stability": "ziyin_origin_stability",
    "verify_norm_collapse": "ziyin_norm_collapse",
    "verify_em_predictor": "found_em_predictor",
    "verify_bn_gradient": "found_bn_gradient",
    "verify_linear_byol": "found_linear_byol",
    "verify_content_style_spectrum": "rusak_content_style_spectrum",
    "reproduce_rusak_table1": "rusak_table1",
    "verify_last_layer_reg": "lastlayer_reg",
    "reproduce_pokle_figures": "pokle_figures",
    "reproduce_pokle_table1": "pokle_table1",
}


def canonical_name(name: str) -> str:
    """The registered name of ``name`` (aliases resolved); ValueError naming close matches."""
    name = ALIASES.get(name, name)
    if name not in EXPERIMENTS:
        close = difflib.get_close_matches(name, list(EXPERIMENTS) + list(ALIASES), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else f"; experiments: {', '.join(EXPERIMENTS)}"
        raise ValueError(f"experiment {name!r} does not exist{hint}")
    return name


def get_spec(name: str):
    """The ExperimentSpec of a registered experiment."""
    return importlib.import_module(f"{__name__}.{canonical_name(name)}").SPEC


def module_file(name: str) -> Path:
    """Path of the module that defines experiment ``name``."""
    return Path(importlib.import_module(f"{__name__}.{canonical_name(name)}").__file__)


_RUN_CACHE: dict[tuple, dict] = {}


def run_experiment(name: str, quick: bool = True, out_dir: str | Path | None = None, echo: bool = False,
                   **overrides) -> dict:
    """Run experiment ``name`` in-process and return its results dict (what results.json holds).

    Output goes to ``out_dir/<name>`` (default ``./results/<name>``).  Several claims share one
    experiment; within one process the same (name, config, out_dir) runs once and later calls reuse
    its results.
    """
    from sslverify.numerics.experiment import build_config, execute

    name = canonical_name(name)
    spec = get_spec(name)
    cfg = build_config(spec, quick=quick, **overrides)
    out = (Path(out_dir) if out_dir is not None else Path.cwd() / "results") / name
    key = (name, repr(cfg), str(out.resolve()))
    if key not in _RUN_CACHE:
        _RUN_CACHE[key] = execute(spec, cfg, out, echo=echo)
    return _RUN_CACHE[key]
