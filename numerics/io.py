"""Atomic, pickle-free result files.

Results are JSON (numbers, strings, lists); a file is written to a temporary name
in the same directory, flushed, fsync'ed and renamed over the target, so a killed
run leaves either the old file or the new one, never a torn one.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any

import numpy as np


def to_jsonable(obj: Any) -> Any:
    """numpy / torch / dataclass / Path -> plain JSON types (NaN/inf become strings)."""
    if is_dataclass(obj) and not isinstance(obj, type):
        return to_jsonable(asdict(obj))
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if hasattr(obj, "detach"):  # torch tensor
        obj = obj.detach().cpu().numpy()
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, (np.floating, float)):
        v = float(obj)
        return v if math.isfinite(v) else str(v)
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.bool_,)):
        return bool(obj)
    if isinstance(obj, Path):
        return str(obj)
    return obj


def _umask() -> int:
    """The process's umask, read without changing it where the OS allows (Linux: /proc/self/status);
    elsewhere by setting and restoring it (a window in which another thread's new file gets mode 0)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o077)  # the safe side while it is changed: 0o077 never makes a file more readable
    os.umask(mask)
    return mask


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (temp file + rename), with the user's umask like ``open``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp creates 0600; a result file is as readable as a plot
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def atomic_write_json(path: str | Path, obj: Any) -> None:
    atomic_write_text(path, json.dumps(to_jsonable(obj), indent=2, sort_keys=False) + "\n")


def read_json(path: str | Path) -> Any:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def stable_hash(obj: Any) -> str:
    """Short content hash of a JSON-able object (keys sorted)."""
    blob = json.dumps(to_jsonable(obj), sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


class OutputDirError(ValueError):
    """An output directory that cannot be created or written (a user's input error: exit 2 in commands)."""


def check_writable_dir(path: str | Path, name: str = "out") -> Path:
    """Create ``path`` if needed and make sure we can write there (:class:`OutputDirError`, a ValueError,
    naming the directory and why otherwise)."""
    p = Path(path)
    for parent in (p, *p.parents):  # the first existing component that is a file blocks the whole path
        if parent.exists() or parent.is_symlink():
            if not parent.is_dir():
                what = "it is a file" if parent == p else f"{str(parent)!r} is a file"
                raise OutputDirError(f"{name} directory {str(p)!r} is not writable: {what}, not a directory")
            break
    try:
        p.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputDirError(f"{name} directory {str(p)!r} is not writable: cannot create it ({exc.strerror or exc})") from None
    probe = p / f".write-probe-{os.getpid()}"
    try:
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise OutputDirError(f"{name} directory {str(p)!r} is not writable: cannot create a file in it "
                             f"({exc.strerror or exc})") from None
    return p


def relative_to_dir(path: str | Path, folder: str | Path) -> str:
    """``path`` relative to ``folder`` (POSIX separators) when it lies inside it, else unchanged.

    Result files store the paths of the files they list relative to their own folder, so a results
    folder can be moved or copied; readers resolve them with :func:`resolve_in_dir`."""
    p, f = Path(path), Path(folder)
    if not p.is_absolute():
        return p.as_posix()
    try:
        return p.resolve().relative_to(f.resolve()).as_posix()
    except ValueError:
        return str(p)


def resolve_in_dir(path: str | Path, folder: str | Path) -> Path:
    """Inverse of :func:`relative_to_dir`: an absolute path is kept, a relative one is taken from ``folder``."""
    p = Path(path)
    return p if p.is_absolute() else Path(folder) / p
