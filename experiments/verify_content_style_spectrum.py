"""Alias of ``experiments/rusak_content_style_spectrum.py`` (the name before 0.2, kept as a documented entry point)."""
from sslverify.experiments.rusak_content_style_spectrum import SPEC
from sslverify.numerics.experiment import main

if __name__ == "__main__":
    raise SystemExit(main(SPEC))
