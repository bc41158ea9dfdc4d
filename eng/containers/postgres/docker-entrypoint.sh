#!/usr/bin/env bash
# Entrypoint of the locally built postgres:15 image. Follows the official
# docker-library/postgres entrypoint's contract, so the same `podman run` /
# `docker run` arguments work against this image and the official one:
#
#   POSTGRES_PASSWORD      required on first start (unless POSTGRES_HOST_AUTH_METHOD=trust)
#   POSTGRES_USER          superuser name (default postgres)
#   POSTGRES_DB            database created on first start (default = POSTGRES_USER)
#   PGDATA                 data folder (default /var/lib/postgresql/data)
#   POSTGRES_INITDB_ARGS   extra initdb arguments
#   POSTGRES_INITDB_WALDIR separate WAL folder
#   POSTGRES_HOST_AUTH_METHOD  pg_hba method for remote hosts (default scram-sha-256)
#   *_FILE variants (e.g. POSTGRES_PASSWORD_FILE) read the value from a file
#   /docker-entrypoint-initdb.d/*.sh|*.sql run once after initdb
#
# On an existing data folder it only starts the server. The server is exec'd as
# the postgres user and becomes PID 1, so `stop` signals reach it directly:
# SIGTERM = smart shutdown, SIGINT (the image's STOPSIGNAL) = fast shutdown.
set -Eeo pipefail

log() { printf '%s [entrypoint] %s\n' "$(date -u '+%F %T UTC')" "$*"; }

# While this script is PID 1 (first-start initialization), the kernel drops every
# signal it has no handler for, so `podman stop` would wait its full timeout and
# then SIGKILL (the official image behaves that way: 10 s). Instead: forward the
# signal to the running step (initdb cleans up after itself on SIGINT/SIGTERM),
# stop the temporary server, remove the half-made cluster so the next start
# initializes again rather than "finding" an incomplete database, and exit.
INIT_CHILD=
INIT_STARTED=
INIT_PWFILE=
on_init_signal() {
    local sig="$1" code="$2"
    trap - INT TERM
    log "received SIG$sig during initialization; aborting it" >&2
    if [[ -n "$INIT_CHILD" ]]; then
        kill -s "$sig" "$INIT_CHILD" 2>/dev/null || :
        wait "$INIT_CHILD" 2>/dev/null || :
    fi
    [[ -n "$INIT_PWFILE" ]] && rm -f "$INIT_PWFILE"
    if [[ -n "$INIT_STARTED" ]]; then
        pg_ctl -D "$PGDATA" -m immediate -w stop >/dev/null 2>&1 || :
        find "$PGDATA" -mindepth 1 -delete 2>/dev/null || :
        if [[ -n "${POSTGRES_INITDB_WALDIR:-}" ]]; then
            find "$POSTGRES_INITDB_WALDIR" -mindepth 1 -delete 2>/dev/null || :
        fi
    fi
    exit "$code"
}

# Runs a step in the background and waits, so a trapped signal is handled at once
# instead of after the step finishes.
run_step() {
    local rc=0
    "$@" &
    INIT_CHILD=$!
    wait "$INIT_CHILD" || rc=$?
    INIT_CHILD=
    return "$rc"
}

# file_env VAR [DEFAULT]: VAR from $VAR or the file named by $VAR_FILE
file_env() {
    local var="$1" fileVar="${1}_FILE" def="${2:-}"
    if [[ -n "${!var:-}" && -n "${!fileVar:-}" ]]; then
        log "error: both $var and $fileVar are set (but are exclusive)" >&2
        exit 1
    fi
    local val="$def"
    if [[ -n "${!var:-}" ]]; then
        val="${!var}"
    elif [[ -n "${!fileVar:-}" ]]; then
        val="$(<"${!fileVar}")"
    fi
    export "$var"="$val"
    unset "$fileVar"
}

setup_env() {
    file_env POSTGRES_PASSWORD
    file_env POSTGRES_USER postgres
    file_env POSTGRES_DB "$POSTGRES_USER"
    file_env POSTGRES_INITDB_ARGS
    : "${POSTGRES_HOST_AUTH_METHOD:=}"
    : "${PGDATA:=/var/lib/postgresql/data}"
    export PGDATA
    DATABASE_ALREADY_EXISTS=
    if [[ -s "$PGDATA/PG_VERSION" ]]; then
        DATABASE_ALREADY_EXISTS=true
    fi
}

# As root: create the folders and give them to postgres.
create_db_directories() {
    local user
    user="$(id -u)"
    mkdir -p "$PGDATA"
    chmod 00700 "$PGDATA" || :
    mkdir -p /var/run/postgresql || :
    chmod 03775 /var/run/postgresql || :
    if [[ -n "${POSTGRES_INITDB_WALDIR:-}" ]]; then
        mkdir -p "$POSTGRES_INITDB_WALDIR"
        [[ "$user" == 0 ]] && find "$POSTGRES_INITDB_WALDIR" \! -user postgres -exec chown postgres '{}' +
        chmod 700 "$POSTGRES_INITDB_WALDIR"
    fi
    if [[ "$user" == 0 ]]; then
        find "$PGDATA" \! -user postgres -exec chown postgres '{}' +
        find /var/run/postgresql \! -user postgres -exec chown postgres '{}' +
    fi
}

