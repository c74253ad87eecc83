"""Pages of the offers app: a member's rights, and a site's sales for its staff. Each view
parses its form, calls one service or selector, and renders."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from buron.accounts.requests import signed_in_user
from buron.accounts.selectors import staff_scope
from buron.places.models import Site

from . import selectors, services
from .forms import ProofDecisionForm, ProofForm, SaleForm
from .models import Proof, Right


@login_required
def my_rights(request: HttpRequest) -> HttpResponse:
    """My carnets, subscriptions and welcome pack: balances and ledger."""
    member = signed_in_user(request)
    form = ProofForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.proof_submit(
            member=member,
            site=data["site"],
            category=data["category"],
            description=data["description"],
        )
        messages.success(
            request, _("Show your proof to a host of the site: they will validate it.")
        )
        return redirect("offers:my_rights")
    rights = selectors.member_rights(member=member, day=timezone.localdate())
    proofs = selectors.member_proofs(member=member)
    return render(
        request, "offers/my_rights.html", {"rights": rights, "proofs": proofs, "form": form}
    )


@login_required
@require_POST
def subscription_stop(request: HttpRequest, pk: int) -> HttpResponse:
    """Stop the automatic renewal of one of my subscriptions (the month paid runs on)."""
    member = signed_in_user(request)
    right = get_object_or_404(Right, pk=pk, member=member, kind="subscription")
    services.subscription_stop(right=right, by=member)
    messages.success(request, _("Your subscription will not be renewed."))
    return redirect("offers:my_rights")


def _managed_site(request: HttpRequest, slug: str) -> Site:
    """The site, if the user manages it; 404 otherwise (its existence is not revealed)."""
    scope = staff_scope(user=signed_in_user(request))
    if scope.everything:
        return get_object_or_404(Site.objects.select_related("network"), slug=slug)
    allowed = Q(network_id__in=scope.network_ids) | Q(pk__in=scope.site_ids)
    return get_object_or_404(Site.objects.filter(allowed).select_related("network"), slug=slug)


@login_required
def site_sales(request: HttpRequest, slug: str) -> HttpResponse:
    """A site's sales, and the form to sell an offer of its catalogue at the desk."""
    site = _managed_site(request, slug)
    host = signed_in_user(request)
    offers = selectors.catalogue(network_ids=[site.network_id], day=timezone.localdate(), site=site)
    form = SaleForm(request.POST or None, offers=offers)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.sale_record(
                site=site,
                member=data["email"],
                offers=[(data["offer"], data["quantity"])],
                payment_method=data["payment_method"],
                sold_by=host,
            )
        except services.OfferRefused as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The sale is recorded."))
            return redirect("offers:site_sales", slug=site.slug)
    sales = selectors.sales_for_site(user=host, site=site)
    prices = [(o, selectors.offer_price(offer=o)) for o in offers]
    return render(
        request,
        "offers/site_sales.html",
        {"site": site, "form": form, "sales": sales, "prices": prices},
    )


@login_required
def site_proofs(request: HttpRequest, slug: str) -> HttpResponse:
    """The proofs waiting at a site: its staff validate or refuse them."""
    site = _managed_site(request, slug)
    host = signed_in_user(request)
    if request.method == "POST":
        form = ProofDecisionForm(request.POST)
        if form.is_valid():
            proof = get_object_or_404(Proof, pk=form.cleaned_data["proof"], site=site)
            try:
                services.proof_decide(
                    proof=proof, by=host, validated=form.cleaned_data["decision"] == "validate"
                )
            except services.OfferRefused as exc:
                messages.error(request, exc.messages[0])
            else:
                messages.success(request, _("The decision is recorded."))
        return redirect("offers:site_proofs", slug=site.slug)
    pending = [p for p in selectors.proofs_to_decide(user=host) if p.site_id == site.pk]
    return render(request, "offers/site_proofs.html", {"site": site, "pending": pending})
