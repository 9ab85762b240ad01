"""A readable diff of a pending revision against the live article, for editors.

Line by line (a Markdown paragraph is one line), with the words that changed
inside a changed line marked. Every piece of text is HTML-escaped here; the
only markup is the <del>/<ins> and list elements this module writes.
"""

import difflib
import re
from dataclasses import dataclass

from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .models import REVISED_FIELDS, Article, ArticleRevision

_WORDS = re.compile(r"\w+|\s+|[^\w\s]")


@dataclass
class FieldDiff:
    label: str
    html: SafeString


def _words_diff(old: str, new: str) -> tuple[str, str]:
    old_words, new_words = _WORDS.findall(old), _WORDS.findall(new)
    removed, added = [], []
    matcher = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        before, after = (
            escape("".join(old_words[i1:i2])),
            escape("".join(new_words[j1:j2])),
        )
        if op == "equal":
            removed.append(before)
            added.append(after)
            continue
        if before:
            removed.append(f"<del>{before}</del>")
        if after:
            added.append(f"<ins>{after}</ins>")
    return "".join(removed), "".join(added)


def _line(kind: str, html: str) -> str:
    sign = {"del": "−", "ins": "+", "same": " "}[kind]
    return f'<li class="diff-{kind}"><span class="diff-sign" aria-hidden="true">{sign}</span>{html}</li>'


def text_diff(old: str, new: str, *, context: int = 1) -> SafeString:
    """The changed lines of ``old`` → ``new`` with ``context`` unchanged lines."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    items = []
    for group in matcher.get_grouped_opcodes(context):
        if items:
            items.append('<li class="diff-gap" aria-hidden="true">…</li>')
        for op, i1, i2, j1, j2 in group:
            if op == "equal":
                items.extend(_line("same", escape(line)) for line in old_lines[i1:i2])
                continue
            olds, news = old_lines[i1:i2], new_lines[j1:j2]
            paired = min(len(olds), len(news)) if op == "replace" else 0
            for old_line, new_line in zip(olds[:paired], news[:paired], strict=True):
                removed, added = _words_diff(old_line, new_line)
                items.append(_line("del", removed))
                items.append(_line("ins", added))
            items.extend(_line("del", escape(line)) for line in olds[paired:])
            items.extend(_line("ins", escape(line)) for line in news[paired:])
    html = '<ol class="revision-diff">' + "".join(items) + "</ol>"
    return mark_safe(html)  # nosec B308 B703 # every line escaped above


def revision_diff(
    revision: ArticleRevision, live: Article | None = None
) -> list[FieldDiff]:
    """One entry per field the revision changes, against the live article."""
    live = live or revision.article
    diffs = []
    for name in REVISED_FIELDS:
        old, new = getattr(live, name) or "", getattr(revision, name) or ""
        if old != new:
            label = str(Article._meta.get_field(name).verbose_name).capitalize()
            diffs.append(FieldDiff(label=label, html=text_diff(old, new)))
    return diffs


def revision_diff_html(revision: ArticleRevision) -> SafeString:
    diffs = revision_diff(revision)
    if not diffs:
        return format_html("<p>{}</p>", _("No difference from the live page."))
    return format_html_join(
        "",
        '<section class="revision-diff-field"><h3>{}</h3>{}</section>',
        ((diff.label, diff.html) for diff in diffs),
    )
