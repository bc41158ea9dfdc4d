#!/usr/bin/env bash
# CI step: the container runtime's tests run for real. Podman, the local postgres:15 image, the LiteLLM stand-in image and
# every other image of eng/containers/images.list, built from Debian packages. Every script here is idempotent and cached
# by content hash: on a machine that ran this before, the whole step is a few `info`/label checks and one incremental
# publish. Docker Engine gets the same images in 22-docker.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."

t0=$SECONDS
bash eng/containers/install-podman.sh
bash eng/containers/build-images.sh
podman info --format 'engine: podman {{.Version.Version}}, {{.Host.NetworkBackend}} + {{.Host.OCIRuntime.Name}}'
echo "containers ready in $((SECONDS - t0)) s"
