#!/usr/bin/env bash
# Installs the Debian packages a make target needs, when they are missing.
#   ensure-system-deps.sh           Chromium, for the browser tests (make test)
#   ensure-system-deps.sh gettext   GNU gettext, for make messages only: the
#                                   compiled catalogue is committed, so make run
#                                   and make test never need it
set -euo pipefail
case "${1:-chromium}" in
  chromium) command_needed=/usr/bin/chromium package=chromium purpose="the browser tests" ;;
  gettext) command_needed=/usr/bin/msgfmt package=gettext purpose="make messages" ;;
  *) echo "unknown dependency: $1" >&2; exit 2 ;;
esac
if [ -x "$command_needed" ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO=sudo; else
    echo "$package is missing: install it with 'apt-get install -y $package' (as root)." >&2
    exit 1
  fi
else
  SUDO=""
fi
echo "Installing $package for $purpose..."
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$package" >/dev/null
