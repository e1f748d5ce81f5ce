"""Derivations for Pokle et al. (002): landscapes (Thm 1), linear dynamics (Thm 2); checks in ``checks``."""
