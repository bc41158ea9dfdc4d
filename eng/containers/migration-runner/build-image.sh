#!/usr/bin/env bash
# Builds the migration runner's image, localhost/stackmodel/migration-runner:dev by default, from Debian packages and
# this machine's .NET (no registry needed), cached by content hash like every image here. The image `publish compose`
# runs for the `migrations` service. (Users with registry access may build the same from ./Dockerfile instead.)
#
# It asks MSBuild whether the runner builds native (StackModelNativeAotEnabled), publishes (`dotnet publish`, Release) and looks at the output:
#   - StackModel.MigrationRunner.dll present (framework-dependent, today): the image is dotnet-app/build-image.sh's, on
#     the shared .NET runtime layer (entrypoint `dotnet /app/StackModel.MigrationRunner.dll`);
#   - only the native executable (NativeAOT): the image is the .NET dependencies layer (Debian minbase with ICU, OpenSSL,
#     CA certificates: what runtime-deps holds) plus the executable, entrypoint /app/StackModel.MigrationRunner.
#
# Usage: eng/containers/migration-runner/build-image.sh [image]
# Env: CONFIGURATION (Release), FORCE=1 rebuilds.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
# shellcheck source-path=SCRIPTDIR source=../lib/common.sh
source "$here/../lib/common.sh"
export LOG_PREFIX="runner-image"

IMAGE="${1:-localhost/stackmodel/migration-runner:dev}"
PROJECT="$root/MigrationRunner/MigrationRunner.csproj"
CONFIGURATION="${CONFIGURATION:-Release}"
FORCE="${FORCE:-0}"
ASSEMBLY="StackModel.MigrationRunner"

work="$(mktemp -d /tmp/stackmodel-runner-image.XXXXXX)"
trap 'rm -rf "$work"' EXIT

# The runner's build decides the output's form (eng/build/NativeAotRunner.targets: native when the AOT toolchain is there;
# PublishAot itself is set only while restoring and publishing); asking MSBuild costs seconds, a publish that is then thrown
# away a minute on a cold machine.
aot="$(dotnet msbuild "$PROJECT" -nologo -getProperty:StackModelNativeAotEnabled -p:Configuration="$CONFIGURATION" 2>/dev/null || true)"
if [[ "$aot" != true ]]; then
    log "no NativeAOT build (toolchain missing or turned off): framework-dependent, building on the shared .NET runtime layer"
    rm -rf "$work"  # exec replaces this shell: its EXIT trap would never run
    exec bash "$here/../dotnet-app/build-image.sh" "$PROJECT" "$IMAGE"
fi

out="$work/app"
log "dotnet publish $PROJECT ($CONFIGURATION, NativeAOT) ..."
t0=$SECONDS
if ! dotnet publish "$PROJECT" -nologo -c "$CONFIGURATION" -o "$out" >"$work/publish.log" 2>&1; then
    tail -30 "$work/publish.log" >&2
    die "dotnet publish failed"
fi
log "published in $((SECONDS - t0)) s ($(du -sh "$out" | cut -f1))"

if [[ -f "$out/$ASSEMBLY.dll" ]]; then
    # PublishAot=true without the AOT toolchain may fall back to a framework-dependent build: image that instead.
    log "the output is framework-dependent after all: building on the shared .NET runtime layer"
    rm -rf "$work"  # exec replaces this shell: its EXIT trap would never run
    exec bash "$here/../dotnet-app/build-image.sh" "$PROJECT" "$IMAGE"
fi

[[ -x "$out/$ASSEMBLY" ]] || die "publish output has neither $ASSEMBLY.dll nor an executable $ASSEMBLY"
log "native output (NativeAOT): building on the .NET dependencies layer"

# The dependencies layer dotnet-app/build-image.sh builds on too (same inputs, same hash, so the same cached image).
ensure_dotnet_deps_image

# Debug symbols stay out of the image.
find "$out" -name '*.dbg' -delete
app_hash="$({ echo "$deps_hash native"; cat "$0"; (cd "$out" && find . -type f -print0 | sort -z | xargs -0 sha256sum); } | sha256sum | cut -c1-64)"
if [[ "$FORCE" != 1 ]] && image_is_current "$IMAGE" "$app_hash"; then
    log "$IMAGE is current (${app_hash:0:12}), skipping build"
else
    cat >"$work/Containerfile" <<EOC
FROM $DEPS_IMAGE
WORKDIR /app
COPY . /app/
LABEL io.stackmodel.project="MigrationRunner.csproj"
ENTRYPOINT ["/app/$ASSEMBLY"]
EOC
    t0=$SECONDS
    podman_build_replace "$IMAGE" "$app_hash" "$work/Containerfile" "$out"
    log "$IMAGE built in $((SECONDS - t0)) s"
fi
log "ready: $IMAGE runs /app/$ASSEMBLY"
