import io
import logging

from clinic_site.logging import RedactFilter


def _logger_into(stream):
    logger = logging.getLogger("tests.redaction")
    logger.handlers.clear()
    logger.propagate = False
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactFilter())
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger.addHandler(handler)
    return logger


def test_email_and_phone_are_masked_in_messages_and_tracebacks():
    stream = io.StringIO()
    logger = _logger_into(stream)
    logger.warning("refused for %s", "jane.doe@example.org")
    try:
        raise ValueError("bad number +1 (510) 555-0142 for jane.doe@example.org")
    except ValueError:
        logger.exception("request failed")

    output = stream.getvalue()
    assert "jane.doe@example.org" not in output
    assert "555-0142" not in output
    assert "[email]" in output and "[phone]" in output
    # The traceback itself is still there for whoever debugs it.
    assert "Traceback" in output and "ValueError" in output
