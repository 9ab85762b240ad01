"""The built stylesheet: its size, gzipped size, licence, and whether `make
assets` rebuilds it byte for byte from the repo.

    python bench/css_check.py OUT.json
"""

import gzip
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.provenance import provenance

ROOT = Path(__file__).resolve().parent.parent
CSS = ROOT / "static/css/site.min.css"
LICENSE = ROOT / "static/css/BOOTSTRAP-LICENSE"


def rebuilds_identically() -> bool | None:
    """Run the asset build and compare; the committed files are always restored."""
    if not (ROOT / "node_modules/purgecss").exists():
        return None
    with tempfile.TemporaryDirectory() as tmp:
        saved = {path: Path(tmp) / path.name for path in (CSS, LICENSE)}
        for path, copy in saved.items():
            shutil.copy2(path, copy)
        try:
            subprocess.run(
                ["node", "assets/build.mjs"], cwd=ROOT, check=True, capture_output=True
            )
            return all(
                path.read_bytes() == copy.read_bytes() for path, copy in saved.items()
            )
        finally:
            for path, copy in saved.items():
                shutil.copy2(copy, path)


def main():
    data = CSS.read_bytes()
    licence = LICENSE.read_text() if LICENSE.exists() else ""
    summary = {
        "file": str(CSS.relative_to(ROOT)),
        "bytes": len(data),
        "gzip_bytes": len(gzip.compress(data, compresslevel=9)),
        "bootstrap_licence_file": LICENSE.exists() and "MIT License" in licence,
        "bootstrap_banner_kept": b"Licensed under MIT" in data[:400],
        "rebuilds_identically": rebuilds_identically(),
        "provenance": provenance("bench/css_check.py"),
    }
    Path(sys.argv[1]).write_text(json.dumps(summary, indent=2) + "\n")
    sys.stdout.write(f"{summary}\n")


if __name__ == "__main__":
    main()
