"""numerics/experiment.py: --set parsing, config building, output files, exit codes (dummy spec)."""
from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from sslverify.numerics import experiment as ex
from sslverify.numerics.trainer import TrainingDiverged


@dataclass(frozen=True)
class DummyConfig:
    n: int = 3
    lr: float = 0.1
    flag: bool = False
    sizes: tuple[int, ...] = (1, 2)
    label: str = "x"
    seed: int = 0
    device: str = "cpu"
    mode: str = "pass"
    limit: int | None = None
    tag: str | None = None

    def validate(self):
        if self.n < 1:
            raise ValueError(f"n must be >= 1, got {self.n}")


def _run(cfg: DummyConfig, out_dir: Path) -> dict:
    if cfg.mode == "diverge":
        raise TrainingDiverged("training diverged at step 1 in configuration 0")
    ok = cfg.mode == "pass"
    return {"checks": [{"name": "sum", "passed": ok, "detail": f"n={cfg.n}"}], "table": [{"n": cfg.n}],
            "summary": "dummy"}


def _plot(results: dict, out_dir: Path) -> list:
    p = out_dir / "plot.txt"
    p.write_text("not a png, but a file")
    return [p]


SPEC = ex.ExperimentSpec(name="dummy", config=DummyConfig, run=_run, plot=_plot, quick={"n": 2}, full={"n": 100})


@pytest.mark.parametrize("item, field, value", [
    ("n=5", "n", 5),
    ("lr=1e-3", "lr", 1e-3),
    ("lr=2", "lr", 2.0),
    ("flag=true", "flag", True),
    ("flag=0", "flag", False),
    ("flag=Yes", "flag", True),
    ("sizes=(3, 4)", "sizes", (3, 4)),
    ("sizes=[5]", "sizes", (5,)),
    ("sizes=7", "sizes", (7,)),
    ("label=a=b", "label", "a=b"),
    ("limit=4", "limit", 4),
    ("tag=abc", "tag", "abc"),
])
def test_set_parsing(item, field, value):
    cfg = ex.build_config(SPEC, sets=[item])
    got = getattr(cfg, field)
    assert got == value and type(got) is type(value)


@pytest.mark.parametrize("item, pattern", [
    ("nope=1", "unknown config field 'nope'"),
    ("n=abc", r"--set n='abc': cannot parse the value as int"),
    ("n=3.5", r"--set n='3.5': cannot parse"),
    ("lr=fast", r"--set lr='fast': cannot parse the value as float"),
    ("flag=maybe", r"--set flag='maybe': cannot parse the value as bool"),
    ("sizes=(1,", r"--set sizes='\(1,': cannot parse"),
    ("n", "--set expects field=value"),
    ("limit=four", r"--set limit='four': cannot parse"),
    ("n=0", "n must be >= 1"),  # the config's own validate()
])
def test_set_errors_name_the_field(item, pattern):
    with pytest.raises(ValueError, match=pattern):
        ex.build_config(SPEC, sets=[item])


def test_optional_fields_accept_none():
    cfg = ex.build_config(SPEC, sets=["limit=3", "limit=None", "tag=None"])
    assert cfg.limit is None and cfg.tag is None


def test_quick_full_and_overrides():
    assert ex.build_config(SPEC).n == 3
    assert ex.build_config(SPEC, quick=True).n == 2
    assert ex.build_config(SPEC, full=True).n == 100
    assert ex.build_config(SPEC, quick=True, sets=["n=7"]).n == 7  # --set wins over --quick
    assert ex.build_config(SPEC, seed=None).seed == 0  # None = not given
    assert ex.build_config(SPEC, seed=4).seed == 4
    with pytest.raises(ValueError, match="--quick and --full exclude each other"):
        ex.build_config(SPEC, quick=True, full=True)
    with pytest.raises(ValueError, match="unknown config field 'bogus'"):
        ex.build_config(SPEC, bogus=1)


def test_main_writes_files_and_exit_codes(tmp_path, capsys):
    out = tmp_path / "run"
    assert ex.main(SPEC, ["--out", str(out), "--quick", "--set", "lr=0.5"]) == 0
    results = json.loads((out / "results.json").read_text())
    config = json.loads((out / "config.json").read_text())
    assert results["passed"] is True and results["config"]["lr"] == 0.5 and results["config"]["n"] == 2
    assert config == {"experiment": "dummy", "config": results["config"]}
    assert results["plots"] == ["plot.txt"]  # relative to results.json's folder: the folder can be moved
    assert not list(out.glob(".*.tmp"))
    assert ex.main(SPEC, ["--out", str(tmp_path / "f"), "--set", "mode=fail"]) == 1
    assert json.loads((tmp_path / "f" / "results.json").read_text())["passed"] is False
    assert ex.main(SPEC, ["--out", str(tmp_path / "d"), "--set", "mode=diverge"]) == 3
    assert ex.main(SPEC, ["--out", str(tmp_path / "e"), "--set", "n=abc"]) == 2
    assert "cannot parse the value as int" in capsys.readouterr().err


