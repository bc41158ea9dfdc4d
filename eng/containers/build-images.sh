#!/usr/bin/env bash
# Builds every image of eng/containers/images.list with Podman, each by its own script (content-hashed and cached: an
# image whose inputs did not change is not rebuilt). A line whose build script does not exist in this checkout is skipped
# with a message. Must run as root, after install-podman.sh.
# Usage: eng/containers/build-images.sh [image...]   (no argument: every image of the list)
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=lib/images.sh
source eng/containers/lib/images.sh
LOG_PREFIX=build-images
log() { printf '[%s] %s\n' "$LOG_PREFIX" "$*" >&2; }

while IFS=$'\t' read -r image command; do
    if [[ $# -gt 0 && " $* " != *" $image "* ]]; then
        continue
    fi

    read -r -a argv <<<"$command"
    if [[ ! -f "${argv[0]}" ]]; then
        log "$image: skipped, its build script ${argv[0]} is not in this checkout"
        continue
    fi

    t0=$SECONDS
    bash "${argv[@]}"
    log "$image: current in Podman ($((SECONDS - t0)) s)"
done < <(images_list)
