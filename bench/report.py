"""Render bench/results/*.json into the results section of docs/performance.md.

    python bench/report.py bench/results docs/performance.md

Only the text between the BEGIN and END markers is replaced; the rest of the
document is written by hand.
"""

import json
import sys
from pathlib import Path

BEGIN = "<!-- bench results: BEGIN (written by bench/report.py) -->"
END = "<!-- bench results: END -->"
PAGE_WEIGHT_LIMIT = 60 * 1024
REQUEST_LIMIT = 6


def load(results: Path, name: str):
    path = results / name
    return json.loads(path.read_text()) if path.exists() else None


def mark(ok) -> str:
    if ok is None:
        return "not measured"
    return "met" if ok else "**missed**"


def machine_section(m) -> list[str]:
    return [
        f"Run on {m['date']} at commit `{m['commit']}`: {m['nproc']} CPUs "
        f"({m['cpu']}), {m['ram_gib']} GiB RAM, Linux {m['kernel']}, Python "
        f"{m['python']}. Load average (1, 5, 15 min) {m.get('loadavg_start', '?')} "
        f"at the start and {m.get('loadavg_end', '?')} at the end: the machine "
        "was shared with other work.",
        "",
    ]


def throughput_section(t) -> list[str]:
    labels = {
        "article": "Article page",
        "home": "Home page",
        "location": "Location page",
        "bare_hello": "Bare `startproject` hello view",
        "bare_article_copy": "Same bare view sending the article's bytes",
        "nginx_static": "nginx, static copy of the article",
        "nginx_microcache": "Article through the nginx micro-cache",
    }
    lines = [
        f"{t['wrk']}; {t['gunicorn']}.",
        "",
        "| Target | req/s | p50 | p99 | body bytes | req/s per round |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for name, label in labels.items():
        run = t["runs"].get(name)
        if not run or "rps" not in run:
            reason = run.get("skipped", "not run") if run else "not run"
            lines.append(f"| {label} | – | – | – | – | {reason} |")
            continue
        per_round = ", ".join(f"{r:,.0f}" for r in run["rps_per_round"])
        lines.append(
            f"| {label} | {run['rps']:,.0f} | {run['p50_ms']:.2f} ms | "
            f"{run['p99_ms']:.2f} ms | {run['bytes']:,} | {per_round} |"
        )
    r = t["ratios"]

    def pct(value):
        return "–" if value is None else f"{value:.0%}"

    lines += [
        "",
        "| Ratio | Value | Target | |",
        "|---|---:|---:|---|",
        f"| article / bare view | {pct(r['article/bare_hello'])} | ≥ 80% | "
        f"{mark(None if r['article/bare_hello'] is None else r['article/bare_hello'] >= 0.8)} |",
        f"| article / bare view sending the same bytes | "
        f"{pct(r.get('article/bare_article_copy'))} | (reported) | |",
        f"| article / nginx static | {pct(r['article/nginx_static'])} | (reported) | |",
        f"| micro-cached article / nginx static | "
        f"{pct(r['nginx_microcache/nginx_static'])} | ≥ 50% | "
        f"{mark(None if r['nginx_microcache/nginx_static'] is None else r['nginx_microcache/nginx_static'] >= 0.5)} |",
        "",
    ]
    return lines


def lighthouse_section(lh) -> list[str]:
    lines = [
        f"Lighthouse {lh['lighthouse']}, through the shipped nginx config in "
        "front of gunicorn. First view: every request Lighthouse recorded up to "
        "the load event (HTML, CSS, JS, fonts, images; lazy images below the "
        "fold are not fetched), bytes as transferred (compressed).",
        "",
        "| Page | Perf. | A11y | Best pr. | SEO | FCP | LCP | TBT | CLS | "
        "First view | Requests | Render-blocking |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for page in lh["pages"]:
        if "skipped" in page:
            lines.append(f"| {page['name']} | {page['skipped']} |" + " |" * 11)
            continue
        s, m, fv = page["scores"], page["metrics"], page["first_view"]
        blocking = ", ".join(Path(u).name for u in fv["render_blocking"]) or "none"
        lines.append(
            f"| {page['name']} | {s['performance']} | {s['accessibility']} | "
            f"{s['best-practices']} | {s['seo']} | {m['fcp_ms']} ms | "
            f"{m['lcp_ms']} ms | {m['tbt_ms']} ms | {m['cls']} | "
            f"{fv['transfer_bytes'] / 1024:.1f} KB | {fv['requests']} | {blocking} |"
        )
    measured = [p for p in lh["pages"] if "scores" in p]
    all_100 = all(set(p["scores"].values()) == {100} for p in measured)
    light = all(
        p["first_view"]["transfer_bytes"] <= PAGE_WEIGHT_LIMIT
        and p["first_view"]["requests"] <= REQUEST_LIMIT
        and len(p["first_view"]["render_blocking"]) <= 1
        for p in measured
    )
    lines += [
        "",
        f"- Score 100 in all four categories on every page measured: {mark(all_100)}.",
        f"- First view ≤ 60 KB, ≤ 6 requests, at most one render-blocking CSS "
        f"file: {mark(light)}.",
    ]
    below = [
        f"{p['name']} ({', '.join(p['failing_audits'])}; performance per run "
        f"{p.get('performance_per_run')})"
        for p in measured
        if set(p["scores"].values()) != {100}
    ]
    if below:
        lines.append("- Below 100: " + "; ".join(below) + ".")
    lines.append("")
    return lines


def form_section(f) -> list[str]:
    if not f or "skipped" in f:
        reason = f["skipped"] if f else "not run"
        return [f"Not measured: {reason}.", ""]
    return [
        f"{f['posts']} sequential POSTs (status counts {f['statuses']}): "
        f"p50 {f['p50_ms']} ms, **p95 {f['p95_ms']} ms**, p99 {f['p99_ms']} ms, "
        f"max {f['max_ms']} ms. Target p95 ≤ 50 ms: {mark(f['p95_ms'] <= 50)}. "
        f"Requests stored: {f.get('requests_stored', '?')}; emails still queued "
        f"for the stuck worker: {f.get('emails_queued_not_sent', '?')}.",
        "",
    ]


def cold_section(c) -> list[str]:
    if not c:
        return ["Not measured.", ""]
    runs = ", ".join(f"{s} s" for s in c["seconds_per_run"])
    return [
        f"`{c['command']}` to the first 200 on `/`: median **{c['median_s']} s** "
        f"(runs: {runs}). Target < 5 s: {mark(c['median_s'] < 5)}.",
        "",
    ]


def css_section(c) -> list[str]:
    if not c:
        return ["Not measured.", ""]
    return [
        f"`{c['file']}`: {c['bytes']:,} bytes, **{c['gzip_bytes']:,} bytes gzipped**. "
        f"Bootstrap licence file present: {c['bootstrap_licence_file']}; licence "
        f"banner kept in the CSS: {c['bootstrap_banner_kept']}; `node "
        f"assets/build.mjs` rebuilds it byte for byte: {c['rebuilds_identically']}.",
        "",
    ]


def nginx_section(n) -> list[str]:
    if not n:
        return ["Not checked.", ""]
    lines = ["| Check | Result | |", "|---|---|---|"]
    for c in n["checks"]:
        lines.append(f"| {c['check']} | {c['actual']} | {mark(c['ok'])} |")
    return [*lines, ""]


def targets_section(results: Path) -> list[str]:
    rows = []
    t = load(results, "throughput.json")
    if t:
        ratio = t["ratios"]["article/bare_hello"]
        rows.append(
            (
                "Article ≥ 80% of the bare view (req/s)",
                f"{ratio:.0%}" if ratio else "–",
                None if ratio is None else ratio >= 0.8,
            )
        )
        ratio = t["ratios"]["nginx_microcache/nginx_static"]
        rows.append(
            (
                "Micro-cached article ≥ 50% of nginx static",
                f"{ratio:.0%}" if ratio else "–",
                None if ratio is None else ratio >= 0.5,
            )
        )
    lh = load(results, "lighthouse/summary.json")
    if lh:
        measured = [p for p in lh["pages"] if "scores" in p]
        skipped = [p["name"] for p in lh["pages"] if "skipped" in p]
        perfect = [p for p in measured if set(p["scores"].values()) == {100}]
        note = f"{len(perfect)} of {len(measured)} pages at 100 in all four"
        if skipped:
            note += f"; not measured: {', '.join(skipped)}"
        rows.append(
            (
                "Lighthouse 100/100/100/100 (mobile)",
                note,
                len(perfect) == len(measured) and not skipped,
            )
        )
        heaviest = max(measured, key=lambda p: p["first_view"]["transfer_bytes"])
        most = max(p["first_view"]["requests"] for p in measured)
        blocking = max(len(p["first_view"]["render_blocking"]) for p in measured)
        rows.append(
            (
                "First view ≤ 60 KB",
                f"heaviest {heaviest['name']}: {heaviest['first_view']['transfer_bytes'] / 1024:.1f} KB",
                heaviest["first_view"]["transfer_bytes"] <= PAGE_WEIGHT_LIMIT,
            )
        )
        rows.append(
            ("First view ≤ 6 requests", f"at most {most}", most <= REQUEST_LIMIT)
        )
        rows.append(
            (
                "One render-blocking CSS file, nothing else",
                f"at most {blocking}",
                blocking <= 1,
            )
        )
    f = load(results, "form_post.json")
    if f and "p95_ms" in f:
        rows.append(
            (
                "Form POST p95 ≤ 50 ms, SMTP black hole",
                f"{f['p95_ms']} ms",
                f["p95_ms"] <= 50,
            )
        )
    else:
        rows.append(("Form POST p95 ≤ 50 ms, SMTP black hole", "not measured", None))
    c = load(results, "cold_start.json")
    if c:
        rows.append(
            (
                "`make run` first page < 5 s",
                f"{c['median_s']} s (median)",
                c["median_s"] < 5,
            )
        )
    css = load(results, "css.json")
    if css:
        rows.append(
            (
                "CSS: one purged file",
                f"{css['gzip_bytes'] / 1024:.1f} KB gzipped",
                css["gzip_bytes"] < 20 * 1024,
            )
        )
    n = load(results, "nginx_rules.json")
    if n:
        rows.append(
            (
                "nginx caches only shareable pages",
                f"{sum(c['ok'] for c in n['checks'])} of {len(n['checks'])} checks",
                n["all_ok"],
            )
        )
    lines = ["| Target | Measured | |", "|---|---|---|"]
    lines += [f"| {name} | {value} | {mark(ok)} |" for name, value, ok in rows]
    return [*lines, ""]


def render(results: Path) -> str:
    lines = [BEGIN, "", "### Targets", "", *targets_section(results)]
    machine = load(results, "machine.json")
    if machine:
        lines += ["### Machine", "", *machine_section(machine)]
    throughput = load(results, "throughput.json")
    if throughput:
        lines += ["### Throughput (wrk)", "", *throughput_section(throughput)]
    lighthouse = load(results, "lighthouse/summary.json")
    if lighthouse:
        lines += ["### Lighthouse and first-view weight", ""]
        lines += lighthouse_section(lighthouse)
    lines += ["### nginx micro-cache rules", ""]
    lines += nginx_section(load(results, "nginx_rules.json"))
    lines += ["### Form POST", "", *form_section(load(results, "form_post.json"))]
    lines += ["### Cold start", "", *cold_section(load(results, "cold_start.json"))]
    lines += ["### CSS", "", *css_section(load(results, "css.json"))]
    lines.append(END)
    return "\n".join(lines)


def main():
    results, doc = Path(sys.argv[1]), Path(sys.argv[2])
    text = doc.read_text() if doc.exists() else f"# Performance\n\n{BEGIN}\n{END}\n"
    if BEGIN not in text:
        text += f"\n{BEGIN}\n{END}\n"
    head, rest = text.split(BEGIN, 1)
    _old, tail = rest.split(END, 1)
    doc.write_text(head + render(results) + tail)
    sys.stdout.write(f"{doc} updated\n")


if __name__ == "__main__":
    main()
