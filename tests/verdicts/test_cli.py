"""The sslverify command line: list, show, check (built-in and users' claims), report, run; errors."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

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


# ----------------------------------------------------------------------------- issue 11: errors, pipes, interrupts
@pytest.mark.parametrize("out", ["/proc/x", "/dev/null", "/dev/null/sub"])
def test_system_paths_as_out_are_one_line(out, capsys):
    if not Path(out.split("/")[1] and "/" + out.split("/")[1]).exists():
        pytest.skip(f"{out}: no such system folder here")
    assert main(["check", "ziyin.thm1", "--out", out]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"error: --out directory '{out}' is not writable"), err


def test_output_folder_that_breaks_inside_a_check_is_one_line(tmp_path, capsys):
    f = tmp_path / "writes.py"
    f.write_text(textwrap.dedent('''
        from pathlib import Path
        from sslverify import Outcome, claim
        from sslverify.numerics.io import check_writable_dir

        @claim("mine.writes", "a test", "x", verdict="proved")
        def check(quick, out_dir):
            check_writable_dir(Path(out_dir) / "blocked", "--out")  # what run_experiment does for its folder
            return Outcome("proved", "wrote")
    '''))
    out = tmp_path / "out"
    out.mkdir()
    (out / "blocked").write_text("a file where the check writes its folder")
    assert main(["check", str(f), "--out", str(out), "--no-cache"]) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert captured.err.strip().splitlines()[-1].startswith("error: --out directory")


@pytest.mark.parametrize("argv", [[], ["check"], ["nosuch"], ["list", "--bogus"], ["check", "x", "-j", "0"]])
def test_usage_errors_are_one_line(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and ": error: " in err[0] and "--help" in err[0], err


class _ClosedPipe:
    """stdout whose reader has left: every write fails like a pipe closed by `| head`."""

    def write(self, text):
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self):
        pass

    def fileno(self):
        import io

        raise io.UnsupportedOperation("no descriptor")  # keeps the handler from redirecting pytest's own fd 1


@pytest.mark.parametrize("argv", [["list"], ["list", "--json"], ["list", "--markdown"], ["show", "ziyin.prop2"],
                                  ["show", "ziyin.prop2", "--json"], ["run", "--list"], ["--help"],
                                  ["run", "ziyin_prop2", "--help"], ["check", "--help"]])
def test_closed_stdout_is_quiet_for_every_printing_command(argv, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    try:
        code = main(argv)
    except SystemExit as exc:  # --help exits through argparse
        code = exc.code
    assert code == 0
    assert "Traceback" not in capsys.readouterr().err


def test_closed_stdout_at_exit_in_a_real_process():
    p = subprocess.Popen([sys.executable, "-m", "sslverify", "show", "ziyin"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    p.stdout.close()  # the reader left before anything was printed (`| head -0`); the output is > a pipe buffer
    err = p.stderr.read()
    assert p.wait(timeout=120) == 0 and "Traceback" not in err and "BrokenPipe" not in err, err


def test_interrupted_check_says_what_is_kept(monkeypatch, tmp_path, capsys):
    import sslverify.verdicts.runner as runner

    def interrupted(claims, quick, out_dir, on_done=None, **kw):
        on_done(runner.CheckReport(claims[0], "proved", "done"))
        raise KeyboardInterrupt

    monkeypatch.setattr(runner, "run_checks", interrupted)
    assert main(["check", "found.srank", "found.erank", "--out", str(tmp_path / "o")]) == 130
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("interrupted after 1 of 2 claim(s)")
    assert f"cached under {tmp_path / 'o' / '.cache' / 'claims'}" in err and "run the same command again" in err


def test_interrupted_report_says_what_is_kept(monkeypatch, tmp_path, capsys):
    import sslverify.verdicts.report as report

    def interrupted(claims, quick, out_dir, on_done=None, **kw):
        raise KeyboardInterrupt

    monkeypatch.setattr(report, "run_checks", interrupted)
    assert main(["report", "--quick", "--out", str(tmp_path / "r")]) == 130
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("interrupted after 0 of ") and "REPORT.md not written" in err
    assert str(tmp_path / "r" / "artifacts" / ".cache" / "claims") in err
    assert not (tmp_path / "r" / "REPORT.md").exists()


def test_ctrl_c_of_a_real_check(tmp_path):
    """SIGINT to the whole process group (what a terminal's Ctrl-C does) while a check computes."""
    import signal
    import time

    f = tmp_path / "slow.py"
    f.write_text(textwrap.dedent('''
        import time
        from sslverify import Outcome, claim

        @claim("mine.slow", "a test", "x", verdict="proved")
        def check():
            time.sleep(60)
            return Outcome("proved", "slept")
    '''))
    p = subprocess.Popen([sys.executable, "-m", "sslverify", "check", str(f), "--out", str(tmp_path / "o"), "-j", "1"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.time() + 60
    while not (tmp_path / "o").exists() and time.time() < deadline:  # --out is created once the claims loaded
        time.sleep(0.2)
    time.sleep(1.0)
    os.killpg(p.pid, signal.SIGINT)
    out, err = p.communicate(timeout=60)
    assert p.returncode == 130 and "Traceback" not in err, err
    assert err.strip().splitlines()[-1].startswith("interrupted after 0 of 1 claim(s)")


def test_closed_stdout_during_check_keeps_the_exit_code(user_file, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    assert main(["check", f"{user_file}::mine.two-plus-two", "--out", str(tmp_path / "o")]) == 0
    assert main(["check", f"{user_file}::mine.machinery-fails", "--out", str(tmp_path / "o")]) == 1  # still reported
    assert "Traceback" not in capsys.readouterr().err
