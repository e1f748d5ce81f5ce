"""Command line: ``sslverify list | show | check | report | run``.

Targets of ``check`` are claim ids (``ziyin.thm1``), families (``ziyin``), patterns (``'ziyin.*'``),
a user's claims file (``my_claims.py``), one claim of it (``my_claims.py::mine.x``) or a folder of
claims files.  ``--claims PATH`` (repeatable) adds users' claims to any command.

Exit codes: 0 success; 1 a check did not reproduce its recorded verdict (mismatch), was inconclusive
or crashed; 2 bad input (one line on stderr: unknown id, bad claims file, unwritable --out, ...);
130 interrupted.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
from pathlib import Path

from sslverify.verdicts.record import Claim, ClaimDeclarationError
from sslverify.verdicts.registry import registry, select

STATUS_LABEL = {"reproduced": "REPRODUCED", "computed": "COMPUTED", "mismatch": "MISMATCH",
                "inconclusive": "INCONCLUSIVE", "error": "ERROR"}


def _one_line(text: str | None, width: int = 160) -> str:
    return textwrap.shorten((text or "").replace("|", "\\|"), width, placeholder=" …")


def markdown_table(claims) -> str:
    """The README's verdict table: id, verdict, what was found (correction or statement)."""
    rows = ["| id | verdict | finding |", "|---|---|---|"]
    for c in claims:
        finding = c.correction if c.verdict in ("corrected", "refuted", "underspecified") else c.statement
        rows.append(f"| `{c.id}` | {c.verdict} | {_one_line(finding)} |")
    return "\n".join(rows)


def _looks_like_path(target: str) -> bool:
    file = target.split("::", 1)[0]
    return file.endswith(".py") or os.sep in file or Path(file).is_dir()


def _claims_for(targets: list[str], extra: list[str]) -> list[Claim]:
    """Resolve check targets (ids, families, patterns, files, file::id, folders) to claims."""
    paths = [t.split("::", 1)[0] for t in targets if _looks_like_path(t)]
    reg = registry(tuple(extra) + tuple(paths))
    out: dict[str, Claim] = {}
    for t in targets:
        if _looks_like_path(t):
            file, _, cid = t.partition("::")
            from sslverify.verdicts.registry import load_claims_path

            claims = load_claims_path(file)
            if cid:
                hits = [c for c in claims if c.id == cid]
                if not hits:
                    raise ValueError(f"{file} declares no claim {cid!r}; it declares {', '.join(c.id for c in claims)}")
                claims = hits
            for c in claims:
                out.setdefault(c.id, reg[c.id])
        else:
            for c in select([t], reg):
                out.setdefault(c.id, c)
    return list(out.values())


def _cmd_list(args) -> int:
    reg = registry(tuple(args.claims))
    claims = list(reg.values())
    if args.family:
        claims = select([args.family], reg)
    if args.json:
        print(json.dumps([c.to_json() for c in claims], indent=2, ensure_ascii=False))
        return 0
    if args.markdown:
        print(markdown_table(claims))
        return 0
    width = max(len(c.id) for c in claims)
    for c in claims:
        text = c.correction if c.verdict in ("corrected", "refuted", "underspecified") and c.correction else c.statement
        tag = {"corrected": "correction: ", "refuted": "why: ", "underspecified": "missing: "}.get(c.verdict or "", "")
        print(f"{c.id:<{width}}  {c.verdict or '-':<14}  {textwrap.shorten(tag + text, 100, placeholder=' …')}")
    return 0


def _cmd_show(args) -> int:
    from sslverify.verdicts.show import render

    reg = registry(tuple(args.claims))
    claims = select([args.id], reg)
    if args.json:
        from sslverify.verdicts.show import locate

        print(json.dumps([c.to_json() | {"where": locate(c)} for c in claims], indent=2, ensure_ascii=False))
        return 0
    print("\n\n".join(render(c) for c in claims))
    return 0


def _paths_of(args) -> tuple[str, ...]:
    targets = [t.split("::", 1)[0] for t in getattr(args, "targets", []) if _looks_like_path(t)]
    return tuple(str(Path(p).resolve()) for p in list(args.claims) + targets)


