"""`sslverify report`: every claim's computed verdict in REPORT.md + results.json + plots."""
from __future__ import annotations

import os
import platform
import time
from collections import Counter
from pathlib import Path

from tqdm.auto import tqdm

from numerics.io import atomic_write_json, atomic_write_text, check_writable_dir
from theory.claims import VERDICTS
from theory.registry import registry
from theory.verify import CheckReport, run_check

VERDICT_MEANING = {
    "proved": "follows symbolically (SymPy) under the stated assumptions",
    "confirmed": "not (fully) symbolic; numerical evidence agrees within a justified tolerance",
    "corrected": "wrong as written; a precise corrected statement is proved or confirmed",
    "refuted": "false; a concrete minimal counterexample is re-checked by a test",
    "underspecified": "cannot be checked as written; the record says what is missing",
    "pending": "not yet derived by the project (a later issue covers it)",
}


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _claim_plots(rep: CheckReport, art_dir: Path) -> list[Path]:
    """The check's own plots plus the PNGs of every experiment its record cites as evidence."""
    paths = [Path(p) if Path(p).is_absolute() else art_dir / p for p in rep.plots]
    for ev in rep.claim.evidence:
        if ev.startswith("experiments/") and ev.endswith(".py"):
            paths += sorted((art_dir / Path(ev).stem).glob("*.png"))
    return list(dict.fromkeys(paths))


def _plot_links(rep: CheckReport, out_dir: Path, art_dir: Path) -> str:
    links = []
    for path in _claim_plots(rep, art_dir):
        try:
            rel = os.path.relpath(path, out_dir)
        except ValueError:
            rel = str(path)
        links.append(f"[{path.stem}]({rel})")
    return " ".join(links)


def write_report(reports: list[CheckReport], out_dir: Path, art_dir: Path, quick: bool, seconds: float) -> None:
    counts = Counter(r.computed if not r.pending else "pending" for r in reports)
    bad = [r for r in reports if not r.pending and not r.reproduced]
    lines = [
        "# sslverify report",
        "",
        f"Settings: {'--quick' if quick else 'default (CPU-sized)'}; {seconds:.0f} s on "
        f"{platform.machine()} / Python {platform.python_version()}.",
        "",
        "Verdict counts: " + ", ".join(f"{v} {counts.get(v, 0)}" for v in VERDICTS + ("pending",)) + ".",
        "",
        ("All computed verdicts reproduce the recorded ones." if not bad else
         f"**{len(bad)} claim(s) did not reproduce their recorded verdict:** " + ", ".join(r.claim.id for r in bad)),
        "",
        "| id | verdict | recorded | reason | plots |",
        "|---|---|---|---|---|",
    ]
    for r in reports:
        verdict = "pending" if r.pending else (r.computed or "ERROR")
        mark = "" if r.pending or r.reproduced else " ✗"
        lines.append(f"| `{r.claim.id}` | **{verdict}**{mark} | {r.claim.verdict} | {_md_escape(r.reason)} | "
                     f"{_plot_links(r, out_dir, art_dir)} |")
    lines += ["", "## What the verdicts mean", ""]
    lines += [f"- **{k}**: {v}" for k, v in VERDICT_MEANING.items()]
    lines += ["", "## Corrections and counterexamples", ""]
    for r in reports:
        c = r.claim
        if c.verdict in ("corrected", "refuted", "underspecified"):
            lines.append(f"- `{c.id}` ({c.verdict}): {_md_escape(c.correction or '')}"
                         + (f" Counterexample: {_md_escape(c.counterexample)}" if c.counterexample else ""))
    atomic_write_text(out_dir / "REPORT.md", "\n".join(lines) + "\n")


def run_report(out_dir: str | Path, quick: bool = False, ids: list[str] | None = None) -> list[CheckReport]:
    out = check_writable_dir(out_dir, "--out")
    art = out / "artifacts"
    t0 = time.time()
    claims = [c for cid, c in registry().items() if ids is None or cid in ids]
    reports = []
    for claim in tqdm(claims, desc="checking claims", unit="claim", mininterval=1.0):
        reports.append(run_check(claim, quick, art))
    seconds = time.time() - t0
    atomic_write_json(out / "results.json", {
        "quick": quick,
        "seconds": round(seconds, 1),
        "claims": [r.to_json() | {"statement": r.claim.statement, "source": str(r.claim.source)} for r in reports],
    })
    write_report(reports, out, art, quick, seconds)
    return reports
