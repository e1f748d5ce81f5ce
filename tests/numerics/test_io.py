"""numerics/io.py: atomic JSON, pickle-free conversion, content hashes, writable directories."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import torch

from sslverify.numerics.io import atomic_write_json, atomic_write_text, check_writable_dir, read_json, stable_hash, to_jsonable


@dataclass
class Rec:
    x: float
    arr: object


def test_to_jsonable_types():
    obj = {1: np.float32(0.5), "t": torch.tensor([[1.0, 2.0]]), "i": np.int64(3), "b": np.bool_(True),
           "nan": float("nan"), "inf": np.float64(-np.inf), "p": Path("/a/b"), "dc": Rec(1.0, np.arange(2)),
           "tup": (1, 2.0)}
    out = to_jsonable(obj)
    assert out == {"1": 0.5, "t": [[1.0, 2.0]], "i": 3, "b": True, "nan": "nan", "inf": "-inf", "p": "/a/b",
                   "dc": {"x": 1.0, "arr": [0, 1]}, "tup": [1, 2.0]}
    json.dumps(out, allow_nan=False)  # strictly valid JSON


def test_atomic_write_roundtrip_and_no_temp_files(tmp_path):
    target = tmp_path / "sub" / "r.json"
    for i in range(3):
        atomic_write_json(target, {"i": i, "w": np.linspace(0, 1, 5)})
    assert read_json(target) == {"i": 2, "w": [0.0, 0.25, 0.5, 0.75, 1.0]}
    assert sorted(p.name for p in target.parent.iterdir()) == ["r.json"]


def test_failed_write_keeps_old_file_and_leaves_no_temp(tmp_path):
    target = tmp_path / "r.json"
    atomic_write_json(target, {"ok": 1})
    with pytest.raises(TypeError):
        atomic_write_json(target, {"bad": object()})  # not JSON-serialisable: fails before any write
    with pytest.raises(TypeError):
        atomic_write_text(target, 123)  # fails inside the temp-file write
    assert read_json(target) == {"ok": 1}
    assert sorted(os.listdir(tmp_path)) == ["r.json"]


def test_stable_hash():
    a = {"x": [1.0, 2.0], "y": {"z": np.float64(3.0)}}
    b = {"y": {"z": 3.0}, "x": np.array([1.0, 2.0])}
    assert stable_hash(a) == stable_hash(b) and len(stable_hash(a)) == 16
    assert stable_hash(a) != stable_hash({"x": [1.0, 2.0000001], "y": {"z": 3.0}})


def test_check_writable_dir(tmp_path):
    assert check_writable_dir(tmp_path / "new" / "dir") == tmp_path / "new" / "dir"
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ValueError, match=r"--out directory .* is not writable"):
        check_writable_dir(blocker / "sub", "--out")
    assert not any(p.name.startswith(".write-probe") for p in (tmp_path / "new" / "dir").iterdir())


# ----------------------------------------------------------------------------- issue 11: umask, output folders, paths
@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600), (0o002, 0o664)])
def test_atomic_write_follows_the_umask_and_leaves_it_alone(tmp_path, mask, mode):
    old = os.umask(mask)
    try:
        atomic_write_text(tmp_path / "r.md", "x")
        atomic_write_json(tmp_path / "r.json", {"x": 1})
        still = os.umask(mask)  # the write did not change the process's umask
    finally:
        os.umask(old)
    assert still == mask
    for name in ("r.md", "r.json"):
        assert (tmp_path / name).stat().st_mode & 0o777 == mode, name


def test_umask_is_read_without_setting_it():
    from sslverify.numerics import io

    old = os.umask(0o027)
    try:
        assert io._umask() == 0o027
    finally:
        os.umask(old)


def test_check_writable_dir_says_why(tmp_path):
    from sslverify.numerics.io import OutputDirError

    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputDirError, match=r"--out directory .*file' is not writable: it is a file, not a directory"):
        check_writable_dir(blocker, "--out")
    with pytest.raises(OutputDirError, match=r"is not writable: .*file' is a file, not a directory"):
        check_writable_dir(blocker / "a" / "b", "--out")
    if Path("/proc/self").is_dir():  # Linux: a virtual file system that refuses new entries
        with pytest.raises(OutputDirError, match=r"'/proc/x' is not writable: cannot create it"):
            check_writable_dir("/proc/x", "--out")
    assert issubclass(OutputDirError, ValueError)


def test_relative_paths_roundtrip(tmp_path):
    from sslverify.numerics.io import relative_to_dir, resolve_in_dir

    inside = tmp_path / "run" / "sub" / "p.png"
    assert relative_to_dir(inside, tmp_path / "run") == "sub/p.png"
    assert resolve_in_dir("sub/p.png", tmp_path / "run") == inside
    outside = tmp_path / "other.png"
    assert relative_to_dir(outside, tmp_path / "run") == str(outside)  # not inside: kept absolute
    assert resolve_in_dir(str(outside), tmp_path / "run") == outside
    assert relative_to_dir("already/relative.png", tmp_path) == "already/relative.png"
