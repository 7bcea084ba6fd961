#!/usr/bin/env bash
# Installs and starts a Docker engine with the gVisor runtime (runsc) on Debian/Ubuntu, as root.
# Idempotent: it only installs what is missing and only starts dockerd when none answers.
set -euo pipefail

need=()
command -v dockerd >/dev/null || need+=(docker.io)
command -v runsc >/dev/null || need+=(runsc)
command -v debootstrap >/dev/null || need+=(debootstrap)
if [ ${#need[@]} -gt 0 ]; then
  echo "setup-docker: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# Register gVisor. Here runsc cannot set up networking in the host's network namespace, and the
# workspaces run without a network anyway.
mkdir -p /etc/docker
node - <<'JS'
const fs = require("node:fs");
const file = "/etc/docker/daemon.json";
let config = {};
try { config = JSON.parse(fs.readFileSync(file, "utf8")); } catch {}
const wanted = { path: "/usr/bin/runsc", runtimeArgs: ["--network=none"] };
if (JSON.stringify(config.runtimes?.runsc) !== JSON.stringify(wanted)) {
  config.runtimes = { ...config.runtimes, runsc: wanted };
  fs.writeFileSync(file, JSON.stringify(config, null, 2) + "\n");
  fs.writeFileSync("/tmp/coder-bot-docker-config-changed", "1");
}
JS

if docker info >/dev/null 2>&1; then
  if [ -f /tmp/coder-bot-docker-config-changed ]; then
    # dockerd reloads its runtimes on SIGHUP.
    pkill -HUP -x dockerd || true
    rm -f /tmp/coder-bot-docker-config-changed
    sleep 1
  fi
else
  rm -f /tmp/coder-bot-docker-config-changed
  if command -v systemctl >/dev/null && systemctl is-system-running >/dev/null 2>&1; then
    systemctl restart docker
  else
    echo "setup-docker: starting dockerd"
    nohup dockerd >/var/log/coder-bot-dockerd.log 2>&1 &
  fi
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || { echo "setup-docker: dockerd did not start; see /var/log/coder-bot-dockerd.log" >&2; exit 1; }
fi
docker info --format 'setup-docker: engine {{.ServerVersion}}, runtimes: {{range $k, $v := .Runtimes}}{{$k}} {{end}}'
