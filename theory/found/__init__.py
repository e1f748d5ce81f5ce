"""Derivations for the foundations note (``004_*.txt``, "Theoretical foundations of self-supervised
vision"): collapse and effective ranks, stop-gradient, SimSiam as EM, batch normalization,
alignment/uniformity and simplex ETFs, linear BYOL and the Gaussian mutual information.

One module per section (derivations only).  The claims — evidence functions and pure decisions — are
declared in ``verdicts/builtin/found.py``.
"""
