"""Derivations for the foundations note (``004_*.txt``, "Theoretical foundations of self-supervised
vision"): collapse and effective ranks, stop-gradient, SimSiam as EM, batch normalization,
alignment/uniformity and simplex ETFs, linear BYOL and the Gaussian mutual information.

One module per section; ``checks`` holds the ``check(quick, out_dir) -> Outcome`` functions that
``theory/records/found.py`` names.
"""
