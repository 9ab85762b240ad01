from urllib.parse import urlsplit

from django.conf import settings
from django.db import DatabaseError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_safe
from django.views.generic import DetailView, ListView, TemplateView

from core.caching import cached_page
from core.models import SiteSettings
from core.protection import limit_form_posts
from core.views import database_unavailable
from locations.models import Location

from . import structured_data
from .forms import ProblemReportForm, shared_problem_report_form
from .models import Article, ArticleRevision, editions_in, find_edition
from .services import problem_report_create


@method_decorator(cached_page, name="dispatch")
class HomeView(TemplateView):
    template_name = "pages/home.html"

    def get_context_data(self, **kwargs):
        locations = list(Location.objects.public())
        return super().get_context_data(
            locations=locations,
            organization_jsonld=structured_data.organization(
                SiteSettings.load(), locations
            ),
            **kwargs,
        )


@method_decorator(cached_page, name="dispatch")
class ContentPageView(TemplateView):
    """A page whose words live in its template (privacy, disclaimer, ...)."""


@method_decorator(cached_page, name="dispatch")
class ArticleListView(ListView):
    template_name = "pages/article_list.html"
    context_object_name = "articles"

    def get_queryset(self):
        return Article.objects.for_navigation()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["articles"] = editions_in(
            context["articles"], translation.get_language()
        )
        return context


class ArticleDetailView(DetailView):
    template_name = "pages/article_detail.html"
    context_object_name = "article"

    def get_object(self, queryset=None):
        # Staff may preview drafts; the public only ever sees published pages.
        # The session is only consulted when a cookie was sent, so anonymous
        # responses carry no "Vary: Cookie" and stay shareable by a CDN.
        request = self.request
        is_staff = (
            settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_staff
        )
        edition = find_edition(
            self.kwargs["slug"], translation.get_language(), include_drafts=is_staff
        )
        if edition is None:
            raise Http404
        # One query for the references, reused by the footnotes and the list.
        article = edition.article
        article.reference_list = list(article.references.all())
        # Change notes describe the English text; a translation has its own
        # review line instead.
        article.change_note_list = (
            [] if edition.translation else list(article.change_notes.for_page())
        )
        return edition

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(_article_context(self.request, self.object))
        # The same blank form for every reader (no CSRF token, nothing
        # personal), so the page stays shareable; see article_report.
        context["report_form"] = shared_problem_report_form()
        return context


def _article_context(request, article) -> dict:
    # An article without a translation in the page's language is shown in
    # English under /es/, with a note, and only its English address is
    # canonical. ``article`` may be an edition (pages.models.ArticleEdition).
    language = getattr(article, "language", settings.LANGUAGE_CODE)
    context = {
        "article_language": language,
        "content_languages": getattr(
            article, "content_languages", [settings.LANGUAGE_CODE]
        ),
        "jsonld": [structured_data.medical_web_page(article, language=language)],
    }
    if article.slug == "faq":
        context["jsonld"].append(structured_data.faq_page(article, language=language))
    if article.slug == "cost-and-insurance":
        # Every open location, so a patient can find the prices of the one
        # near them even where no price note has been written yet.
        context["priced_locations"] = list(Location.objects.open().with_prices())
    return context


article_detail = cached_page(ArticleDetailView.as_view())


def _may_preview(request) -> bool:
    user = request.user
    if not (user.is_active and user.is_staff):
        return False
    # The same two-factor sign-in the admin asks for.
    if settings.ADMIN_REQUIRE_OTP and not user.is_verified():
        return False
    return user.has_perm("pages.view_articlerevision")


def revision_preview(request, token):
    """A pending revision shown as its page would look: staff only, never cached.

    Anyone else gets the ordinary 404, so the address reveals nothing.
    """
    request.private_page = True
    if not _may_preview(request):
        raise Http404
    revision = get_object_or_404(
        ArticleRevision.objects.pending().select_related(
            "article__reviewer", "article__author"
        ),
        preview_token=token,
    )
    article = revision.preview_article()
    article.reference_list = list(revision.article.references.all())
    article.change_note_list = list(revision.article.change_notes.for_page())
    context = {
        "article": article,
        "revision": revision,
        **_article_context(request, article),
    }
    return render(request, "pages/article_detail.html", context)


REPORT_TEMPLATE = "pages/problem_report_form.html"


def _same_site(request) -> bool:
    """False when the browser says the form was sent from another site."""
    if request.headers.get("sec-fetch-site") == "cross-site":
        return False
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == request.get_host()


# Not CSRF-protected by a token, on purpose: the form sits on shared-cached
# article pages, where no per-visitor token can be. A forged report would be
# anonymous, tied to no account or session, and is stopped like any other by
# the honeypot, the signed timing token and the rate limit; browsers' own
# Origin and Sec-Fetch-Site headers turn away cross-site posts.
@csrf_exempt
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters()
@limit_form_posts
def article_report(request, slug):
    request.private_page = True
    try:
        article = get_object_or_404(Article.objects.published(), slug=slug)
        if request.method != "POST":
            return _render_report(request, article, ProblemReportForm())
        if not _same_site(request):
            return _render_report(
                request, article, ProblemReportForm(), refused=True, status=403
            )
        form = ProblemReportForm(request.POST)
        valid = form.is_valid()
        if form.is_bot:
            return _see_other(reverse("pages:report_thanks", args=[article.slug]))
        if not valid:
            return _render_report(request, article, form)
        problem_report_create(
            article=article,
            reason=form.cleaned_data["reason"],
            details=form.cleaned_data["details"],
        )
        return _see_other(reverse("pages:report_thanks", args=[article.slug]))
    except DatabaseError:
        return database_unavailable(request)


def _render_report(request, article, form, *, refused=False, status=200):
    context = {"article": article, "report_form": form, "refused": refused}
    return render(request, REPORT_TEMPLATE, context, status=status)


@require_safe
def report_thanks(request, slug):
    request.private_page = True
    article = get_object_or_404(
        Article.objects.published().only("title", "slug"), slug=slug
    )
    return render(request, "pages/problem_report_thanks.html", {"article": article})


def _see_other(url):
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response
