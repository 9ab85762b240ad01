import logging
import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_PHONE = re.compile(r"\+?\d[\d\s().-]{7,}\d")


def redact(text: str) -> str:
    return _PHONE.sub("[phone]", _EMAIL.sub("[email]", text))


class OneLineFormatter(logging.Formatter):
    """One line per event, with anything shaped like an email or phone masked.

    The code never logs personal data on purpose. This is the last line of
    defence for what a library or an exception carries: an SMTP refusal naming
    a recipient, a database error quoting a row's values. Tracebacks are
    folded onto the same line so log shippers keep each event whole.
    """

    # Only what an event says is masked: the timestamp and logger name are
    # ours, and a date and hour look enough like a phone number to be eaten.
    def formatMessage(self, record):
        record.message = redact(record.message)
        return super().formatMessage(record)

    def formatException(self, ei):
        return redact(super().formatException(ei))

    def formatStack(self, stack_info):
        return redact(super().formatStack(stack_info))

    def format(self, record):
        return super().format(record).replace("\n", " ⏎ ")
