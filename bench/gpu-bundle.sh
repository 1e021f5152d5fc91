#!/usr/bin/env bash
# Packs what bench/gpu.sh needs on a bare GPU machine into bench/.gpu/ (git-ignored): the benchmark as one
# esbuild bundle, Dawn's linux-x64 binding, tfjs's wasm files, and an xz-compressed node binary.
set -euo pipefail
cd "$(dirname "$0")/.."
G=bench/.gpu
rm -rf "$G" && mkdir -p "$G/node_modules/webgpu/dist" "$G/node_modules/@tensorflow/tfjs-backend-wasm/dist"
npx esbuild bench/gpu-entry.ts --bundle --platform=node --format=esm --target=node20 \
  --external:webgpu --outfile="$G/gpu-bench.mjs" --log-level=warning \
  --banner:js="import { createRequire as __cr } from 'node:module'; import { fileURLToPath as __fu } from 'node:url'; import { dirname as __dn } from 'node:path'; const require = __cr(import.meta.url); const __filename = __fu(import.meta.url); const __dirname = __dn(__filename);"
cp -r node_modules/webgpu/dist/linux-x64 "$G/node_modules/webgpu/dist/"
cp node_modules/webgpu/index.js node_modules/webgpu/package.json "$G/node_modules/webgpu/"
cp node_modules/@tensorflow/tfjs-backend-wasm/package.json "$G/node_modules/@tensorflow/tfjs-backend-wasm/"
cp node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm "$G/node_modules/@tensorflow/tfjs-backend-wasm/dist/"
xz -T2 -6 -c "$(command -v node)" > "$G/node.xz"
du -sh "$G"
