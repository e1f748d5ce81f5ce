"""How long each built-in claim's check takes: a scheduling hint for a cold ``report`` (longest first), never a result.

A check's own last time (in the cache, :func:`sslverify.verdicts.cache.previous_seconds`) is preferred; on a cold
run (an empty output folder) there is none, and without a hint the longest check (lastlayer.reg, ~70 s) may start
last and finish alone.  These are the seconds a one-thread worker took, measured on an idle 2-core machine with
``sslverify report`` (2 workers) on 2026-12-01; regenerate them from a report's ``results.json`` after a change
that moves them::

    python -m sslverify.verdicts.timings report/results.json            # default settings
    python -m sslverify.verdicts.timings report-quick/results.json      # --quick

Only the order of the work depends on them: a missing or stale hint changes how long a report takes, never what
it computes (each check runs with one thread, whatever runs beside it).
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from sslverify.numerics.io import atomic_write_text

#: seconds per claim id at default settings / --quick (claims under 0.5 s are left out: they change no order)
SECONDS: dict[str, dict[str, float]] = {
    "default": {
        "lastlayer.reg": 70.9,
        "pokle.cl-vs-ncl": 57.7,
        "ziyin.sigma-scaling": 30.1,
        "rusak.table1": 29.2,
        "pokle.table1": 23.1,
        "ziyin.norm-collapse": 22.5,
        "rusak.temperature-sign": 22.2,
        "ziyin.collapse-threshold": 20.8,
        "ziyin.origin-stability": 14.6,
        "ziyin.weight-decay": 13.7,
        "found.linear-byol": 7.2,
        "rusak.prop1": 6.8,
        "pokle.thm3": 6.5,
        "ziyin.expansion": 5.1,
        "rusak.prop4": 4.6,
        "rusak.prop3": 4.4,
        "found.em-predictor": 3.5,
        "ziyin.norm-limit": 2.2,
        "found.ntxent-decomposition": 1.6,
        "rusak.cor1": 1.5,
        "rusak.lemma5": 1.1,
        "found.bn-near-collapse": 1.0,
        "ziyin.thm1": 0.8,
        "found.uniformity": 0.8,
        "pokle.thm1b": 0.7,
        "pokle.thm1a": 0.6,
        "lastlayer.eq9": 0.6,
        "found.gaussian-mi": 0.6,
        "found.log-n-dims": 0.5,
    },
    "quick": {
        "pokle.cl-vs-ncl": 16.0,
        "ziyin.origin-stability": 7.4,
        "rusak.table1": 6.8,
        "ziyin.norm-collapse": 4.9,
        "found.linear-byol": 4.8,
        "ziyin.weight-decay": 3.6,
        "ziyin.sigma-scaling": 3.4,
        "pokle.table1": 3.1,
        "lastlayer.reg": 2.5,
        "ziyin.collapse-threshold": 2.1,
        "found.em-predictor": 1.8,
        "ziyin.expansion": 1.6,
        "rusak.temperature-sign": 1.6,
        "found.bn-near-collapse": 1.0,
        "found.log-n-dims": 0.9,
        "rusak.lemma5": 0.8,
        "pokle.thm3": 0.8,
        "found.uniformity": 0.8,
        "rusak.lemma7": 0.7,
        "ziyin.thm1": 0.6,
        "rusak.prop3": 0.6,
        "found.bn-variance": 0.5,
        "found.bn-collapse-gradient": 0.5,
        "found.gaussian-mi": 0.5,
    },
}


def hint(claim_id: str, quick: bool) -> float | None:
    """The recorded seconds of a built-in claim's check at these settings, or None (unknown: a user's claim)."""
    return SECONDS["quick" if quick else "default"].get(claim_id)


def _table(results: dict) -> dict[str, float]:
    return {str(c["id"]): round(float(c["seconds"]), 1) for c in results["claims"]
            if not c.get("cached") and float(c["seconds"]) >= 0.5}


def update(results_path: str | Path, module_path: str | Path = __file__) -> dict[str, float]:
    """Rewrite the table in ``module_path`` (this module) for the settings of a report's ``results.json``
    (only uncached checks count)."""
    results = json.loads(Path(results_path).read_text(encoding="utf-8"))
    if not isinstance(results, dict) or not isinstance(results.get("claims"), list) or "quick" not in results:
        raise ValueError(f"results_path must be a report's results.json, got {results_path}")
    try:
        table = _table(results)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ValueError(f"results_path {results_path}: every claim needs an 'id' and numeric 'seconds' ({exc!r})") from None
    if not table:
        raise ValueError(f"{results_path} holds no computed (uncached) check: run `sslverify report --no-cache`")
    which = "quick" if results["quick"] else "default"
    src = Path(module_path).read_text(encoding="utf-8")
    body = "".join(f"        {json.dumps(k)}: {v},\n" for k, v in sorted(table.items(), key=lambda kv: -kv[1]))
    new, n = re.subn(rf'    "{which}": \{{\n(?:        .*\n)*?    \}},\n|    "{which}": \{{\}},\n',
                     f'    "{which}": {{\n{body}    }},\n', src, count=1)
    if n != 1:
        raise RuntimeError(f"could not find the {which!r} table in {module_path}")
    atomic_write_text(Path(module_path), new)
    return table


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: python -m sslverify.verdicts.timings REPORT/results.json", file=sys.stderr)
        sys.exit(2)
    try:
        t = update(sys.argv[1])
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    print(f"{len(t)} claims, {sum(t.values()):.0f} s in all")
