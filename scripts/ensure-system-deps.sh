#!/usr/bin/env bash
# Installs the Debian packages the browser tests need, when they are missing.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO=sudo; else
    echo "Chromium is missing: install it with 'apt-get install -y chromium' (as root)." >&2
    exit 1
  fi
else
  SUDO=""
fi
echo "Installing Chromium for the browser tests..."
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
