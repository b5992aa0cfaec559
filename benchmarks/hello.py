"""The baseline of the load benchmark (benchmarks/load.py): a hello-world view, served by the
same gunicorn, the same worker processes and threads, the same Django and the same middleware
as the pages measured beside it, so that the ratio tells what a page costs beyond the floor of
any request to this project. Mounted only by the benchmark's URLconf (this module, named by
``benchmarks.settings``): production's ``licensing.urls`` has no such page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from licensing.urls import urlpatterns as project_urlpatterns

HELLO_PATH = "/bench/hello/"


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Hello, world\n", content_type="text/plain; charset=utf-8")


urlpatterns = [path(HELLO_PATH.strip("/") + "/", hello, name="bench-hello"), *project_urlpatterns]
