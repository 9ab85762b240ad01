from django.urls import path

from . import views

app_name = "consultations"

urlpatterns = [
    path("", views.consultation_create, name="create"),
    path("thanks/", views.thanks, name="thanks"),
]
