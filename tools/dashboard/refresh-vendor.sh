#!/usr/bin/env bash
# Copies the pinned @dagrejs/dagre (package.json here) into the dashboard's served assets, with its licence. The
# server embeds those files at build time, so neither ./run.sh nor a deployment needs npm: run this only to change
# the pinned version (edit package.json, run it, commit package-lock.json and the two copied files).
set -euo pipefail
cd "$(dirname "$0")"
npm install --no-audit --no-fund --silent
assets=../../src/Patchbay.Server/Dashboard/Assets
# The source-map comment is dropped: the map is not shipped.
sed '/^\/\/# sourceMappingURL=/d' node_modules/@dagrejs/dagre/dist/dagre.esm.js > "$assets/dagre.esm.js"
cp node_modules/@dagrejs/dagre/LICENSE "$assets/dagre.LICENSE.txt"
echo "dagre $(node -p "require('./node_modules/@dagrejs/dagre/package.json').version") copied to $assets"
