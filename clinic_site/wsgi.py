import os

from django.core.wsgi import get_wsgi_application

# Fail closed: anything served through WSGI gets production settings unless told otherwise.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic_site.settings.prod")

application = get_wsgi_application()
