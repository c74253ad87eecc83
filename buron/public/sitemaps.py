from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from buron.places.models import Site
from buron.places.selectors import published_sites


class StaticSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True

    def items(self) -> list[str]:
        return ["public:home", "public:accessibility", "public:legal"]

    def location(self, item: str) -> str:
        return reverse(item)


class SiteSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True

    def items(self) -> list[Site]:
        return list(published_sites())

    def location(self, item: Site) -> str:
        return reverse("public:site", kwargs={"slug": item.slug})


sitemaps = {"pages": StaticSitemap, "sites": SiteSitemap}
