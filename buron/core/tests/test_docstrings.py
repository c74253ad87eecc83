"""Every model and every public service and selector says what it is for."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from django.apps import apps

import buron


def _public_services_and_selectors() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(buron.__path__, "buron."):
        parts = info.name.split(".")
        if "tests" in parts or "migrations" in parts:
            continue
        if not ({"services", "selectors"} & set(parts)):
            continue
        module = importlib.import_module(info.name)
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if not name.startswith("_") and function.__module__ == info.name:
                names.append(f"{info.name}.{name}")
    return names


def test_it_finds_the_services_and_selectors():
    found = _public_services_and_selectors()
    assert "buron.booking.services.create.booking_create_half_day" in found
    assert "buron.places.selectors.site_days" in found


def test_every_model_has_a_docstring():
    missing = [
        f"{model.__module__}.{model.__name__}"
        for model in apps.get_models()
        if model.__module__.startswith("buron.")
        # Django writes "Name(field, …)" when a model has none.
        and (not model.__doc__ or model.__doc__.startswith(f"{model.__name__}("))
    ]
    assert missing == []


def test_every_public_service_and_selector_has_a_docstring():
    missing = []
    for path in _public_services_and_selectors():
        module, name = path.rsplit(".", 1)
        if not inspect.getdoc(getattr(importlib.import_module(module), name)):
            missing.append(path)
    assert missing == []
