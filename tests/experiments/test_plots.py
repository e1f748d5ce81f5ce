"""Every experiment's plots read on their own (issue 11, item 4), checked through matplotlib's object model.

Each experiment's ``plot`` is rendered from a recorded ``results`` dict (``plot_fixtures/<name>.json``: the
keys ``plot`` reads, from a real run at the tiny sizes of the experiment's own test, ``TINY`` below), so
no training runs here.  For every figure saved (``Figure.savefig`` is observed, after the draw):
``numerics.plotting.readability_problems`` — a title naming a claim the experiment is evidence for,
title / x / y labels on every axes, a legend label for every series, a legend where an axes has more
than one labelled series, no overlapping tick labels.  Then the defects of issue 11 one by one.

Regenerate the fixtures after changing an experiment's results or plot (runs the experiments, ~3 min)::

    python tests/experiments/test_plots.py                # every experiment
    python tests/experiments/test_plots.py ziyin_ncrit    # one
    python tests/experiments/test_plots.py --from DIR     # trim existing DIR/<name>/results.json instead
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure

from sslverify.experiments import EXPERIMENTS, get_spec
from sslverify.numerics.plotting import readability_problems

FIXTURES = Path(__file__).resolve().parent / "plot_fixtures"

#: the sizes of each experiment's own test (tests/experiments/test_<name>.py), used to record the fixtures
TINY: dict[str, dict] = {
    "found_bn_gradient": dict(seeds=4, n_sigma=13),
    "found_em_predictor": dict(seeds=2, steps=600, eval_samples=4000),
    "found_linear_byol": dict(seeds=2),
    "pokle_figures": dict(seeds=1, steps=40, n=200, batch=32),
    "pokle_table1": dict(seeds=2, steps=40, n=200, batch=32, sparsities=(0.2,)),
    "ziyin_origin_stability": {},
    "ziyin_sigma_scaling": {},
    "ziyin_norm_collapse": {},
    "ziyin_ncrit": dict(ns=(3, 6, 24), steps=2000),
    "ziyin_prop2": dict(infonce_steps=2000, quartic_steps=1200),
    # quick size (its own test) plus the MLP panels, off in --quick, at 100 steps / 1 seed so their figure is checked too
    "rusak_content_style_spectrum": dict(mlp=True, steps_mlp=100, seeds_mlp=1),
    "rusak_table1": dict(steps=200, pool=1024, n_eval=1500),
    "lastlayer_reg": dict(seeds=2, steps=400, pool=1024, eval_samples=512),
}

#: experiments whose plot functions are being rewritten by other helpers (files they own): their failures are
#: reported as skips naming every problem, and the test passes as soon as their plots pass
PENDING: dict[str, str] = {}


def test_every_experiment_is_covered():
    assert set(TINY) == set(EXPERIMENTS), "add the new experiment to TINY (and record its plot fixture)"


# ----------------------------------------------------------------------------- fixtures and rendering
def _decode(obj):
    """results.json writes NaN / ±inf as strings (strict JSON); plot() receives floats."""
    if isinstance(obj, dict):
        return {k: _decode(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_decode(v) for v in obj]
    if obj in ("nan", "inf", "-inf"):
        return float(obj)
    return obj


def load_results(name: str) -> dict | None:
    path = FIXTURES / f"{name}.json"
    return _decode(json.loads(path.read_text(encoding="utf-8"))) if path.exists() else None


def claims_citing(name: str) -> tuple[str, ...]:
    from sslverify.verdicts.registry import builtin_claims
    from sslverify.verdicts.runner import _experiments_of

    return tuple(c.id for c in builtin_claims().values() if name in _experiments_of(c))


def render(name: str, results: dict, out_dir: Path, monkeypatch) -> tuple[list[str], list[Figure]]:
    """Run the experiment's plot; every figure it saves is kept open for inspection (figures are closed by
    the caller through ``plt.close('all')`` at teardown)."""
    import matplotlib.pyplot as plt

    saved: list[Figure] = []
    orig_savefig, orig_close = Figure.savefig, plt.close

    def savefig(self, *a, **k):
        orig_savefig(self, *a, **k)
        saved.append(self)

    def close(fig=None):  # keep saved figures alive until the assertions ran
        if fig is None or not any(fig is f for f in saved):
            orig_close(fig)

    monkeypatch.setattr(Figure, "savefig", savefig)
    monkeypatch.setattr(plt, "close", close)
    files = [str(f) for f in get_spec(name).plot(results, out_dir)]
    return files, saved


@pytest.fixture(autouse=True)
def _close_figures():
    import matplotlib.pyplot as plt

    yield
    plt.close("all")


@pytest.fixture
def rendered(request, tmp_path, monkeypatch):
    name = request.param
    results = load_results(name)
    hint = f"record it again: `python tests/experiments/test_plots.py {name}`"
    if results is None:
        (pytest.skip if name in PENDING else pytest.fail)(f"no plot fixture for {name}; {hint}")
    try:
        files, figs = render(name, results, tmp_path, monkeypatch)
    except Exception as exc:  # a fixture older than the experiment's results (a key plot() reads is missing)
        msg = f"{name}'s plot() fails on its fixture ({type(exc).__name__}: {exc}); {hint}"
        if name in PENDING:
            pytest.skip(f"{PENDING[name]}: {msg}")
        raise AssertionError(msg) from exc
    return name, results, files, figs


# ----------------------------------------------------------------------------- the generic check
@pytest.mark.parametrize("rendered", list(TINY), indirect=True)
def test_plots_read_on_their_own(rendered):
    name, _, files, figs = rendered
    problems = [f"{Path(fp).name}: {p}" for fp, fig in zip(files, figs) for p in readability_problems(
        fig, claims_citing(name))]
    if not files:
        problems.append("plot() wrote no file")
    problems += [f"{f}: not written" for f in files if not Path(f).is_file()]
    if len(figs) != len(files):
        problems.append(f"{len(files)} files returned but {len(figs)} figures saved")
    if problems and name in PENDING:
        pytest.skip(f"{PENDING[name]}; its plots still need: " + " | ".join(problems))
    assert not problems, "\n".join(problems)


# ----------------------------------------------------------------------------- the defects of issue 11
def _fig(files, figs, stem):
    return next(f for p, f in zip(files, figs) if Path(p).stem == stem)


def _legend_texts(fig) -> list[str]:
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend()] + list(fig.legends)
    return [t.get_text() for leg in legends for t in leg.get_texts()]


@pytest.mark.parametrize("rendered", ["ziyin_prop2"], indirect=True)
def test_prop2_rank_is_not_jittered_and_every_panel_is_titled(rendered):
    _, results, files, figs = rendered
    fig = _fig(files, figs, "prop2_rank")
    assert all(ax.get_title() for ax in fig.axes)
    scatters = [c for ax in fig.axes for c in ax.collections if isinstance(c, PathCollection)]
    assert scatters
    for c in scatters:
        xy = np.asarray(c.get_offsets())
        assert np.allclose(xy[:, 1], np.round(xy[:, 1])), f"{c.get_label()}: measured ranks drawn off the integers"
        shift = xy[:, 0] - np.round(xy[:, 0])
        if np.any(np.abs(shift) > 1e-9):  # a sideways offset must be constant and said in the legend
            assert np.allclose(shift, shift[0]) and "shifted" in c.get_label(), c.get_label()
    # every run is drawn: the marker counts add up to the number of runs
    labels = _legend_texts(fig)
    assert any("quartic" in t for t in labels) and any("derived" in t for t in labels) and any(
        "source" in t for t in labels)


@pytest.mark.parametrize("rendered", ["ziyin_prop2"], indirect=True)
def test_prop2_deviation_title_does_not_claim_growth(rendered):
    _, _, files, figs = rendered
    fig = _fig(files, figs, "prop2_deviation")
    titles = " ".join([fig._suptitle.get_text() if fig._suptitle else ""] + [ax.get_title() for ax in fig.axes])
    assert "grows" not in titles
    labels = _legend_texts(fig)
    assert any("derived" in t for t in labels) and any("source" in t for t in labels)


@pytest.mark.parametrize("rendered", ["found_linear_byol"], indirect=True)
def test_byol_angles_have_threshold_theory_and_labels(rendered):
    _, results, files, figs = rendered
    fig = _fig(files, figs, "principal_angles")
    tol = results["angle_tol_deg"]
    for ax in fig.axes:
        ys = [np.asarray(line.get_ydata(), float) for line in ax.lines if "threshold" in line.get_label()]
        assert any(np.allclose(y, tol) for y in ys), f"{ax.get_title()}: no {tol}° threshold line"
        assert any("claim" in line.get_label() and np.allclose(np.asarray(line.get_ydata(), float), 0.0)
                   for line in ax.lines), f"{ax.get_title()}: no line for the claimed limit 0°"
        assert ax.get_legend() is not None or fig.legends


@pytest.mark.parametrize("rendered", ["ziyin_ncrit"], indirect=True)
def test_ncrit_marks_unresolved_defines_tau(rendered):
    _, results, files, figs = rendered
    fig = _fig(files, figs, "ncrit")
    rows = [r for r in results["rows"] if r["gamma"] == 0]
    below = [r for r in rows if r["meas_rank"] < r["pred_derived"]]
    marked = {}
    for ax in fig.axes:
        sigma = float(ax.get_title().split("σ = ")[1].split()[0].rstrip(","))
        for c in ax.collections:
            lab = c.get_label()
            for x, y in np.asarray(c.get_offsets()):
                marked.setdefault((sigma, round(x), round(y)), set()).add(lab)
    flagged = [r for r in rows if r["n_unresolved"] or r["n_mismatch"]]
    assert flagged, "the fixture must hold unresolved runs (record it at a size that has some)"
    for r in below + flagged:  # a run below the derived line, or with unresolved directions, says so
        labs = marked.get((r["sigma"], r["N"], r["meas_rank"]), set())
        want = "mismatch" if r["n_mismatch"] else "unresolved"
        assert any(want in lab for lab in labs), (r["sigma"], r["N"], r["meas_rank"], labs)
    for r in rows:  # and a resolved run is not drawn as unresolved
        if not (r["n_unresolved"] or r["n_mismatch"]):
            labs = marked.get((r["sigma"], r["N"], r["meas_rank"]), set())
            assert any("resolved" in lab and "unresolved" not in lab for lab in labs), (r["N"], labs)
    tau = results["thresholds"]["tau"]
    texts = _legend_texts(fig) + [ax.get_ylabel() for ax in fig.axes] + [fig._suptitle.get_text()]
    assert any("τ" in t and f"{tau:.1e}" in t for t in texts), "τ is used but never defined with its value"


@pytest.mark.parametrize("rendered", ["rusak_table1"], indirect=True)
def test_table1_separates_measured_derived_source_and_draws_thresholds(rendered):
    _, results, files, figs = rendered
    fig = _fig(files, figs, "table1")
    labels = _legend_texts(fig)
    for want in ("measured", "derived", "source", "threshold"):
        assert any(want in t for t in labels), (want, labels)
    assert all(ax.get_xlabel() for ax in fig.axes)
    # (a)/(b): the derived large-N value of f = g⁻¹ is drawn at its value, apart from the source's bar
    for ax, space in zip(fig.axes[:2], ("box", "sphere")):
        exact = [r["L_CL_exact"] for r in results["table"] if r["space"] == space and "L_CL_exact" in r]
        ys = [y for c in ax.collections if "derived" in c.get_label() for y in np.asarray(c.get_offsets())[:, 1]]
        assert np.allclose(sorted(ys), sorted(exact)), (space, ys, exact)
    # (c), (d): the margin 0 = L(g⁻¹) that decides "beats g⁻¹" is drawn on both panels
    for ax in fig.axes[2:]:
        assert any(np.allclose(np.asarray(line.get_ydata(), float), 0.0) and "L(g⁻¹)" in line.get_label()
                   for line in ax.lines), ax.get_title()


@pytest.mark.parametrize("rendered", ["rusak_content_style_spectrum"], indirect=True)
def test_spectrum_plot_shows_source_thresholds_and_unresolved(rendered):
    _, results, files, figs = rendered
    fig = _fig(files, figs, "content_style_spectrum")
    labels = _legend_texts(fig)
    assert any("source" in t for t in labels)
    cmax = results["config"]["collapse_max"]
    assert any("threshold" in line.get_label() or f"{cmax:g}" in line.get_label() for line in fig.axes[1].lines
               if np.allclose(np.asarray(line.get_ydata(), float), cmax)), "collapse_max not drawn"
    # a τ_c whose paired log-ρ shift is within 2 SE is drawn hollow (unresolved), a resolved one filled
    per = results["per_dc"]
    n_unres = sum(abs(v["mean"]) <= 2 * v["se"] for d in per.values() for v in d["log_rho_shift"].values())
    hollow = [c for c in fig.axes[1].collections if len(c.get_facecolor()) == 0]
    assert sum(len(c.get_offsets()) for c in hollow) == n_unres
    assert any("unresolved" in t for t in labels)
    assert _fig(files, figs, "content_style_mlp_r2") is not None  # the MLP panels are in the fixture and drawn


@pytest.mark.parametrize("rendered", ["lastlayer_reg"], indirect=True)
def test_lastlayer_one_legend_entry_per_configuration_and_bounds(rendered):
    _, results, files, figs = rendered
    fig = _fig(files, figs, "embedding_spectra")
    S = len(results["spectra"])
    for ax in fig.axes[:2]:
        seed_lines = [line for line in ax.lines if len(line.get_xdata()) == len(results["spectra"][0][0])]
        named = [line for line in seed_lines if not line.get_label().startswith("_")]
        assert len(seed_lines) == 2 * S and len(named) == 2  # one entry per λ; the other seeds are "_nolegend_"
        assert all(line.get_label() == "_nolegend_" for line in seed_lines if line not in named)
    ax = fig.axes[2]
    tgt = results["design"]["target_effect"]
    assert any(np.allclose(np.asarray(line.get_ydata(), float), tgt) for line in ax.lines), "target effect not drawn"
    assert any("source" in t for t in _legend_texts(fig))


# ----------------------------------------------------------------------------- fixture recording
class _Tracking(dict):
    """A results dict that records which top-level keys plot() reads."""

    def __init__(self, *a, **k):
        super().__init__(*a, **k)
        self.read: set[str] = set()

    def __getitem__(self, key):
        self.read.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self.read.add(key)
        return super().get(key, default)

    def __contains__(self, key):
        self.read.add(key)
        return super().__contains__(key)


def record(name: str, results: dict) -> Path:
    """Write the keys of ``results`` that plot() reads to plot_fixtures/<name>.json."""
    import tempfile

    tracked = _Tracking(_decode(results))
    with tempfile.TemporaryDirectory() as tmp:
        get_spec(name).plot(tracked, Path(tmp))
    keep = {k: results[k] for k in sorted(tracked.read) if k in results}
    keep["_recorded_with"] = {"experiment": name, "quick": True, "overrides": TINY[name]}
    FIXTURES.mkdir(exist_ok=True)
    path = FIXTURES / f"{name}.json"
    path.write_text(json.dumps(keep, indent=None, separators=(",", ":"), allow_nan=False) + "\n", encoding="utf-8")
    return path


def _main(argv: list[str]) -> int:
    from sslverify.experiments import run_experiment
    from sslverify.numerics.io import read_json

    src = None
    if argv[:1] == ["--from"]:
        src, argv = Path(argv[1]), argv[2:]
    for name in argv or list(TINY):
        if src is not None:
            results = read_json(src / name / "results.json")
        else:
            import tempfile

            with tempfile.TemporaryDirectory() as tmp:
                run_experiment(name, quick=True, out_dir=tmp, **TINY[name])
                results = read_json(Path(tmp) / name / "results.json")
        print(record(name, results))
    return 0


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
