#!/usr/bin/env bash
# GPU check (run it whenever a CUDA machine is available; about 2-4 minutes):
#   1. the tests marked `gpu` (tests/numerics/test_gpu.py): the engine and one experiment per family on
#      CUDA give the CPU's numbers up to float round-off (randomness is drawn on the CPU on every device);
#   2. `--device cuda` on the CLI (one experiment end to end);
#   3. the trainer's benchmark on the GPU (benchmarks/bench_sweep.py --device cuda).
# Usage: bash benchmarks/gpu_check.sh   (from the repository root, the package installed or on PYTHONPATH)
set -euo pipefail
cd "$(dirname "$0")/.."
if ! python -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)"; then
    echo "gpu_check: torch sees no CUDA device here; nothing to check" >&2
    exit 2
fi
python -c "import torch; print('GPU:', torch.cuda.get_device_name(), '| torch', torch.__version__)"
start=$(date +%s)
python -m pytest -q -p no:cacheprovider -m gpu tests/numerics/test_gpu.py
out=$(mktemp -d)
python -m sslverify.experiments.ziyin_ncrit --quick --device cuda --out "$out/ziyin_ncrit"
python benchmarks/bench_sweep.py --device cuda
echo "gpu_check: done in $(( $(date +%s) - start )) s"
