"""Addresses that do not carry a language prefix."""

from django.contrib.sitemaps.views import sitemap
from django.urls import path

from .sitemaps import sitemaps

urlpatterns = [
    path("sitemap.xml", sitemap, {"sitemaps": sitemaps}, name="sitemap"),
]
