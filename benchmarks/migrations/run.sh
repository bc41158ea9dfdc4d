#!/usr/bin/env bash
# Speed benchmark (not a test): drizzle-orm's migrate() (node) against the MigrationRunner (dotnet, whole process),
# each applying the same generated folder of 200 migrations to a fresh database on the same throwaway PostgreSQL,
# alternating which goes first, PAIRS times. Prints every whole-process time and the median runner/drizzle ratio.
# Usage: benchmarks/migrations/run.sh [pairs=7] [migrations=200]
set -euo pipefail
pairs="${1:-7}"
count="${2:-200}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
pg_bin="${PG_BIN:-/usr/lib/postgresql/15/bin}"
drizzle_dir="$repo/tests/MigrationRunner.Tests/drizzle"
work="$(mktemp -d "${TMPDIR:-/tmp}/stackmodel-bench.XXXXXX")"
data="$work/data"
run_as=()
if [[ "$(id -u)" == 0 ]]; then run_as=(runuser -u postgres --); fi

cleanup() {
  if [[ -f "$data/postmaster.pid" ]]; then "${run_as[@]}" "$pg_bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

[[ -x "$pg_bin/initdb" ]] || { echo "PostgreSQL binaries not found in $pg_bin (set PG_BIN)." >&2; exit 1; }
command -v node >/dev/null || { echo "node is required (drizzle-orm runs on it)." >&2; exit 1; }

echo "== preparing (not timed)"
if [[ ! -d "$drizzle_dir/node_modules" ]]; then (cd "$drizzle_dir" && npm ci --no-audit --no-fund >/dev/null); fi
dotnet publish "$repo/MigrationRunner/MigrationRunner.csproj" -c Release -r linux-x64 --self-contained false \
  -p:PublishReadyToRun=true -o "$work/runner" -nologo -v quiet >/dev/null
"$repo/benchmarks/migrations/generate.sh" "$work/migrations" "$count"

password="bench-$RANDOM-$RANDOM"
port="$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
chmod 755 "$work"
printf '%s\n' "$password" > "$work/pwfile"
if [[ ${#run_as[@]} -gt 0 ]]; then chown postgres "$work/pwfile"; mkdir -p "$data" && chown postgres "$data"; fi
"${run_as[@]}" "$pg_bin/initdb" -D "$data" -U postgres -A scram-sha-256 --pwfile="$work/pwfile" -N >/dev/null
"${run_as[@]}" "$pg_bin/pg_ctl" -D "$data" -l "$data/server.log" -w \
  -o "-p $port -k $data -c listen_addresses=127.0.0.1 -c fsync=on" start >/dev/null
export PGPASSWORD="$password"
psql_() { "$pg_bin/psql" -h 127.0.0.1 -p "$port" -U postgres -X -q -v ON_ERROR_STOP=1 "$@"; }

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
run_drizzle() {
  DATABASE_URL="postgresql://postgres:$password@127.0.0.1:$port/$1" node "$drizzle_dir/migrate.mjs" "$work/migrations" >/dev/null
}
run_runner() {
  ConnectionStrings__app_dev="Host=127.0.0.1;Port=$port;Username=postgres;Password=$password;Database=$1" \
  Migrations__Path="$work/migrations" Migrations__ExpectedDatabase="$1" Migrations__ExpectedServerPort="$port" \
    dotnet "$work/runner/StackModel.MigrationRunner.dll" >/dev/null
}
timed() { local start end; start=$(now_ms); "$@"; end=$(now_ms); echo $((end - start)); }
check() {
  local rows; rows="$(psql_ -d "$1" -tAc 'SELECT count(*) FROM drizzle.__drizzle_migrations')"
  [[ "$rows" == "$count" ]] || { echo "database $1 has $rows history rows, expected $count" >&2; exit 1; }
}

echo "== $pairs pairs, $count migrations each, PostgreSQL on 127.0.0.1:$port, $(nproc) cores"
printf '%-5s %-14s %12s %12s %8s\n' pair first drizzle_ms runner_ms ratio
ratios=(); drizzle_times=(); runner_times=()
for ((pair = 1; pair <= pairs; pair++)); do
  psql_ -d postgres -c "CREATE DATABASE d$pair" -c "CREATE DATABASE r$pair"
  if ((pair % 2 == 1)); then
    first=drizzle; d=$(timed run_drizzle "d$pair"); r=$(timed run_runner "r$pair")
  else
    first=runner; r=$(timed run_runner "r$pair"); d=$(timed run_drizzle "d$pair")
  fi
  check "d$pair"; check "r$pair"
  ratio=$(awk -v r="$r" -v d="$d" 'BEGIN { printf "%.3f", r / d }')
  ratios+=("$ratio"); drizzle_times+=("$d"); runner_times+=("$r")
  printf '%-5s %-14s %12s %12s %8s\n' "$pair" "$first" "$d" "$r" "$ratio"
  psql_ -d postgres -c "DROP DATABASE d$pair" -c "DROP DATABASE r$pair"
done

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo "median drizzle-orm migrate(): $(median "${drizzle_times[@]}") ms"
echo "median MigrationRunner:       $(median "${runner_times[@]}") ms"
ratio="$(median "${ratios[@]}")"
echo "median ratio runner/drizzle:  $ratio (<= 1.0 means the runner is no slower)"
awk -v r="$ratio" 'BEGIN { exit !(r <= 1.0) }' || { echo "the runner is slower than drizzle-orm" >&2; exit 1; }