def _output_error(rep) -> bool:
    """The check failed because its output folder could not be written (a user's input, not a crash)."""
    return rep.computed is None and rep.reason.startswith("check crashed: OutputDirError")


def resume_hint(out: Path, use_cache: bool) -> str:
    """What an interrupted check/report keeps and how to continue."""
    from sslverify.verdicts.cache import cache_dir

    kept = f"finished claims' outcomes are cached under {cache_dir(out)}"
    again = "again to continue" if use_cache else "without --no-cache to continue from them"
    return (f"{kept} and experiments' finished training batches under {out}/<experiment>/runs; run the same command "
            f"{again}")


def _cmd_check(args) -> int:
    from sslverify.numerics.io import check_writable_dir
    from sslverify.verdicts.runner import run_checks

    claims = _claims_for(args.targets, args.claims)
    out = check_writable_dir(Path(args.out).resolve(), "--out")
    finished = []

    from sslverify.numerics.experiment import quiet_if_pipe_closed

    def show(rep) -> None:
        finished.append(rep)
        recorded = rep.claim.verdict or "none recorded"
        when = "cached" if rep.cached else f"{rep.seconds:.1f} s"
        # a closed pipe (`| head`) stops the printing, not the checks: the exit code still reports them
        quiet_if_pipe_closed(print, f"{rep.claim.id}: {STATUS_LABEL[rep.status]} — computed {rep.computed or 'error'}, "
                                    f"recorded {recorded} ({when})\n    {rep.reason}", flush=True)
        if rep.error and not _output_error(rep):  # a crash shows its traceback; an unwritable folder its one line
            print(textwrap.indent(rep.error, "    "), file=sys.stderr)

    try:
        reports = run_checks(claims, args.quick, out, jobs=args.jobs, use_cache=not args.no_cache,
                             claim_paths=_paths_of(args), on_done=show)
    except KeyboardInterrupt:
        print(f"interrupted after {len(finished)} of {len(claims)} claim(s); {resume_hint(out, not args.no_cache)}",
              file=sys.stderr)
        return 130
    bad = [r for r in reports if not r.ok]
    if bad and all(_output_error(r) for r in bad):
        print(f"error: {bad[0].reason.removeprefix('check crashed: OutputDirError: ')}", file=sys.stderr)
        return 2
    return 0 if not bad else 1


def _cmd_report(args) -> int:
    from sslverify.verdicts.report import run_report

    from sslverify.verdicts.report import ReportInterrupted

    reg = registry(tuple(args.claims), include_builtin=not args.claims or args.with_builtin)
    try:
        reports = run_report(args.out, quick=args.quick, claims=list(reg.values()), jobs=args.jobs,
                             use_cache=not args.no_cache, claim_paths=_paths_of(args))
    except ReportInterrupted as exc:
        print(f"interrupted after {exc.finished} of {exc.total} claim(s), REPORT.md not written; "
              f"{resume_hint(exc.art_dir, not args.no_cache)}", file=sys.stderr)
        return 130
    bad = [r for r in reports if not r.ok]
    print(f"{len(reports)} claims checked, {len(reports) - len(bad)} reproduced or computed. "
          f"Report: {Path(args.out) / 'REPORT.md'}")
    for r in bad:
        print(f"  {STATUS_LABEL[r.status]} {r.claim.id}: computed {r.computed or 'error'}, "
              f"recorded {r.claim.verdict}: {r.reason}")
    return 0 if not bad else 1


def _cmd_run(args) -> int:
    from sslverify.experiments import EXPERIMENTS, get_spec
    from sslverify.numerics.experiment import main as experiment_main

    if args.list or not args.experiment:
        for name, text in EXPERIMENTS.items():
            print(f"{name:<30}  {text}")
        return 0
    return experiment_main(get_spec(args.experiment), args.rest)


