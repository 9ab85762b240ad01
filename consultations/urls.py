from django.urls import path

from . import views
from .booking import views as booking_views

app_name = "consultations"

urlpatterns = [
    path("", views.consultation_create, name="create"),
    path("thanks/", views.thanks, name="thanks"),
    path("thanks/call.ics", booking_views.thanks_ics, name="thanks_ics"),
    path("booking/<str:token>/", booking_views.booking_manage, name="booking"),
    path("withdraw/<str:token>/", views.withdraw, name="withdraw"),
]
