"""Every command in README.md's code blocks runs as documented (issue 11, item 6).

The commands are read from README.md itself: a command the table below does not know fails
``test_every_readme_command_is_covered``, so a new README example must come with its check here.
Each runs through bash, as a user would type it, in a temporary working folder (the outputs the README
promises are checked there), at ``--quick`` size where it trains.  Where the documented form is too slow
for the suite it runs in a restricted form that keeps the form (the flags, the pattern syntax, the
defaults): ``sslverify report`` on three fast built-in claims (registry restricted in-process),
``sslverify check 'ziyin.*' --quick`` on the pattern ``'ziyin.thm*'`` (and ``'ziyin.*'`` is checked to
select the whole family).  The two quick-start install commands are CI's own job (``.ci/run``) and
are not re-run; the ``sslverify report`` they end with is.
"""
from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
TIMEOUT = 600  # s; the slowest command (ziyin_prop2 --quick) takes ~1 min on 2 shared cores


def readme_blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def readme_commands() -> list[str]:
    """Every command line of the README's bash blocks, without its trailing comment."""
    out = []
    for block in readme_blocks("bash"):
        for line in block.splitlines():
            if not line.strip() or line.lstrip().startswith("#"):
                continue  # blank, or the continuation of the previous line's comment
            out.append(re.split(r"\s{2,}#\s", line, maxsplit=1)[0].strip())
    return out


INSTALL = ("python -m pip install torch==2.13.0 && python -m pip install -e . && sslverify report",
           "python -m pip install torch==2.13.0 && python -m pip install -e \".[test]\" && python -m pytest")
#: command -> the test below that runs it
COVERED = {
    INSTALL[0]: "test_report_default_form",  # the install part is CI's; `sslverify report` is run
    INSTALL[1]: "(CI: .ci/run)",
    "sslverify list": "test_list_show_and_experiment_commands",
    "sslverify list --json": "test_list_show_and_experiment_commands",
    "sslverify show ziyin.prop2": "test_list_show_and_experiment_commands",
    "sslverify check ziyin.thm1": "test_check_one_claim",
    "sslverify check 'ziyin.*' --quick": "test_check_family_pattern",
    "sslverify run --list": "test_list_show_and_experiment_commands",
    "sslverify run ziyin_prop2 --quick": "test_run_experiment_quick",
    "sslverify run ziyin_prop2 --help": "test_list_show_and_experiment_commands",
    "python -m pytest tests/theory -k thm1": "test_proof_checker_for_one_claim",
    "sslverify check my_claims.py": "test_user_claim_commands",
    "sslverify check my_claims.py::mine.scl-span": "test_user_claim_commands",
    "sslverify show mine.scl-span --claims my_claims.py": "test_user_claim_commands",
    "sslverify report --claims my_folder/ --out my_report": "test_user_claim_commands",
}


def test_every_readme_command_is_covered():
    found = readme_commands()
    assert found, "README.md has no bash code block"
    unknown = [c for c in found if c not in COVERED]
    assert not unknown, f"README commands no test runs (add them to COVERED and run them): {unknown}"
    gone = [c for c in COVERED if c not in found]
    assert not gone, f"commands tested here that README no longer shows (drop them): {gone}"


def sh(command: str, cwd: Path, timeout: float = TIMEOUT) -> subprocess.CompletedProcess:
    """Run ``command`` through bash as a user would type it."""
    env = dict(os.environ, SSLVERIFY_THREADS=os.environ.get("SSLVERIFY_THREADS", "1"),
               OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "1"), TQDM_DISABLE="1")
    return subprocess.run(["bash", "-c", command], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)


def ok(proc: subprocess.CompletedProcess, code: int = 0) -> str:
    assert proc.returncode == code, f"exit {proc.returncode}\n--- stdout\n{proc.stdout[-3000:]}\n--- stderr\n{proc.stderr[-3000:]}"
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    return proc.stdout


def test_list_show_and_experiment_commands(tmp_path):
    out = ok(sh("sslverify list", tmp_path))
    assert re.search(r"^ziyin\.ncrit\s+corrected\s+correction: ", out, flags=re.M), "list shows the correction"
    data = json.loads(ok(sh("sslverify list --json", tmp_path)))
    assert {"id", "source", "statement", "verdict", "readings"} <= set(data[0])  # what the README lists
    out = ok(sh("sslverify show ziyin.prop2", tmp_path))
    for key in ("record:", "derivation:", "check:", "experiment:", "tests:"):  # "file:line of record, derivation, …"
        assert key in out, key
    out = ok(sh("sslverify run --list", tmp_path))
    from sslverify.experiments import EXPERIMENTS

    assert all(name in out for name in EXPERIMENTS)
    out = ok(sh("sslverify run ziyin_prop2 --help", tmp_path))  # "its flags and config fields"
    for flag in ("--out", "--quick", "--full", "--device", "--seed", "--set"):  # the flags the README lists
        assert flag in out, flag
    assert "infonce_steps: int = 4000" in out and "quartic_steps: int = 3000" in out
    assert not any(tmp_path.iterdir()), "read-only commands wrote into the working folder"


