import logging

from core.logging import OneLineFormatter


def _format(message, *args, exc_info=None):
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, message, args, exc_info)
    return OneLineFormatter("%(levelname)s %(message)s").format(record)


def test_log_lines_mask_emails_and_phone_numbers():
    line = _format("refused %s and %s", "jane.doe@example.org", "+1 (510) 555-0134")
    assert "jane.doe" not in line and "555-0134" not in line
    assert line == "ERROR refused [email] and [phone]"


def test_tracebacks_stay_on_one_line_and_are_masked():
    try:
        raise ValueError("Key (phone)=(+15105550177) already exists")
    except ValueError:
        import sys

        line = _format("boom", exc_info=sys.exc_info())
    assert "\n" not in line
    assert "ValueError" in line and "5550177" not in line


def test_timestamps_survive_the_masking():
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "call %s", ("+1 510 555 0134",), None
    )
    line = OneLineFormatter("%(asctime)s %(levelname)s %(message)s").format(record)
    assert "[phone]" in line and "0134" not in line
    # "2026-11-21 18:49:40,163": date and hour must not be mistaken for a phone.
    assert line.count("[phone]") == 1
    assert line[:4].isdigit() and line[4] == "-"
