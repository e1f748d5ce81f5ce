"""Alias of ``experiments/pokle_table1.py`` (the name before 0.2, kept as a documented entry point)."""
from sslverify.experiments.pokle_table1 import SPEC
from sslverify.numerics.experiment import main

if __name__ == "__main__":
    raise SystemExit(main(SPEC))
