"""numerics/experiment.py: --set parsing, config building, output files, exit codes (dummy spec)."""
from __future__ import annotations

import json
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
    assert results["plots"] == [str(out / "plot.txt")]
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
