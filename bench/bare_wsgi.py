"""WSGI entry point for the bare baseline (bench.bare_settings), apart from the site's."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.bare_settings")

application = get_wsgi_application()
