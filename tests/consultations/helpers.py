import time

from clinic_site.protection import make_form_token


def aged_token(seconds=10):
    """A genuine form token, issued `seconds` ago."""
    return make_form_token(now=time.time() - seconds)
