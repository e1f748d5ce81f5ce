"""experiments/rusak_content_style_spectrum.py at tiny size (rusak.fig1, rusak.temperature-sign) and its evidence schema."""
from __future__ import annotations

import pytest

from sslverify.experiments import run_experiment
from sslverify.verdicts.evidence import load_fixture, schema, schema_differences

_RUN: dict = {}


def _tiny(tmp_path):
    if "r" not in _RUN:
        _RUN["r"] = run_experiment("rusak_content_style_spectrum", quick=True, out_dir=tmp_path)
    return _RUN["r"]


def test_tiny_spectrum(tmp_path):
    r = _tiny(tmp_path)
    assert r["passed"], r["checks"]
    keys = [c["key"] for c in r["checks"]]
    assert len(keys) == len(set(keys)) and {"collapse_at_equal_tau", "dc0_uncollapsed", "powered"} <= set(keys)
    for v in r["per_dc"].values():
        assert v["rho_equal_tau"] < 0.75  # the experiment's collapse_max
        # τ_c ≪ τ_s moves ρ up (paired log-ρ shift at the smallest τ_c is positive)
        assert v["log_rho_shift"][str(min(r["taus_lo"]))]["mean"] > 0
    assert min(r["flatness_dc0"]) > 0.5


def test_spectrum_schema_matches_fixture(tmp_path):
    from sslverify.verdicts.builtin.rusak import _spectrum_extract

    for cid in ("rusak.fig1",):
        fx = load_fixture(cid)
        assert fx is not None, f"regenerate: python -m sslverify.verdicts.evidence {cid}"
        assert schema_differences(schema(fx), schema(_spectrum_extract(_tiny(tmp_path)))) == []
    fx = load_fixture("rusak.temperature-sign")
    assert fx is not None
    assert schema_differences(schema(fx["experiment"]), schema(_spectrum_extract(_tiny(tmp_path)))) == []


def test_bad_config(tmp_path):
    with pytest.raises(ValueError, match=r"d_c_mlp must be <= d_mlp - 1 = 9 .*got d_c_mlp=20"):
        run_experiment("rusak_content_style_spectrum", quick=True, out_dir=tmp_path, d_c_mlp=20)
    with pytest.raises(ValueError, match="taus_c must contain 1.0"):
        run_experiment("rusak_content_style_spectrum", quick=True, out_dir=tmp_path, taus_c=(0.5, 2.0))


@pytest.mark.parametrize("field, value, message", [
    ("d_c_mlp", -1, r"d_c_mlp must be an integer >= 1, got -1"),
    ("d_c_mlp", 0, r"d_c_mlp must be an integer >= 1, got 0"),  # no content latents: the content R² is undefined
    ("d_c_mlp", 10, r"d_c_mlp must be <= d_mlp - 1 = 9 .*got d_c_mlp=10"),  # no style latents
    ("collapse_max", 0.0, r"collapse_max must lie in \(0, 1\), got 0\.0"),
    ("collapse_max", -0.5, r"collapse_max must lie in \(0, 1\), got -0\.5"),
    ("collapse_max", 1.5, r"collapse_max must lie in \(0, 1\), got 1\.5"),  # ρ ≈ 1 (uncollapsed) would count as collapse
    ("steps_mlp", 0, r"steps_mlp must be an integer >= 1, got 0"),
    ("lr_mlp", 0.0, r"lr_mlp must be (a number )?> 0, got 0\.0"),  # the harness checks every lr* first
])
def test_bad_config_one_line_naming_field(tmp_path, field, value, message):
    with pytest.raises(ValueError, match=message) as exc:
        run_experiment("rusak_content_style_spectrum", quick=True, out_dir=tmp_path, **{field: value})
    assert "\n" not in str(exc.value)
    assert not any(tmp_path.iterdir())  # rejected before anything ran or was written
