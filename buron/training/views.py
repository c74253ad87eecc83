"""Training pages: the public programmes, a learner's enrolments and signatures, the
advisers' enrolments, the trainers' sheets, and the PDF documents.

Each view parses its input, calls one service or selector, and renders; every page
behind a login checks who may see it (deny by default)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from buron.accounts.models import User
from buron.accounts.requests import signed_in_user

from . import documents, selectors, services
from .errors import TrainingRefused
from .forms import (
    AbsentForm,
    AdviserEnrolForm,
    CodeForm,
    CorrectionForm,
    SignForm,
    StatementForm,
    SurveyForm,
    TimesForm,
    add_refusal,
)
from .models import (
    AttendanceLine,
    Enrolment,
    EnrolmentStatus,
    PartnerOrganisation,
    Programme,
    Session,
    SessionHalfDay,
    SignatureMeans,
)
from .questionnaire import survey_items

# ---- Public ---------------------------------------------------------------------------------


def programme_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    programmes = list(selectors.published_programmes())
    upcoming = selectors.upcoming_sessions(now=now)
    counts: dict[int, int] = {}
    for item in upcoming:
        counts[item.session.programme_id] = counts.get(item.session.programme_id, 0) + 1
    return render(
        request,
        "training/programme_list.html",
        {"programmes": [(p, counts.get(p.pk, 0)) for p in programmes]},
    )


def programme_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        programme = selectors.programme_for_page(slug=slug)
    except Programme.DoesNotExist:
        raise Http404("No published programme with this address.") from None
    now = timezone.now()
    return render(
        request,
        "training/programme_detail.html",
        {
            "programme": programme,
            "by_site": selectors.sessions_by_site(
                selectors.upcoming_sessions(programme=programme, now=now)
            ),
            "results": selectors.programme_results(programme=programme, now=now),
        },
    )


# ---- Learners -------------------------------------------------------------------------------


@login_required
@require_POST
def enrol(request: HttpRequest, pk: int) -> HttpResponse:
    learner = signed_in_user(request)
    session = get_object_or_404(Session.objects.select_related("programme"), pk=pk)
    try:
        enrolment = services.enrolment_create(session=session, learner=learner, by=learner)
    except TrainingRefused as refused:
        for message in refused.messages:
            messages.error(request, message)
        return redirect("training:programme", slug=session.programme.slug)
    if enrolment.status == EnrolmentStatus.CONFIRMED:
        messages.success(request, _("You are enrolled: your convocation is on its way by email."))
    else:
        messages.info(request, _("The session is full: you are on its waiting list."))
    return redirect("training:mine")


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    learner = signed_in_user(request)
    now = timezone.now()
    enrolments = list(selectors.learner_enrolments(user=learner))
    surveys = {
        enrolment_id: services.survey_token(invitation=invitation)
        for enrolment_id, invitation in selectors.learner_open_surveys(
            user=learner, now=now
        ).items()
    }
    return render(
        request,
        "training/mine.html",
        {
            "enrolments": [
                (
                    e,
                    selectors.waiting_rank(enrolment=e),
                    list(e.session.half_days.all()),
                    surveys.get(e.pk, ""),
                )
                for e in enrolments
            ],
            "now": now,
        },
    )


def survey(request: HttpRequest, token: str) -> HttpResponse:
    """A learner's survey through their personal link (no login needed; it answers once)."""
    now = timezone.now()
    try:
        invitation = services.survey_invitation_for_token(token=token, now=now)
    except TrainingRefused as refused:
        status = 410 if refused.code in ("answered", "closed") else 404
        if request.GET.get("merci") and refused.code == "answered":
            return render(request, "training/survey.html", {"done": True})
        return render(
            request, "training/survey.html", {"refused": refused.messages[0]}, status=status
        )
    found = invitation.survey
    items = survey_items(programme=found.session.programme, kind=found.kind)
    form = SurveyForm(request.POST if request.method == "POST" else None, items=items)
    if form.is_bound and form.is_valid():
        user = request.user if request.user.is_authenticated else None
        try:
            services.survey_answer(
                token=token,
                ratings=form.ratings(),
                comment=form.cleaned_data["comment"],
                user=user,
                now=now,
            )
        except TrainingRefused as refused:
            add_refusal(form, refused)
        else:
            return redirect(f"{request.path}?merci=1")
    return render(
        request,
        "training/survey.html",
        {
            "form": form,
            "survey": found,
            "session": found.session,
            "programme": found.session.programme,
        },
        status=422 if form.is_bound else 200,
    )


