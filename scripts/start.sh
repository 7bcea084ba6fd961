#!/usr/bin/env bash
# Sets up coder-bot and runs it on its embedded defaults (SQLite queue and state in ~/.coder-bot,
# Ollama on localhost). Without GitHub App credentials it opens the App registration page.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node dist/cli/main.js serve
