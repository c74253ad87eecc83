"""Why a training action was refused."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class TrainingRefused(ValidationError):
    """A rule refuses the action (deadline passed, not yours, sheet final…): 422 in the API."""


def refusal(message: str, code: str, field: str | None = None) -> TrainingRefused:
    if field:
        return TrainingRefused({field: [TrainingRefused(message, code=code)]})
    return TrainingRefused(message, code=code)
