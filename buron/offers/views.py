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
from .forms import MailForm, ProofDecisionForm, ProofForm, SaleForm, ServiceUseForm
from .models import MailItem, Proof, Right


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
    mail = selectors.member_mail(member=member)
    return render(
        request,
        "offers/my_rights.html",
        {"rights": rights, "proofs": proofs, "form": form, "mail": mail},
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


def _service_post(request: HttpRequest, site: Site) -> tuple[ServiceUseForm, MailForm, bool]:
    """Parse the service page's forms and call the service; whether it was done."""
    host = signed_in_user(request)
    action = request.POST.get("action") if request.method == "POST" else None
    use_form = ServiceUseForm(request.POST if action == "use" else None)
    mail_form = MailForm(
        request.POST if action == "mail" else None, initial={"received_on": timezone.localdate()}
    )
    form: ServiceUseForm | MailForm = use_form if action == "use" else mail_form
    if action not in ("use", "mail") or not form.is_valid():
        return use_form, mail_form, False
    data = form.cleaned_data
    day = data.get("received_on") or timezone.localdate()
    service = data.get("service") or "domiciliation"
    right = selectors.service_pack_for(
        member=data["email"], site=site, service=service, day=day, quantity=data.get("quantity", 0)
    )
    try:
        if right is None:
            raise services.OfferRefused(
                _("This member holds no pack of this service with enough left here."),
                code="no_pack",
            )
        if action == "use":
            services.service_use(
                right=right, site=site, quantity=data["quantity"], by=host, note=data["note"]
            )
        else:
            services.mail_record(
                right=right,
                site=site,
                by=host,
                received_on=day,
                kind=data["kind"],
                sender=data["sender"],
            )
    except services.OfferRefused as exc:
        form.add_error(None, exc)
        return use_form, mail_form, False
    return use_form, mail_form, True


@login_required
def site_services(request: HttpRequest, slug: str) -> HttpResponse:
    """A site's service packs at the desk: record pages printed and room hours used, mail
    received for domiciled members, mail handed over; the packs held and what is left."""
    site = _managed_site(request, slug)
    host = signed_in_user(request)
    if request.method == "POST" and request.POST.get("action") == "hand_over":
        item = get_object_or_404(MailItem, pk=request.POST.get("item") or 0, site=site)
        services.mail_hand_over(item=item, by=host)
        messages.success(request, _("The mail is handed over."))
        return redirect("offers:site_services", slug=site.slug)
    use_form, mail_form, done = _service_post(request, site)
    if done:
        messages.success(request, _("Recorded."))
        return redirect("offers:site_services", slug=site.slug)
    context = {
        "site": site,
        "use_form": use_form,
        "mail_form": mail_form,
        "packs": selectors.service_packs_at_site(user=host, site=site, day=timezone.localdate()),
        "mail": selectors.mail_waiting(user=host, site=site),
    }
    status = 422 if request.method == "POST" else 200
    return render(request, "offers/site_services.html", context, status=status)
