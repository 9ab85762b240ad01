"""Turn raw bench output into small JSON summaries under bench/results/.

python bench/summarize.py throughput RAW_DIR OUT.json --urls "name url" ...
python bench/summarize.py machine OUT.json
"""

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.provenance import provenance

UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return round(float(value) * UNITS_MS[unit], 3)


def parse_wrk(text: str) -> dict:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    percentiles = {
        p: _ms(v) for p, v in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", text, re.M)
    }
    requests = int(re.search(r"(\d+) requests in", text).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    socket_errors = re.search(r"Socket errors: (.*)", text)
    return {
        "requests": requests,
        "rps": round(rps, 1),
        "p50_ms": percentiles["50"],
        "p90_ms": percentiles["90"],
        "p99_ms": percentiles["99"],
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": socket_errors.group(1).strip() if socket_errors else "",
    }


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_kb = 0
    try:
        meminfo = Path("/proc/meminfo").read_text()
        mem_kb = int(re.search(r"MemTotal:\s+(\d+)", meminfo).group(1))
    except (OSError, AttributeError):
        pass
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "ram_gib": round(mem_kb / 1024 / 1024, 1),
        "cpu": cpu,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "commit": commit,
    }


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return ""


def throughput(args) -> None:
    raw = Path(args.raw)
    runs = {}
    for entry in args.urls:
        name, url = entry.split(" ", 1)
        outputs = sorted(raw.glob(f"wrk-{name}-*.txt"))
        if not outputs:
            runs[name] = {"url": url, "skipped": "did not answer 200"}
            continue
        rounds = [parse_wrk(path.read_text()) for path in outputs]
        run = {
            key: statistics.median(r[key] for r in rounds)
            for key in ("rps", "p50_ms", "p90_ms", "p99_ms")
        }
        run["rps_per_round"] = [r["rps"] for r in rounds]
        run["requests"] = sum(r["requests"] for r in rounds)
        run["non_2xx"] = sum(r["non_2xx"] for r in rounds)
        run["socket_errors"] = "; ".join(
            r["socket_errors"] for r in rounds if r["socket_errors"]
        )
        run["url"] = url
        run["bytes"] = (raw / f"{name}.body").stat().st_size
        runs[name] = run

    def ratio(a, b):
        if "rps" not in runs[a] or "rps" not in runs[b]:
            return None
        return round(runs[a]["rps"] / runs[b]["rps"], 3)

    summary = {
        "provenance": provenance("bench/serve.sh"),
        "machine": machine(),
        "wrk": f"wrk {args.wrk_args}; median of {args.rounds} interleaved rounds",
        "gunicorn": f"gunicorn.conf.py, {args.workers} workers x {args.threads} threads",
        "loadavg_after": loadavg(),
        "runs": runs,
        "ratios": {
            "article/bare_hello": ratio("article", "bare_hello"),
            "article/bare_article_copy": ratio("article", "bare_article_copy"),
            "article/nginx_static": ratio("article", "nginx_static"),
            "nginx_microcache/nginx_static": ratio("nginx_microcache", "nginx_static"),
        },
    }
    Path(args.out).write_text(json.dumps(summary, indent=2) + "\n")
    sys.stdout.write(json.dumps(summary["ratios"], indent=2) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("throughput")
    p.add_argument("raw")
    p.add_argument("out")
    p.add_argument("--wrk-args", default="")
    p.add_argument("--rounds", default="1")
    p.add_argument("--workers", default="")
    p.add_argument("--threads", default="")
    p.add_argument("--urls", nargs="+", required=True)
    p = sub.add_parser("machine")
    p.add_argument("out")
    p.add_argument("--finished", action="store_true")
    args = parser.parse_args()
    if args.command == "throughput":
        throughput(args)
    elif args.finished:
        # Other work on a shared machine moves the numbers: say how busy it was.
        info = json.loads(Path(args.out).read_text())
        info["loadavg_end"] = loadavg()
        info["provenance"] = provenance("bench/summarize.py machine")
        Path(args.out).write_text(json.dumps(info, indent=2) + "\n")
    else:
        info = machine() | {"loadavg_start": loadavg()}
        info["provenance"] = provenance("bench/summarize.py machine")
        Path(args.out).write_text(json.dumps(info, indent=2) + "\n")


if __name__ == "__main__":
    main()
