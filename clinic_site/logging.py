import logging
import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_PHONE = re.compile(r"\+?\d[\d\s().-]{7,}\d")


def redact(text: str) -> str:
    return _PHONE.sub("[phone]", _EMAIL.sub("[email]", text))


class RedactFilter(logging.Filter):
    """Last line of defence: mask anything shaped like an email or phone number.

    The code never logs personal data on purpose; this catches what a library
    or an exception message might carry (an SMTP error naming a recipient),
    in the message and in the traceback alike.
    """

    def filter(self, record):
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text when it is set, so the traceback that
            # reaches the log is the masked one.
            record.exc_text = redact(
                logging.Formatter().formatException(record.exc_info)
            )
        return True
