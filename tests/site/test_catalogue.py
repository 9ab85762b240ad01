"""The Spanish catalogue covers every string a patient can see.

Two checks, neither needing GNU gettext (only ``make messages`` does):
the committed catalogue has no empty or fuzzy entry and keeps each
placeholder, and every string marked for translation in the code and
templates that ``make messages`` reads (its ignore list, taken from the
Makefile, leaves out the staff-only code) has a translation in it, so a
string added without one fails here before a Spanish reader meets English.
"""

import ast
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management.utils import is_ignored_path
from django.utils.translation.template import templatize

BASE = Path(settings.BASE_DIR)
CATALOGUE = BASE / "locale" / "es" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOGUE.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{\}")
GETTEXT = {
    "_": (None, 0),
    "gettext": (None, 0),
    "gettext_lazy": (None, 0),
    "gettext_noop": (None, 0),
    "ngettext": (None, 0),
    "ngettext_lazy": (None, 0),
    "pgettext": (0, 1),
    "pgettext_lazy": (0, 1),
    "npgettext": (0, 1),
    "npgettext_lazy": (0, 1),
}


def ignore_patterns():
    """The --ignore values of ``make messages`` (MESSAGES_IGNORE in the Makefile)."""
    makefile = (BASE / "Makefile").read_text(encoding="utf-8")
    block = re.search(r"^MESSAGES_IGNORE :=(.*?)(?<!\\)\n", makefile, re.S | re.M)
    values = re.findall(r"--ignore=('[^']+'|\S+)", block.group(1))
    return [value.strip("'") for value in values] + ["locale", ".git", "*~"]


def source_files():
    patterns = ignore_patterns()
    for path in sorted(BASE.rglob("*")):
        relative = path.relative_to(BASE)
        if path.suffix not in {".py", ".html", ".txt"} or not path.is_file():
            continue
        if any(is_ignored_path(str(part), patterns) for part in relative.parents):
            continue
        if is_ignored_path(str(relative), patterns) or is_ignored_path(
            path.name, patterns
        ):
            continue
        yield relative


def _calls_in_python(source):
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name not in GETTEXT:
            continue
        context_at, msgid_at = GETTEXT[name]
        args = node.args
        if len(args) <= msgid_at or not all(
            isinstance(a, ast.Constant) and isinstance(a.value, str)
            for a in args[: msgid_at + 1]
        ):
            continue
        context = args[context_at].value if context_at is not None else None
        yield context, args[msgid_at].value


_TEMPLATE_CALL = re.compile(r"(?<![\w.])(_|n?p?gettext)\(")
_LITERAL = re.compile(r"""\s*u?('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")\s*(,|\))""")


def _calls_in_template(source, origin):
    # Django's own template-to-gettext conversion, the one makemessages uses:
    # each translatable string comes out as gettext(<Python literal>, ...).
    text = templatize(source, origin=origin)
    for call in _TEMPLATE_CALL.finditer(text):
        strings, at = [], call.end()
        while match := _LITERAL.match(text, at):
            strings.append(ast.literal_eval(match.group(1)))
            at = match.end()
            if match.group(2) == ")":
                break
        context_at, msgid_at = GETTEXT[call.group(1)]
        if len(strings) > msgid_at:
            context = strings[context_at] if context_at is not None else None
            yield context, strings[msgid_at]


def marked_strings():
    found = {}
    for relative in source_files():
        source = (BASE / relative).read_text(encoding="utf-8")
        if relative.suffix == ".py":
            calls = _calls_in_python(source)
        else:
            if "{% load i18n" not in source and "{% translate" not in source:
                continue
            calls = _calls_in_template(source, str(relative))
        for key in calls:
            found.setdefault(key, str(relative))
    return found


@pytest.fixture(scope="module")
def catalogue():
    return polib.pofile(str(CATALOGUE))


def test_the_catalogue_has_no_untranslated_or_fuzzy_entry(catalogue):
    assert [e.msgid for e in catalogue.untranslated_entries()] == []
    assert [e.msgid for e in catalogue.fuzzy_entries()] == []
    assert len(catalogue) > 700
    # A plural needs every form the language has (Spanish: three), or a
    # count that picks a missing one shows the English.
    forms = int(re.search(r"nplurals=(\d+)", catalogue.metadata["Plural-Forms"])[1])
    short = [
        e.msgid
        for e in catalogue
        if e.msgid_plural
        and sorted(k for k, v in e.msgstr_plural.items() if v) != list(range(forms))
    ]
    assert short == []


def test_every_translation_keeps_its_placeholders(catalogue):
    broken = []
    for entry in catalogue.translated_entries():
        wanted = sorted(PLACEHOLDER.findall(entry.msgid))
        forms = (
            list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        )
        for form in forms:
            if sorted(PLACEHOLDER.findall(form)) != wanted and not entry.msgid_plural:
                broken.append(entry.msgid)
            if entry.msgid_plural and not set(PLACEHOLDER.findall(form)) <= set(
                PLACEHOLDER.findall(entry.msgid_plural)
            ):
                broken.append(entry.msgid)
    assert broken == []


def test_every_marked_string_has_a_spanish_translation(catalogue):
    translated = {
        (entry.msgctxt, entry.msgid)
        for entry in catalogue
        if entry.translated() and "fuzzy" not in entry.flags
    }
    missing = {
        f"{where}: {msgid!r}"
        for (context, msgid), where in marked_strings().items()
        if (context, msgid) not in translated
    }
    assert sorted(missing) == [], "run `make messages` and translate these"


def test_the_check_sees_templates_python_and_leaves_out_staff_code():
    strings = marked_strings()
    where = set(strings.values())
    assert (None, "Crisis help") in strings  # a template
    assert (None, "Enter your last name.") in strings  # Python
    assert not any("/admin/" in path or path.endswith("admin.py") for path in where)
    assert not any("consultation_staff" in path for path in where)


def test_the_compiled_catalogue_is_current(catalogue):
    compiled = polib.mofile(str(COMPILED))
    compiled_entries = {(e.msgctxt, e.msgid): e.msgstr for e in compiled}
    stale = [
        entry.msgid
        for entry in catalogue.translated_entries()
        if not entry.msgid_plural
        and compiled_entries.get((entry.msgctxt, entry.msgid)) != entry.msgstr
    ]
    assert stale == [], "run `make messages` to compile the catalogue"
