"""Write the figures in the docs from the result files under bench/results/.

    python bench/report.py docs/performance.md docs/reliability.md
    python bench/report.py --results DIR DOC...   # result files from elsewhere

A doc marks each generated block with the renderer and the result files it
is made from; everything outside the blocks is written by hand:

    <!-- figures: throughput bench/results/throughput.json -->
    (replaced on every run)
    <!-- /figures -->

Every block ends with a "Source" line per file: its commit, date, machine and
command, read from the file's ``provenance`` block (bench/provenance.py). A
result file without one is refused: nothing is written, and the run exits
non-zero naming the file. A block whose files do not exist says so, with no
figure.

To add a section: write a result file with a provenance block, then either
give it the generic shape (``"table": {"columns": [...], "rows": [[...]]}``,
optional ``"notes": [...]``) and use the ``table`` renderer, or add a
function below decorated with ``@renderer("name")``.
"""

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.provenance import missing  # noqa: E402

BLOCK = re.compile(
    r"(?P<open><!-- figures: (?P<spec>[^>]*?) -->\n)(?P<body>.*?)(?P<close><!-- /figures -->)",
    re.S,
)
DEFAULT_RESULTS = "bench/results/"
PAGE_WEIGHT_LIMIT = 60 * 1024
REQUEST_LIMIT = 6
RENDERERS = {}


class Refused(Exception):
    """A result file that cannot be traced: no figure is written from it."""


def renderer(name):
    def register(function):
        RENDERERS[name] = function
        return function

    return register


def mark(ok) -> str:
    if ok is None:
        return "not measured"
    return "met" if ok else "**missed**"


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


