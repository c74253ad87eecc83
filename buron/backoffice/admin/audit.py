from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from buron.audit.models import AuditEntry
from buron.backoffice.scope import VIEW, ScopedAdminMixin


@admin.register(AuditEntry)
class AuditEntryAdmin(ScopedAdminMixin):
    """The staff audit log, read-only: a network administrator reads their networks' entries;
    superusers read all; site hosts none."""

    list_display = ["at", "actor", "action", "model", "object_repr", "network"]
    list_filter = ["action", "model", ("network", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["actor", "network"]
    search_fields = ["object_repr", "object_id"]
    fields = ("at", "actor", "network", "action", "model", "object_id", "object_repr", "changes")
    readonly_fields = fields
    superuser_can = frozenset({VIEW})
    network_admin_can = frozenset({VIEW})
    scope_network_lookup = "network"
    audit_main = False

    @admin.display(description=_("before → after"))
    def changes(self, entry: AuditEntry) -> Any:
        before, after = entry.before or {}, entry.after or {}
        rows = [
            (key, before.get(key, ""), after.get(key, ""))
            for key in sorted(set(before) | set(after))
            if before.get(key) != after.get(key)
        ]
        if not rows:
            return "—"
        head = format_html(
            "<table><thead><tr><th scope='col'>{}</th><th scope='col'>{}</th>"
            "<th scope='col'>{}</th></tr></thead>",
            _("field"),
            _("before"),
            _("after"),
        )
        body = format_html_join("", "<tr><th scope='row'>{}</th><td>{}</td><td>{}</td></tr>", rows)
        return format_html("{}<tbody>{}</tbody></table>", head, body)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
