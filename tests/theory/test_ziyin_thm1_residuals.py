"""Ziyin et al. Thm 1: the symbolic proof-step residuals cover every step and every entry (App. E.2)."""
from __future__ import annotations

from sslverify.theory.ziyin import landscape as la


def test_thm1_residuals_cover_every_entry_of_every_step():
    """Each proof step contributes one residual per matrix entry it checks, and each is exactly 0.

    Expected counts from the shapes in the docstring of thm1_symbolic_residuals: grad at d1, d0 ∈ {1, 2}
    has 1 + 2 + 2 + 4 = 9 entries; the lemma and offdiag steps are scalars; similarity, commute and
    projector are 2×2 (4 entries); converse checks the rank-2 point (2×2 W, 4 entries) AND its first
    row, the rank-1 point (1×2, 2 entries), so 6.  Every residual is a polynomial (or the numerator of
    a fraction) that sp.expand reduces to the literal 0, so no simplify is needed.
    """
    res = la.thm1_symbolic_residuals()
    expected = {"grad": 9, "lemma": 1, "similarity": 4, "commute": 4, "offdiag": 1, "projector": 4,
                "converse": 4 + 2}
    assert {k: len(v) for k, v in res.items()} == expected
    assert all(x == 0 for v in res.values() for x in v)
