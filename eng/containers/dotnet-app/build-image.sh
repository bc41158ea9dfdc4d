#!/usr/bin/env bash
# Builds a container image that runs a .NET project of this repository (e.g. the
# LiteLLM stand-in under tests/) on the stack network, offline: no registry is
# reachable, so there is no mcr.microsoft.com/dotnet/aspnet base to pull.
#
# Layers (each cached by the content-hash label io.stackmodel.build-hash):
#   1. localhost/stackmodel/dotnet-deps:bookworm   Debian minbase + .NET native deps (mmdebstrap, ~1 min, once)
#   2. localhost/stackmodel/dotnet-runtime:<ver>   + the host's own shared frameworks (Microsoft.NETCore.App
#                                                  and Microsoft.AspNetCore.App <ver>), copied from DOTNET_ROOT
#   3. <image-name>                                + `dotnet publish` output of the project (framework-dependent)
# The app layer is the publish folder only (a few MB), so rebuilding an app costs
# a publish plus a second or two; the runtime layer is shared by every app.
# The app image is rebuilt only when the published files change (hash of every file).
#
# The container runs `dotnet /app/<AssemblyName>.dll`, listens on 8080
# (ASPNETCORE_HTTP_PORTS=8080, as the official aspnet images), WORKDIR /app.
#
# Usage: eng/containers/dotnet-app/build-image.sh <project.csproj> <image-name>
#   e.g. eng/containers/dotnet-app/build-image.sh tests/LiteLlmStandIn/LiteLlmStandIn.csproj localhost/stackmodel/litellm-standin:dev
# Env: CONFIGURATION (Release), DOTNET_ROOT (from `dotnet` on PATH), FORCE=1 rebuilds all layers.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=../lib/common.sh
source "$here/../lib/common.sh"
export LOG_PREFIX="dotnet-image"

