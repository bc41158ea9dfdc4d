#!/usr/bin/env bash
# Speed benchmark (not a test): drizzle-orm's migrate() (node) against the MigrationRunner (dotnet, whole process),
# each applying the same generated folder of 200 migrations to a fresh database on the same throwaway PostgreSQL,
# rotating which goes first, PAIRS times. Prints every whole-process time and the median runner/drizzle ratio, and the floor:
# the same statements sent by psql in one transaction (no history table, no checks), i.e. the server's own work.
# Usage: benchmarks/migrations/run.sh [pairs=7] [migrations=200]   (goal: ratio <= 0.7 on 200, <= 0.5 on 1; GOAL=x overrides;
#        RUNNER_BUILD=r2r runs the ReadyToRun build instead of the native one)
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
# The runner as the AppHost and its image run it: `dotnet publish` gives the NativeAOT executable when the toolchain
# (clang, zlib1g-dev) is present, else the ReadyToRun build run with dotnet (RUNNER_BUILD=r2r forces the latter, to compare).
if [[ "${RUNNER_BUILD:-}" == r2r ]]; then aot=(-p:StackModelNativeAot=false); else aot=(); fi
dotnet publish "$repo/MigrationRunner/MigrationRunner.csproj" -c Release "${aot[@]}" -o "$work/runner" -nologo -v quiet >/dev/null
if [[ -x "$work/runner/StackModel.MigrationRunner" && ! -f "$work/runner/StackModel.MigrationRunner.dll" ]]; then
  runner_cmd=("$work/runner/StackModel.MigrationRunner"); runner_kind="native (NativeAOT)"
else
  runner_cmd=(dotnet "$work/runner/StackModel.MigrationRunner.dll"); runner_kind="ReadyToRun, run with dotnet"
fi
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
    "${runner_cmd[@]}" >/dev/null
}
run_psql() {
  local file
  for file in "$work"/migrations/*.sql; do sed 's/--> statement-breakpoint/\n/g' "$file"; printf '\n'; done | psql_ -d "$1" -1 -f - >/dev/null
}
timed() { local start end; start=$(now_ms); "$@"; end=$(now_ms); echo $((end - start)); }
check() {
  local rows; rows="$(psql_ -d "$1" -tAc 'SELECT count(*) FROM drizzle.__drizzle_migrations')"
  [[ "$rows" == "$count" ]] || { echo "database $1 has $rows history rows, expected $count" >&2; exit 1; }
}

echo "== $pairs pairs, $count migrations each, PostgreSQL on 127.0.0.1:$port, $(nproc) cores, runner: $runner_kind"
printf '%-5s %-8s %12s %12s %10s %8s %13s\n' pair first drizzle_ms runner_ms floor_ms ratio runner/floor
ratios=(); floor_ratios=(); drizzle_times=(); runner_times=(); floor_times=()
for ((pair = 1; pair <= pairs; pair++)); do
  psql_ -d postgres -c "CREATE DATABASE d$pair" -c "CREATE DATABASE r$pair" -c "CREATE DATABASE p$pair"
  # Each contender goes first, second and third in turn.
  case $((pair % 3)) in
    1) first=drizzle; d=$(timed run_drizzle "d$pair"); r=$(timed run_runner "r$pair"); p=$(timed run_psql "p$pair") ;;
    2) first=runner; r=$(timed run_runner "r$pair"); p=$(timed run_psql "p$pair"); d=$(timed run_drizzle "d$pair") ;;
    0) first=floor; p=$(timed run_psql "p$pair"); d=$(timed run_drizzle "d$pair"); r=$(timed run_runner "r$pair") ;;
  esac
  check "d$pair"; check "r$pair"
  ratio=$(awk -v r="$r" -v d="$d" 'BEGIN { printf "%.3f", r / d }')
  floor_ratio=$(awk -v r="$r" -v p="$p" 'BEGIN { printf "%.3f", r / p }')
  ratios+=("$ratio"); floor_ratios+=("$floor_ratio"); drizzle_times+=("$d"); runner_times+=("$r"); floor_times+=("$p")
  printf '%-5s %-8s %12s %12s %10s %8s %13s\n' "$pair" "$first" "$d" "$r" "$p" "$ratio" "$floor_ratio"
  psql_ -d postgres -c "DROP DATABASE d$pair" -c "DROP DATABASE r$pair" -c "DROP DATABASE p$pair"
done

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo "median drizzle-orm migrate(): $(median "${drizzle_times[@]}") ms"
echo "median MigrationRunner:       $(median "${runner_times[@]}") ms"
echo "median floor (psql, one transaction, the same statements): $(median "${floor_times[@]}") ms"
echo "median ratio runner/floor:    $(median "${floor_ratios[@]}") (what the runner adds to the server's own work; drizzle/floor: $(awk -v d="$(median "${drizzle_times[@]}")" -v p="$(median "${floor_times[@]}")" 'BEGIN { printf "%.3f", d / p }'))"
ratio="$(median "${ratios[@]}")"
goal="${GOAL:-$([[ "$count" -le 1 ]] && echo 0.5 || echo 0.7)}"
echo "median ratio runner/drizzle:  $ratio (goal <= $goal)"
awk -v r="$ratio" -v g="$goal" 'BEGIN { exit !(r <= g) }' || { echo "the runner/drizzle ratio $ratio is over the goal $goal" >&2; exit 1; }
