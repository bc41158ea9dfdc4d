#!/usr/bin/env bash
# Builds a local PostgreSQL 15 image from Debian bookworm packages, because no
# container registry can be reached here, and tags it with the official name
# docker.io/library/postgres:15 so `podman run docker.io/library/postgres:15`
# never tries a pull. The image behaves like the official one for
# POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB / PGDATA / POSTGRES_INITDB_ARGS
# (see docker-entrypoint.sh).
#
# Two stages, each cached by a content-hash label (io.stackmodel.build-hash):
#   1. localhost/stackmodel/postgres-base:15  mmdebstrap minbase + postgresql-15 | podman import
#   2. localhost/stackmodel/postgres:15       base + docker-entrypoint.sh (podman build, no pull)
# Re-running with unchanged inputs does nothing. FORCE=1 rebuilds both stages.
#
# Usage: eng/containers/postgres/build-image.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=../lib/common.sh
source "$here/../lib/common.sh"
export LOG_PREFIX="postgres-image"

BASE_IMAGE="localhost/stackmodel/postgres-base:15"
IMAGE="localhost/stackmodel/postgres:15"
OFFICIAL_TAG="docker.io/library/postgres:15"

PACKAGES="postgresql-15"
PG_BIN="/usr/lib/postgresql/15/bin"

# Runs inside mmdebstrap after the packages are installed ($1 = chroot dir):
# - postgresql-common's postinst created a 'main' cluster: drop it, the entrypoint makes one in PGDATA;
# - make new clusters listen on all addresses, as the official image does;
# - the socket directory must exist and be writable by postgres (and by any uid, like upstream).
# shellcheck disable=SC2016
CUSTOMIZE='set -e
rm -rf "$1/var/lib/postgresql/15" "$1/etc/postgresql/15"
sed -ri "s!^#?(listen_addresses)\s*=\s*\S+.*!\1 = '"'"'*'"'"'!" "$1/usr/share/postgresql/15/postgresql.conf.sample"
grep -q "^listen_addresses = '"'"'\*'"'"'" "$1/usr/share/postgresql/15/postgresql.conf.sample"
mkdir -p "$1/var/run/postgresql" "$1/var/lib/postgresql/data"
chroot "$1" chown -R postgres:postgres /var/run/postgresql /var/lib/postgresql
chmod 3777 "$1/var/run/postgresql"
chmod 1777 "$1/var/lib/postgresql/data"'

if [[ "${FORCE:-0}" == 1 ]]; then
    log "FORCE=1: rebuilding"
fi

# Stage 1: base. Its hash covers only what goes into it, so editing the entrypoint
# does not redo the ~70 s debootstrap.
base_hash="$(hash_inputs <<<"$(debian_base_recipe)
$PACKAGES
$CUSTOMIZE")"
if [[ "${FORCE:-0}" != 1 ]] && image_is_current "$BASE_IMAGE" "$base_hash"; then
    log "base $BASE_IMAGE is current (${base_hash:0:12}), skipping mmdebstrap"
else
    log "building base $BASE_IMAGE (${base_hash:0:12}) ..."
    t0=$SECONDS
    build_debian_base "$BASE_IMAGE" "$base_hash" "$PACKAGES" "$CUSTOMIZE" \
        --change "ENV PATH=$PG_BIN:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
        --change "ENV LANG=C.UTF-8" \
        --change "ENV PG_MAJOR=15" \
        --change "ENV PGDATA=/var/lib/postgresql/data" \
        --change "EXPOSE 5432" \
        --change 'CMD ["postgres"]'
    log "base built in $((SECONDS - t0)) s"
fi

# Stage 2: entrypoint layer. Its hash covers the base hash and every file of this folder.
final_hash="$(hash_inputs "$here/build-image.sh" "$here/docker-entrypoint.sh" "$here/Containerfile" <<<"$base_hash")"
if [[ "${FORCE:-0}" != 1 ]] && image_is_current "$IMAGE" "$final_hash"; then
    log "$IMAGE is current (${final_hash:0:12}), skipping build"
else
    log "building $IMAGE (${final_hash:0:12}) ..."
    t0=$SECONDS
    podman_build_replace "$IMAGE" "$final_hash" "$here/Containerfile" "$here" \
        --build-arg "BASE=$BASE_IMAGE"
    log "entrypoint layer built in $((SECONDS - t0)) s"
fi

# Always (re)point the official name at the current image: cheap, and repairs a tag
# that someone moved or removed.
podman tag "$IMAGE" "$OFFICIAL_TAG"
log "ready: $IMAGE = $OFFICIAL_TAG ($(podman image inspect --format '{{.Id}}' "$IMAGE" | cut -c1-12), $(podman image inspect --format '{{.Size}}' "$IMAGE" | awk '{printf "%d MB", $1/1000000}'))"
