"""The online shop: a member reads a site's catalogue, buys an offer and pays it; the fake
card provider's page (tests and demo only). Each view parses its input, calls one service
or selector, and renders."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buron.accounts.models import Organisation
from buron.accounts.requests import signed_in_user
from buron.offers import selectors as offers
from buron.offers.models import PaymentMethod, Sale
from buron.offers.services import OfferRefused
from buron.places.selectors import published_sites

from . import shop
from .fakecard import FakeCardPayments, checkout_read, provider_notice
from .forms import BuyForm
from .models import Invoice
from .payments import payment_adapter, payment_confirm
from .services import InvoiceRefused, invoice_remaining

METHOD_LABELS = {
    PaymentMethod.CARD: gettext_lazy("By card, online (now)"),
    PaymentMethod.TRANSFER: gettext_lazy("By bank transfer"),
    PaymentMethod.CHEQUE: gettext_lazy("By cheque"),
    PaymentMethod.DESK: gettext_lazy("At the desk of the site"),
    PaymentMethod.PUBLIC_CASH_OFFICE: gettext_lazy("At the public cash office"),
}


def _business(request: HttpRequest) -> bool:
    """Prices excl. VAT for businesses (?pro=1), incl. VAT for individuals."""
    return request.GET.get("pro") == "1"


@login_required
def catalogue(request: HttpRequest) -> HttpResponse:
    """A site's offers on sale today, with their price, each with a link to buy it."""
    sites = list(published_sites())
    slug = request.GET.get("site", "")
    site = next((s for s in sites if s.slug == slug), sites[0] if sites else None)
    rows = []
    if site is not None:
        day = timezone.localdate()
        found = offers.catalogue(network_ids=[site.network_id], day=day, site=site)
        rows = [(o, offers.offer_price(offer=o)) for o in found]
    return render(
        request,
        "billing/shop_catalogue.html",
        {"sites": sites, "site": site, "rows": rows, "business": _business(request)},
    )


@login_required
def buy(request: HttpRequest, slug: str, offer_id: int) -> HttpResponse:
    """Buy one offer of a site's catalogue: quantity, how to pay, for whom."""
    member = signed_in_user(request)
    site = get_object_or_404(published_sites(), slug=slug)
    offer = offers.offer_for_sale(offer_id=offer_id, site=site, day=timezone.localdate())
    if offer is None:
        raise Http404
    methods = [(m, str(METHOD_LABELS[PaymentMethod(m)])) for m in shop.purchase_methods()]
    organisations = Organisation.objects.filter(network_id=site.network_id, managers=member)
    form = BuyForm(request.POST or None, methods=methods, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            purchase = shop.purchase_start(
                member=member,
                site=site,
                offer=offer,
                quantity=data["quantity"],
                method=data["method"],
                organisation=data.get("organisation"),
                return_url="",
            )
        except (InvoiceRefused, OfferRefused) as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            done = reverse("billing:purchase", kwargs={"pk": purchase.sale.pk})
            if purchase.pay_url:
                return redirect(_with_back(purchase.pay_url, done))
            messages.success(request, _("Your purchase is recorded."))
            return redirect(done)
    price = offers.offer_price(offer=offer)
    context = {"site": site, "offer": offer, "price": price, "form": form}
    return render(request, "billing/shop_buy.html", context, status=422 if form.is_bound else 200)


def _with_back(url: str, back: str) -> str:
    """The provider's address, told where to send the payer back (the adapter signs it in
    its own request; the fake provider reads it from there)."""
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}back={back}"


@login_required
def purchase(request: HttpRequest, pk: int) -> HttpResponse:
    """One of my purchases: its invoice, whether it is paid, what it gave me; pay what
    remains by card."""
    member = signed_in_user(request)
    sale = get_object_or_404(Sale.objects.prefetch_related("lines"), pk=pk, member=member)
    invoice = Invoice.objects.filter(sale=sale).first()
    remaining = invoice_remaining(invoice=invoice) if invoice is not None else None
    can_pay = bool(remaining) and payment_adapter().online
    if request.method == "POST" and invoice is not None and can_pay:
        back = reverse("billing:purchase", kwargs={"pk": sale.pk})
        try:
            return redirect(_with_back(shop.purchase_pay_url(invoice=invoice), back))
        except InvoiceRefused as exc:
            messages.error(request, exc.messages[0])
    rights = list(sale.rights.select_related("offer").order_by("pk"))
    context = {
        "sale": sale,
        "invoice": invoice,
        "remaining": remaining,
        "rights": rights,
        "can_pay": can_pay,
    }
    return render(request, "billing/shop_purchase.html", context)


# --- the fake card provider ------------------------------------------------------------------


def _fake_adapter() -> FakeCardPayments:
    adapter = payment_adapter()
    if not isinstance(adapter, FakeCardPayments):
        raise Http404
    return adapter


def fake_card(request: HttpRequest) -> HttpResponse:
    """The fake provider's payment page (only with the fake adapter): pay or decline."""
    adapter = _fake_adapter()
    token = request.GET.get("c", "")
    back = request.GET.get("back", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("billing:mine")
    try:
        checkout = checkout_read(token)
    except InvoiceRefused as exc:
        return render(request, "billing/fake_card.html", {"error": exc.messages[0]}, status=400)
    if request.method == "POST":
        paid = request.POST.get("decision") == "pay"
        try:
            payment_confirm(
                adapter=adapter,
                payload=provider_notice(checkout=checkout, paid=paid),
                today=timezone.localdate(),
            )
        except InvoiceRefused as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, _("Payment accepted: thank you."))
        return redirect(back)
    context = {"checkout": checkout, "token": token, "back": back}
    return render(request, "billing/fake_card.html", context)
