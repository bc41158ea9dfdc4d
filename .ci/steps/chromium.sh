#!/usr/bin/env bash
# The dashboard's browser test drives Debian's Chromium through Playwright (never Playwright's own browser download).
set -euo pipefail
if [ ! -x /usr/bin/chromium ]; then
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
fi
/usr/bin/chromium --version || true
