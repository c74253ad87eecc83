from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.views.static import serve

from buron.accounts.views import admin_login
from buron.api.urls import urlpatterns as api_urlpatterns
from buron.core.views import healthz, readyz

# The admin signs in through the member login, which asks for the second factor.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns: list[URLPattern | URLResolver] = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(api_urlpatterns)),
    path("", include("buron.public.urls_root")),
]

urlpatterns += i18n_patterns(
    # The admin signs in through the member login and its lockouts.
    path("admin/login/", admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
    path("compte/", include("allauth.urls")),
    path("compte/", include("buron.accounts.urls")),
    # The operator's home at /gestion/, before booking's host pages (see its urls).
    path("", include("buron.backoffice.urls")),
    path("", include("buron.booking.urls")),
    path("", include("buron.attendance.urls")),
    path("", include("buron.billing.urls")),
    path("", include("buron.billing.employer_urls")),
    path("", include("buron.training.urls")),
    path("", include("buron.offers.urls")),
    path("", include("buron.observatory.urls")),
    path("", include("buron.public.urls")),
    prefix_default_language=False,
)

if settings.DEBUG:
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]
