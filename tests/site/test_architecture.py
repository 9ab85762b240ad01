"""docs/architecture.md stays true: it names every module, and only real ones."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ["clinic_site", "core", "pages", "locations", "consultations"]
DOC = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")


def modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts or path.name == "__init__.py":
                continue
            yield path.relative_to(ROOT).as_posix()


def test_every_module_has_its_line():
    missing = [module for module in modules() if f"`{module}`" not in DOC]
    assert missing == [], "add a line to docs/architecture.md for each"


def test_every_named_file_exists():
    pattern = r"`((?:" + "|".join(APPS) + r")/[\w/]+\.py)`"
    named = set(re.findall(pattern, DOC))
    assert named, "the page names no module at all"
    gone = sorted(path for path in named if not (ROOT / path).exists())
    assert gone == [], "docs/architecture.md names files that are gone"
