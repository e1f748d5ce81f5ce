"""Alias of ``experiments/lastlayer_reg.py`` (the name before 0.2, kept as a documented entry point)."""
from sslverify.experiments.lastlayer_reg import SPEC
from sslverify.numerics.experiment import main

if __name__ == "__main__":
    raise SystemExit(main(SPEC))
