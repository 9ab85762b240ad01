from django.urls import path

from . import views

app_name = "locations"

urlpatterns = [
    path("", views.location_list, name="list"),
    path("<slug:slug>/", views.location_detail, name="detail"),
    path("<slug:slug>/waitlist/", views.waitlist_join, name="waitlist"),
    path("<slug:slug>/waitlist/thanks/", views.waitlist_thanks, name="waitlist_thanks"),
]
