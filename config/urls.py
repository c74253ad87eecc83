from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.views.static import serve

from buron.api.urls import urlpatterns as api_urlpatterns

urlpatterns: list[URLPattern | URLResolver] = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(api_urlpatterns)),
    path("", include("buron.public.urls_root")),
]

urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("compte/", include("allauth.urls")),
    path("compte/", include("buron.accounts.urls")),
    path("", include("buron.booking.urls")),
    path("", include("buron.attendance.urls")),
    path("", include("buron.observatory.urls")),
    path("", include("buron.public.urls")),
    prefix_default_language=False,
)

if settings.DEBUG:
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]
