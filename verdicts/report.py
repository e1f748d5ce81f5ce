"""`sslverify report`: every claim's computed verdict in REPORT.md + results.json + plots."""
from __future__ import annotations

import os
import platform
import time
from collections import Counter
from pathlib import Path

from tqdm.auto import tqdm

from sslverify.numerics.io import (atomic_write_json, atomic_write_text, check_writable_dir, read_json,
                                   relative_to_dir, resolve_in_dir)
from sslverify.verdicts.record import OUTCOMES, Claim
from sslverify.verdicts.registry import builtin_claims
from sslverify.verdicts.runner import CheckReport, run_checks

VERDICT_MEANING = {
    "proved": "follows symbolically (SymPy) under the stated assumptions",
    "confirmed": "not (fully) symbolic; numerical evidence agrees within a justified tolerance",
    "corrected": "wrong as written; a precise corrected statement is proved or confirmed",
    "refuted": "false; a concrete minimal counterexample is re-checked by a test",
    "underspecified": "cannot be checked as written; the record says what is missing",
    "inconclusive": "(an outcome, never a recorded verdict) the project's own machinery could not decide",
}


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def experiment_plots(folder: Path) -> list[Path]:
    """The plots an experiment's ``results.json`` in ``folder`` lists (paths relative to that folder; absolute
    ones, written before 0.3, are kept), or every PNG in the folder if it has no readable results.json."""
    try:
        listed = read_json(folder / "results.json").get("plots")
    except (OSError, ValueError, AttributeError):
        listed = None
    if isinstance(listed, list):
        return [resolve_in_dir(p, folder) for p in listed if isinstance(p, str)]
    return sorted(folder.glob("*.png"))


def _experiment_dirs(claim: Claim, art_dir: Path) -> list[Path]:
    from sslverify.experiments import canonical_name

    out = []
    for ev in claim.evidence:
        if ev.startswith("experiments/") and ev.endswith(".py"):
            try:
                name = canonical_name(Path(ev).stem)  # old names (verify_prop2) write under the new one
            except ValueError:
                name = Path(ev).stem
            out.append(art_dir / name)
    return out


def _claim_plots(rep: CheckReport, art_dir: Path) -> list[Path]:
    """The check's own plots (relative to the folder it wrote into, ``art_dir``, or absolute) plus the plots of
    every experiment its record cites as evidence; only files that exist."""
    paths = []
    for p in rep.plots:
        path = resolve_in_dir(p, art_dir)
        if not path.exists() and Path(p).exists():  # a path relative to the working folder, not the check's
            path = Path(p).resolve()
        paths.append(path)
    for folder in _experiment_dirs(rep.claim, art_dir):
        paths += experiment_plots(folder)
    return [p for p in dict.fromkeys(paths) if p.is_file()]


def _link_target(path: Path, out_dir: Path) -> str:
    """A Markdown link target relative to REPORT.md's folder (POSIX separators, spaces escaped)."""
    try:
        rel = Path(os.path.relpath(Path(path).resolve(), Path(out_dir).resolve())).as_posix()
    except ValueError:  # another drive (Windows): only an absolute link can work
        rel = Path(path).resolve().as_uri()
    return rel.replace(" ", "%20").replace("(", "%28").replace(")", "%29")


def _plot_links(rep: CheckReport, out_dir: Path, art_dir: Path) -> str:
    return " ".join(f"[{path.stem}]({_link_target(path, out_dir)})" for path in _claim_plots(rep, art_dir))


class ReportInterrupted(KeyboardInterrupt):
    """Ctrl-C during ``run_report``: how many claims had finished (their outcomes are cached in ``art_dir``)."""

    def __init__(self, finished: int, total: int, art_dir: Path):
        super().__init__(f"interrupted after {finished} of {total} claims")
        self.finished, self.total, self.art_dir = finished, total, art_dir


