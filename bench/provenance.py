"""Where a result came from. Every file under bench/results/ carries a
``provenance`` block (commit, date, machine line, command), and bench/report.py
refuses to publish a figure from a file without one.

From Python:  result["provenance"] = provenance("bench/serve.sh")
From a shell: python bench/provenance.py stamp RESULT.json bench/serve.sh
"""

import json
import os
import platform
import re
import shlex
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUIRED = ("commit", "date", "machine", "command")
# The knobs that change what a run measures; secrets and internal flags are left out.
KNOB_PREFIXES = ("BENCH_", "DRILL_", "FUZZ_", "TWO_NODE_")
NOT_KNOBS = {"BENCH_SECRET_KEY", "BENCH_SERVERS_UP", "BENCH_ENTRY"}


def results_dir() -> Path:
    """bench/results/, or BENCH_RESULTS (smoke runs write elsewhere)."""
    return Path(os.environ.get("BENCH_RESULTS") or ROOT / "bench" / "results")


def commit() -> str:
    def git(*args):
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False
        )

    head = git("rev-parse", "--short", "HEAD").stdout.strip() or "unknown"
    # Results and docs are what a run writes; anything else changed means the
    # code measured is not exactly the commit named.
    changed = git(
        "status", "--porcelain", "--untracked-files=no", "--", ".",
        ":!bench/results", ":!docs",
    ).stdout.strip()  # fmt: skip
    return f"{head}+uncommitted" if changed else head


def machine_line() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = f" ({line.split(':', 1)[1].strip()})"
                break
    except OSError:
        pass
    ram = ""
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())[1])
        ram = f", {kb / 1024 / 1024:.1f} GiB RAM"
    except (OSError, TypeError):
        pass
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{os.cpu_count()} CPUs{cpu}{ram}, Linux {platform.release()}, "
        f"Python {platform.python_version()}, load average {load}"
    )


def command(part: str) -> str:
    """The command that reproduces this run: the knobs set, then what was typed."""
    knobs = [
        f"{name}={shlex.quote(value)}"
        for name, value in sorted(os.environ.items())
        if name.startswith(KNOB_PREFIXES) and name not in NOT_KNOBS
    ]
    entry = os.environ.get("BENCH_ENTRY") or part
    return " ".join([*knobs, entry])


def provenance(part: str) -> dict:
    return {
        "commit": commit(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine_line(),
        "command": command(part),
        "part": part,
    }


def missing(result) -> list[str]:
    """The provenance fields a result lacks (all of them if it has no block)."""
    block = result.get("provenance") if isinstance(result, dict) else None
    if not isinstance(block, dict):
        return list(REQUIRED)
    return [key for key in REQUIRED if not str(block.get(key) or "").strip()]


def stamp(path: Path, part: str) -> None:
    result = json.loads(path.read_text())
    result["provenance"] = provenance(part)
    path.write_text(json.dumps(result, indent=2, default=str) + "\n")


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] != "stamp":
        sys.exit("usage: python bench/provenance.py stamp RESULT.json PART")
    stamp(Path(sys.argv[2]), sys.argv[3])
