#!/usr/bin/env bash
# `docker compose config` for docker-compose.yml, both profiles, when a docker
# CLI with compose is installed (make lint; skipped with a note otherwise).
# The file reads .env, which a checkout does not have: .env.example stands in,
# in a scratch copy, so nothing in the work tree changes.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if docker compose version >/dev/null 2>&1; then
    compose=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then
    compose=(docker-compose)
else
    echo "compose-check: no docker compose here; docker-compose.yml not validated"
    exit 0
fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp "$root/docker-compose.yml" "$scratch/"
cp "$root/.env.example" "$scratch/.env"
ln -s "$root/deploy" "$scratch/deploy"
cd "$scratch"
export POSTGRES_PASSWORD=compose-check
"${compose[@]}" config -q
"${compose[@]}" --profile prod config -q
echo "compose-check: docker-compose.yml valid (default and prod profiles)"
