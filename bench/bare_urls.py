import os
from pathlib import Path

from django.http import HttpResponse
from django.urls import path

# The same bytes as the site's article (a saved copy), to tell the cost of
# sending 16 KB apart from the cost of the site's own work.
_COPY = os.environ.get("BARE_COPY_FILE", "")
_BODY = Path(_COPY).read_bytes() if _COPY else b""


def hello(request):
    return HttpResponse("Hello, world.")


def article_copy(request):
    return HttpResponse(_BODY)


urlpatterns = [path("hello/", hello), path("article-copy/", article_copy)]
