#!/usr/bin/env bash
# Measures `publish compose` and the published stack's first `up`, on Docker Engine + docker-compose, from one run:
#   publish      the AppHost process `publish compose` (process start to exit), and the verb's own time as it reports it
#   up -d        `docker-compose up -d` on an empty volume until it returns (it waits for every service_healthy /
#                service_completed_successfully condition before starting the runner)
#   migrated     from the start of `up` until the runner's container exited 0
#   second up    a second `up -d` (nothing recreated; db-init and the runner run again and apply nothing) until the runner exited
# LiteLLM is the stand-in image (the real one cannot be pulled here). Free ports, a unique project, `down -v` at the end.
# Needs: the AppHost built (dotnet build AppHost), and postgres:15, the stand-in and the runner's image in Docker.
# Usage: benchmarks/compose/run.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
apphost="$root/AppHost/bin/${CONFIGURATION:-Debug}/net10.0/StackModel.AppHost.dll"
[[ -f "$apphost" ]] || { echo "build the AppHost first: dotnet build AppHost" >&2; exit 2; }
work="$(mktemp -d /tmp/stackmodel-compose-bench.XXXXXX)"
project="smbench$$"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
cleanup() {
    if [[ -f "$work/out/docker-compose.yaml" ]]; then (cd "$work/out" && docker-compose -p "$project" down -v --remove-orphans >/dev/null 2>&1 || true); fi
    rm -rf "$work"
}
trap cleanup EXIT
ms() { date +%s%3N; }
wait_runner() {
    local id
    id="$(cd "$work/out" && docker-compose -p "$project" ps -q migrations)"
    until [[ "$(docker inspect -f '{{.State.Status}}' "$id")" == exited ]]; do sleep 0.1; done
    [[ "$(docker inspect -f '{{.State.ExitCode}}' "$id")" == 0 ]] || { docker logs "$id" >&2; echo "runner failed" >&2; exit 1; }
}

t0=$(ms)
verb="$(dotnet "$apphost" publish compose --output "$work/out" --Stack:StateDirectory="$work/state" \
    --Stack:Ports:postgres:tcp="$(free_port)" --Stack:Ports:litellm:http="$(free_port)" \
    --LiteLLM:Image=localhost/stackmodel/litellm-standin:dev 2>/dev/null | grep -o 'in [0-9]* ms' | head -1)"
t1=$(ms)
cd "$work/out"
t2=$(ms)
docker-compose -p "$project" up -d >/dev/null 2>&1
t3=$(ms)
wait_runner
t4=$(ms)
# Where the first up's time went: each container's start and end, relative to the start of `up`.
timeline=""
for service in postgres db-init litellm migrations; do
    id="$(docker-compose -p "$project" ps -q "$service")"
    started="$(date -d "$(docker inspect -f '{{.State.StartedAt}}' "$id")" +%s%3N)"
    finished="$(docker inspect -f '{{.State.FinishedAt}}' "$id")"
    healthy="$(docker inspect -f '{{if .State.Health}}{{range .State.Health.Log}}{{if eq .ExitCode 0}}{{.End}}|{{end}}{{end}}{{end}}' "$id" | cut -d'|' -f1)"
    line="  $service: started +$((started - t2)) ms"
    [[ -n "$healthy" ]] && line+=", healthy by +$(($(date -d "${healthy% UTC}" +%s%3N) - t2)) ms"
    [[ "$finished" != 0001-* ]] && line+=", exited +$(($(date -d "$finished" +%s%3N) - t2)) ms"
    timeline+="$line"$'\n'
done
docker-compose -p "$project" up -d >/dev/null 2>&1
wait_runner
t5=$(ms)
printf 'publish compose: %d ms (process), verb %s\n' $((t1 - t0)) "${verb#in }"
printf 'first up -d returned: %d ms; runner finished (migrated): %d ms after up began\n' $((t3 - t2)) $((t4 - t2))
printf 'first up, timeline:\n%s' "$timeline"
printf 'second up -d to runner finished (nothing applied): %d ms\n' $((t5 - t4))