def _jobs(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"-j/--jobs must be an integer >= 1, got {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"-j/--jobs must be an integer >= 1, got {text!r}")
    return n


def _run_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("-j", "--jobs", type=_jobs, default=None, metavar="N",
                   help="worker processes (default: every core); each uses one compute thread")
    p.add_argument("--no-cache", action="store_true",
                   help="recompute every outcome and refresh the cache (default: reuse cached outcomes whose code, "
                        "settings and library versions are unchanged; they show as 'cached')")


def build_parser() -> argparse.ArgumentParser:
    from sslverify.numerics.experiment import OneLineErrorParser  # usage errors: one line, exit 2

    ap = OneLineErrorParser(prog="sslverify", description="Verify claims of SSL dimensional-collapse theory: "
                                 "derive each claim (SymPy), train the matching model, compute a verdict.")
    sub = ap.add_subparsers(dest="cmd", required=True)
    claims_help = "a user's claims file or folder to add (repeatable)"
    p = sub.add_parser("list", help="list the claims and their recorded verdicts")
    p.add_argument("--json", action="store_true", help="print a JSON array")
    p.add_argument("--markdown", action="store_true", help="print the README verdict table")
    p.add_argument("--family", help="only one family, e.g. ziyin")
    p.add_argument("--claims", action="append", default=[], metavar="PATH", help=claims_help)
    p.set_defaults(func=_cmd_list)
    p = sub.add_parser("show", help="everything about one claim: record, readings, file:line of its derivation, "
                                    "check, experiment and tests")
    p.add_argument("id", help="claim id (or a family / pattern)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--claims", action="append", default=[], metavar="PATH", help=claims_help)
    p.set_defaults(func=_cmd_show)
    p = sub.add_parser("check", help="re-run claims' derivations/experiments and compare verdicts")
    p.add_argument("targets", nargs="+", metavar="TARGET",
                   help="claim ids, families or patterns (ziyin.thm1, ziyin, 'ziyin.*'), a claims file "
                        "(my_claims.py), one claim of it (my_claims.py::mine.x) or a folder of claims files")
    p.add_argument("--quick", action="store_true", help="small experiment sizes")
    p.add_argument("--out", default="results/check", help="where experiments write (default ./results/check)")
    p.add_argument("--claims", action="append", default=[], metavar="PATH", help=claims_help)
    _run_flags(p)
    p.set_defaults(func=_cmd_check)
    p = sub.add_parser("report", help="check every claim and write REPORT.md, results.json and plots")
    p.add_argument("--out", default="report", help="report directory (default ./report)")
    p.add_argument("--quick", action="store_true", help="small experiment sizes")
    p.add_argument("--claims", action="append", default=[], metavar="PATH",
                   help="report on the claims of this file or folder (repeatable) instead of the built-in ones")
    p.add_argument("--with-builtin", action="store_true", help="with --claims: report on the built-in claims too")
    _run_flags(p)
    p.set_defaults(func=_cmd_report)
    p = sub.add_parser("run", help="run one experiment (its own flags follow; `sslverify run NAME --help`)",
                       add_help=True)
    p.add_argument("experiment", nargs="?", help="experiment name (sslverify run --list)")
    p.add_argument("--list", action="store_true", help="list the experiments")
    p.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    p.set_defaults(func=_cmd_run)
    return ap


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if len(argv) >= 2 and argv[0] == "run" and not argv[1].startswith("-"):
        # everything after the experiment name belongs to the experiment (including --help)
        argv = ["run", argv[1], "--", *argv[2:]] if len(argv) > 2 else argv
    try:
        args = build_parser().parse_args(argv)
        if getattr(args, "rest", None) and args.rest[:1] == ["--"]:
            args.rest = args.rest[1:]
        code = args.func(args)
        sys.stdout.flush()  # a closed pipe shows here, inside the handler, not at interpreter exit
        return code
    except (ValueError, ClaimDeclarationError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `sslverify list | head`: the reader left; not an error of ours
        from sslverify.numerics.experiment import quiet_if_pipe_closed

        def closed():
            raise BrokenPipeError

        quiet_if_pipe_closed(closed)  # stdout -> /dev/null, so the exit flush does not fail again
        return 0
    except KeyboardInterrupt:
        print("interrupted: nothing was being written; run the command again", file=sys.stderr)
        return 130
    except OSError as exc:  # an output could not be written (disk full, folder made read-only mid-run)
        from sslverify.numerics.experiment import OUTPUT_ERRNOS

        if exc.errno not in OUTPUT_ERRNOS:
            raise
        print(f"error: cannot write {exc.filename or 'the output'}: {exc.strerror or exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
