#!/usr/bin/env bash
# What the two-node drill needs beyond the other drills: nginx (the load
# balancer, with the shipped rules) and moto's S3 server (requirements-test.txt).
set -euo pipefail
if ! command -v nginx >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq nginx >/dev/null
fi
# (If the package starts a system nginx on port 80, the drill runs its own beside it.)
command -v nginx >/dev/null
PY=${PYTHON:-.venv/bin/python}
"$PY" -c "import moto.server" 2>/dev/null || "$PY" -m pip install --quiet -r requirements-test.txt
