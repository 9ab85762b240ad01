from django.urls import path

from . import views

app_name = "consultations"

urlpatterns = [
    path("", views.ConsultationRequestCreateView.as_view(), name="create"),
    path("thanks/", views.thanks, name="thanks"),
]
