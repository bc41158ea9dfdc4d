# shellcheck shell=bash
# Helpers shared by the image build scripts under eng/containers/.
# Sourced, not executed. Requires bash, podman, sha256sum.

# Label that records which build inputs produced an image. A build script
# compares it with the hash of its current inputs and skips the build when equal.
STACKMODEL_HASH_LABEL="io.stackmodel.build-hash"

log() { printf '[%s] %s\n' "${LOG_PREFIX:-containers}" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# sha256 over the given files (names and contents) plus any extra strings on stdin.
# Usage: hash_inputs file... < extra
# shellcheck disable=SC2120  # called with and without files
hash_inputs() {
    {
        local f
        for f in "$@"; do
            printf '== %s\n' "$(basename "$f")"
            cat "$f"
        done
        printf '== extra\n'
        cat
    } | sha256sum | cut -c1-64
}

# Text of the functions that decide what goes into a Debian base image. Bases hash
# this instead of this file, so editing a comment or an unrelated helper here does
# not redo a slow mmdebstrap. `declare -f` prints the normalized code, without comments.
debian_base_recipe() {
    declare -f build_debian_base debian_aptopt_args slim_dpkgopt_args
}

# Builds with podman from a local base only (--pull=never), as one layer
# (--layers=false: no intermediate images left behind), and removes the image that
# TAG named before if nothing else names or uses it.
# Usage: podman_build_replace TAG HASH CONTAINERFILE CONTEXT [extra podman build args]
podman_build_replace() {
    local tag="$1" hash="$2" file="$3" context="$4" old new
    shift 4
    old="$(podman image inspect --format '{{.Id}}' "$tag" 2>/dev/null || true)"
    podman build --quiet --pull=never --layers=false \
        --label "$STACKMODEL_HASH_LABEL=$hash" "$@" \
        -t "$tag" -f "$file" "$context" >/dev/null
    new="$(podman image inspect --format '{{.Id}}' "$tag")"
    remove_if_dangling "$old" "$new"
}

# Removes image OLD if it differs from NEW and has no tag left (quietly keeps it
# when a container still uses it).
remove_if_dangling() {
    local old="$1" new="$2"
    [[ -n "$old" && "$old" != "$new" ]] || return 0
    if [[ "$(podman image inspect --format '{{len .RepoTags}}' "$old" 2>/dev/null)" == 0 ]]; then
        if podman rmi "$old" >/dev/null 2>&1; then log "removed superseded image ${old:0:12}"; fi
    fi
}

# Prints the value of the build-hash label of IMAGE, or nothing if the image is absent.
image_hash() {
    podman image inspect --format "{{index .Labels \"$STACKMODEL_HASH_LABEL\"}}" "$1" 2>/dev/null || true
}

# True when IMAGE exists and carries build-hash HASH.
image_is_current() {
    local have
    have="$(image_hash "$1")"
    [[ -n "$have" && "$have" == "$2" ]]
}

# Debian apt sources this machine uses, as arguments for mmdebstrap (file paths;
# mmdebstrap pastes each file into the image's apt sources). Only enabled files
# (*.list, *.sources) that name a Debian suite are taken. No mirror host is
# hard-coded here: the image is built from exactly what the host's apt reaches.
# Override with STACKMODEL_APT_SOURCES=/path/to/file.sources (or .list).
debian_sources_args() {
    if [[ -n "${STACKMODEL_APT_SOURCES:-}" ]]; then
        [[ -f "$STACKMODEL_APT_SOURCES" ]] || die "STACKMODEL_APT_SOURCES=$STACKMODEL_APT_SOURCES is not a file"
        printf '%s\n' "$STACKMODEL_APT_SOURCES"
        return
    fi
    local f found=0
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
        [[ -f "$f" ]] || continue
        # keep only files that point at a Debian archive with the bookworm suite
        if grep -Eqs '^[[:space:]]*(deb[[:space:]]|Suites:).*bookworm' "$f" \
            && grep -Eqs 'debian' "$f"; then
            printf '%s\n' "$f"
            found=1
        fi
    done
    [[ $found == 1 ]] || die "no enabled Debian bookworm apt source found in /etc/apt (set STACKMODEL_APT_SOURCES)"
}

# Extra mmdebstrap options that copy the host's apt settings the archive needs
# (e.g. a snapshot mirror needs Check-Valid-Until false).
debian_aptopt_args() {
    if apt-config dump 2>/dev/null | grep -q '^Acquire::Check-Valid-Until "false"'; then
        printf '%s\n' '--aptopt=Acquire::Check-Valid-Until "false"'
    fi
}

# Options that keep docs, man pages and message catalogs out of an image.
slim_dpkgopt_args() {
    printf '%s\n' \
        '--dpkgopt=path-exclude=/usr/share/doc/*' \
        '--dpkgopt=path-include=/usr/share/doc/*/copyright' \
        '--dpkgopt=path-exclude=/usr/share/man/*' \
        '--dpkgopt=path-exclude=/usr/share/info/*' \
        '--dpkgopt=path-exclude=/usr/share/locale/*' \
        '--dpkgopt=path-exclude=/usr/share/lintian/*'
}

# Builds IMAGE (tag) from a Debian bookworm minbase with PACKAGES (comma list),
# running CUSTOMIZE (a shell snippet, $1 = chroot dir) before packing, and importing
# it with the given --change arguments. Labels it with HASH.
# Usage: build_debian_base IMAGE HASH PACKAGES CUSTOMIZE [--change ...]...
build_debian_base() {
    local image="$1" hash="$2" packages="$3" customize="$4"
    shift 4
    command -v mmdebstrap >/dev/null || die "mmdebstrap missing: run eng/containers/install-podman.sh"
    local -a sources aptopts slim
    mapfile -t sources < <(debian_sources_args)
    mapfile -t aptopts < <(debian_aptopt_args)
    mapfile -t slim < <(slim_dpkgopt_args)
    local old
    old="$(podman image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)"
    log "mmdebstrap minbase bookworm + [$packages] from: ${sources[*]}"
    # pipefail: a failed mmdebstrap must fail the build, not import a broken tarball
    set -o pipefail
    # shellcheck disable=SC2016  # $1 is expanded by mmdebstrap's hook shell, not here
    mmdebstrap --quiet --mode=root --variant=minbase \
        --include="$packages" \
        "${aptopts[@]}" "${slim[@]}" \
        --customize-hook="$customize" \
        --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/* "$1"/var/log/apt/* "$1"/var/log/dpkg.log' \
        bookworm - "${sources[@]}" </dev/null \
        | podman import --quiet "$@" \
            --change "LABEL $STACKMODEL_HASH_LABEL=$hash" \
            --message "stackmodel: debian bookworm minbase + $packages" \
            - "$image" >/dev/null
    remove_if_dangling "$old" "$(podman image inspect --format '{{.Id}}' "$image")"
}

# The native dependencies of .NET on Debian bookworm (what the official runtime-deps image holds), as one cached image:
# sets DEPS_IMAGE and deps_hash for the caller. Every .NET image here builds on it (dotnet-app, migration-runner).
# Usage: ensure_dotnet_deps_image  (FORCE=1 rebuilds)
ensure_dotnet_deps_image() {
    local packages="ca-certificates,libicu72,libssl3,tzdata" customize='true' t0=$SECONDS
    DEPS_IMAGE="localhost/stackmodel/dotnet-deps:bookworm"
    deps_hash="$(hash_inputs <<<"$(debian_base_recipe)
$packages
$customize")"
    if [[ "${FORCE:-0}" != 1 ]] && image_is_current "$DEPS_IMAGE" "$deps_hash"; then
        log "$DEPS_IMAGE is current"
        return
    fi
    log "building $DEPS_IMAGE ..."
    build_debian_base "$DEPS_IMAGE" "$deps_hash" "$packages" "$customize" \
        --change "ENV LANG=C.UTF-8" \
        --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    log "$DEPS_IMAGE built in $((SECONDS - t0)) s"
}
