# The default workspace: where the agent's commands run, one container per job.
# Built by scripts/build-images.sh from a local Debian base (no registry needed):
#   docker build -f docker/workspace.Dockerfile --build-arg BASE=coder-bot/debian-base:bookworm -t coder-bot/workspace:latest docker
ARG BASE=debian:bookworm-slim
FROM ${BASE}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      git ca-certificates ripgrep procps \
      nodejs npm \
      python3 python3-pip python3-venv python3-pytest \
      gcc g++ make libc6-dev \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --uid 1000 --user-group --create-home --shell /bin/sh coder
USER coder
WORKDIR /workspace
