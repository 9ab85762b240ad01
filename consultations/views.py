from django.shortcuts import render
from django.views.generic import TemplateView


class ConsultationRequestCreateView(TemplateView):
    template_name = "consultations/consultationrequest_form.html"


def thanks(request):
    return render(request, "consultations/thanks.html")
