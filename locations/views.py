from django.utils.decorators import method_decorator
from django.views.generic import DetailView, ListView

from pages.caching import cached_page

from .models import Location


@method_decorator(cached_page, name="dispatch")
class LocationListView(ListView):
    template_name = "locations/location_list.html"
    context_object_name = "locations"

    def get_queryset(self):
        return Location.objects.public().with_hours()


class LocationDetailView(DetailView):
    template_name = "locations/location_detail.html"
    context_object_name = "location"

    def get_queryset(self):
        return Location.objects.public().with_hours()


location_detail = LocationDetailView.as_view()
