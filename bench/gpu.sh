#!/usr/bin/env bash
# The kernel table on a machine with a real GPU, in under 5 minutes. With the repo installed (npm ci) it runs
# from source; on a bare machine it runs the bundle that bench/gpu-bundle.sh packs into bench/.gpu/ (node
# included). Prints the GPU and Vulkan facts Dawn depends on, then writes $OUT/kernels-gpu.json
# (or bench/results/kernels-gpu.json). Budget: ARENA_BENCH_KERNEL_MS (default 120000).
set -uo pipefail
cd "$(dirname "$0")/.."
DEST="${OUT:-bench/results}"
mkdir -p "$DEST"
echo "== gpu"; (nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv 2>&1 || echo "no nvidia-smi") | head -4
echo "== vulkan (Dawn's hardware path on Linux)"
ls /usr/share/vulkan/icd.d /etc/vulkan/icd.d 2>&1 | head
(ldconfig -p 2>/dev/null | grep -E 'libvulkan\.so|libGLX_nvidia|libnvidia-glcore' | head) || true
# an NVIDIA driver without its Vulkan ICD file: point the loader at the driver's GLX library
if [ ! -e /usr/share/vulkan/icd.d/nvidia_icd.json ] && ldconfig -p 2>/dev/null | grep -q libGLX_nvidia.so.0; then
  printf '{"file_format_version":"1.0.0","ICD":{"library_path":"libGLX_nvidia.so.0","api_version":"1.3.0"}}\n' > /tmp/nvidia_icd.json
  export VK_ICD_FILENAMES=/tmp/nvidia_icd.json
  echo "using /tmp/nvidia_icd.json"
fi
# Debian's libvulkan1, when the machine lacks the loader (bench/.gpu/lib, packed by gpu-bundle.sh if present)
[ -d bench/.gpu/lib ] && export LD_LIBRARY_PATH="$PWD/bench/.gpu/lib:${LD_LIBRARY_PATH:-}"
NODE=node
if ! command -v node >/dev/null 2>&1; then
  xz -dc bench/.gpu/node.xz > /tmp/arena-node && chmod +x /tmp/arena-node && NODE=/tmp/arena-node
fi
echo "== node $($NODE --version)"
if [ -d node_modules/@tensorflow/tfjs ]; then
  timeout 280 "$NODE" --import tsx bench/gpu-entry.ts "$DEST/kernels-gpu.json"
else
  timeout 280 "$NODE" bench/.gpu/gpu-bench.mjs "$DEST/kernels-gpu.json"
fi
