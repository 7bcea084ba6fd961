#!/usr/bin/env bash
# Builds the default workspace image without any registry: a Debian base made with debootstrap
# from the Debian archive, then docker/workspace.Dockerfile on top. Rebuilds only what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

BASE=coder-bot/debian-base:bookworm
IMAGE=${CODER_WORKSPACE_IMAGE:-coder-bot/workspace:latest}
export DOCKER_BUILDKIT=0 # the classic builder needs no buildx plugin

if ! docker image inspect "$BASE" >/dev/null 2>&1; then
  mirror=$(sed -n 's/^URIs:[[:space:]]*\(http[^ ]*debian\/\?\)$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n1)
  mirror=${mirror:-http://deb.debian.org/debian}
  root=$(mktemp -d /tmp/coder-bot-rootfs.XXXXXX)
  trap 'rm -rf "$root"' EXIT
  echo "build-images: debootstrap bookworm from $mirror (a minute or two)"
  debootstrap --variant=minbase --include=ca-certificates bookworm "$root" "$mirror" >/tmp/coder-bot-debootstrap.log 2>&1 \
    || { echo "build-images: debootstrap failed; see /tmp/coder-bot-debootstrap.log" >&2; exit 1; }
  tar -C "$root" -c . | docker import - "$BASE" >/dev/null
fi

digest=$(sha256sum docker/workspace.Dockerfile | cut -c1-16)
current=$(docker image inspect "$IMAGE" --format '{{index .Config.Labels "dev.coder-bot.recipe"}}' 2>/dev/null || true)
if [ "$current" != "$digest" ]; then
  echo "build-images: building $IMAGE"
  docker build -q -f docker/workspace.Dockerfile --build-arg "BASE=$BASE" --label "dev.coder-bot.recipe=$digest" -t "$IMAGE" docker >/dev/null
fi
echo "build-images: $IMAGE is ready"
