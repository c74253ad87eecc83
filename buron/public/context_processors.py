from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language, get_language_info

from buron.accounts.models import User
from buron.accounts.selectors import staff_scope
from buron.places.models import Network


def _manages_sites(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return isinstance(user, User) and staff_scope(user=user).is_staff


def buron(request: HttpRequest) -> dict[str, object]:
    """What every page needs: whether to show the demo notice, the page in each language
    (for the language switch and the alternate links), and whether the signed-in person
    manages sites (read only when the header asks, i.e. for a signed-in person)."""
    show_demo = settings.BURON_DEMO or Network.objects.filter(is_demo=True).exists()
    current = (get_language() or settings.LANGUAGE_CODE)[:2]
    versions = []
    for code, _name in settings.LANGUAGES:
        path = translate_url(request.path, code)
        versions.append(
            {
                "code": code,
                "name": get_language_info(code)["name_local"],
                "path": path,
                "url": request.build_absolute_uri(path),
                "is_current": code == current,
            }
        )
    return {
        "buron_demo": show_demo,
        "buron_languages": versions,
        "buron_other_languages": [v for v in versions if not v["is_current"]],
        "buron_manages_sites": SimpleLazyObject(lambda: _manages_sites(request)),
    }
