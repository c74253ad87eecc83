"""The satisfaction questionnaire: the standard items every programme's survey asks (the
ones a Qualiopi audit looks for), rated 1 to 5, then the programme's extra questions and a
free comment."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import Programme, SurveyKind, SurveyQuestion

LOWEST, HIGHEST = 1, 5
# The item the public satisfaction figure is read from, in both surveys.
OVERALL = "overall"

STANDARD_ITEMS: dict[str, tuple[tuple[str, Promise], ...]] = {
    SurveyKind.END: (
        ("objectives", _("The training met the objectives announced")),
        ("content", _("The content suited your needs and your level")),
        ("trainer", _("The trainer's teaching")),
        ("organisation", _("The organisation, the room and the equipment")),
        ("information", _("The information you were given before the training")),
        (OVERALL, _("Overall, your satisfaction with the training")),
    ),
    SurveyKind.FOLLOW_UP: (
        ("applied", _("You use what you learned in your work or your job search")),
        ("situation", _("The training helped your professional situation")),
        (OVERALL, _("Overall, looking back, your satisfaction with the training")),
    ),
}


@dataclass(frozen=True)
class Item:
    """A question of a survey: its code (a standard item, or q<id>) and its text."""

    code: str
    text: str


def survey_items(*, programme: Programme, kind: str) -> list[Item]:
    """The questions of the programme's survey of that kind: the standard ones, then its
    extra ones in their order."""
    items = [Item(code, str(text)) for code, text in STANDARD_ITEMS[kind]]
    extra = SurveyQuestion.objects.filter(programme=programme, kind=kind).order_by("position", "pk")
    items.extend(Item(f"q{q.pk}", q.text) for q in extra)
    return items
