"""Which language a page is in, and where the same page lives in the others.

The language comes from the URL alone: a path under ``/es/`` is Spanish, every
other path is in LANGUAGE_CODE (English, unprefixed). Never the browser's
Accept-Language or a cookie, so a page's address says what it holds, a shared
cache can key on the address, and a link sent to a friend opens in the
language it was read in. The locale middleware and the page cache both ask
``language_from_path``; nothing else decides it.
"""

from dataclasses import dataclass

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils import translation
from django.utils.text import capfirst


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def language_from_path(path: str) -> str:
    return translation.get_language_from_path(path) or settings.LANGUAGE_CODE


def language_root(code: str) -> str:
    """``/`` for the default language, ``/es/`` for Spanish (the URL prefix)."""
    prefix = "" if code == settings.LANGUAGE_CODE else f"{code}/"
    return get_script_prefix() + prefix


@dataclass(frozen=True)
class PageLanguage:
    code: str
    # The language's name in that language ("English", "Español"), as a
    # switch must say it to someone who cannot read the current page.
    name: str
    url: str  # absolute, from SITE_URL: for hreflang and canonical links
    # For the switch: this server's own path, with the query string kept (a
    # form opened for one clinic stays opened for it).
    link: str
    current: bool


@dataclass(frozen=True)
class PageLanguages:
    canonical: str
    x_default: str
    # Every language the page's main content exists in: the hreflang set.
    alternates: list[PageLanguage]
    # Every interface language, for the switch; a page without its own edition
    # in one of them still opens there (showing the edition it has).
    switch: list[PageLanguage]


def _path_in(request, code: str) -> str:
    match = getattr(request, "resolver_match", None)
    with translation.override(code):
        if match is not None and match.view_name:
            try:
                return reverse(match.view_name, args=match.args, kwargs=match.kwargs)
            except NoReverseMatch:
                pass
    # No page answered (a 404): the root of that language's pages.
    return language_root(code)


def page_languages(request, content_languages=None) -> PageLanguages:
    """The current page's address in each language, built from SITE_URL.

    ``content_languages`` (default: all) are the languages the page's main
    text exists in. An article with no Spanish edition still opens under
    ``/es/`` (showing the English text, with a note), but only its English
    address is canonical, and no hreflang claims a Spanish version exists.
    """
    current = translation.get_language()
    codes = language_codes()
    content = [code for code in codes if code in (content_languages or codes)]
    query = request.META.get("QUERY_STRING", "")
    entries = {}
    for code in codes:
        path = _path_in(request, code)
        entries[code] = PageLanguage(
            code=code,
            name=capfirst(translation.get_language_info(code)["name_local"]),
            url=settings.SITE_URL + path,
            link=f"{path}?{query}" if query else path,
            current=code == current,
        )
    default = (
        settings.LANGUAGE_CODE if settings.LANGUAGE_CODE in content else content[0]
    )
    return PageLanguages(
        canonical=entries[current if current in content else default].url,
        x_default=entries[default].url,
        alternates=[entries[code] for code in content],
        switch=[entry for entry in entries.values() if not entry.current],
    )
