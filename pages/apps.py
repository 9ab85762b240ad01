from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = "Education pages"

    def ready(self):
        from core.caching import watch_content

        watch_content(
            self.get_model("Article"),
            self.get_model("ArticleTranslation"),
            self.get_model("Reference"),
            self.get_model("Clinician"),
            self.get_model("ArticleChangeNote"),
        )
