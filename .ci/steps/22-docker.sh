#!/usr/bin/env bash
# CI step: Docker Engine, the engine the container tests of the main `dotnet test` run on (the stack prefers Docker when
# its daemon answers, as Aspire does). Installs Debian's docker.io and docker-compose when missing, starts dockerd when no
# daemon answers (.ci/run stops it at the end, only if this step started it), and copies the images 20-containers.sh built
# with Podman into Docker when Docker lacks them or holds another build (by their io.stackmodel.build-hash label).
set -euo pipefail
cd "$(dirname "$0")/../.."

t0=$SECONDS
bash eng/containers/install-docker.sh
bash eng/containers/docker-load-images.sh
docker info --format 'engine: docker {{.ServerVersion}}, {{.Driver}} storage, cgroup {{.CgroupVersion}}'
docker-compose version --short
echo "Docker Engine ready in $((SECONDS - t0)) s"
