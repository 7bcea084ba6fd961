#!/usr/bin/env bash
# Installs what coder-bot needs on a fresh Debian/Ubuntu machine (as root) and builds it.
# Safe to run again: every step checks before it acts.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v git >/dev/null || need_apt+=(git)
command -v rg >/dev/null || need_apt+=(ripgrep)
command -v docker-compose >/dev/null || need_apt+=(docker-compose)
[ -f /etc/ssl/certs/ca-certificates.crt ] || need_apt+=(ca-certificates)
command -v make >/dev/null || need_apt+=(make)
command -v g++ >/dev/null || need_apt+=(g++)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing ${need_apt[*]}; run this script as root or install them with: sudo apt-get install -y ${need_apt[*]}" >&2
    exit 1
  fi
  echo "setup: installing ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "setup: Node.js 20.18 or later is required (found $(node -v 2>/dev/null || echo none))" >&2
  exit 1
fi

# better-sqlite3 builds from source when no prebuilt binary can be downloaded (about 80 s once).
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
fi
node -e 'require("better-sqlite3")(":memory:").close()' || npm rebuild better-sqlite3

echo "setup: building"
npm run --silent build

# The workspaces: a Docker engine (with gVisor) and the default workspace image.
if [ "${CODER_RUNNER:-docker}" = "docker" ]; then
  bash scripts/setup-docker.sh
  bash scripts/build-images.sh
fi
