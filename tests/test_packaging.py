"""One import root: a regular (non-editable) install works from any folder, holds the experiments,
keeps the layer contract, and does not claim the names ``theory`` / ``numerics``."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("wheel") / "site"
    shutil.rmtree(ROOT / "build", ignore_errors=True)  # setuptools never removes stale modules from build/lib
    proc = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                           "--target", str(target), str(ROOT)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return target


def _run(args, site: Path, cwd: Path, timeout=300):
    env = dict(os.environ, PYTHONPATH=str(site))
    return subprocess.run(args, capture_output=True, text=True, cwd=cwd, env=env, timeout=timeout)


def test_every_package_folder_is_listed_in_pyproject():
    text = (ROOT / "pyproject.toml").read_text()
    listed = set(re.findall(r'^\s+"(sslverify[\w.]*)",$', text, flags=re.M))
    roots = {"sslverify": "sslverify", "sslverify.numerics": "numerics", "sslverify.theory": "theory",
             "sslverify.experiments": "experiments", "sslverify.verdicts": "verdicts"}
    found = set()
    for pkg, folder in roots.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / folder)
            found.add(".".join([pkg, *rel.parts]))
    assert listed == found


def test_installed_copy_works_from_an_empty_folder(site, tmp_path):
    code = ("import sslverify, importlib.util as u\n"
            "from sslverify.verdicts.registry import builtin_claims\n"
            "from sslverify.experiments import EXPERIMENTS, get_spec\n"
            "assert len(builtin_claims()) == 72\n"
            "assert all(get_spec(n).name == n for n in EXPERIMENTS)\n"
            "assert sslverify.__file__.startswith(%r)\n"
            "assert u.find_spec('theory') is None and u.find_spec('numerics') is None\n"
            "print('ok')\n") % str(site)
    proc = _run([sys.executable, "-c", code], site, tmp_path)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr
    proc = _run([sys.executable, "-m", "sslverify", "check", "ziyin.prop6", "rusak.lemma2", "--quick"], site, tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("REPRODUCED") == 2
    proc = _run([sys.executable, "-m", "sslverify", "show", "ziyin.prop2"], site, tmp_path)
    assert proc.returncode == 0 and "ziyin_prop2.py" in proc.stdout


def test_layer_contract_holds(site, tmp_path):
    proc = _run(["lint-imports", str(ROOT / "pyproject.toml")], site, tmp_path)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "Contracts: 1 kept, 0 broken" in proc.stdout
