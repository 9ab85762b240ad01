from django.contrib import admin

from .models import ConsultationRequest


@admin.register(ConsultationRequest)
class ConsultationRequestAdmin(admin.ModelAdmin):
    list_display = ["reference", "location", "status", "urgent", "created_at"]
    list_filter = ["status", "location", "urgent"]
