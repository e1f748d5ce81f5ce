#!/usr/bin/env bash
# Layer contract (pyproject.toml [tool.importlinter]): numerics -> theory -> experiments -> verdicts.
# import-linter reads the package from disk; a source checkout keeps the layers in top-level folders
# (theory/, numerics/, ...), so lint a regular (non-editable) install of the package in a temp folder,
# which also proves that `pip install .` works.  Usage: .ci/lint_layers.sh
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
target="$(mktemp -d)"
trap 'rm -rf "$target"' EXIT
rm -rf "$repo/build"  # setuptools copies into build/lib and never removes stale modules from it
python -m pip install --quiet --no-deps --no-build-isolation --target "$target/site" "$repo" 2>&1 \
    | { grep -v -e "^WARNING: Location" -e "^WARNING: Running pip as" || true; }
cd "$target"
PYTHONPATH="$target/site" lint-imports "$repo/pyproject.toml"