def write_report(reports: list[CheckReport], out_dir: Path, art_dir: Path, quick: bool, seconds: float) -> None:
    counts = Counter(r.computed or "error" for r in reports)
    bad = [r for r in reports if not r.ok]
    lines = [
        "# sslverify report",
        "",
        f"Settings: {'--quick' if quick else 'default (CPU-sized)'}; {seconds:.0f} s on "
        f"{platform.machine()} / Python {platform.python_version()}.",
        "",
        "Verdict counts: " + ", ".join(f"{v} {counts.get(v, 0)}" for v in OUTCOMES + ("error",)) + ".",
        "",
        ("All computed verdicts reproduce the recorded ones." if not bad else
         f"**{len(bad)} claim(s) did not reproduce their recorded verdict:** "
         + ", ".join(f"{r.claim.id} ({r.status})" for r in bad)),
        "",
        "| id | verdict | recorded | reason | plots |",
        "|---|---|---|---|---|",
    ]
    for r in reports:
        verdict = r.computed or "ERROR"
        mark = "" if r.ok else " ✗"
        cached = " (cached)" if r.cached else ""
        lines.append(f"| `{r.claim.id}` | **{verdict}**{mark}{cached} | {r.claim.verdict or '—'} | {_md_escape(r.reason)} | "
                     f"{_plot_links(r, out_dir, art_dir)} |")
    lines += ["", "## What the verdicts mean", ""]
    lines += [f"- **{k}**: {v}" for k, v in VERDICT_MEANING.items()]
    lines += ["", "## Corrections and counterexamples", ""]
    for r in reports:
        c = r.claim
        if c.verdict in ("corrected", "refuted", "underspecified"):
            lines.append(f"- `{c.id}` ({c.verdict}): {_md_escape(c.correction or '')}"
                         + (f" Counterexample: {_md_escape(c.counterexample)}" if c.counterexample else "")
                         + (f" Scope: {_md_escape(c.scope)}" if c.scope else ""))
    with_readings = [r.claim for r in reports if r.claim.readings]
    if with_readings:
        lines += ["", "## Readings", "",
                  "Where the source's text admits several readings, each is evaluated; the verdict follows the "
                  "reading the source's own definitions support (primary).", ""]
        for c in with_readings:
            lines.append(f"- `{c.id}`: " + "; ".join(
                f"{_md_escape(rd.name)} → {rd.verdict}{' (primary)' if rd.primary else ''}" for rd in c.readings))
    atomic_write_text(out_dir / "REPORT.md", "\n".join(lines) + "\n")


def run_report(out_dir: str | Path, quick: bool = False, claims: list[Claim] | None = None, jobs: int | None = None,
               use_cache: bool = True, claim_paths: tuple[str, ...] = (), progress: bool = True) -> list[CheckReport]:
    """Check ``claims`` (default: the built-in ones) and write REPORT.md, results.json and plots.

    Outcomes are reused from the cache where nothing changed; the rest run in ``jobs`` processes
    (default: every core), with one progress bar for the whole report.
    """
    out = check_writable_dir(Path(out_dir).resolve(), "--out")
    art = out / "artifacts"
    t0 = time.time()
    claims = list(builtin_claims().values()) if claims is None else list(claims)
    bar = tqdm(total=len(claims), desc="checking claims", unit="claim", mininterval=1.0, disable=not progress)
    finished = []

    def done(rep: CheckReport) -> None:
        finished.append(rep)
        bar.set_postfix_str(f"{rep.claim.id}: {rep.status}{' (cached)' if rep.cached else ''}", refresh=False)
        bar.update(1)

    try:
        reports = run_checks(claims, quick, art, jobs=jobs, use_cache=use_cache, claim_paths=claim_paths,
                             on_done=done)
    except KeyboardInterrupt:
        raise ReportInterrupted(len(finished), len(claims), art) from None
    finally:
        bar.close()
    seconds = time.time() - t0
    # plots relative to this results.json's folder (the report can be moved): the same files REPORT.md links
    atomic_write_json(out / "results.json", {
        "quick": quick,
        "seconds": round(seconds, 1),
        "claims": [r.to_json() | {"statement": r.claim.statement, "source": str(r.claim.source),
                                  "plots": [relative_to_dir(p, out) for p in _claim_plots(r, art)]}
                   for r in reports],
    })
    write_report(reports, out, art, quick, seconds)
    return reports
