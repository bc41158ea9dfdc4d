#!/usr/bin/env bash
# CI step: the NativeAOT link step's toolchain, so that the migration runner is built native (eng/build/NativeAotRunner.targets)
# and the tests and benchmarks run it as users do. Debian's clang and zlib1g-dev; the ILCompiler packages come from NuGet
# with the restore. Idempotent: nothing is installed when both are present. Without them the build falls back to the
# ReadyToRun runner and says so.
set -euo pipefail

missing=()
command -v clang >/dev/null 2>&1 || missing+=(clang)
[ -f /usr/include/zlib.h ] || missing+=(zlib1g-dev)
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing the NativeAOT toolchain (${missing[*]}) and not root: install it with sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
echo "NativeAOT toolchain: $(clang --version | head -n 1), zlib $(dpkg-query -W -f='${Version}' zlib1g-dev 2>/dev/null || echo present)"
