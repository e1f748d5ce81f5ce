"""Alias of ``experiments/found_bn_gradient.py`` (the name before 0.2, kept as a documented entry point)."""
from sslverify.experiments.found_bn_gradient import SPEC
from sslverify.numerics.experiment import main

if __name__ == "__main__":
    raise SystemExit(main(SPEC))
