"""The sslverify command line: list, show, check (built-in and users' claims), report, run; errors."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from sslverify.verdicts.cli import main

USER_CLAIMS = textwrap.dedent('''
    """A user's claims file, outside the package."""
    from sslverify import Outcome, claim, inconclusive

    @claim("mine.two-plus-two", "arithmetic folklore", "2 + 2 = 4", verdict="proved")
    def check_sum():
        return Outcome("proved" if 2 + 2 == 4 else "refuted", "computed 2 + 2")

    @claim("mine.unrecorded", "a new claim", "1 < 2")
    def check_unrecorded(quick):
        return Outcome("proved", f"quick={quick}")

    @claim("mine.machinery-fails", "a claim", "x", verdict="proved")
    def check_fails():
        return inconclusive("root finder did not converge")

    @claim("mine.wrong-type", "a claim", "x", verdict="proved")
    def check_wrong():
        return "proved"
''')


@pytest.fixture
def user_file(tmp_path):
    f = tmp_path / "my_claims.py"
    f.write_text(USER_CLAIMS)
    return f


def test_list_json_has_all_ids_and_keys(capsys):
    assert main(["list", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data) == 72
    for key in ("id", "source", "statement", "verdict", "assumptions", "correction", "counterexample", "evidence",
                "readings", "scope", "second_method", "location"):
        assert key in data[0]


def test_list_shows_corrections(capsys):
    assert main(["list", "--family", "ziyin"]) == 0
    line = next(ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("ziyin.ncrit "))
    assert "corrected" in line and "correction:" in line


def test_unknown_claim_exits_2_with_one_line(capsys):
    assert main(["check", "ziyin.nope"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "does not exist" in err[0]


def test_unwritable_out_exits_2(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["report", "--quick", "--out", str(blocker / "sub")]) == 2
    assert "not writable" in capsys.readouterr().err
    assert main(["check", "ziyin.thm1", "--out", str(blocker / "sub")]) == 2


def test_show_locates_record_derivation_check_experiment_tests(capsys):
    assert main(["show", "ziyin.prop2"]) == 0
    out = capsys.readouterr().out
    for key in ("record:", "check:", "derivation:", "experiment:", "tests:"):
        assert key in out
    assert "verdicts/builtin/ziyin_landscape.py:" in out
    assert "theory/ziyin/landscape.py:" in out
    assert "experiments/ziyin_prop2.py:1" in out
    assert "tests/theory/test_ziyin_landscape.py:" in out


def test_user_claims_file_from_another_folder(user_file, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["check", f"{user_file}::mine.two-plus-two", "--out", "out"]) == 0
    assert "REPRODUCED — computed proved" in capsys.readouterr().out
    assert main(["check", f"{user_file}::mine.unrecorded"]) == 0
    assert "COMPUTED — computed proved, recorded none recorded" in capsys.readouterr().out
    assert main(["check", f"{user_file}::mine.machinery-fails"]) == 1
    assert "INCONCLUSIVE" in capsys.readouterr().out
    assert main(["check", f"{user_file}::mine.wrong-type"]) == 1
    captured = capsys.readouterr()
    assert "ERROR" in captured.out and "returned str, not sslverify.Outcome" in captured.out
    assert main(["check", f"{user_file}::mine.absent"]) == 2
    assert main(["show", "mine.two-plus-two", "--claims", str(user_file)]) == 0
    assert "(user claim)" in capsys.readouterr().out


def test_user_claims_in_report(user_file, tmp_path, capsys):
    good = tmp_path / "good"
    good.mkdir()
    (good / "c.py").write_text(USER_CLAIMS.split("@claim(\"mine.machinery-fails\"")[0])
    assert main(["report", "--claims", str(good), "--out", str(tmp_path / "rep")]) == 0
    text = (tmp_path / "rep" / "REPORT.md").read_text()
    assert "`mine.two-plus-two`" in text and "`ziyin.thm1`" not in text
    data = json.loads((tmp_path / "rep" / "results.json").read_text())
    assert {c["id"] for c in data["claims"]} == {"mine.two-plus-two", "mine.unrecorded"}


def test_bad_claims_file_is_one_line(tmp_path, capsys):
    dup = tmp_path / "dup.py"
    dup.write_text("from sslverify import claim, Outcome\n"
                   "@claim('mine.a', 's', 'x')\ndef f():\n    return Outcome('proved', '')\n"
                   "@claim('mine.a', 's', 'x')\ndef g():\n    return Outcome('proved', '')\n")
    assert main(["check", str(dup)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "dup.py" in err[0] and "declared twice" in err[0]
    broken = tmp_path / "broken.py"
    broken.write_text("import no_such_module_xyz\n")
    assert main(["check", str(broken)]) == 2
    assert "importing the claims file failed" in capsys.readouterr().err


def test_run_lists_experiments_and_forwards_flags(capsys):
    assert main(["run", "--list"]) == 0
    assert "ziyin_prop2" in capsys.readouterr().out
    assert main(["run", "no_such_experiment"]) == 2


def test_closed_pipe_is_quiet():
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.run(f"{sys.executable} -m sslverify list | head -1", shell=True, capture_output=True,
                          text=True, env=env, timeout=120)
    assert proc.stdout.count("\n") == 1
    assert "BrokenPipeError" not in proc.stderr and "Traceback" not in proc.stderr
