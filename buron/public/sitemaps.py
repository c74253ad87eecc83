from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from buron.places.models import Site
from buron.places.selectors import published_sites
from buron.training.models import Programme
from buron.training.selectors import published_programmes


class StaticSitemap(Sitemap[str]):
    i18n = True
    alternates = True
    x_default = True

    def items(self) -> list[str]:
        return ["public:home", "public:accessibility", "public:legal", "training:list"]

    def location(self, item: str) -> str:
        return reverse(item)


class SiteSitemap(Sitemap[Site]):
    i18n = True
    alternates = True
    x_default = True

    def items(self) -> list[Site]:
        return list(published_sites())

    def location(self, item: Site) -> str:
        return reverse("public:site", kwargs={"slug": item.slug})


class ProgrammeSitemap(Sitemap[Programme]):
    i18n = True
    alternates = True
    x_default = True

    def items(self) -> list[Programme]:
        return list(published_programmes())

    def location(self, item: Programme) -> str:
        return reverse("training:programme", kwargs={"slug": item.slug})


sitemaps = {"pages": StaticSitemap, "sites": SiteSitemap, "trainings": ProgrammeSitemap}
