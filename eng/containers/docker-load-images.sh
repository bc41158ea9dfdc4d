#!/usr/bin/env bash
# Makes the images of eng/containers/images.list that Podman holds present in Docker Engine, the same content-hashed way
# they are built: an image is copied (`podman save | docker load`) only when Docker lacks it or holds another build of it
# (its io.stackmodel.build-hash label, or its image id when it has no label, differs from Podman's). A second run copies
# nothing. The image that a tag named before is removed from Docker when nothing else names it. An image Podman does not
# hold (its build script is not in this checkout) is skipped with a message. Must run as root, after build-images.sh.
# Usage: eng/containers/docker-load-images.sh [image...]   (no argument: every image of the list)
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=lib/images.sh
source eng/containers/lib/images.sh
LABEL=io.stackmodel.build-hash
log() { printf '[docker-load-images] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[[ -n "$(docker info --format '{{.ServerVersion}}' 2>/dev/null)" ]] || die "no Docker daemon answers 'docker info': run eng/containers/install-docker.sh first"

# "<label> <id>" of IMAGE in an engine, or nothing when it does not hold it.
podman_key() { podman image inspect --format "{{index .Labels \"$LABEL\"}} {{.Id}}" "$1" 2>/dev/null || true; }
docker_key() { docker image inspect --format "{{index .Config.Labels \"$LABEL\"}} {{.Id}}" "$1" 2>/dev/null | sed 's/ sha256:/ /' || true; }

while IFS=$'\t' read -r image _; do
    if [[ $# -gt 0 && " $* " != *" $image "* ]]; then
        continue
    fi

    want="$(podman_key "$image")"
    if [[ -z "$want" ]]; then
        log "$image: skipped, Podman does not hold it (eng/containers/build-images.sh builds it when its build script exists)"
        continue
    fi

    have="$(docker_key "$image")"
    read -r want_label want_id <<<"$want"
    read -r have_label have_id <<<"${have:-- -}"
    if [[ "$have_id" == "$want_id" || (-n "$want_label" && "$have_label" == "$want_label") ]]; then
        log "$image: current in Docker (${want_label:-id ${want_id:0:12}})"
        continue
    fi

    t0=$SECONDS
    podman save "$image" | docker load --quiet >/dev/null
    # `docker load` names the image as `podman save` recorded it; tag it by the list's name too (Docker normalises
    # docker.io/library/postgres:15 to postgres:15: the same image).
    docker tag "$want_id" "$image"
    log "$image: loaded into Docker in $((SECONDS - t0)) s ($(docker image inspect --format '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1/1e6}'))"
    if [[ "$have_id" != - && "$have_id" != "$want_id" ]] \
        && [[ "$(docker image inspect --format '{{len .RepoTags}}' "$have_id" 2>/dev/null)" == 0 ]] \
        && docker rmi "$have_id" >/dev/null 2>&1; then
        log "$image: removed the superseded image ${have_id:0:12} from Docker"
    fi
done < <(images_list)
