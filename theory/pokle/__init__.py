"""Derivations for Pokle et al. (002): landscapes of Thm 1 (``landscape``; the two readings of "negative" in Thm 1(b):
``negatives``), linear dynamics of Thm 2 (``linear_dynamics``), Thm 3's alternating optimisation (``relu_dynamics``) and
the power of the experiments (``power``).  The claims are checked in ``sslverify.verdicts.builtin.pokle*``."""
