from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _


class ApiLanguageMiddleware:
    """The API answers in the language the client asks for (Accept-Language).

    Pages without a language prefix are French by design (the default language); API
    clients have no prefix to choose with, so for them the header decides.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith("/api/"):
            language = translation.get_language_from_request(request, check_path=False)
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        return response


def _too_large(request: HttpRequest, limit: int) -> HttpResponse:
    message = _("The request is too large: send at most %(size)s.") % {
        "size": filesizeformat(limit)
    }
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": message}, status=413)
    return render(request, "413.html", {"message": message}, status=413)


class RequestSizeLimitMiddleware:
    """A body larger than the limit is refused with 413 before anything reads it.

    Uploads (multipart) may reach settings.REQUEST_MAX_BYTES, other bodies Django's
    DATA_UPLOAD_MAX_MEMORY_SIZE; a multipart body whose text fields pass that size is refused
    the same way instead of failing further down (in any mode, DEBUG included).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            size = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return HttpResponseBadRequest()
        multipart = request.content_type == "multipart/form-data"
        limit = min(
            settings.REQUEST_MAX_BYTES,
            settings.REQUEST_MAX_BYTES if multipart else settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
        )
        if size > limit:
            return _too_large(request, limit)
        if multipart and request.method == "POST":
            try:
                request.POST  # noqa: B018 - parse now, where a refusal can still be clean
            except RequestDataTooBig:
                return _too_large(request, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        return self.get_response(request)
