"""The Django admin, scoped by network: what a staff member may see and change there.

In Buron's admin a **staff role** grants rights, not Django's per-model permissions:

- a superuser sees and changes everything (within what each admin allows at all, e.g.
  bookings are read-only for everyone);
- a network administrator (``StaffRole`` ``network_admin``) sees and changes the rows of
  their network(s) that the admin opens to network administrators;
- a site host (``StaffRole`` ``site_host``) sees and changes the rows of their site(s) that
  the admin opens to site hosts;
- anybody else, including a staff user (``is_staff``) holding no role, sees nothing: deny
  by default. ``is_staff`` only lets a person through the admin's door; Django's model
  permissions and groups are not consulted by the admins built on these classes.

An admin says which actions ("view", "add", "change", "delete") each kind of person gets
(``superuser_can``, ``network_admin_can``, ``site_host_can``) and how its rows reach a
network and a site (``scope_network_lookup``, ``scope_site_lookup``, e.g. ``"network"`` and
``"site"``; ``"pk"`` when the row is the network or the site itself). Its list, its change
pages and the choices of its foreign keys then hold only what the person manages; a row
outside them does not exist for that person (the admin answers with its "doesn't exist"
redirect, and a POST to it changes nothing).
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin.options import InlineModelAdmin
from django.db import models
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from buron.accounts.models import User
from buron.accounts.selectors import Scope, staff_scope
from buron.backoffice.audit import AuditedAdmin
from buron.places.models import Network, Resource, Site

VIEW = "view"
ADD = "add"
CHANGE = "change"
DELETE = "delete"
ALL: frozenset[str] = frozenset({VIEW, ADD, CHANGE, DELETE})
NOTHING: frozenset[str] = frozenset()
EDIT: frozenset[str] = frozenset({ADD, CHANGE})

_CACHE_ATTR = "_buron_admin_scope"


def request_scope(request: HttpRequest) -> Scope:
    """The staff scope of the request's user, computed once per request."""
    scope = getattr(request, _CACHE_ATTR, None)
    if isinstance(scope, Scope):
        return scope
    user = getattr(request, "user", None)
    scope = staff_scope(user=user) if isinstance(user, User) else Scope(frozenset(), frozenset())
    setattr(request, _CACHE_ATTR, scope)
    return scope


class _ScopeRules:
    """Who may do what, and the rows and choices that follow (shared by admins and inlines)."""

    superuser_can: frozenset[str] = ALL
    network_admin_can: frozenset[str] = NOTHING
    site_host_can: frozenset[str] = NOTHING

    def _network_ids(self, scope: Scope, wanted: frozenset[str] = ALL) -> frozenset[int]:
        """The networks whose rows the person reaches as a network administrator."""
        return scope.network_ids if self.network_admin_can & wanted else frozenset()

    def _site_ids(self, scope: Scope, wanted: frozenset[str] = ALL) -> frozenset[int]:
        """The sites whose rows the person reaches as a site host."""
        return scope.site_ids if self.site_host_can & wanted else frozenset()

    def _actions_without_object(self, scope: Scope) -> frozenset[str]:
        if scope.everything:
            return self.superuser_can
        actions: frozenset[str] = NOTHING
        if scope.network_ids:
            actions |= self.network_admin_can
        if scope.site_ids:
            actions |= self.site_host_can
        return actions

    def _actions_on(
        self,
        scope: Scope,
        obj: models.Model,
        network_lookup: str | None,
        site_lookup: str | None,
    ) -> frozenset[str]:
        """What the person may do with a saved row, found by its network and site."""
        if scope.everything:
            return self.superuser_can
        rows = type(obj)._default_manager.filter(pk=obj.pk)
        actions: frozenset[str] = NOTHING
        network_ids = self._network_ids(scope)
        if (
            network_ids
            and network_lookup is not None
            and rows.filter(**{f"{network_lookup}__in": network_ids}).exists()
        ):
            actions |= self.network_admin_can
        site_ids = self._site_ids(scope)
        if (
            site_ids
            and site_lookup is not None
            and rows.filter(**{f"{site_lookup}__in": site_ids}).exists()
        ):
            actions |= self.site_host_can
        return actions

    def _scoped_choices(
        self, request: HttpRequest, related: type[models.Model] | str
    ) -> QuerySet[Any] | None:
        """The rows a foreign key may point to: only what the person may edit here.

        None leaves the field's own choices (shared reference data such as communes)."""
        scope = request_scope(request)
        if scope.everything or isinstance(related, str):
            return None
        network_ids = self._network_ids(scope, EDIT)
        site_ids = self._site_ids(scope, EDIT)
        if related is Network:
            return Network.objects.filter(pk__in=network_ids)
        if related is Site:
            return Site.objects.filter(Q(network_id__in=network_ids) | Q(pk__in=site_ids))
        if related is Resource:
            return Resource.objects.filter(
                Q(site__network_id__in=network_ids) | Q(site_id__in=site_ids)
            )
        if issubclass(related, User):
            return User.objects.none()
        return None


