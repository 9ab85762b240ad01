"""The Docker image: no secrets or local state in it, code the runtime user
cannot change, and only media and temporary files writable."""

import fnmatch
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def ignored(path: str) -> bool:
    """Docker's .dockerignore rules, as far as this file uses them: patterns
    are anchored at the root and cover everything under a match, ``**/``
    matches at any depth, ``!`` re-includes, and the last match wins."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    result = False
    for line in (ROOT / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        pattern = line.lstrip("!").rstrip("/")
        if pattern.startswith("**/"):
            hit = any(fnmatch.fnmatchcase(part, pattern[3:]) for part in parts)
        else:
            hit = any(fnmatch.fnmatchcase(prefix, pattern) for prefix in prefixes)
        if hit:
            result = not line.startswith("!")
    return result


def test_secrets_and_local_state_stay_out_of_the_image():
    for path in [
        ".env",
        ".env.production",
        "var/db.sqlite3",
        "var/secret_key",
        "var/mail/20261201.log",
        ".git/config",
        ".venv/bin/python",
        "node_modules/bootstrap/package.json",
        "core/__pycache__/models.cpython-311.pyc",
        "bench/results/raw/drills/gunicorn.log",
    ]:
        assert ignored(path), path
    for path in [".env.example", "manage.py", "core/models.py", "requirements.txt"]:
        assert not ignored(path), path


def test_code_is_copied_as_root_and_only_media_and_temp_are_writable():
    copies = re.findall(r"^COPY .*$", DOCKERFILE, re.M)
    assert copies and all("--chown" not in line for line in copies)
    chowns = re.findall(r"chown\s+(?:-R\s+)?\S+\s+([^\n\\&]+)", DOCKERFILE)
    assert [target.split() for target in chowns] == [["/app/var/media", "/app/var/tmp"]]
    assert "-R" not in DOCKERFILE.split("chown", 1)[1].split("\n", 1)[0]
    assert re.search(r"^USER 10001:10001$", DOCKERFILE, re.M)
    assert "TMPDIR=/app/var/tmp" in DOCKERFILE
