from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = "Site and education pages"

    def ready(self):
        from . import signals  # noqa: F401
