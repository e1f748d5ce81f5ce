"""`sslverify report`: every link of a generated REPORT.md resolves, relative to the report, after a move too;
results.json stores plot paths relative to its folder; files follow the umask; the cache notices removed plots."""
from __future__ import annotations

import json
import os
import re
import shutil
import textwrap
from pathlib import Path
from urllib.parse import unquote

import pytest

import sslverify.experiments as experiments
from sslverify.verdicts.registry import get_claim, load_claim_file
from sslverify.verdicts.report import run_report

FAST = ("found.srank", "found.collapse-iff", "rusak.lemma2")  # proved symbolically in ~0.1 s each
EXPERIMENT_CLAIM = "found.em-predictor"  # runs experiments/found_em_predictor.py (fixture size below)
TINY_EM = dict(seeds=2, steps=600, eval_samples=4000)  # tests/experiments/test_found_em_predictor.py's size

USER_PLOTS = textwrap.dedent('''
    from pathlib import Path
    from sslverify import Outcome, claim
    from sslverify.api import figure, save_figure

    def _draw(path):
        fig, axes = figure()
        axes[0].plot([0, 1], [0, 1], label="y = x")
        return save_figure(fig, path)

    @claim("mine.plot-relative", "a test", "a plot path relative to the check's folder", verdict="proved")
    def check_relative(quick, out_dir):
        _draw(Path(out_dir) / "mine" / "my plot (1).png")  # a space and parentheses: escaped in the link
        return Outcome("proved", "drew one", plots=["mine/my plot (1).png"])

    @claim("mine.plot-absolute", "a test", "an absolute plot path inside the check's folder", verdict="proved")
    def check_absolute(quick, out_dir):
        p = _draw(Path(out_dir) / "mine" / "absolute.png")
        return Outcome("proved", "drew one", plots=[str(Path(p).resolve())])
''')

LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")


@pytest.fixture
def tiny_experiments(monkeypatch):
    real = experiments.run_experiment

    def run(name, quick=True, out_dir=None, echo=False, **overrides):
        if experiments.canonical_name(name) == "found_em_predictor":
            overrides = {**TINY_EM, **overrides}
        return real(name, quick=quick, out_dir=out_dir, echo=echo, **overrides)

    monkeypatch.setattr(experiments, "run_experiment", run)  # the claims import it from the package at call time


@pytest.fixture
def claims(tmp_path):
    f = tmp_path / "claims_src" / "user_plots.py"
    f.parent.mkdir()
    f.write_text(USER_PLOTS)
    return [get_claim(c) for c in FAST + (EXPERIMENT_CLAIM,)] + load_claim_file(f)


def links(report: Path) -> list[tuple[str, Path]]:
    """(text, resolved path) of every Markdown link of REPORT.md, relative to the report's folder."""
    text = (report / "REPORT.md").read_text(encoding="utf-8")
    out = []
    for label, target in LINK.findall(text):
        assert not target.startswith(("/", "file:")), f"absolute link {target}"
        out.append((label, report / unquote(target)))
    return out


def test_every_report_link_resolves_relative_to_the_report(tmp_path, monkeypatch, tiny_experiments, claims):
    monkeypatch.chdir(tmp_path)
    old = os.umask(0o027)
    try:
        reports = run_report("report", quick=True, claims=claims, jobs=1, progress=False)  # relative --out
    finally:
        os.umask(old)
    assert [r.claim.id for r in reports] == [c.id for c in claims]
    report = tmp_path / "report"
    found = links(report)
    names = {p.name for _, p in found}
    assert {"predictor_error.png", "my plot (1).png", "absolute.png"} <= names, names
    missing = [str(p) for _, p in found if not p.is_file()]
    assert not missing, missing
    assert "artifacts/report" not in (report / "REPORT.md").read_text()  # the relative-out bug of issue 11
    # results.json: each claim's plots, relative to the report folder, the same files as REPORT.md links
    res = json.loads((report / "results.json").read_text())
    listed = {p for c in res["claims"] for p in c["plots"]}
    assert listed and all(not Path(p).is_absolute() and (report / p).is_file() for p in listed)
    assert {(report / p).resolve() for p in listed} == {p.resolve() for _, p in found}
    exp = json.loads((report / "artifacts" / "found_em_predictor" / "results.json").read_text())
    assert exp["plots"] == ["predictor_error.png"]
    # JSON and Markdown with the user's umask, like the plots
    for f in (report / "REPORT.md", report / "results.json", report / "artifacts" / "found_em_predictor" / "results.json",
              report / "artifacts" / "found_em_predictor" / "predictor_error.png"):
        assert f.stat().st_mode & 0o777 == 0o640, f
    # the report can be moved: every link still resolves
    moved = tmp_path / "elsewhere" / "copy"
    shutil.copytree(report, moved)
    shutil.rmtree(report)
    assert all(p.is_file() for _, p in links(moved))


def test_cache_keeps_links_and_notices_removed_plots(tmp_path, tiny_experiments, claims):
    out = tmp_path / "r"
    run_report(out, quick=True, claims=claims, jobs=1, progress=False)
    before = sorted(str(p) for _, p in links(out))
    again = run_report(out, quick=True, claims=claims, jobs=1, progress=False)
    assert all(r.cached for r in again)
    assert sorted(str(p) for _, p in links(out)) == before
    (out / "artifacts" / "found_em_predictor" / "predictor_error.png").unlink()
    (out / "artifacts" / "mine" / "absolute.png").unlink()
    experiments._RUN_CACHE.clear()  # a new `sslverify report` is a new process: no in-process experiment reuse
    third = {r.claim.id: r for r in run_report(out, quick=True, claims=claims, jobs=1, progress=False)}
    assert not third[EXPERIMENT_CLAIM].cached and not third["mine.plot-absolute"].cached  # recomputed: plots back
    assert third["mine.plot-relative"].cached and third["found.srank"].cached
    assert sorted(str(p) for _, p in links(out)) == before and all(Path(p).is_file() for p in before)
