from django.apps import AppConfig


class LocationsConfig(AppConfig):
    name = "locations"
    verbose_name = "Locations"

    def ready(self):
        from core.caching import watch_content

        watch_content(
            self.get_model("Location"),
            self.get_model("OpeningHours"),
            self.get_model("HolidayClosure"),
        )