@login_required
@require_POST
def enrolment_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    enrolment = get_object_or_404(Enrolment, pk=pk)
    try:
        services.enrolment_cancel(enrolment=enrolment, by=user)
    except TrainingRefused as refused:
        for message in refused.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The enrolment is cancelled."))
    if enrolment.learner_id == user.pk:
        return redirect("training:mine")
    return redirect("training:adviser")


def _own_enrolment(request: HttpRequest, half_day: SessionHalfDay) -> Enrolment:
    """The signed-in learner's enrolment in the half-day's session (404 otherwise: a
    learner never reaches another's signature)."""
    user = signed_in_user(request)
    enrolment = Enrolment.objects.filter(
        session_id=half_day.session_id, learner=user, status=EnrolmentStatus.CONFIRMED
    ).first()
    if enrolment is None:
        raise Http404("Not enrolled.")
    return enrolment


@login_required
def sign(request: HttpRequest, pk: int) -> HttpResponse:
    half_day = get_object_or_404(
        SessionHalfDay.objects.select_related("session__programme", "session__site"), pk=pk
    )
    enrolment = _own_enrolment(request, half_day)
    user = signed_in_user(request)
    sign_form = SignForm(prefix="draw")
    code_form = CodeForm(prefix="code")
    action = request.POST.get("action")
    if request.method == "POST":
        try:
            if action == "draw":
                sign_form = SignForm(request.POST, prefix="draw")
                if sign_form.is_valid():
                    services.line_sign(
                        half_day=half_day,
                        enrolment=enrolment,
                        by=user,
                        means=SignatureMeans.DRAWN,
                        image=sign_form.cleaned_data["signature"],
                    )
                    messages.success(request, _("Signed. Thank you!"))
                    return redirect("training:sign", pk=half_day.pk)
            elif action == "send_code":
                services.signing_code_send(half_day=half_day, enrolment=enrolment, by=user)
                messages.info(request, _("A code was sent to you by email."))
                return redirect("training:sign", pk=half_day.pk)
            elif action == "code":
                code_form = CodeForm(request.POST, prefix="code")
                if code_form.is_valid():
                    services.line_sign(
                        half_day=half_day,
                        enrolment=enrolment,
                        by=user,
                        means=SignatureMeans.CODE,
                        code=code_form.cleaned_data["code"],
                    )
                    messages.success(request, _("Signed. Thank you!"))
                    return redirect("training:sign", pk=half_day.pk)
            else:
                raise PermissionDenied
        except TrainingRefused as refused:
            add_refusal(code_form if action == "code" else sign_form, refused)
    line = AttendanceLine.objects.filter(sheet__half_day=half_day, enrolment=enrolment).first()
    return render(
        request,
        "training/sign.html",
        {
            "half_day": half_day,
            "session": half_day.session,
            "line": line,
            "sign_form": sign_form,
            "code_form": code_form,
            "started": timezone.now() >= half_day.starts_at,
        },
        status=422 if request.method == "POST" else 200,
    )


@login_required
def certificate_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    enrolment = get_object_or_404(
        Enrolment.objects.select_related(
            "learner", "session__programme__training_body", "session__site", "organisation"
        ),
        pk=pk,
    )
    if not services.can_follow(user=user, enrolment=enrolment):
        raise Http404("Not yours.")
    return _pdf(documents.certificate_pdf(enrolment=enrolment), f"certificat-{enrolment.pk}.pdf")


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# ---- Advisers -------------------------------------------------------------------------------


