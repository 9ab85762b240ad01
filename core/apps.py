from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The bottom layer: shared plumbing every feature app may use.

    It imports no other project app; the apps above it register what it needs
    to know about (for example which models are page content) in their own
    ``ready()``.
    """

    name = "core"
    verbose_name = "Site"

    def ready(self):
        from .caching import watch_content

        watch_content(self.get_model("SiteSettings"))
