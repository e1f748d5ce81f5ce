"""The verdict layer: claim records, the registry, the check runner, the command line and the report.

Layer order (enforced by import-linter, ``.importlinter`` in pyproject.toml):
numerics → theory → experiments → verdicts; nothing imports a higher layer.
"""