def _adviser_form(request: HttpRequest, data: object = None) -> AdviserEnrolForm:
    user = signed_in_user(request)
    organisations = selectors.adviser_organisations(user=user)
    if not organisations:
        raise PermissionDenied
    networks = {o.network_id for o in organisations}
    open_ids = [
        o.session.pk
        for o in selectors.upcoming_sessions(now=timezone.now())
        if o.open and o.session.network_id in networks
    ]
    return AdviserEnrolForm(
        data,
        sessions=Session.objects.filter(pk__in=open_ids).select_related(
            "programme", "site", "network"
        ),
        organisations=organisations,
        funders=PartnerOrganisation.objects.filter(network_id__in=networks),
    )


@login_required
def adviser(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = _adviser_form(request, request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            enrolment = services.enrolment_create_for_job_seeker(
                session=data["session"],
                organisation=data["organisation"],
                by=user,
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                france_travail_id=data["france_travail_id"],
                funding=data["funding"],
                funder=data["funder"],
            )
        except (TrainingRefused, ValueError) as refused:
            if isinstance(refused, TrainingRefused):
                add_refusal(form, refused)
        else:
            if enrolment.status == EnrolmentStatus.CONFIRMED:
                messages.success(request, _("Enrolled: the convocation is sent by email."))
            else:
                messages.info(request, _("The session is full: on its waiting list."))
            return redirect("training:adviser")
    return render(
        request,
        "training/adviser.html",
        {"form": form, "enrolments": selectors.adviser_enrolments(user=user)},
        status=422 if form.is_bound else 200,
    )


# ---- Trainers and staff ---------------------------------------------------------------------


@login_required
def trainer_home(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    sessions = list(
        selectors.trainer_sessions(user=user).prefetch_related(
            "half_days", "funder_invoices__invoice", "funder_invoices__funder"
        )
    )
    is_staff = selectors.is_staff(user=user)
    if not sessions and not is_staff:
        raise PermissionDenied
    return render(
        request,
        "training/trainer_home.html",
        {
            "sessions": [
                (s, selectors.may_invoice_session(user=user, session=s)) for s in sessions
            ],
            "is_staff": is_staff,
            "now": timezone.now(),
        },
    )


def _kept_half_day(request: HttpRequest, pk: int) -> SessionHalfDay:
    half_day = get_object_or_404(
        SessionHalfDay.objects.select_related(
            "session__programme", "session__site", "session__network", "session__trainer"
        ),
        pk=pk,
    )
    if not services.may_keep_sheet(user=signed_in_user(request), half_day=half_day):
        raise Http404("Not your session.")
    return half_day


@login_required
def sheet(request: HttpRequest, pk: int) -> HttpResponse:
    half_day = _kept_half_day(request, pk)
    user = signed_in_user(request)
    tz = half_day.session.network.time_zone
    forms_by_action: dict[str, type[forms.Form]] = {
        "absent": AbsentForm,
        "times": TimesForm,
        "correct": CorrectionForm,
        "countersign": SignForm,
    }
    errors: list[str] = []
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in forms_by_action:
            raise PermissionDenied
        form: forms.Form = forms_by_action[action](request.POST)
        if not form.is_valid():
            errors = [str(e) for field in form.errors.values() for e in field]
        else:
            try:
                _sheet_action(action, form, half_day=half_day, by=user, tz=tz)
            except TrainingRefused as refused:
                errors = list(refused.messages)
            else:
                messages.success(request, _("Saved."))
                return redirect("training:sheet", pk=half_day.pk)
    found, rows = selectors.sheet_rows(half_day=half_day)
    return render(
        request,
        "training/sheet.html",
        {
            "half_day": half_day,
            "session": half_day.session,
            "sheet": found,
            "rows": rows,
            "errors": errors,
            "is_trainer": half_day.session.trainer_id == user.pk,
        },
        status=422 if errors else 200,
    )


def _sheet_action(
    action: str, form: forms.Form, *, half_day: SessionHalfDay, by: User, tz: str
) -> None:
    """Call the one service the sheet's form asks for (each checks who may)."""
    data = form.cleaned_data
    if action == "absent":
        enrolment = get_object_or_404(Enrolment, pk=data["enrolment"])
        services.line_mark_absent(
            half_day=half_day, enrolment=enrolment, by=by, reason=data["reason"]
        )
        return
    if action == "countersign":
        services.sheet_countersign(half_day=half_day, by=by, image=data["signature"])
        return
    if not isinstance(form, TimesForm):
        raise PermissionDenied
    line = get_object_or_404(AttendanceLine, pk=data["line"], sheet__half_day=half_day)
    arrived, left = form.times(half_day, tz)
    if action == "times":
        services.line_note_times(line=line, by=by, arrived_at=arrived, left_at=left)
    else:
        services.line_correct(
            line=line,
            by=by,
            reason=data["reason"],
            presence=data["presence"],
            arrived_at=arrived,
            left_at=left,
        )


@login_required
def sheet_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    half_day = _kept_half_day(request, pk)
    return _pdf(documents.sheet_pdf(half_day=half_day), f"emargement-{half_day.pk}.pdf")


@login_required
def funder_statement(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    funder = get_object_or_404(PartnerOrganisation, pk=pk)
    if not selectors.may_read_statement(user=user, funder=funder):
        raise Http404("Not yours.")
    form = StatementForm(request.GET or None)
    if form.is_bound and form.is_valid():
        month: dt.date = form.cleaned_data["month"]
        return _pdf(
            documents.statement_pdf(funder=funder, year=month.year, month=month.month),
            f"etat-{funder.pk}-{month:%Y-%m}.pdf",
        )
    return render(
        request,
        "training/statement_form.html",
        {"form": form, "funder": funder},
        status=422 if form.is_bound else 200,
    )


@login_required
def evidence_zip(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    session = get_object_or_404(
        Session.objects.select_related("programme__training_body", "site", "network"), pk=pk
    )
    if not selectors.may_manage_session(user=user, session=session):
        raise Http404("Not your session.")
    response = HttpResponse(
        documents.session_evidence_zip(session=session), content_type="application/zip"
    )
    response["Content-Disposition"] = f'attachment; filename="qualiopi-session-{session.pk}.zip"'
    return response


@login_required
def session_results(request: HttpRequest, pk: int) -> HttpResponse:
    """A session's survey results, for the site's staff (with the comments)."""
    user = signed_in_user(request)
    session = get_object_or_404(Session.objects.select_related("programme", "site"), pk=pk)
    if not selectors.may_manage_session(user=user, session=session):
        raise Http404("Not your session.")
    return render(
        request,
        "training/survey_results.html",
        {
            "title": f"{session.programme.title} — {session.site.name}",
            "all_results": selectors.session_survey_results(session=session),
        },
    )


@login_required
def programme_results(request: HttpRequest, pk: int) -> HttpResponse:
    """A programme's survey results over all its sessions, for its network's staff."""
    user = signed_in_user(request)
    programme = get_object_or_404(Programme, pk=pk)
    if not selectors.may_read_programme_results(user=user, programme=programme):
        raise Http404("Not your programme.")
    return render(
        request,
        "training/survey_results.html",
        {
            "title": programme.title,
            "all_results": selectors.programme_survey_results(programme=programme),
        },
    )


@login_required
@require_POST
def session_invoice(request: HttpRequest, pk: int) -> HttpResponse:
    """Invoice the session's funders (each once); the network's administrators only."""
    user = signed_in_user(request)
    session = get_object_or_404(Session, pk=pk)
    if not selectors.may_invoice_session(user=user, session=session):
        raise Http404("Not your session.")
    try:
        made = services.session_invoice_funders(session=session, by=user)
    except TrainingRefused as refused:
        for message in refused.messages:
            messages.error(request, message)
    else:
        if made:
            numbers = ", ".join(f"{m.invoice.number} ({m.funder.name})" for m in made)
            messages.success(request, _("Funders invoiced: %(numbers)s.") % {"numbers": numbers})
        else:
            messages.info(request, _("No learner of this session is paid for by a funder."))
    return redirect("training:trainer")
