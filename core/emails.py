"""Templated email, queued in the database with the record it is about.

Every email the site sends goes through ``queue_templated_email``: the
subject, text and HTML come from ``templates/emails/<name>_subject.txt``,
``<name>.txt`` and ``<name>.html``, rendered in the recipient's language, and
each message gets its Message-ID now, at queue time, so the delivery journal
(core.delivery) can recognise it after a worker crash.

Because EMAIL_BACKEND is django-mailer's database backend, "sending" here only
writes a queue row, in the caller's transaction: the record and its email
commit together or not at all.
"""

from collections.abc import Sequence
from email.utils import make_msgid, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from mailer.backend import DbBackend
from mailer.models import get_message_id

from .models import SiteSettings


def mail_domain() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or (
        "clinic.invalid"
    )


def message_id(kind: str, key: str) -> str:
    """A stable Message-ID for one email about one record, e.g. a staff alert.

    Stable, so that queueing the same email twice can be recognised; ``key``
    must not carry personal data (it travels in the email's headers).
    """
    return f"<{kind}-{key}@{mail_domain()}>"


def email_context(**context) -> dict:
    """What every email template may use, plus the caller's own values."""
    return {
        "brand": SiteSettings.load().brand_name,
        "site_url": settings.SITE_URL,
        **context,
    }


def queue_templated_email(
    *,
    template: str,
    context: dict,
    to: Sequence[str],
    language: str,
    message_id: str | None = None,
    reply_to: Sequence[str] = (),
    attachments: Sequence[tuple[str, str, str]] = (),
) -> str:
    """Render ``templates/emails/<template>*`` in ``language`` and queue it.

    ``attachments`` are (filename, content, mimetype), e.g. a calendar file.
    Returns the Message-ID (one is made when none is given).
    """
    message_id = message_id or make_msgid(domain=mail_domain())
    with translation.override(language):
        context = email_context(LANGUAGE_CODE=translation.get_language(), **context)
        subject = render_to_string(f"emails/{template}_subject.txt", context)
        email = EmailMultiAlternatives(
            # A template can only add line breaks by mistake; a subject never has one.
            subject=" ".join(subject.split()),
            body=render_to_string(f"emails/{template}.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=list(to),
            reply_to=list(reply_to),
            headers={
                "Message-ID": message_id,
                "Auto-Submitted": "auto-generated",
                # Lets a mail client (and its screen reader) read it as such.
                "Content-Language": translation.get_language(),
            },
        )
        email.attach_alternative(
            render_to_string(f"emails/{template}.html", context), "text/html"
        )
    for filename, content, mimetype in attachments:
        email.attach(filename, content, mimetype)
    email.send()
    return message_id


class QueueBackend(DbBackend):
    """django-mailer's database queue, giving every message a Message-ID first.

    ``queue_templated_email`` sets one already; this covers anything else that
    sends mail (Django's own password emails, a management command), so the
    delivery journal recognises every retry after a worker crash. Without it
    django-mailer would make a new Message-ID at each delivery attempt.
    """

    def send_messages(self, email_messages):
        for email in email_messages:
            if get_message_id(email) is None:
                email.extra_headers["Message-ID"] = make_msgid(domain=mail_domain())
        return super().send_messages(email_messages)
