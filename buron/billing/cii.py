"""The Factur-X XML of a document: UN/CEFACT Cross Industry Invoice, profile EN 16931."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from lxml import etree

from .document import NOT_SUBJECT, Document, Line, Party

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
NSMAP = {"rsm": RSM, "ram": RAM, "udt": UDT, "qdt": QDT}
EN16931 = "urn:cen.eu:en16931:2017"
# UNTDID 2005: VAT due on the invoice date (option for debits) or on payment (receipts).
VAT_DUE_ON_INVOICE = "5"
VAT_DUE_ON_PAYMENT = "72"
SIREN_SCHEME = "0002"
UNIT_CODE = "C62"  # one (unit), UN/ECE Recommendation 20


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    prefix, _, name = tag.partition(":")
    element = etree.SubElement(parent, f"{{{NSMAP[prefix]}}}{name}", attrs)
    if text is not None:
        element.text = text
    return element


def _amount(value: Decimal) -> str:
    return f"{value:.2f}"


def _number(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text


def _date(parent: etree._Element, tag: str, day: dt.date, qualified: bool = False) -> None:
    holder = _sub(parent, tag)
    _sub(
        holder,
        "qdt:DateTimeString" if qualified else "udt:DateTimeString",
        day.strftime("%Y%m%d"),
        format="102",
    )


def _address(parent: etree._Element, party: Party) -> None:
    address = _sub(parent, "ram:PostalTradeAddress")
    if party.postcode:
        _sub(address, "ram:PostcodeCode", party.postcode)
    for tag, line in zip(
        ("ram:LineOne", "ram:LineTwo", "ram:LineThree"), party.address_lines, strict=False
    ):
        _sub(address, tag, line)
    if party.city:
        _sub(address, "ram:CityName", party.city)
    _sub(address, "ram:CountryID", party.country)


def _party(parent: etree._Element, tag: str, party: Party) -> None:
    element = _sub(parent, tag)
    _sub(element, "ram:Name", party.name)
    if party.siren:
        legal = _sub(element, "ram:SpecifiedLegalOrganization")
        _sub(legal, "ram:ID", party.siren, schemeID=SIREN_SCHEME)
    _address(element, party)
    if party.email:
        uri = _sub(element, "ram:URIUniversalCommunication")
        _sub(uri, "ram:URIID", party.email, schemeID="EM")
    if party.vat_number:
        tax = _sub(element, "ram:SpecifiedTaxRegistration")
        _sub(tax, "ram:ID", party.vat_number, schemeID="VA")


def _header(root: etree._Element, doc: Document) -> None:
    context = _sub(root, "rsm:ExchangedDocumentContext")
    guideline = _sub(context, "ram:GuidelineSpecifiedDocumentContextParameter")
    _sub(guideline, "ram:ID", EN16931)
    header = _sub(root, "rsm:ExchangedDocument")
    _sub(header, "ram:ID", doc.number)
    _sub(header, "ram:TypeCode", doc.type_code)
    _date(header, "ram:IssueDateTime", doc.issued_on)
    for subject, content in doc.notes:
        note = _sub(header, "ram:IncludedNote")
        _sub(note, "ram:Content", content)
        _sub(note, "ram:SubjectCode", subject)


def _line(transaction: etree._Element, line: Line) -> None:
    item = _sub(transaction, "ram:IncludedSupplyChainTradeLineItem")
    line_doc = _sub(item, "ram:AssociatedDocumentLineDocument")
    _sub(line_doc, "ram:LineID", str(line.position))
    product = _sub(item, "ram:SpecifiedTradeProduct")
    _sub(product, "ram:Name", line.description)
    agreement = _sub(item, "ram:SpecifiedLineTradeAgreement")
    price = _sub(agreement, "ram:NetPriceProductTradePrice")
    _sub(price, "ram:ChargeAmount", _amount(line.unit_price))
    delivery = _sub(item, "ram:SpecifiedLineTradeDelivery")
    _sub(delivery, "ram:BilledQuantity", _number(line.quantity), unitCode=UNIT_CODE)
    settlement = _sub(item, "ram:SpecifiedLineTradeSettlement")
    tax = _sub(settlement, "ram:ApplicableTradeTax")
    _sub(tax, "ram:TypeCode", "VAT")
    _sub(tax, "ram:CategoryCode", line.category)
    if line.category != NOT_SUBJECT:  # BR-O-05: no rate for what VAT does not reach
        _sub(tax, "ram:RateApplicablePercent", _number(line.vat_rate))
    if line.service_start and line.service_end:
        period = _sub(settlement, "ram:BillingSpecifiedPeriod")
        _date(period, "ram:StartDateTime", line.service_start)
        _date(period, "ram:EndDateTime", line.service_end)
    summation = _sub(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation")
    _sub(summation, "ram:LineTotalAmount", _amount(line.net_amount))


def _vat_breakdown(settlement: etree._Element, doc: Document) -> None:
    due_code = VAT_DUE_ON_INVOICE if doc.vat_on_debits else VAT_DUE_ON_PAYMENT
    for b in doc.breakdown:
        tax = _sub(settlement, "ram:ApplicableTradeTax")
        _sub(tax, "ram:CalculatedAmount", _amount(b.amount))
        _sub(tax, "ram:TypeCode", "VAT")
        if b.exemption_reason:
            _sub(tax, "ram:ExemptionReason", b.exemption_reason)
        _sub(tax, "ram:BasisAmount", _amount(b.basis))
        _sub(tax, "ram:CategoryCode", b.category)
        if b.exemption_code:
            _sub(tax, "ram:ExemptionReasonCode", b.exemption_code)
        if b.category == "S":
            _sub(tax, "ram:DueDateTypeCode", due_code)
        if b.category != NOT_SUBJECT:
            _sub(tax, "ram:RateApplicablePercent", _number(b.rate))


def _settlement(transaction: etree._Element, doc: Document) -> None:
    settlement = _sub(transaction, "ram:ApplicableHeaderTradeSettlement")
    _sub(settlement, "ram:InvoiceCurrencyCode", "EUR")
    if doc.iban:
        means = _sub(settlement, "ram:SpecifiedTradeSettlementPaymentMeans")
        _sub(means, "ram:TypeCode", "58")  # SEPA credit transfer
        account = _sub(means, "ram:PayeePartyCreditorFinancialAccount")
        _sub(account, "ram:IBANID", doc.iban)
    _vat_breakdown(settlement, doc)
    if doc.due_on is not None:
        terms = _sub(settlement, "ram:SpecifiedTradePaymentTerms")
        _date(terms, "ram:DueDateDateTime", doc.due_on)
    summation = _sub(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    _sub(summation, "ram:LineTotalAmount", _amount(doc.line_total))
    _sub(summation, "ram:TaxBasisTotalAmount", _amount(doc.tax_basis_total))
    _sub(summation, "ram:TaxTotalAmount", _amount(doc.tax_total), currencyID="EUR")
    _sub(summation, "ram:GrandTotalAmount", _amount(doc.grand_total))
    _sub(summation, "ram:DuePayableAmount", _amount(doc.due_amount))
    if doc.preceding_number:
        referenced = _sub(settlement, "ram:InvoiceReferencedDocument")
        _sub(referenced, "ram:IssuerAssignedID", doc.preceding_number)
        if doc.preceding_issued_on is not None:
            _date(referenced, "ram:FormattedIssueDateTime", doc.preceding_issued_on, qualified=True)


def cii_xml(doc: Document) -> bytes:
    """The CII XML of the document (checked against the XSD by the issuing service)."""
    root = etree.Element(f"{{{RSM}}}CrossIndustryInvoice", nsmap=NSMAP)
    _header(root, doc)
    transaction = _sub(root, "rsm:SupplyChainTradeTransaction")
    for line in doc.lines:
        _line(transaction, line)
    agreement = _sub(transaction, "ram:ApplicableHeaderTradeAgreement")
    _party(agreement, "ram:SellerTradeParty", doc.seller)
    _party(agreement, "ram:BuyerTradeParty", doc.buyer)
    delivery = _sub(transaction, "ram:ApplicableHeaderTradeDelivery")
    if doc.delivery is not None:
        ship_to = _sub(delivery, "ram:ShipToTradeParty")
        _sub(ship_to, "ram:Name", doc.delivery.name)
        _address(ship_to, doc.delivery)
    _settlement(transaction, doc)
    xml: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return xml
