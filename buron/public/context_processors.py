from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from buron.places.models import Network


def buron(request: HttpRequest) -> dict[str, object]:
    """What every page needs: whether to show the demo notice."""
    show_demo = settings.BURON_DEMO or Network.objects.filter(is_demo=True).exists()
    return {"buron_demo": show_demo}
