#!/usr/bin/env bash
# Proves the container model the C# driver relies on, with the exact commands it
# will issue, and prints timings. Leaves nothing behind (trap removes the
# container, volume and network even on failure).
#
#   network create → run postgres with alias + published 127.0.0.1 port + named volume
#   → host psql → peer container psql by alias → stop/inspect → new container on the
#   same volume (restart on existing data) → rm -f / volume rm / network rm
#
# Needs: install-podman.sh and postgres/build-image.sh run before; psql on the host.
# Usage: eng/containers/postgres/smoke-test.sh [host-port]   (default: a free port)
set -euo pipefail

IMAGE="docker.io/library/postgres:15"
STACK="smk$$"
CT="$STACK-postgres"
VOL="$STACK-postgres-data"
PW="smoke-$RANDOM$RANDOM"

free_port() {
    python3 - <<'EOF' 2>/dev/null || echo 55499
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
EOF
}
PORT="${1:-$(free_port)}"

now() { date +%s.%N; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%d ms", (b - a) * 1000 }'; }
say() { printf '[smoke] %s\n' "$*"; }
fail() { say "FAIL: $*"; podman logs --tail 30 "$CT" 2>&1 | sed 's/^/[postgres] /' || true; exit 1; }

cleanup() {
    podman rm -f -v "$CT" >/dev/null 2>&1 || true
    podman volume rm -f "$VOL" >/dev/null 2>&1 || true
    podman network rm -f "$STACK" >/dev/null 2>&1 || true
}
trap cleanup EXIT

podman image exists "$IMAGE" || fail "$IMAGE missing: run eng/containers/postgres/build-image.sh"

wait_query() { # wait_query DEADLINE_S → waits until host psql answers
    local deadline=$((SECONDS + $1))
    until PGPASSWORD="$PW" PGCONNECT_TIMEOUT=2 psql -h 127.0.0.1 -p "$PORT" -U postgres -d app_dev -tAc 'select 1' >/dev/null 2>&1; do
        ((SECONDS < deadline)) || return 1
        sleep 0.05
    done
}

run_pg() {
    # aardvark-dns prints "failed to connect to syslog" on stderr when it starts: noise, not an error
    podman run -d --name "$CT" --network "$STACK" --network-alias postgres \
        -p "127.0.0.1:$PORT:5432" -v "$VOL:/var/lib/postgresql/data" \
        -e POSTGRES_PASSWORD="$PW" -e POSTGRES_DB=app_dev "$IMAGE" >/dev/null 2>/tmp/smoke.$$.err \
        || { cat /tmp/smoke.$$.err; fail "podman run"; }
    rm -f /tmp/smoke.$$.err
}

podman network create "$STACK" >/dev/null
say "network $STACK: $(podman network inspect --format '{{range .Subnets}}{{.Subnet}} gw {{.Gateway}}{{end}} dns={{.DNSEnabled}}' "$STACK")"

t0=$(now); run_pg; t1=$(now)
until pg_isready -q -h 127.0.0.1 -p "$PORT"; do sleep 0.05; done; t2=$(now)
wait_query 60 || fail "no query answer on 127.0.0.1:$PORT"; t3=$(now)
say "first start (initdb): podman run returned $(ms "$t0" "$t1"), pg_isready $(ms "$t0" "$t2"), query $(ms "$t0" "$t3")"

got="$(PGPASSWORD="$PW" psql -h 127.0.0.1 -p "$PORT" -U postgres -d app_dev -tAc "select current_database() || ' ' || current_setting('server_version_num')")"
[[ "$got" == "app_dev 15"* ]] || fail "host query answered '$got'"
say "host → 127.0.0.1:$PORT ok ($got)"

got="$(podman run --rm --network "$STACK" -e PGPASSWORD="$PW" "$IMAGE" \
    psql -h postgres -p 5432 -U postgres -d app_dev -tAc "select 'peer-by-alias'" 2>/dev/null)"
[[ "$got" == peer-by-alias ]] || fail "peer could not reach postgres:5432 ($got)"
got="$(podman run --rm --network "$STACK" -e PGPASSWORD="$PW" "$IMAGE" \
    psql -h "$CT" -U postgres -d app_dev -tAc "select 'peer-by-name'" 2>/dev/null)"
[[ "$got" == peer-by-name ]] || fail "peer could not reach $CT:5432 ($got)"
say "peer container → postgres:5432 and $CT:5432 ok"

PGPASSWORD=wrong psql -h 127.0.0.1 -p "$PORT" -U postgres -d app_dev -tAc 'select 1' >/dev/null 2>&1 \
    && fail "wrong password accepted"
say "wrong password refused (scram-sha-256)"

t0=$(now); podman stop -t 10 "$CT" >/dev/null; t1=$(now)
state="$(podman inspect --format '{{.State.Status}} {{.State.ExitCode}}' "$CT")"
[[ "$state" == "exited 0" ]] || fail "after stop: $state"
say "podman stop -t 10: $(ms "$t0" "$t1"), state '$state'"

t0=$(now); podman start "$CT" >/dev/null 2>&1; wait_query 30 || fail "restart"; t1=$(now)
say "podman start (same container, existing data): query $(ms "$t0" "$t1")"

podman rm -f "$CT" >/dev/null
t0=$(now); run_pg; t1=$(now); wait_query 30 || fail "new container on old volume"; t2=$(now)
say "new container on existing volume: podman run returned $(ms "$t0" "$t1"), query $(ms "$t0" "$t2")"
# (no `podman logs | grep -q` under pipefail: grep's early exit fails the pipeline with SIGPIPE)
logs="$(podman logs "$CT" 2>&1)"
[[ "$logs" == *'skipping initialization'* ]] || fail "entrypoint re-initialized existing data"

t0=$(now); podman rm -f -v "$CT" >/dev/null; podman volume rm "$VOL" >/dev/null; podman network rm "$STACK" >/dev/null; t1=$(now)
say "teardown (rm -f -v, volume rm, network rm): $(ms "$t0" "$t1")"
say "PASS"
