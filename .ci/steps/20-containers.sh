#!/usr/bin/env bash
# CI step: the container runtime's tests run for real. Podman (the machine has no Docker engine), the local
# postgres:15 image and the LiteLLM stand-in image. Every script here is idempotent and cached by content hash:
# on a machine that ran this before, the whole step is a few `info`/label checks and one incremental publish.
set -euo pipefail
cd "$(dirname "$0")/../.."

t0=$SECONDS
bash eng/containers/install-podman.sh
bash eng/containers/postgres/build-image.sh
bash eng/containers/dotnet-app/build-image.sh tests/LiteLLMStandIn/LiteLLMStandIn.csproj localhost/stackmodel/litellm-standin:dev
podman info --format 'engine: podman {{.Version.Version}}, {{.Host.NetworkBackend}} + {{.Host.OCIRuntime.Name}}'
echo "containers ready in $((SECONDS - t0)) s"
