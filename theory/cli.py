"""Command line: ``sslverify list | check | report``.

Errors in the input (unknown claim id, unwritable --out, bad device) print one
line and exit 2; ``check`` exits 0 only if every computed verdict reproduces the
recorded one; ``report`` exits 0 only if every derived claim reproduces.
"""
from __future__ import annotations

import argparse
import json
import sys
import textwrap
from pathlib import Path

from theory.claims import PENDING
from theory.registry import registry, select


def _cmd_list(args) -> int:
    claims = list(registry().values())
    if args.family:
        claims = select([args.family])
    if args.json:
        print(json.dumps([c.to_json() for c in claims], indent=2, ensure_ascii=False))
        return 0
    if args.markdown:
        print(markdown_table(claims))
        return 0
    width = max(len(c.id) for c in claims)
    for c in claims:
        state = c.verdict if c.verdict != PENDING else f"pending ({c.covered_by})"
        print(f"{c.id:<{width}}  {state:<20}  {textwrap.shorten(c.statement, 90)}")
    return 0


def _one_line(text: str | None, width: int = 160) -> str:
    return textwrap.shorten((text or "").replace("|", "\\|"), width, placeholder=" …")


def markdown_table(claims) -> str:
    """The README's verdict table: id, verdict, what was found (correction or statement)."""
    rows = ["| id | verdict | finding |", "|---|---|---|"]
    for c in claims:
        state = c.verdict if c.verdict != PENDING else f"pending ({c.covered_by})"
        finding = c.correction if c.verdict in ("corrected", "refuted", "underspecified") else c.statement
        rows.append(f"| `{c.id}` | {state} | {_one_line(finding)} |")
    return "\n".join(rows)


def _cmd_check(args) -> int:
    from theory.verify import run_check

    claims = select(args.ids)
    out = Path(args.out)
    failed = 0
    for claim in claims:
        rep = run_check(claim, args.quick, out)
        if rep.pending:
            print(f"{claim.id}: PENDING — no derivation yet ({claim.covered_by}); nothing to reproduce")
            failed += 1
            continue
        status = "REPRODUCED" if rep.reproduced else "MISMATCH"
        print(f"{claim.id}: {status} — computed {rep.computed or 'error'}, recorded {claim.verdict} "
              f"({rep.seconds:.1f} s)\n    {rep.reason}")
        if rep.error:
            print(textwrap.indent(rep.error, "    "), file=sys.stderr)
        failed += not rep.reproduced
    return 0 if failed == 0 else 1


def _cmd_report(args) -> int:
    from theory.report import run_report

    reports = run_report(args.out, quick=args.quick)
    bad = [r for r in reports if not r.pending and not r.reproduced]
    done = [r for r in reports if not r.pending]
    print(f"{len(done)} derived claims checked, {len(done) - len(bad)} reproduced; "
          f"{len(reports) - len(done)} pending. Report: {Path(args.out) / 'REPORT.md'}")
    for r in bad:
        print(f"  MISMATCH {r.claim.id}: computed {r.computed or 'error'}, recorded {r.claim.verdict}: {r.reason}")
    return 0 if not bad else 1


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="sslverify", description="Verify the claims of SSL dimensional-collapse theory.")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("list", help="list the claims and their recorded verdicts")
    p.add_argument("--json", action="store_true", help="print a JSON array")
    p.add_argument("--markdown", action="store_true", help="print the README verdict table")
    p.add_argument("--family", help="only one family, e.g. ziyin")
    p.set_defaults(func=_cmd_list)
    p = sub.add_parser("check", help="re-run claims' derivations/experiments and compare verdicts")
    p.add_argument("ids", nargs="+", help="claim ids or families (ziyin.thm1, ziyin.*)")
    p.add_argument("--quick", action="store_true", help="small experiment sizes")
    p.add_argument("--out", default="results/check", help="where experiments write (default results/check)")
    p.set_defaults(func=_cmd_check)
    p = sub.add_parser("report", help="check every claim and write REPORT.md, results.json and plots")
    p.add_argument("--out", default="report", help="report directory (default ./report)")
    p.add_argument("--quick", action="store_true", help="small experiment sizes (a few minutes)")
    p.set_defaults(func=_cmd_report)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
