#!/usr/bin/env bash
# Sets up coder-bot and runs every test: type-check, ESLint, Prettier's check, the layer rules of
# src/, then the whole vitest suite (unit, end-to-end and the slower process-level cases).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run --silent typecheck
npm run --silent lint
npm run --silent format:check
npm run --silent lint:layers
npm test
