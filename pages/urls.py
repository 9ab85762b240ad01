from django.urls import path

from . import views

app_name = "pages"

CONTENT_PAGES = {
    "our-approach": "pages/our_approach.html",
    "privacy": "pages/privacy.html",
    "accessibility": "pages/accessibility.html",
    "editorial-policy": "pages/editorial_policy.html",
    "medical-disclaimer": "pages/medical_disclaimer.html",
}

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("learn/", views.ArticleListView.as_view(), name="learn"),
    path("learn/<slug:slug>/", views.article_detail, name="article"),
    path("learn/<slug:slug>/report/", views.article_report, name="report"),
    path("learn/<slug:slug>/report/thanks/", views.report_thanks, name="report_thanks"),
    path(
        "learn/preview/<uuid:token>/", views.revision_preview, name="revision_preview"
    ),
    *(
        path(
            f"{slug}/", views.ContentPageView.as_view(template_name=template), name=slug
        )
        for slug, template in CONTENT_PAGES.items()
    ),
]
