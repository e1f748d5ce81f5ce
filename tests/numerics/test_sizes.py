"""numerics/sizes.py and numerics/tolerance.py: sizes declared once, the tolerance table."""
from __future__ import annotations

from dataclasses import fields

import numpy as np
import pytest
import sympy as sp

from sslverify.experiments import EXPERIMENTS, get_spec
from sslverify.numerics import tolerance as T
from sslverify.numerics.sizes import sizes


def test_sizes_pick_quick_default_full():
    s = sizes(n=400, reps=30, quick=dict(n=100), full=dict(reps=300))
    assert (s.at(quick=True).n, s.at(quick=True).reps) == (100, 30)
    assert (s.at().n, s.at().reps) == (400, 30)
    assert (s.at(full=True).n, s.at(full=True).reps) == (400, 300)
    with pytest.raises(ValueError, match="exclude each other"):
        s.at(quick=True, full=True)
    with pytest.raises(ValueError, match=r"quick sizes name \['m'\]"):
        sizes(n=1, quick=dict(m=2))
    with pytest.raises(TypeError):
        s.default["n"] = 5  # read-only: declared once


@pytest.mark.parametrize("name", sorted(EXPERIMENTS))
def test_experiment_sizes_name_config_fields(name):
    spec = get_spec(name)
    names = {f.name for f in fields(spec.config)}
    for which in ("quick", "full"):
        extra = set(getattr(spec, which)) - names
        assert not extra, f"{name}: {which.upper()} names {sorted(extra)}, not Config fields"
    cfg = spec.config()
    assert cfg.device == "auto" and cfg.dtype in spec.dtypes  # every experiment honours --device / --dtype


def test_tolerance_tiers():
    assert T.eps("float32") == np.finfo(np.float32).eps and T.eps("torch.float64") == np.finfo(np.float64).eps
    assert T.roundoff("float64", ops=10, cond=2.0, safety=1.0) == pytest.approx(20 * 2.0**-52, rel=1e-12)
    assert T.mc_tolerance(0.1) == pytest.approx(0.5)
    assert T.stopping_rule_bound(1e-8, 0.5) == pytest.approx(2e-7)
    x = sp.symbols("x")
    assert T.is_exact_zero(sp.sin(x) ** 2 + sp.cos(x) ** 2 - 1)
    assert not T.is_exact_zero(sp.sin(x) ** 2 - 1)
    with pytest.raises(ValueError, match="dtype"):
        T.eps("float16")
    with pytest.raises(ValueError, match="mu must be > 0"):
        T.stopping_rule_bound(1.0, 0.0)
    for key, tol in T.TABLE.items():
        assert tol.tier in T.TIERS and tol.value > 0 and tol.reason, key
    with pytest.raises(ValueError, match="reason"):
        T.Tolerance("roundoff", 1e-9, "")
    T.TABLE["batched_vs_alone_float64"].assert_close([1.0 + 1e-13], [1.0])
    with pytest.raises(AssertionError, match="roundoff: same per-run arithmetic"):
        T.TABLE["batched_vs_alone_float64"].assert_close([1.0 + 1e-9], [1.0])
