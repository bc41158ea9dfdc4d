#!/usr/bin/env bash
# Installs Debian bookworm's Docker Engine (docker.io 20.10) and docker-compose (1.29) when missing, and starts `dockerd`
# in the background when no daemon answers `docker info` (the machine has no systemd). A daemon that already answers is
# used as it is and never touched. When this script starts one, it writes its pid to $STACKMODEL_DOCKERD_PIDFILE so the
# caller can stop it at the end (.ci/run does; a daemon it did not start is left running). Idempotent, non-interactive.
# The daemon asked is the one the docker CLI talks to (DOCKER_HOST when set).
# Must run as root. Usage: eng/containers/install-docker.sh
set -euo pipefail

log() { printf '[install-docker] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

PIDFILE="${STACKMODEL_DOCKERD_PIDFILE:-/run/stackmodel-dockerd.pid}"
DOCKERD_LOG="${STACKMODEL_DOCKERD_LOG:-/var/log/stackmodel-dockerd.log}"
WAIT_SECONDS="${STACKMODEL_DOCKERD_WAIT:-60}"
# Extra dockerd options, split on spaces (a second daemon beside another: -H, --data-root, --exec-root, --pidfile).
read -r -a DOCKERD_ARGS <<<"${STACKMODEL_DOCKERD_ARGS:-}"
PACKAGES=(docker.io docker-compose)

# Whether a daemon answers. Judged by the server's version, never by the exit code alone: Debian's docker.io client (20.10)
# exits 0 from `docker info` without a daemon.
docker_answers() { local v; v="$(docker info --format '{{.ServerVersion}}' 2>/dev/null)" && [[ -n "$v" ]]; }

[[ "$(id -u)" == 0 ]] || die "run as root (apt-get and dockerd need it)"
export DEBIAN_FRONTEND=noninteractive

missing=()
for p in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done
if [[ ${#missing[@]} -gt 0 ]]; then
    t0=$SECONDS
    log "installing: ${missing[*]}"
    apt-get update -qq
    # docker.io depends on iptables, containerd, runc and tini; its service is not started (no systemd here).
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    log "installed in $((SECONDS - t0)) s"
else
    log "docker.io and docker-compose are installed"
fi

if docker_answers; then
    log "a Docker daemon answers already (server $(docker info --format '{{.ServerVersion}}')); using it as it is"
    exit 0
fi

if [[ -f "$PIDFILE" ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
    log "dockerd $(cat "$PIDFILE") (started earlier by this script) is running but does not answer yet"
else
    command -v dockerd >/dev/null || die "dockerd is not on PATH although docker.io is installed; check 'dpkg -L docker.io | grep bin/dockerd'"
    log "no Docker daemon answers; starting dockerd in the background (log: $DOCKERD_LOG)"
    : >"$DOCKERD_LOG"
    # setsid: its own session, so a Ctrl+C of the CI script does not reach it before .ci/run stops it in order.
    setsid nohup dockerd "${DOCKERD_ARGS[@]}" >>"$DOCKERD_LOG" 2>&1 </dev/null &
    echo $! >"$PIDFILE"
fi

pid="$(cat "$PIDFILE")"
t0=$SECONDS
until docker_answers; do
    if ! kill -0 "$pid" 2>/dev/null; then
        rm -f "$PIDFILE"
        tail -n 40 "$DOCKERD_LOG" >&2 || true
        die "dockerd exited during start-up (its log above, in full in $DOCKERD_LOG). Fix the cause it names (often: iptables missing or a stale /var/run/docker.pid) and run this script again."
    fi
    if (( SECONDS - t0 >= WAIT_SECONDS )); then
        tail -n 40 "$DOCKERD_LOG" >&2 || true
        die "dockerd (pid $pid) does not answer 'docker info' after ${WAIT_SECONDS} s (its log above, in full in $DOCKERD_LOG). Stop it with 'kill $pid', fix the cause in the log, and run this script again (STACKMODEL_DOCKERD_WAIT raises the wait)."
    fi
    sleep 0.5
done
log "dockerd $pid answers after $((SECONDS - t0)) s (server $(docker info --format '{{.ServerVersion}}')); stop it with: kill \$(cat $PIDFILE)"