verify_minimum_env() {
    if [[ -z "$POSTGRES_PASSWORD" && "$POSTGRES_HOST_AUTH_METHOD" != trust ]]; then
        cat >&2 <<'EOE'
Error: Database is uninitialized and superuser password is not specified.
       You must specify POSTGRES_PASSWORD to a non-empty value for the
       superuser. For example, "-e POSTGRES_PASSWORD=password" on "docker run".

       You may also use "POSTGRES_HOST_AUTH_METHOD=trust" to allow all
       connections without a password. This is *not* recommended.
EOE
        exit 1
    fi
    if [[ "${#POSTGRES_PASSWORD}" -ge 100 ]]; then
        log "warning: POSTGRES_PASSWORD is 100+ characters; md5/scram clients may truncate it" >&2
    fi
}

init_database_dir() {
    if [[ -n "${POSTGRES_INITDB_WALDIR:-}" ]]; then
        set -- --waldir "$POSTGRES_INITDB_WALDIR" "$@"
    fi
    local pwfile
    pwfile="$(mktemp)"
    INIT_PWFILE="$pwfile"
    # the password goes through a file, never through argv
    printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
    # shellcheck disable=SC2086  # POSTGRES_INITDB_ARGS is a word list by contract
    run_step initdb --username="$POSTGRES_USER" --pwfile="$pwfile" \
        --auth-local=trust --auth-host=scram-sha-256 \
        $POSTGRES_INITDB_ARGS "$@"
    rm -f "$pwfile"
    INIT_PWFILE=
}

setup_hba_conf() {
    local auth="${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}"
    # like upstream: password auth for every remote host; local socket stays trust
    printf '\n%s\n' "host all all all $auth" >>"$PGDATA/pg_hba.conf"
}

temp_server_start() {
    # socket only, no TCP: nobody can connect before initialization is over
    PGUSER="$POSTGRES_USER" run_step pg_ctl -D "$PGDATA" \
        -o "-c listen_addresses='' -p ${PGPORT:-5432}" -w start
}

temp_server_stop() {
    PGUSER="$POSTGRES_USER" pg_ctl -D "$PGDATA" -m fast -w stop
}

psql_run() {
    psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc "$@"
}

setup_db() {
    if [[ "$POSTGRES_DB" != postgres ]]; then
        # CREATE DATABASE cannot take a bind parameter; quote the identifier with format()
        local exists
        exists="$(psql_run --dbname postgres -tA \
            --set db="$POSTGRES_DB" <<<"SELECT 1 FROM pg_database WHERE datname = :'db';")"
        if [[ -z "$exists" ]]; then
            psql_run --dbname postgres --set db="$POSTGRES_DB" \
                <<<"SELECT format('CREATE DATABASE %I', :'db') \gexec"
            log "created database $POSTGRES_DB"
        fi
    fi
}

process_init_files() {
    local f
    for f in /docker-entrypoint-initdb.d/*; do
        [[ -e "$f" ]] || continue
        case "$f" in
            *.sh)
                # shellcheck disable=SC1090  # init scripts are the user's
                if [[ -x "$f" ]]; then log "running $f"; "$f"
                else log "sourcing $f"; . "$f"; fi ;;
            *.sql) log "running $f"; psql_run --dbname "$POSTGRES_DB" -f "$f" ;;
            *.sql.gz) log "running $f"; gunzip -c "$f" | psql_run --dbname "$POSTGRES_DB" ;;
            *) log "ignoring $f" ;;
        esac
    done
}

# Is the command the server itself (so we own initialization)?
want_help() {
    local arg
    for arg; do
        case "$arg" in
            -'?'|--help|--describe-config|-V|--version) return 0 ;;
        esac
    done
    return 1
}

main() {
    # `podman run IMAGE -c max_connections=200` → postgres -c max_connections=200
    if [[ "${1:0:1}" == '-' ]]; then
        set -- postgres "$@"
    fi

    if [[ "$1" == postgres ]] && ! want_help "$@"; then
        setup_env
        create_db_directories
        if [[ "$(id -u)" == 0 ]]; then
            # re-run this script as postgres; setpriv execs, so no extra process stays behind
            exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
        fi

        if [[ -z "$DATABASE_ALREADY_EXISTS" ]]; then
            verify_minimum_env
            ls /docker-entrypoint-initdb.d/ >/dev/null
            trap 'on_init_signal INT 130' INT
            trap 'on_init_signal TERM 143' TERM
            INIT_STARTED=1
            log "initializing $PGDATA for user $POSTGRES_USER"
            init_database_dir
            setup_hba_conf
            export PGPASSWORD="${PGPASSWORD:-$POSTGRES_PASSWORD}"
            temp_server_start
            setup_db
            process_init_files
            temp_server_stop
            unset PGPASSWORD
            INIT_STARTED=
            trap - INT TERM
            log "PostgreSQL init process complete; ready for start up."
        else
            log "PostgreSQL database directory appears to contain a database; skipping initialization"
        fi
    fi

    exec "$@"
}

main "$@"