def test_unwritable_out_is_a_value_error(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    cfg = ex.build_config(SPEC)
    with pytest.raises(ValueError, match="--out directory .* is not writable"):
        ex.execute(SPEC, cfg, blocker / "sub", echo=False)
    assert ex.main(SPEC, ["--out", str(blocker / "sub")]) == 2
    assert "not writable" in capsys.readouterr().err


def test_run_without_checks_is_refused(tmp_path):
    spec = ex.ExperimentSpec(name="nochecks", config=DummyConfig, run=lambda c, o: {"summary": "x"}, plot=_plot)
    with pytest.raises(RuntimeError, match="returned no checks"):
        ex.execute(spec, DummyConfig(), tmp_path, echo=False)


def test_unknown_experiment_name():
    from sslverify.experiments import get_spec

    with pytest.raises(ValueError, match="experiment 'no_such_experiment' does not exist"):
        get_spec("no_such_experiment")


# ----------------------------------------------------------------------------- command-line behaviour (issue 11)
def test_help_lists_config_fields_with_types_defaults_and_sizes(capsys):
    with pytest.raises(SystemExit) as exc:
        ex.main(SPEC, ["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "config fields" in out
    assert "n: int = 3   [--quick 2; --full 100]" in out
    assert "lr: float = 0.1" in out and "sizes: tuple[int, ...] = (1, 2)" in out and "limit: int | None = None" in out


def test_help_of_a_real_experiment_names_the_steps_fields(capsys):
    from sslverify.experiments import get_spec

    with pytest.raises(SystemExit):
        ex.main(get_spec("ziyin_prop2"), ["--help"])
    out = capsys.readouterr().out
    for line in ("quartic_steps: int = 3000", "infonce_steps: int = 4000", "source_protocol: bool = True"):
        assert line in out, line
    # every field of the Config appears
    from dataclasses import fields

    assert all(f"  {f.name}: " in out for f in fields(get_spec("ziyin_prop2").config))


def test_unknown_field_suggests_the_close_ones(capsys):
    from sslverify.experiments import get_spec

    assert ex.main(get_spec("ziyin_prop2"), ["--set", "steps=3000"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "unknown config field 'steps'" in err[0]
    assert "did you mean quartic_steps, infonce_steps, source_steps?" in err[0] and "--help" in err[0]


def test_usage_errors_are_one_line_exit_2(capsys):
    for argv in (["--bogus"], ["--seed", "x"], ["--set"]):
        with pytest.raises(SystemExit) as exc:
            ex.main(SPEC, argv)
        assert exc.value.code == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("sslverify run dummy: error:") and "--help" in err[0], err


def test_interrupt_says_what_was_saved_and_how_to_resume(tmp_path, capsys):
    def interrupted(cfg, out_dir):
        (out_dir / "runs").mkdir(exist_ok=True)
        (out_dir / "runs" / "batch-0123.json").write_text("{}")  # a finished sweep batch (numerics.sweep's name)
        raise KeyboardInterrupt

    spec = ex.ExperimentSpec(name="dummy", config=DummyConfig, run=interrupted, plot=_plot)
    assert ex.main(spec, ["--out", str(tmp_path / "o")]) == 130
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert "interrupted: 1 finished training batch(es) are saved under" in err and "run the same command again" in err
    spec = ex.ExperimentSpec(name="dummy", config=DummyConfig, run=lambda c, o: (_ for _ in ()).throw(KeyboardInterrupt),
                             plot=_plot)
    assert ex.main(spec, ["--out", str(tmp_path / "p")]) == 130
    assert "no finished training batch was saved" in capsys.readouterr().err


def test_output_write_error_is_one_line_exit_2(tmp_path, capsys, monkeypatch):
    real = ex.atomic_write_json

    def full_disk(path, obj):
        if Path(path).name == "results.json":
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real(path, obj)

    monkeypatch.setattr(ex, "atomic_write_json", full_disk)
    assert ex.main(SPEC, ["--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("error: cannot write") and "No space left on device" in err[-1]
    assert not any("Traceback" in line for line in err)


def test_results_folder_can_be_moved(tmp_path):
    out = tmp_path / "a" / "run"
    ex.execute(SPEC, ex.build_config(SPEC), out, echo=False)
    moved = tmp_path / "b"
    shutil.copytree(out, moved)
    shutil.rmtree(out)
    from sslverify.numerics.io import resolve_in_dir

    plots = json.loads((moved / "results.json").read_text())["plots"]
    assert plots and all(not Path(p).is_absolute() and resolve_in_dir(p, moved).is_file() for p in plots)


def test_results_follow_the_umask(tmp_path):
    old = os.umask(0o027)
    try:
        ex.execute(SPEC, ex.build_config(SPEC), tmp_path / "r", echo=False)
    finally:
        os.umask(old)
    for name in ("results.json", "config.json", "plot.txt"):
        assert (tmp_path / "r" / name).stat().st_mode & 0o777 == 0o640, name


def test_elapsed_line_on_stderr_only_for_commands(tmp_path, capsys):
    assert ex.main(SPEC, ["--out", str(tmp_path / "o")]) == 0
    assert "dummy: running" in capsys.readouterr().err
    ex.execute(SPEC, ex.build_config(SPEC), tmp_path / "q", echo=False)  # in-process (sslverify check): silent
    assert capsys.readouterr().err == ""


SCRIPT = textwrap.dedent('''
    import os, signal, sys
    from dataclasses import dataclass
    from sslverify.numerics.experiment import ExperimentSpec, main

    @dataclass(frozen=True)
    class Config:
        mode: str = "pass"

    def run(cfg, out_dir):
        if cfg.mode == "ctrl-c":
            os.kill(os.getpid(), signal.SIGINT)  # what the terminal sends on Ctrl-C
        return {"checks": [{"name": "c", "passed": True, "detail": "x" * 200}] * 2000, "summary": "long table"}

    SPEC = ExperimentSpec(name="script", config=Config, run=run, plot=lambda r, o: [])
    raise SystemExit(main(SPEC, sys.argv[1:]))
''')


def _script(tmp_path, *args, close_stdout=False):
    path = tmp_path / "exp.py"
    path.write_text(SCRIPT)
    p = subprocess.Popen([sys.executable, str(path), "--out", str(tmp_path / "o"), *args], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    if close_stdout:
        p.stdout.close()  # the reader left before the table (400 kB, beyond a pipe's buffer) was printed
        err = p.stderr.read()
        return p.wait(), "", err
    out, err = p.communicate(timeout=120)
    return p.returncode, out, err


def test_closed_stdout_is_not_an_error(tmp_path):
    code, _, err = _script(tmp_path, close_stdout=True)
    assert code == 0 and "Traceback" not in err and "BrokenPipe" not in err, err
    assert json.loads((tmp_path / "o" / "results.json").read_text())["passed"] is True


def test_ctrl_c_in_a_script(tmp_path):
    code, _, err = _script(tmp_path, "--set", "mode=ctrl-c")
    assert code == 130 and "Traceback" not in err, err
    assert err.strip().splitlines()[-1].startswith("interrupted: no finished training batch was saved")


@pytest.mark.parametrize("item, pattern", [
    ("lr=nan", "lr must be a finite number"),
    ("lr=inf", "lr must be a finite number"),
    ("seed=-1", "seed must be an integer >= 0"),
    ("sizes=()", "sizes must hold at least one value"),
    ("sizes=('a',)", "sizes must hold int values"),
    ("sizes=(1.5,)", "sizes must hold int values"),
])
def test_generic_config_rules(item, pattern):
    with pytest.raises(ValueError, match=pattern):
        ex.build_config(SPEC, sets=[item])


@dataclass(frozen=True)
class CountsConfig:
    steps: int = 10
    mc_draws: int = 100
    lr: float = 0.1
    lr_schedule: str = "cosine"
    widths: tuple = (1.0, 2.0)
    offset: float = float("inf")  # a non-finite default: infinite values stay allowed


COUNTS = ex.ExperimentSpec(name="counts", config=CountsConfig, run=_run, plot=_plot)


@pytest.mark.parametrize("item, pattern", [
    ("steps=0", "steps must be an integer >= 1"),
    ("mc_draws=-5", "mc_draws must be an integer >= 1"),
    ("lr=0", "lr must be a number > 0"),
    ("lr=-1e-3", "lr must be a number > 0"),
    ("widths=(1, 1e999)", "widths must hold finite numbers"),  # 1e999 parses as inf
])
def test_generic_rules_for_counts_and_rates(item, pattern):
    with pytest.raises(ValueError, match=pattern):
        ex.build_config(COUNTS, sets=[item])


def test_generic_rules_accept_good_values_and_every_experiments_own_sizes():
    cfg = ex.build_config(COUNTS, sets=["widths=(3, 4.5)", "offset=inf", "lr_schedule=constant"])
    assert cfg.widths == (3, 4.5) and cfg.offset == float("inf")
    from sslverify.experiments import EXPERIMENTS, get_spec

    for name in EXPERIMENTS:  # the defaults, --quick and --full of every experiment pass the generic rules
        spec = get_spec(name)
        for quick, full in ((False, False), (True, False), (False, True)):
            ex.build_config(spec, quick=quick, full=full)


def test_help_of_every_experiment_lists_every_field(capsys):
    from dataclasses import fields

    from sslverify.experiments import EXPERIMENTS, get_spec

    for name in EXPERIMENTS:
        spec = get_spec(name)
        with pytest.raises(SystemExit):
            ex.main(spec, ["--help"])
        out = capsys.readouterr().out
        missing = [f.name for f in fields(spec.config) if f"\n  {f.name}: " not in out]
        assert not missing, (name, missing)
        for key, val in spec.quick.items():  # the --quick values are shown beside the default
            assert f"--quick {val!r}" in out, (name, key)