def test_check_one_claim(tmp_path):
    out = ok(sh("sslverify check ziyin.thm1", tmp_path))  # exit 0 iff the computed verdict reproduces the record
    assert "ziyin.thm1: REPRODUCED — computed proved, recorded proved" in out
    assert (tmp_path / "results" / "check").is_dir()  # --out's default, under the working folder


def test_check_family_pattern(tmp_path):
    from sslverify.verdicts.registry import select

    family = select(["ziyin.*"])  # the documented pattern selects the whole family ...
    assert family and all(c.family == "ziyin" for c in family)
    assert {c.id for c in family} == {c.id for c in select(["ziyin"])}
    # ... and the same form runs on a fast part of it (the whole family trains five experiments: minutes)
    out = ok(sh("sslverify check 'ziyin.thm*' --quick", tmp_path))
    assert out.count("REPRODUCED") == len(select(["ziyin.thm*"])) >= 2


def test_run_experiment_quick(tmp_path):
    out = ok(sh("sslverify run ziyin_prop2 --quick", tmp_path))  # 0: the quick run passes its checks
    assert "all checks passed" in out
    folder = tmp_path / "results" / "ziyin_prop2"  # "under ./results/ziyin_prop2"
    res = json.loads((folder / "results.json").read_text())
    assert (folder / "config.json").is_file() and res["passed"] is True
    assert res["plots"] and all((folder / p).is_file() and not Path(p).is_absolute() for p in res["plots"])


def test_proof_checker_for_one_claim():
    # from the checkout (the path is relative to it), without writing pytest's cache into the shared tree
    proc = sh("python -m pytest tests/theory -k thm1 -q -p no:cacheprovider", ROOT)
    out = ok(proc)
    assert re.search(r"\b\d+ passed\b", out) and "failed" not in out


def _user_claim_file(folder: Path) -> Path:
    blocks = [b for b in readme_blocks("python") if "@claim(" in b]
    assert len(blocks) == 1, "README's 'Verify your own claim' shows one claims file"
    f = folder / "my_claims.py"
    f.write_text(blocks[0], encoding="utf-8")
    return f


def test_user_claim_commands(tmp_path):
    _user_claim_file(tmp_path)
    out = ok(sh("sslverify check my_claims.py", tmp_path))
    assert "mine.scl-span: REPRODUCED — computed corrected, recorded corrected" in out
    out = ok(sh("sslverify check my_claims.py::mine.scl-span", tmp_path))
    assert "mine.scl-span: REPRODUCED" in out
    out = ok(sh("sslverify show mine.scl-span --claims my_claims.py", tmp_path))
    assert "mine.scl-span" in out and "(user claim)" in out
    (tmp_path / "my_folder").mkdir()
    _user_claim_file(tmp_path / "my_folder")
    out = ok(sh("sslverify report --claims my_folder/ --out my_report", tmp_path))
    report = (tmp_path / "my_report" / "REPORT.md").read_text()
    assert "`mine.scl-span`" in report and "`ziyin.thm1`" not in report  # only the user's claims


FAST = ("found.srank", "found.collapse-iff", "rusak.lemma2")  # proved symbolically in ~0.1 s each


def test_report_default_form(tmp_path, monkeypatch, capsys):
    """`sslverify report` with its defaults (./report, every core, cache) on three fast built-in claims."""
    from sslverify.verdicts import registry as reg
    from sslverify.verdicts.cli import main

    full = reg.builtin_claims()
    monkeypatch.setattr(reg, "builtin_claims", lambda: {k: full[k] for k in FAST})
    monkeypatch.chdir(tmp_path)
    assert main(shlex.split("report")) == 0
    report = tmp_path / "report"
    # "writes ... report/REPORT.md (verdict table, reasons, readings, links to plots), report/results.json"
    text = (report / "REPORT.md").read_text()
    assert all(f"`{c}`" in text for c in FAST) and "| id | verdict |" in text
    data = json.loads((report / "results.json").read_text())
    assert [c["id"] for c in data["claims"]] == list(FAST)
    assert f"{len(FAST)} claims checked" in capsys.readouterr().out
    # "a second `sslverify report` with nothing changed only re-reads them"
    assert main(["report"]) == 0
    assert all(c["cached"] for c in json.loads((report / "results.json").read_text())["claims"])
