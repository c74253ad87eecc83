"""Writes of the training app: sessions, enrolments, attendance sheets."""

from .attendance import (
    line_correct,
    line_mark_absent,
    line_note_times,
    line_sign,
    may_keep_sheet,
    sheet_countersign,
    sheet_for,
    signing_code_send,
)
from .enrolments import (
    FRANCE_TRAVAIL_ID,
    can_follow,
    enrolment_cancel,
    enrolment_create,
    enrolment_create_for_job_seeker,
    is_adviser,
)
from .invoicing import funder_invoice_issue, session_funders, session_invoice_funders
from .sessions import HalfDaySpec, session_cancel, session_schedule, sessions_due_check
from .surveys import (
    survey_answer,
    survey_invitation_for_token,
    survey_open,
    survey_token,
    surveys_due,
)

__all__ = [
    "FRANCE_TRAVAIL_ID",
    "HalfDaySpec",
    "can_follow",
    "enrolment_cancel",
    "enrolment_create",
    "enrolment_create_for_job_seeker",
    "funder_invoice_issue",
    "is_adviser",
    "line_correct",
    "line_mark_absent",
    "line_note_times",
    "line_sign",
    "may_keep_sheet",
    "session_cancel",
    "session_funders",
    "session_invoice_funders",
    "session_schedule",
    "sessions_due_check",
    "sheet_countersign",
    "sheet_for",
    "signing_code_send",
    "survey_answer",
    "survey_invitation_for_token",
    "survey_open",
    "survey_token",
    "surveys_due",
]
