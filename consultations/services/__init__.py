"""Everything that changes consultation data: intake (the public form) and
triage (staff). Import from the module that does the job, e.g.
``from consultations.services.intake import consultation_request_create``."""
