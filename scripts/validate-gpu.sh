#!/usr/bin/env bash
# Builds dlbricks against the CUDA build of ONNX Runtime and writes the G = 1 validation report of the nine shared models
# measured with the CUDA execution provider. See docs/gpu.md.
#
#   scripts/validate-gpu.sh [OUTPUT_DIR]        (default: gpu-validation/ in the repository root)
#
# Environment: DLBRICKS_MODELS (folder of .onnx models, default ../shared/models/onnx-light next to the repository),
#              CUDA_DEVICE (device id, default 0), DLBRICKS_QUICK=1 (short smoke-test job instead of the default one).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$repo/gpu-validation}"
models="${DLBRICKS_MODELS:-$repo/../shared/models/onnx-light}"
device="${CUDA_DEVICE:-0}"

# Exit code 3 is dlbricks' "provider or resource not available on this machine".
# nvidia-smi without a usable device prints "No devices were found" (or a driver error) and exits non-zero.
if ! gpus="$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null)" || [[ -z "$gpus" ]]; then
  echo "validate-gpu: no CUDA device found (nvidia-smi is missing or lists no GPU); run this on a machine with an NVIDIA GPU, its driver, CUDA 13 and cuDNN 9." >&2
  exit 3
fi
shopt -s nullglob
onnx=("$models"/*.onnx)
if [[ ${#onnx[@]} -eq 0 ]]; then
  echo "validate-gpu: no .onnx models in $models; set DLBRICKS_MODELS to the folder of the shared models." >&2
  exit 2
fi

# A separate artifacts folder keeps the GPU build from overwriting the CPU build's bin/ and obj/.
artifacts="$repo/artifacts/gpu"
dotnet build "$repo/src/DLBricks.Cli/DLBricks.Cli.csproj" -c Release -p:DLBricksGpu=true --artifacts-path "$artifacts" -nologo -v quiet
cli="$artifacts/bin/DLBricks.Cli/release/DLBricks.Cli.dll"

quick=()
[[ "${DLBRICKS_QUICK:-0}" == 1 ]] && quick=(--quick)
mkdir -p "$out"
echo "validate-gpu: $(echo "$gpus" | head -n 1), ${#onnx[@]} models, report in $out" >&2
# --clock auto is the wall clock for CUDA; the ORT profile check times CPU-side kernel launches on a GPU, so it is skipped.
dotnet "$cli" validate "${onnx[@]}" -g 1 --ep "cuda:$device" --no-profile "${quick[@]}" \
  --db "$out/results.db" --json "$out/validation.json" --md "$out/validation.md" -o "$out"
