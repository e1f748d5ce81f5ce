"""eq. 8 (κ → ∞, ziyin.norm-limit): the reading census ``_eq8_samples`` and its numeric second method
``numeric_limit_eigenvalues``, checked against the closed-form limit eigenvalue ½(λ_i + (2c − Σ_M λ)/d_M)."""
import numpy as np
import pytest

from sslverify.verdicts.builtin import ziyin_landscape as ck

# |numeric − closed form| of a limit eigenvalue: NUMERIC_LIMIT_TOL (1e-6) is 100× the measured Richardson error ~1e-8
TOL = ck.NUMERIC_LIMIT_TOL


def _limit(lam, c):
    """½(λ_i + (2c − Σλ)/d_M): the masked limit eigenvalues of App. D.1 worked out by hand (H = Σ^{1/2}GΣ^{1/2})."""
    lam = np.asarray(lam, float)
    return 0.5 * (lam + (2 * c - lam.sum()) / lam.size)


@pytest.mark.parametrize("mask", [[False, True], [0, 1], np.array([0, 1])])
def test_numeric_limit_eigenvalue_accepts_bool_or_01_mask(mask):
    """Σ = diag(1, 2), B = I, M = {2}: λ = ½, c = 0.1, so the one limit eigenvalue is ½(½ + 0.2 − ½) = 0.1 whether the
    mask is given as booleans or as 0/1 integers (the function casts it to bool)."""
    h = ck.numeric_limit_eigenvalues([1.0, 1.0], [1.0, 2.0], mask, 0.1)
    assert h.shape == (1,)
    assert abs(h[0] - 0.1) < TOL


def _with_first_numeric(monkeypatch, value):
    """Make the first numeric solve return ``value`` in every entry (later solves are the real ones)."""
    real, calls = ck.numeric_limit_eigenvalues, []

    def fake(b, s, mask, c, *a, **kw):
        calls.append(1)
        h = real(b, s, mask, c, *a, **kw)
        return np.full_like(h, value) if len(calls) == 1 else h
    monkeypatch.setattr(ck, "numeric_limit_eigenvalues", fake)
    return calls


N, SEED = 6, 8  # a few draws are enough: each sample is decided on its own


@pytest.mark.parametrize("value, skipped", [(ck.SIGN_TOL, 1), (-ck.SIGN_TOL, 1), (0.0, 1), (2 * ck.SIGN_TOL, 0)])
def test_eq8_samples_skips_only_undecidable_signs(monkeypatch, value, skipped):
    """A sample whose numeric eigenvalue is within SIGN_TOL of 0 (boundary included, as in _numeric_signs) is skipped
    and the census goes on with the next draws; one just outside SIGN_TOL is counted."""
    base = ck._eq8_samples(N, SEED)["samples"]
    assert base >= 2
    calls = _with_first_numeric(monkeypatch, value)
    r = ck._eq8_samples(N, SEED)
    assert r["samples"] == base - skipped
    assert len(calls) == base  # every draw with a non-empty mask was still solved after the first


def test_eq8_samples_counts_and_records_every_sign_disagreement(monkeypatch):
    """With a sign-flipped second method every counted sample contradicts the masked reading (which is the limit
    formula's positivity), so the mismatch count equals the sample count and the first one is recorded with its
    problem: λ, c, d, the closed-form h and the (flipped) numeric h."""
    real = ck.numeric_limit_eigenvalues
    monkeypatch.setattr(ck, "numeric_limit_eigenvalues", lambda *a, **kw: -real(*a, **kw))
    r = ck._eq8_samples(N, SEED)
    assert r["samples"] >= 2 and r["masked_mean_mismatches"] == r["samples"]
    m = r["first_mismatch"]
    assert set(m) == {"lam", "c", "d", "h", "h_numeric"}
    assert 0.01 <= m["c"] <= 1.0 and len(m["lam"]) <= m["d"] <= 5
    np.testing.assert_allclose(m["h"], _limit(m["lam"], m["c"]), rtol=0, atol=1e-12)  # same formula, round-off only
    np.testing.assert_allclose(m["h_numeric"], -np.asarray(m["h"]), rtol=0, atol=TOL)
