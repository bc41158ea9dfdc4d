#!/usr/bin/env bash
# CI step: the distribution registry server (Debian's docker-registry package). A container test starts it on 127.0.0.1 and
# proves a real pull (Stack:PullPolicy=missing) with its progress in the resource's log; CI reaches no other registry.
# The package's service is not started (no systemd); the test runs its own server and stops it.
set -euo pipefail
if [ ! -x /usr/bin/docker-registry ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-registry >/dev/null
fi
/usr/bin/docker-registry --version
