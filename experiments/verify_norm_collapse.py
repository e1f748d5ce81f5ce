"""Alias of ``experiments/ziyin_norm_collapse.py`` (the name before 0.2, kept as a documented entry point)."""
from sslverify.experiments.ziyin_norm_collapse import SPEC
from sslverify.numerics.experiment import main

if __name__ == "__main__":
    raise SystemExit(main(SPEC))
