#!/usr/bin/env bash
# CI step: the container tests on Podman too. The main `dotnet test` runs them on Docker Engine (22-docker.sh); this runs
# the same tests (Category=Container) with the stack and the tests pinned to Podman (Stack__ContainerRuntime=podman).
set -euo pipefail
cd "$(dirname "$0")/../.."

t0=$SECONDS
dotnet build tests/IntegrationTests -v q -nologo
Stack__ContainerRuntime=podman dotnet test tests/IntegrationTests --no-build --filter Category=Container
echo "container tests on Podman passed in $((SECONDS - t0)) s"