def targets_section(t, lh, f, c, css, n) -> list[str]:
    rows = []
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
    if lh:
        measured = [p for p in lh["pages"] if "scores" in p]
        skipped = [p["name"] for p in lh["pages"] if "skipped" in p]
        perfect = [p for p in measured if set(p["scores"].values()) == {100}]
        note = f"{len(perfect)} of {len(measured)} pages at 100 in all four"
        if skipped:
            note += f"; not measured: {', '.join(skipped)}"
        rows.append(
            (
                "Lighthouse 100/100/100/100 (mobile), pages measured",
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
    if not lh:
        rows.append(
            (
                "Lighthouse 100 in all four; first view ≤ 60 KB, ≤ 6 requests",
                "not measured",
                None,
            )
        )
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
    if c:
        rows.append(
            (
                "`make run` first page < 5 s",
                f"{c['median_s']} s (median)",
                c["median_s"] < 5,
            )
        )
    if css:
        rows.append(
            (
                "CSS: one purged file",
                f"{css['gzip_bytes'] / 1024:.1f} KB gzipped",
                css["gzip_bytes"] < 20 * 1024,
            )
        )
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
    return lines


RENDERERS.update(
    {
        "targets": targets_section,
        "throughput": throughput_section,
        "lighthouse": lighthouse_section,
        "nginx": nginx_section,
        "form_post": form_section,
        "cold_start": cold_section,
        "css": css_section,
    }
)


@renderer("table")
def table_section(*results) -> list[str]:
    """The generic shape: {"table": {"columns": [...], "rows": [[...]]}, "notes": [...]}."""
    lines = []
    for result in results:
        if not result:
            continue
        table = result["table"]
        columns = table["columns"]
        lines += [
            "| " + " | ".join(columns) + " |",
            "|" + "---|" * len(columns),
            *(
                "| " + " | ".join(str(cell) for cell in row) + " |"
                for row in table["rows"]
            ),
            "",
            *result.get("notes", []),
        ]
    return lines


# -- drills (docs/reliability.md) ------------------------------------------------
def _latency(d):
    if not d or d.get("p50_ms") is None or d.get("p95_ms") is None:
        return "–"  # nothing timed (no request in that phase)
    return f"p50/p95 {d['p50_ms']:,.0f}/{d['p95_ms']:,.0f} ms"


# One function per drill: (check, expected, measured, ok), keyed by the
# result's "drill" name. A new drill adds its own here.
DRILL_ROWS = {}


def drill_row(name):
    def register(function):
        DRILL_ROWS[name] = function
        return function

    return register


@drill_row("fuzz")
def _fuzz_row(fuzz):
    return (
        f"Hostile-input fuzz, {fuzz['total_cases']:,} cases",
        "0 × 500, 0 stored from invalid input, 0 extra headers/recipients",
        f"{fuzz['status_500']} / {fuzz['stored_from_invalid_input']} / "
        f"{fuzz['extra_email_recipients_or_headers']}",
        not fuzz["all_failures"],
    )


@drill_row("smtp-down")
def _smtp_down_row(down):
    return (
        f"1. SMTP down, {down['submissions']} submissions",
        "all accepted and stored, all delivered after the server returns, "
        "0 requests notified twice",
        f"{down['accepted_303']} accepted, {down['stored']} stored; "
        f"{down['emails_delivered']:,} emails out, the last "
        f"{down['last_delivery_seconds_after_restore']} s after the server "
        f"returned (retry cycle then: {down['retry_cycle_seconds_at_restore']} s); "
        f"{down['requests_notified_twice']} notified twice",
        down["accepted_303"] == down["stored"] == down["submissions"]
        and down["requests_notified_twice"] == 0
        and down["staff_emails_delivered"] == down["staff_emails_expected"],
    )


@drill_row("smtp-blackhole")
def _blackhole_row(hole):
    return (
        f"2. SMTP black hole, {hole['submissions']} submissions at "
        f"{hole['pace_per_second']}/s",
        "POST p95 < 500 ms, 0 worker timeouts",
        f"p95 {hole['post_latency']['p95_ms']:,.0f} ms (control with SMTP up: "
        f"{hole['control_post_latency_smtp_up']['p95_ms']:,.0f} ms); "
        f"{hole['gunicorn_worker_timeouts']} timeouts; {hole['stored']} of "
        f"{hole['submissions']} stored, {hole['requests_notified_twice']} notified twice",
        hole["post_latency"]["p95_ms"] < 500
        and hole["gunicorn_worker_timeouts"] == 0
        and hole["stored"] == hole["submissions"]
        and hole["requests_notified_twice"] == 0,
    )


@drill_row("pg-restart")
def _pg_row(pg):
    outages = " and ".join(f"{o['kind']} {o['seconds']} s" for o in pg["outages"])
    outcomes = pg["outcomes"]
    return (
        f"3. PostgreSQL {outages} under {pg['pace_per_second']:g} posts/s",
        "503 with the phone while down, no false thank-you, 0 errors after, "
        "0 acknowledged lost",
        f"{outcomes.get('unavailable_503', 0)} × 503 "
        f"({pg['outage_pages_without_phone_or_with_thanks']} without the phone "
        f"or with a thank-you), {outcomes.get('acknowledged_303', 0)} × 303, "
        f"{pg['errors_after_database_back']} errors after, "
        f"{pg['acknowledged_but_not_stored']} lost; "
        f"{outcomes.get('failures_outside_outage_windows', 0)} not acknowledged "
        "although sent more than 1 s outside an outage",
        pg["outage_pages_without_phone_or_with_thanks"] == 0
        and pg["errors_after_database_back"] == 0
        and pg["acknowledged_but_not_stored"] == 0
        and outcomes.get("failures_outside_outage_windows", 0) == 0,
    )


@drill_row("worker-kill")
def _kill_row(kill):
    return (
        f"4. Mail worker `kill -9` × {kill['kills']} during "
        f"{kill['submissions']} submissions",
        "0 requests un-notified, 0 notified twice",
        f"{kill['requests_not_notified']} un-notified, "
        f"{kill['requests_notified_twice']} staff notifications twice, "
        f"{kill['messages_delivered_twice']} messages delivered twice in all",
        kill["requests_not_notified"] == 0 and kill["requests_notified_twice"] == 0,
    )


@drill_row("load")
def _load_row(load):
    return (
        f"5. Load, {load['tool']}, {load['form_share_percent']:g} % form posts",
        "0 % errors, 0 lost",
        f"{load['requests']:,} requests ({load['requests_per_second']:,.0f}/s), "
        f"{load['errors']} errors, {load['lost_submissions']} lost of "
        f"{load['submissions_sent']:,} submissions; all requests "
        f"{_latency(load['all_requests_ms'])}",
        load["errors"] == 0 and load["lost_submissions"] == 0,
    )


@drill_row("redis-down")
def _redis_row(r):
    return (
        f"6. Redis killed for {r['redis_down_seconds']} s under "
        f"{r['pace_per_second']:g} posts/s and a page viewer",
        "0 × 500, every post while down accepted and stored, pages 200, "
        "`/healthz` names the cache, recovery after Redis returns",
        f"{r['accepted_while_redis_down']} of {r['sent_while_redis_down']} sent while "
        f"Redis was down accepted, {r['stored_while_redis_down']} stored; "
        f"{r['stored_requests']}/{r['submissions']} stored overall; "
        f"{r['http_500_in_gunicorn_log']} × 500; cache ok again "
        f"{r['recovery_seconds_until_healthz_cache_ok']} s after Redis returned",
        r["http_500_in_gunicorn_log"] == 0
        and r["acknowledged_but_not_stored"] == 0
        and r["accepted_while_redis_down"] == r["sent_while_redis_down"],
    )


@drill_row("two-nodes")
def _two_nodes_row(t):
    load = t["load_with_node1_stopped"]
    mail = t["mail_two_workers"]
    limit = t["shared_rate_limit"]
    return (
        f"7. Two web nodes behind nginx; {load['submissions']} submissions, node 1 "
        f"stopped after {load['node1_stopped_after']}",
        "cross-node post thanked; rate limit shared; edits fresh on node 2; "
        "node 1's upload served by node 2; each email once with two workers; "
        "0 accepted lost",
        f"thank-you {t['cross_node_form']['thank_you_status']} after a cross-node "
        f"post; limit {limit['limit_per_hour']}/h: {limit['accepted']} × 303 then "
        f"{limit['refused_429']} × 429 alternating nodes; "
        f"{load['accepted_303']} accepted, {load['rows_stored']} stored, "
        f"{load['lost']} lost; {mail['deliveries']:,} deliveries of "
        f"{mail['distinct_messages_delivered']:,} messages, "
        f"{mail['delivered_twice']} twice",
        t["cross_node_form"]["thank_you_page"]
        and limit["counted_across_nodes"]
        and load["lost"] == 0
        and mail["delivered_twice"] == 0,
    )


@renderer("two_nodes")
def two_nodes_section(t) -> list[str]:
    location, article = t["location_edit_via_node1_admin"], t["article_edit"]
    photo, load = t["photo_on_node2_page"], t["load_with_node1_stopped"]
    mail, limit = t["mail_two_workers"], t["shared_rate_limit"]
    first = photo["fetched"][0]
    by_node = ", ".join(f"{n} {c}" for n, c in load["accepted_by_node"].items())
    statuses = ", ".join(str(s) for s in limit["statuses"])
    drained = mail["queue_after_drain"] == {"queued": 0, "deferred": 0}
    return [
        f"- *Form across nodes:* post {t['cross_node_form']['post_status']}, "
        f"thank-you page {t['cross_node_form']['thank_you_status']}.",
        f"- *Rate limit:* at {limit['limit_per_hour']} per hour, "
        f"{limit['posts_alternating_nodes']} posts alternating the nodes got "
        f"{statuses}.",
        f"- *Freshness:* location edit on node 2 after "
        f"{location['fresh_on_node2_after_s']} s, through nginx after "
        f"{location['fresh_through_nginx_after_s']} s; article edit on node 2 after "
        f"{article['fresh_on_node2_after_s']} s, through nginx after "
        f"{article['fresh_through_nginx_after_s']} s.",
        f"- *Media:* {photo['renditions_linked']} renditions linked, each "
        f"{first['status']} `{first['type']}` with `{first['cache_control']}` "
        f"(all from the bucket: {photo['all_from_bucket_via_site']}).",
        f"- *Node 1 stopped mid-load:* {load['submissions']} submissions, "
        f"{load['concurrency']} at a time, node 1 stopped after "
        f"{load['node1_stopped_after']}; accepted by node: {by_node}; "
        f"{load['accepted_303']} answered 303, {load['rows_stored']} stored, "
        f"{load['lost']} lost, {load['form_get_failures']} failed form loads; POST "
        f"round trip {_latency(load['latency'])}.",
        f"- *Two mail workers:* {mail['sent_log_rows']:,} messages sent, "
        f"{mail['deliveries']:,} deliveries at the sink, "
        f"{mail['distinct_messages_delivered']:,} distinct Message-IDs, "
        f"{mail['delivered_twice']} delivered twice; queue empty at the end: "
        f"{drained}.",
    ]


@renderer("drills")
def drills_section(*results) -> list[str]:
    lines = ["| Check | Expected | Measured | |", "|---|---|---|---|"]
    for result in results:
        if result:
            check, expected, measured, ok = DRILL_ROWS[result["drill"]](result)
            lines.append(f"| {check} | {expected} | {measured} | {mark(ok)} |")
    return lines


@renderer("redis_down")
def redis_down_section(r) -> list[str]:
    views = sum(r["page_views"].values())
    failed_views = sum(n for k, n in r["page_views"].items() if not k.endswith(" 200"))
    down = r["post_latency_while_down"]
    return [
        f"{r['submissions']} submissions at {r['pace_per_second']:g}/s; Redis away "
        f"for {r['redis_down_seconds']} s. Responses with status 500: "
        f"{r['http_500_in_gunicorn_log']}. Sent while Redis was away: "
        f"{r['sent_while_redis_down']}, of which {r['accepted_while_redis_down']} "
        f"answered 303 and {r['stored_while_redis_down']} stored; staff emails "
        f"delivered: {r['staff_emails_delivered']}. Page views: {views:,}, "
        f"{failed_views} not 200. `/healthz` while down: "
        + ", ".join(f"{n} × {k}" for k, n in r["healthz_while_down"].items())
        + f"; cache ok again {r['recovery_seconds_until_healthz_cache_ok']} s after "
        f"`redis-server` started (an upper bound: the viewer polls between page "
        f"views); {r['redis_keys_after_recovery']} keys back in Redis by the end. "
        f"Posts the rate limit let through uncounted (each logged): "
        f"{r['rate_limit_fail_open_log_lines']}. Form POST latency while down: "
        f"{_latency(down)}.",
    ]


@renderer("page_cache_local")
def page_cache_local_section(r) -> list[str]:
    us = r["median_us_per_cached_article"]
    return [
        f"{r['rounds']} rounds of {r['requests_per_round']:,} requests, "
        f"`{r['cache_backend']}`.",
        "",
        "| Per-process copies | µs per cached article (median) |",
        "|---|---:|",
        f"| off (`PAGE_CACHE_LOCAL_SECONDS=0`: one Redis `MGET` per request) | "
        f"{us['copies_off']:,.0f} |",
        f"| on (1 s window) | {us['copies_on_1s']:,.0f} |",
    ]


@renderer("triage")
def triage_section(r) -> list[str]:
    small, full = r["results"]["1000"], r["results"][str(r["rows"])]
    screens = [
        ("request_list", "Request list, first page"),
        ("phone_search", "Search by phone, (510) 555-0142"),
        ("promise_report", "Promise report, 12 weeks"),
    ]
    lines = [
        f"PostgreSQL {r['postgres'].split()[0]}, jit {r['jit']}, "
        f"{r['runs']} timed runs each.",
        "",
        f"| Screen | 1,000 rows: p95 (queries) | {r['rows']:,}: p50 | "
        f"{r['rows']:,}: p95 | SQL, one run | queries | p95 < 300 ms |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for key, name in screens:
        a, b = small[key], full[key]
        lines.append(
            f"| {name} | {a['p95_ms']:.1f} ms ({a['queries']} q) | "
            f"{b['p50_ms']:.1f} ms | {b['p95_ms']:.1f} ms | "
            f"{b['sql_ms_one_run']:.1f} ms | {b['queries']} | "
            f"{mark(b['p95_ms'] < 300)} |"
        )
    return lines


@renderer("fuzz")
def fuzz_section(fuzz) -> list[str]:
    lines = [
        f"{fuzz['total_cases']:,} cases in {fuzz['seconds']:,.0f} s ({fuzz['stack']}).",
        "",
        "| Target | Cases | Answers |",
        "|---|---:|---|",
    ]
    for name, target in fuzz["targets"].items():
        answers = ", ".join(
            f"{count:,} × {status}"
            for status, count in sorted(target["statuses"].items())
        )
        lines.append(f"| {name.replace('_', ' ')} | {target['cases']:,} | {answers} |")
    return lines


# -- the blocks -------------------------------------------------------------------
def _path(name: str, results: Path | None) -> Path:
    if results is not None and name.startswith(DEFAULT_RESULTS):
        return results / name.removeprefix(DEFAULT_RESULTS)
    return ROOT / name


def source_lines(present: dict) -> list[str]:
    """One "Source" line per run: files from the same commit and command share it."""
    runs = {}
    for name, result in present.items():
        p = result["provenance"]
        runs.setdefault((p["commit"], p["command"]), []).append((name, p))
    lines = []
    for (commit, command), files in runs.items():
        names = ", ".join(f"`{name}`" for name, _ in files)
        dates = sorted({p["date"] for _, p in files})
        date = dates[0] if len(dates) == 1 else f"{dates[0]} to {dates[-1]}"
        lines.append(
            f"Source: {names}; commit `{commit}`, {date}; {files[-1][1]['machine']}; "
            f"command `{command}`."
        )
    return lines


def render_block(spec: str, results: Path | None = None) -> str:
    name, *files = spec.split()
    if name not in RENDERERS:
        raise Refused(
            f"unknown renderer {name!r} (have: {', '.join(sorted(RENDERERS))})"
        )
    loaded = {}
    for file in files:
        path = _path(file, results)
        if not path.exists():
            loaded[file] = None
            continue
        result = json.loads(path.read_text())
        gaps = missing(result)
        if gaps:
            raise Refused(
                f"{file} records no {', '.join(gaps)}: no figure is written from it. "
                "Run its part again (every bench and drill script writes them), "
                "or take the block out of the doc."
            )
        loaded[file] = result
    present = {file: result for file, result in loaded.items() if result}
    if not present:
        return (
            f"Not measured: no result file ({', '.join(f'`{f}`' for f in files)}).\n\n"
        )
    body = "\n".join(RENDERERS[name](*loaded.values())).strip("\n")
    # Each source is its own paragraph; never a run of blank lines.
    text = "\n\n".join([body, *source_lines(present)])
    return re.sub(r"\n{3,}", "\n\n", text) + "\n\n"


def render(text: str, results: Path | None = None) -> str:
    def replace(match):
        body = render_block(match["spec"], results)
        return match["open"] + "\n" + body + match["close"]

    return BLOCK.sub(replace, text)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", type=Path, help="read bench/results/... from here")
    parser.add_argument("docs", nargs="+", type=Path)
    args = parser.parse_args(argv)
    try:
        rendered = {doc: render(doc.read_text(), args.results) for doc in args.docs}
    except Refused as refusal:
        sys.stderr.write(f"bench/report.py: refused: {refusal}\n")
        return 1
    for doc, text in rendered.items():
        doc.write_text(text)
        sys.stdout.write(f"{doc} updated\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