[[ $# == 2 ]] || { echo "usage: $0 <project.csproj> <image-name>" >&2; exit 2; }
PROJECT="$(readlink -f "$1")"
IMAGE="$2"
[[ -f "$PROJECT" ]] || die "project not found: $1"
[[ "$IMAGE" == */* || "$IMAGE" == *:* ]] || IMAGE="localhost/$IMAGE"
CONFIGURATION="${CONFIGURATION:-Release}"
FORCE="${FORCE:-0}"

command -v dotnet >/dev/null || die "dotnet not on PATH"
DOTNET_ROOT="${DOTNET_ROOT:-$(dirname "$(readlink -f "$(command -v dotnet)")")}"
[[ -x "$DOTNET_ROOT/dotnet" ]] || die "no dotnet muxer in DOTNET_ROOT=$DOTNET_ROOT"

work="$(mktemp -d /tmp/stackmodel-dotnet-image.XXXXXX)"
trap 'rm -rf "$work"' EXIT

# ---- layer 1: native dependencies of .NET on Debian bookworm ----------------------
ensure_dotnet_deps_image

# ---- layer 2: the host's .NET shared frameworks ---------------------------------------
# Take the newest Microsoft.AspNetCore.App the host has and the Microsoft.NETCore.App of
# the same version (ASP.NET Core ships in lockstep with it).
# shellcheck disable=SC2012  # version folder names, no odd characters
fw_version="$(ls -1 "$DOTNET_ROOT/shared/Microsoft.AspNetCore.App" 2>/dev/null | sort -V | tail -1)"
[[ -n "$fw_version" && -d "$DOTNET_ROOT/shared/Microsoft.NETCore.App/$fw_version" ]] \
    || die "DOTNET_ROOT=$DOTNET_ROOT lacks matching Microsoft.AspNetCore.App / Microsoft.NETCore.App"
# shellcheck disable=SC2012
fxr_version="$(ls -1 "$DOTNET_ROOT/host/fxr" | sort -V | tail -1)"
RUNTIME_IMAGE="localhost/stackmodel/dotnet-runtime:$fw_version"

rt="$work/runtime"
mkdir -p "$rt/dotnet/shared" "$rt/dotnet/host/fxr"
cp -a "$DOTNET_ROOT/dotnet" "$rt/dotnet/"
cp -a "$DOTNET_ROOT/host/fxr/$fxr_version" "$rt/dotnet/host/fxr/"
for fw in Microsoft.NETCore.App Microsoft.AspNetCore.App; do
    mkdir -p "$rt/dotnet/shared/$fw"
    cp -a "$DOTNET_ROOT/shared/$fw/$fw_version" "$rt/dotnet/shared/$fw/"
done
for f in LICENSE.txt ThirdPartyNotices.txt; do
    [[ -f "$DOTNET_ROOT/$f" ]] && cp -a "$DOTNET_ROOT/$f" "$rt/dotnet/"
done
cat >"$rt/Containerfile" <<EOF
FROM $DEPS_IMAGE
COPY dotnet /usr/share/dotnet
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet
ENV DOTNET_ROOT=/usr/share/dotnet \\
    DOTNET_RUNNING_IN_CONTAINER=true \\
    DOTNET_NOLOGO=true \\
    DOTNET_CLI_TELEMETRY_OPTOUT=true \\
    ASPNETCORE_HTTP_PORTS=8080 \\
    APP_UID=1654
EOF
# hash of the deps layer plus every file that goes into this layer
rt_hash="$({ echo "$deps_hash"; (cd "$rt" && find . -type f -print0 | sort -z | xargs -0 sha256sum); } | sha256sum | cut -c1-64)"
if [[ "$FORCE" != 1 ]] && image_is_current "$RUNTIME_IMAGE" "$rt_hash"; then
    log "$RUNTIME_IMAGE is current"
else
    log "building $RUNTIME_IMAGE from $DOTNET_ROOT (fxr $fxr_version) ..."
    t0=$SECONDS
    podman_build_replace "$RUNTIME_IMAGE" "$rt_hash" "$rt/Containerfile" "$rt"
    log "$RUNTIME_IMAGE built in $((SECONDS - t0)) s"
fi
rm -rf "$rt"

# ---- layer 3: the app ----------------------------------------------------------------
assembly="$(dotnet msbuild "$PROJECT" -nologo -getProperty:AssemblyName -p:Configuration="$CONFIGURATION")"
[[ -n "$assembly" ]] || die "could not read AssemblyName of $PROJECT"
out="$work/app"
log "dotnet publish $PROJECT ($CONFIGURATION, framework-dependent) ..."
t0=$SECONDS
# UseAppHost=false: the image starts the app through the muxer; no native launcher needed.
# IsPublishable=true: test-only projects (the LiteLLM stand-in) say IsPublishable=false so a solution-wide
# publish skips them; publishing one by name for an image is deliberate (without it the SDK skips the copy
# to -o and its web.config transform fails on the missing folder).
if ! dotnet publish "$PROJECT" -nologo -c "$CONFIGURATION" -o "$out" \
        --no-self-contained -p:UseAppHost=false -p:IsPublishable=true >"$work/publish.log" 2>&1; then
    tail -30 "$work/publish.log" >&2
    die "dotnet publish failed"
fi
log "published in $((SECONDS - t0)) s ($(du -sh "$out" | cut -f1))"
[[ -f "$out/$assembly.dll" ]] || die "publish output lacks $assembly.dll"

# The runtimeconfig must ask for a framework the image has (same major, roll-forward ok).
want_major="$(grep -o '"version": *"[0-9]*' "$out/$assembly.runtimeconfig.json" | head -1 | grep -o '[0-9]*$')"
[[ "$want_major" == "${fw_version%%.*}" ]] \
    || die "$assembly targets .NET $want_major but the runtime image has $fw_version"

app_hash="$({ echo "$rt_hash $assembly"; cat "$0"; (cd "$out" && find . -type f -print0 | sort -z | xargs -0 sha256sum); } | sha256sum | cut -c1-64)"
if [[ "$FORCE" != 1 ]] && image_is_current "$IMAGE" "$app_hash"; then
    log "$IMAGE is current (${app_hash:0:12}), skipping build"
else
    cat >"$work/Containerfile" <<EOF
FROM $RUNTIME_IMAGE
WORKDIR /app
COPY . /app/
EXPOSE 8080
LABEL io.stackmodel.project="$(basename "$PROJECT")"
ENTRYPOINT ["dotnet", "/app/$assembly.dll"]
EOF
    t0=$SECONDS
    podman_build_replace "$IMAGE" "$app_hash" "$work/Containerfile" "$out"
    log "$IMAGE built in $((SECONDS - t0)) s"
fi
log "ready: $IMAGE ($(podman image inspect --format '{{.Id}}' "$IMAGE" | cut -c1-12)) runs dotnet /app/$assembly.dll on :8080"
