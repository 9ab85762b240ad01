from django.apps import AppConfig


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = "Consultation requests"

    def ready(self):
        from core.audit import personal_data_accessed

        from .services.triage import access_log_record_announced

        # The locations app announces staff access to waitlist sign-ups; the
        # access log is here.
        personal_data_accessed.connect(
            access_log_record_announced, dispatch_uid="consultations-access-log"
        )
