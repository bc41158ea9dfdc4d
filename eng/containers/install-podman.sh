#!/usr/bin/env bash
# Installs and configures Debian bookworm's podman (4.3) so the stack can run
# containers on a machine with no Docker engine, no systemd and a hybrid
# cgroup v1 layout. Idempotent and non-interactive (works with CI=true and no stdin).
#
#   podman runc            engine + the OCI runtime that works here (crun refuses the cgroup layout)
#   netavark aardvark-dns  network backend + the DNS server that makes container names and
#                          --network-alias resolvable on a `podman network create` network
#                          (CNI + dnsname would also work; netavark is what podman 4.3 prefers)
#   iptables               netavark programs NAT/port forwarding (-p) through it
#   uidmap slirp4netns     rootless use (recommended by podman; harmless as root)
#   mmdebstrap             builds images from Debian packages (no registry reachable)
#
# Writes /etc/containers/containers.conf (previous content kept as .bak if different)
# and checks that `podman info` answers.
# Must run as root. Usage: eng/containers/install-podman.sh
set -euo pipefail

log() { printf '[install-podman] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[[ "$(id -u)" == 0 ]] || die "run as root (apt-get and /etc/containers need it)"
export DEBIAN_FRONTEND=noninteractive

PACKAGES=(podman runc netavark aardvark-dns iptables uidmap slirp4netns mmdebstrap)

missing=()
for p in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done

if ((${#missing[@]})); then
    log "installing: ${missing[*]}"
    # refresh the index only when apt has none for podman (fresh machine) or the install fails
    if ! apt-cache show podman >/dev/null 2>&1; then
        log "apt-get update"
        apt-get update -qq </dev/null
    fi
    if ! apt-get install -y -qq "${missing[@]}" </dev/null >/tmp/install-podman.apt.log 2>&1; then
        log "install failed, retrying after apt-get update"
        apt-get update -qq </dev/null
        apt-get install -y -qq "${missing[@]}" </dev/null >/tmp/install-podman.apt.log 2>&1 \
            || { tail -20 /tmp/install-podman.apt.log >&2; die "apt-get install failed"; }
    fi
    log "installed: ${missing[*]}"
else
    log "packages already installed: ${PACKAGES[*]}"
fi

# containers.conf:
# - default_ulimits: podman's default copies the host rlimits up to 1048576 open files,
#   and raising rlimits is not permitted here, so containers fail to start; pin values
#   that fit under the host's hard limits.
# - runtime runc: crun 1.8 refuses the hybrid cgroup v1/v2 layout of these machines.
# - cgroup_manager cgroupfs / events_logger file: there is no systemd (nor journald).
# - network_backend netavark: explicit, so a stray CNI config never flips the backend
#   (podman picks CNI when it finds CNI networks from an earlier install).
CONF=/etc/containers/containers.conf
read -r -d '' WANT <<'EOF' || true
# Written by eng/containers/install-podman.sh (StackModel). Re-running it rewrites this file.
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"

[network]
network_backend = "netavark"
EOF

mkdir -p /etc/containers
if [[ -f "$CONF" ]] && [[ "$(cat "$CONF")" == "$WANT" ]]; then
    log "$CONF already as wanted"
else
    if [[ -f "$CONF" ]]; then
        cp -p "$CONF" "$CONF.bak"
        log "previous $CONF saved as $CONF.bak"
    fi
    printf '%s\n' "$WANT" >"$CONF"
    log "wrote $CONF"
fi

# Verify the engine answers and report what it uses.
if ! info="$(timeout 60 podman info --format '{{.Version.Version}} runtime={{.Host.OCIRuntime.Name}} cgroups={{.Host.CgroupManager}}/{{.Host.CgroupsVersion}} network={{.Host.NetworkBackend}} storage={{.Store.GraphDriverName}} events={{.Host.EventLogger}}' </dev/null 2>/tmp/install-podman.info.err)"; then
    cat /tmp/install-podman.info.err >&2
    die "podman info did not answer"
fi
log "podman $info"
case "$info" in
    *runtime=runc*network=netavark*) ;;
    *) die "podman is not using runc + netavark: $info" ;;
esac
log "ok"