def _allowed(actions: frozenset[str], action: str) -> bool:
    # As in Django, the right to change implies the right to view.
    return action in actions or (action == VIEW and CHANGE in actions)


class ScopedAdminMixin(_ScopeRules, AuditedAdmin):
    """A model admin that shows each staff member only what their roles let them manage.

    Set ``network_admin_can`` and ``site_host_can`` (nothing by default: deny by default),
    ``superuser_can`` when even superusers must not do everything, and the lookups from the
    model to its network and site. ``scope_shared = True`` marks reference data shared by
    every network (communes): its rows are not filtered, only the actions are.
    """

    scope_network_lookup: str | None = None
    scope_site_lookup: str | None = None
    scope_shared: bool = False

    def scope_filter(self, scope: Scope) -> Q:
        """The rows the person reaches through their roles."""
        condition = Q(pk__in=[])
        network_ids = self._network_ids(scope)
        if network_ids and self.scope_network_lookup is not None:
            condition |= Q(**{f"{self.scope_network_lookup}__in": network_ids})
        site_ids = self._site_ids(scope)
        if site_ids and self.scope_site_lookup is not None:
            condition |= Q(**{f"{self.scope_site_lookup}__in": site_ids})
        return condition

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        scope = request_scope(request)
        if scope.everything or (self.scope_shared and self._actions_without_object(scope)):
            return queryset
        return queryset.filter(self.scope_filter(scope))

    def scope_actions(
        self, request: HttpRequest, obj: models.Model | None = None
    ) -> frozenset[str]:
        """What the person may do here: with any row if obj is None, else with that row."""
        scope = request_scope(request)
        if obj is None or obj.pk is None or self.scope_shared:
            return self._actions_without_object(scope)
        return self._actions_on(scope, obj, self.scope_network_lookup, self.scope_site_lookup)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(self.scope_actions(request))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _allowed(self.scope_actions(request, obj), VIEW)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _allowed(self.scope_actions(request), ADD)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _allowed(self.scope_actions(request, obj), CHANGE)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _allowed(self.scope_actions(request, obj), DELETE)

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> Any:
        if "queryset" not in kwargs:
            choices = self._scoped_choices(request, db_field.related_model)
            if choices is not None:
                kwargs["queryset"] = choices
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ScopedInlineMixin(_ScopeRules, InlineModelAdmin[Any, Any]):
    """Rows edited on their parent's page: the rights follow the parent row.

    ``parent_network_lookup`` and ``parent_site_lookup`` lead from the parent model to its
    network and site (a site by default: ``"network"`` and ``"pk"``).
    """

    parent_network_lookup: str | None = "network"
    parent_site_lookup: str | None = "pk"

    def scope_actions(self, request: HttpRequest, parent: models.Model | None) -> frozenset[str]:
        scope = request_scope(request)
        if parent is None or parent.pk is None:
            return self._actions_without_object(scope)
        return self._actions_on(scope, parent, self.parent_network_lookup, self.parent_site_lookup)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _allowed(self.scope_actions(request, obj), VIEW)

    # Django's inlines take the parent here, unlike ModelAdmin: its stubs ignore the same clash.
    def has_add_permission(self, request: HttpRequest, obj: Any) -> bool:  # type: ignore[override]
        return _allowed(self.scope_actions(request, obj), ADD)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _allowed(self.scope_actions(request, obj), CHANGE)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _allowed(self.scope_actions(request, obj), DELETE)

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> Any:
        if "queryset" not in kwargs:
            choices = self._scoped_choices(request, db_field.related_model)
            if choices is not None:
                kwargs["queryset"] = choices
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
