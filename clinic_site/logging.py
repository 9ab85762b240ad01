import logging
import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_PHONE = re.compile(r"\+?\d[\d\s().-]{7,}\d")


class RedactFilter(logging.Filter):
    """Last line of defence: mask anything shaped like an email or phone number.

    The code never logs personal data on purpose; this catches what a library
    or an exception message might carry (an SMTP error naming a recipient).
    """

    def filter(self, record):
        message = record.getMessage()
        redacted = _PHONE.sub("[phone]", _EMAIL.sub("[email]", message))
        if redacted != message:
            record.msg, record.args = redacted, None
        return True
