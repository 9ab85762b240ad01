"""Published figures trace to result files: bench/report.py and bench/provenance.py."""

import json
import sys
from pathlib import Path

import pytest

from bench import provenance, report

ROOT = Path(__file__).resolve().parents[2]
PROVENANCE = {
    "commit": "abc1234",
    "date": "2026-12-02 03:00 UTC",
    "machine": "2 CPUs, load average 1.00 1.00 1.00",
    "command": "BENCH_DURATION=2s make bench",
}
TABLE = {"table": {"columns": ["Page", "KB"], "rows": [["home", 16.9]]}}
DOC = """# Figures

Written by hand, kept.

<!-- figures: table bench/results/weights.json -->
stale figure 99.9
<!-- /figures -->

Also kept.
"""


@pytest.fixture
def results(tmp_path):
    (tmp_path / "results").mkdir()
    return tmp_path / "results"


@pytest.fixture
def doc(tmp_path):
    path = tmp_path / "figures.md"
    path.write_text(DOC)
    return path


def write(results, result, name="weights.json"):
    (results / name).write_text(json.dumps(result))


def run_report(results, doc):
    return report.main(["--results", str(results), str(doc)])


def test_a_figure_is_written_with_its_source(results, doc):
    write(results, {**TABLE, "provenance": PROVENANCE})

    assert run_report(results, doc) == 0

    text = doc.read_text()
    assert "| home | 16.9 |" in text
    assert "stale figure" not in text
    assert (
        "Source: `bench/results/weights.json`; commit `abc1234`, 2026-12-02 03:00 UTC; "
        "2 CPUs, load average 1.00 1.00 1.00; command `BENCH_DURATION=2s make bench`."
    ) in text
    assert "Written by hand, kept." in text and text.endswith("Also kept.\n")
    # Rendering again changes nothing.
    assert run_report(results, doc) == 0
    assert doc.read_text() == text


@pytest.mark.parametrize(
    "result",
    [
        TABLE,
        {
            **TABLE,
            "provenance": {k: v for k, v in PROVENANCE.items() if k != "command"},
        },
        {**TABLE, "provenance": {**PROVENANCE, "commit": ""}},
        {**TABLE, "provenance": "abc1234"},
    ],
    ids=["no-provenance", "no-command", "empty-commit", "not-a-block"],
)
def test_a_result_without_provenance_is_refused_and_nothing_written(
    results, doc, result, capsys
):
    write(results, result)

    assert run_report(results, doc) == 1

    assert doc.read_text() == DOC
    assert "bench/results/weights.json" in capsys.readouterr().err


def test_one_untraceable_file_stops_every_doc(results, doc, tmp_path):
    write(results, {**TABLE, "provenance": PROVENANCE})
    write(results, TABLE, name="other.json")
    other = tmp_path / "other.md"
    other.write_text(DOC.replace("weights.json", "other.json"))

    assert report.main(["--results", str(results), str(doc), str(other)]) == 1
    assert doc.read_text() == DOC


def test_a_block_without_a_result_file_shows_no_figure(results, doc):
    assert run_report(results, doc) == 0
    text = doc.read_text()
    assert "stale figure" not in text
    assert "Not measured: no result file (`bench/results/weights.json`)." in text


def test_the_published_docs_match_their_committed_result_files():
    # Editing a figure by hand, or a result file without re-rendering, fails here.
    for name in ("docs/performance.md", "docs/reliability.md"):
        text = (ROOT / name).read_text()
        assert report.BLOCK.search(text), f"{name} has no generated block"
        assert report.render(text) == text, f"run: python bench/report.py {name}"


def test_provenance_records_commit_date_machine_and_the_command(tmp_path, monkeypatch):
    monkeypatch.setenv("BENCH_DURATION", "2s")
    monkeypatch.setenv("BENCH_SECRET_KEY", "never-recorded")
    monkeypatch.delenv("BENCH_ENTRY", raising=False)
    path = tmp_path / "result.json"
    path.write_text(json.dumps({"rps": 1}))

    provenance.stamp(path, "bench/serve.sh")

    block = json.loads(path.read_text())["provenance"]
    assert provenance.missing({"provenance": block}) == []
    assert block["commit"].split("+")[0] != "unknown"
    assert "load average" in block["machine"]
    assert block["command"].endswith("bench/serve.sh")
    assert "BENCH_DURATION=2s" in block["command"]
    assert "never-recorded" not in json.dumps(block)


def test_drill_results_record_the_commit(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "bench" / "drills"))
    import harness

    monkeypatch.setattr(harness, "RESULTS", tmp_path)
    monkeypatch.setattr(sys, "argv", [str(ROOT / "bench/drills/smtp_down.py")])

    class Drill:
        name = "smtp-down"

    harness.Stack.write_result(Drill(), {"submissions": 1})

    result = json.loads((tmp_path / "smtp-down.json").read_text())
    assert provenance.missing(result) == []
    assert result["provenance"]["commit"] == provenance.commit()
    assert result["provenance"]["part"] == "bench/drills/smtp_down.py"
