"""Claim records, one module per family (and per owner within a family).

Each module other than ``register`` defines ``RECORDS: list[Claim]`` holding the
records the project has derived; ``theory.registry`` merges them over the pending
defaults of ``register``.
"""
