from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "public/home.html", {})


def site_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "public/home.html", {})


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "public/home.html", {})


def legal(request: HttpRequest) -> HttpResponse:
    return render(request, "public/home.html", {})
