"""Mail received for members domiciled at a site (their business address) in the admin:
each site's hosts and the network's administrators record it, correct its kind and sender,
and mark it handed over; everything is written by the offers' services, and scoped to the
sites the person manages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from buron.accounts.requests import signed_in_user
from buron.audit.models import AuditAction
from buron.audit.services import audit_snapshot
from buron.backoffice.scope import ADD, CHANGE, VIEW, ScopedAdminMixin
from buron.offers import selectors, services
from buron.offers.forms import MemberEmailField
from buron.offers.models import MailItem, Right, ServiceKind

# Mail is a record of what came in: it is corrected, never deleted.
MAIL_ACTIONS = frozenset({VIEW, ADD, CHANGE})


class MailItemAddForm(forms.ModelForm[MailItem]):
    """New mail: the site, the member (by their email address), kind, sender and day; the
    member must hold a business address valid at that site that day."""

    member_email = MemberEmailField(label=_("Member's email address"))

    class Meta:
        model = MailItem
        fields = ["site", "member_email", "kind", "sender", "received_on"]

    right: Right | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        site, member, day = data.get("site"), data.get("member_email"), data.get("received_on")
        if site is None or member is None or day is None:
            return data
        self.right = selectors.service_pack_for(
            member=member, site=site, service=ServiceKind.DOMICILIATION, day=day
        )
        if self.right is None:
            self.add_error(
                "member_email",
                forms.ValidationError(
                    _("This member has no business address valid at this site that day."),
                    code="no_address",
                ),
            )
        return data


class MailItemChangeForm(forms.ModelForm[MailItem]):
    """Recorded mail: its kind and sender may be corrected; the rest stays as recorded."""

    class Meta:
        model = MailItem
        fields = ["kind", "sender"]


class _RecordedByService(admin.ModelAdmin[MailItem]):
    """Writes new mail through offers.services.mail_record (under the audit's hooks)."""

    def save_model(self, request: HttpRequest, obj: MailItem, form: Any, change: bool) -> None:
        if change:
            obj.save(update_fields=["kind", "sender"])
            return
        recorded = services.mail_record(
            right=form.right,
            site=obj.site,
            by=signed_in_user(request),
            received_on=obj.received_on,
            kind=obj.kind,
            sender=obj.sender,
        )
        obj.pk, obj.right, obj.recorded_by = recorded.pk, recorded.right, recorded.recorded_by


@admin.register(MailItem)
class MailItemAdmin(ScopedAdminMixin, _RecordedByService):
    """Mail items of the sites the person manages: a host sees their sites', an
    administrator their network's, nobody another network's."""

    list_display = ["received_on", "kind", "member", "sender", "site", "handed_over_on"]
    list_filter = [
        ("site", admin.RelatedOnlyFieldListFilter),
        "kind",
        ("handed_over_on", admin.EmptyFieldListFilter),
        "received_on",
    ]
    search_fields = [
        "right__member__first_name",
        "right__member__last_name",
        "right__member__email",
        "sender",
    ]
    date_hierarchy = "received_on"
    list_select_related = ["site", "right__member"]
    actions = ["hand_over"]
    superuser_can = MAIL_ACTIONS
    network_admin_can = MAIL_ACTIONS
    site_host_can = MAIL_ACTIONS
    scope_network_lookup = "site__network"
    scope_site_lookup = "site"

    @admin.display(description=_("member"), ordering="right__member__last_name")
    def member(self, obj: MailItem) -> str:
        return str(obj.right.member) if obj.right.member is not None else "—"

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        kwargs["form"] = MailItemChangeForm if obj is not None else MailItemAddForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ["site", "member_email", "kind", "sender", "received_on"]
        return ["site", "member", "received_on", "kind", "sender", "handed_over_on", "recorded_by"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return []
        return ["site", "member", "received_on", "handed_over_on", "recorded_by"]

    @admin.action(description=_("Mark the selected mail as handed over to its member"))
    def hand_over(self, request: HttpRequest, queryset: QuerySet[MailItem]) -> None:
        by = signed_in_user(request)
        done = 0
        for item in queryset.filter(handed_over_on__isnull=True).select_related("site", "right"):
            if not self.has_change_permission(request, item):
                continue
            before = audit_snapshot(item)
            services.mail_hand_over(item=item, by=by)
            self._audit(
                request, item, action=AuditAction.CHANGE, before=before, after=audit_snapshot(item)
            )
            done += 1
        self.message_user(
            request,
            ngettext(
                "%(n)d mail item marked as handed over.",
                "%(n)d mail items marked as handed over.",
                done,
            )
            % {"n": done},
        )
