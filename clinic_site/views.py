from django.shortcuts import render


def server_error(request, *args, **kwargs):
    return render(request, "500.html", status=500)


def database_unavailable(request, *args, **kwargs):
    return render(request, "503.html", status=503)


def rate_limited(request, exception=None):
    return render(request, "429.html", status=429)
