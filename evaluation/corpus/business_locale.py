"""How business documents print things in each language: labels (several wordings each), month
names, amounts and dates, names of companies and goods.

Each language has a few wordings per label so that no test depends on one generated string; the
engine's lexicon was written separately and does not know every wording here.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

LANGUAGES = ("en", "de", "fr", "nl", "es", "pl", "it")
HELD_OUT_LANGUAGE = "it"

MONTHS = {
    "en": "January February March April May June July August September October November December",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "nl": "januari februari maart april mei juni juli augustus september oktober november december",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre "
    "dicembre",
    "pl": "stycznia lutego marca kwietnia maja czerwca lipca sierpnia września października "
    "listopada grudnia",
}

# label key -> wordings; "{rate}" is the tax rate
LABELS: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "title": ("INVOICE", "Invoice", "TAX INVOICE"),
        "number": ("Invoice No.", "Invoice Number", "Invoice #"),
        "date": ("Invoice Date", "Date", "Date of issue"),
        "due": ("Due Date", "Payment due", "Due"),
        "po": ("PO Number", "Purchase Order", "Your order"),
        "bill_to": ("Bill To", "Billed to", "Customer"),
        "vendor": ("From", "Supplier", "Seller"),
        "subtotal": ("Subtotal", "Total excl. VAT", "Net amount"),
        "tax": ("VAT {rate}%", "Tax ({rate}%)", "VAT"),
        "total": ("Total", "Total due", "Amount due", "Grand total"),
        "terms": ("Payment within 14 days. Thank you for your business.",),
    },
    "de": {
        "title": ("RECHNUNG", "Rechnung"),
        "number": ("Rechnungsnummer", "Rechnungs-Nr.", "Rechnung Nr."),
        "date": ("Rechnungsdatum", "Datum"),
        "due": ("Fällig am", "Zahlbar bis", "Fälligkeitsdatum"),
        "po": ("Bestellnummer", "Ihre Bestellung"),
        "bill_to": ("Rechnungsempfänger", "Kunde", "Rechnung an"),
        "vendor": ("Lieferant", "Rechnungssteller"),
        "subtotal": ("Zwischensumme", "Nettobetrag", "Summe netto"),
        "tax": ("MwSt. {rate} %", "USt. {rate} %", "zzgl. {rate} % MwSt."),
        "total": ("Gesamtbetrag", "Rechnungsbetrag", "Zu zahlen", "Gesamtsumme"),
        "terms": ("Zahlbar innerhalb von 14 Tagen ohne Abzug.",),
    },
    "fr": {
        "title": ("FACTURE", "Facture"),
        "number": ("Facture n°", "N° de facture", "Numéro de facture"),
        "date": ("Date de facture", "Date", "Date d'émission"),
        "due": ("Date d'échéance", "Échéance", "À payer avant le"),
        "po": ("Bon de commande", "N° de commande"),
        "bill_to": ("Facturé à", "Client", "Destinataire"),
        "vendor": ("Fournisseur", "Émetteur"),
        "subtotal": ("Total HT", "Sous-total", "Montant HT"),
        "tax": ("TVA {rate} %", "Montant TVA", "TVA"),
        "total": ("Total TTC", "Net à payer", "Montant total"),
        "terms": ("Paiement à 30 jours. Pas d'escompte pour paiement anticipé.",),
    },
    "nl": {
        "title": ("FACTUUR", "Factuur"),
        "number": ("Factuurnummer", "Factuurnr.", "Factuur nr."),
        "date": ("Factuurdatum", "Datum"),
        "due": ("Vervaldatum", "Te betalen voor"),
        "po": ("Uw bestelling", "Bestelnummer"),
        "bill_to": ("Factuur aan", "Klant"),
        "vendor": ("Leverancier", "Van"),
        "subtotal": ("Subtotaal", "Totaal excl. btw"),
        "tax": ("BTW {rate}%", "Btw-bedrag", "BTW"),
        "total": ("Totaal", "Te betalen", "Totaal incl. btw"),
        "terms": ("Gelieve te betalen binnen 14 dagen.",),
    },
    "es": {
        "title": ("FACTURA", "Factura"),
        "number": ("Nº de factura", "Número de factura", "Factura n.º"),
        "date": ("Fecha de factura", "Fecha", "Fecha de emisión"),
        "due": ("Fecha de vencimiento", "Vencimiento"),
        "po": ("Pedido", "Nº de pedido"),
        "bill_to": ("Cliente", "Facturar a"),
        "vendor": ("Proveedor", "Emisor"),
        "subtotal": ("Base imponible", "Subtotal"),
        "tax": ("IVA {rate} %", "Cuota IVA", "IVA"),
        "total": ("Total", "Total a pagar", "Importe total"),
        "terms": ("Pago a 30 días mediante transferencia bancaria.",),
    },
    "it": {
        "title": ("FATTURA", "Fattura"),
        "number": ("Fattura n.", "Numero fattura", "N. fattura"),
        "date": ("Data fattura", "Data", "Data di emissione"),
        "due": ("Scadenza", "Data di scadenza"),
        "po": ("Ordine n.", "Rif. ordine"),
        "bill_to": ("Cliente", "Spett.le", "Destinatario"),
        "vendor": ("Fornitore", "Cedente"),
        "subtotal": ("Imponibile", "Totale imponibile"),
        "tax": ("IVA {rate}%", "Importo IVA", "IVA"),
        "total": ("Totale", "Totale fattura", "Totale da pagare"),
        "terms": ("Pagamento a 30 giorni data fattura.",),
    },
    "pl": {
        "title": ("FAKTURA VAT", "Faktura"),
        "number": ("Faktura nr", "Numer faktury", "Nr faktury"),
        "date": ("Data wystawienia", "Data"),
        "due": ("Termin płatności", "Termin zapłaty"),
        "po": ("Zamówienie nr", "Numer zamówienia"),
        "bill_to": ("Nabywca", "Odbiorca"),
        "vendor": ("Sprzedawca", "Wystawca"),
        "subtotal": ("Razem netto", "Wartość netto", "Suma netto"),
        "tax": ("VAT {rate}%", "Kwota VAT", "VAT"),
        "total": ("Razem do zapłaty", "Do zapłaty", "Wartość brutto"),
        "terms": ("Płatność przelewem w terminie 14 dni.",),
    },
}  # fmt: skip

ITEM_HEADERS: dict[str, tuple[tuple[str, ...], ...]] = {
    "en": (("Description", "Qty", "Unit price", "Amount"), ("Item", "Quantity", "Rate", "Total")),
    "de": (("Beschreibung", "Menge", "Einzelpreis", "Betrag"),
                  ("Bezeichnung", "Anzahl", "Preis", "Gesamt")),
    "fr": (("Désignation", "Qté", "Prix unitaire", "Montant"),
                  ("Description", "Quantité", "P.U. HT", "Total HT")),
    "nl": (("Omschrijving", "Aantal", "Prijs", "Bedrag"),
                  ("Omschrijving", "Aantal", "Stukprijs", "Totaal")),
    "es": (("Descripción", "Cantidad", "Precio unitario", "Importe"),
                  ("Concepto", "Cant.", "Precio", "Total")),
    "it": (("Descrizione", "Quantità", "Prezzo unitario", "Importo"),
                  ("Descrizione", "Q.tà", "Prezzo", "Totale")),
    "pl": (("Nazwa", "Ilość", "Cena jedn.", "Wartość"), ("Opis", "Ilość", "Cena netto", "Wartość netto")),
}  # fmt: skip

TAX_RATES = {"en": 20, "de": 19, "fr": 20, "nl": 21, "es": 21, "it": 22, "pl": 23}

GOODS = {
    "en": ("Consulting services", "Website maintenance", "Office chairs", "Printer toner",
           "Software licence", "Training workshop", "Delivery", "Cloud hosting (monthly)"),
    "de": ("Beratungsleistung", "Wartung Webseite", "Bürostühle", "Druckerpatronen",
           "Softwarelizenz", "Schulung", "Versandkosten", "Cloud-Hosting (monatlich)"),
    "fr": ("Prestation de conseil", "Maintenance du site", "Chaises de bureau", "Cartouches d'encre",
           "Licence logicielle", "Formation", "Frais de livraison", "Hébergement cloud"),
    "nl": ("Advieswerkzaamheden", "Onderhoud website", "Bureaustoelen", "Printertoner",
           "Softwarelicentie", "Training", "Verzendkosten", "Cloudhosting"),
    "es": ("Servicios de consultoría", "Mantenimiento web", "Sillas de oficina", "Tóner de impresora",
           "Licencia de software", "Taller de formación", "Gastos de envío", "Alojamiento en la nube"),
    "it": ("Servizi di consulenza", "Manutenzione sito web", "Sedie da ufficio", "Toner stampante",
           "Licenza software", "Corso di formazione", "Spese di spedizione", "Hosting cloud"),
    "pl": ("Usługi doradcze", "Obsługa strony www", "Krzesła biurowe", "Toner do drukarki",
           "Licencja oprogramowania", "Szkolenie", "Koszty wysyłki", "Hosting w chmurze"),
}  # fmt: skip

_FIRST = ("Nord", "Blue", "Silver", "Green", "Alpen", "Oak", "River", "Star", "Iron", "Sun")
_SECOND = ("wind", "peak", "line", "field", "stone", "light", "bridge", "gate", "works", "brook")
COMPANY_FORMS = {
    "en": ("Ltd", "Inc.", "LLC", "plc"), "de": ("GmbH", "AG", "KG"), "fr": ("SARL", "SAS", "SA"),
    "nl": ("B.V.", "N.V."), "es": ("S.L.", "S.A."), "it": ("S.r.l.", "S.p.A."),
    "pl": ("Sp. z o.o.", "S.A."),
}  # fmt: skip
CITIES = {
    "en": (("12 High Street", "London EC1A 1BB"), ("450 Market St", "San Francisco, CA 94105")),
    "de": (("Hauptstraße 5", "10115 Berlin"), ("Lindenweg 12", "80331 München")),
    "fr": (("12 rue de la Paix", "75002 Paris"), ("8 avenue Foch", "69006 Lyon")),
    "nl": (("Keizersgracht 100", "1015 CV Amsterdam"), ("Coolsingel 40", "3011 AD Rotterdam")),
    "es": (("Calle Mayor 10", "28013 Madrid"), ("Avenida Diagonal 200", "08018 Barcelona")),
    "it": (("Via Roma 15", "20121 Milano"), ("Corso Italia 8", "00198 Roma")),
    "pl": (("ul. Marszałkowska 10", "00-590 Warszawa"), ("ul. Długa 5", "31-147 Kraków")),
}
IBAN_PREFIX = {"en": "GB29 NWBK", "de": "DE89", "fr": "FR14", "nl": "NL91 ABNA", "es": "ES91",
               "it": "IT60 X054", "pl": "PL61"}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Style:
    """How one document prints amounts and dates."""

    language: str
    currency: str  # ISO code
    amount: str  # "us" 1,234.56 | "eu" 1.234,56 | "space" 1 234,56
    sign: str  # "before" ($1.00), "after" (1,00 €), "code" (1,00 EUR), "before_space" (€ 1,00)
    dates: str  # "mdy" 10/13/2026 | "dmy_slash" | "dmy_dot" | "dmy_dash" | "long" | "iso"


STYLES: dict[str, tuple[Style, ...]] = {
    "en": (Style("en", "USD", "us", "before", "mdy"), Style("en", "GBP", "us", "before", "long"),
           Style("en", "EUR", "us", "code", "dmy_slash"), Style("en", "USD", "us", "before", "long_us")),
    "de": (Style("de", "EUR", "eu", "after", "dmy_dot"), Style("de", "EUR", "eu", "code", "long"),
           Style("de", "CHF", "eu", "code", "dmy_dot")),
    "fr": (Style("fr", "EUR", "space", "after", "dmy_slash"), Style("fr", "EUR", "space", "after", "long")),
    "nl": (Style("nl", "EUR", "eu", "before_space", "dmy_dash"), Style("nl", "EUR", "eu", "before_space", "long")),
    "es": (Style("es", "EUR", "eu", "after", "dmy_slash"), Style("es", "EUR", "eu", "after", "long")),
    "it": (Style("it", "EUR", "eu", "before_space", "dmy_slash"), Style("it", "EUR", "eu", "after", "long")),
    "pl": (Style("pl", "PLN", "space", "after", "dmy_dot"), Style("pl", "PLN", "space", "code", "long"),
           Style("pl", "PLN", "space", "after", "iso")),
}  # fmt: skip
_SIGNS = {"USD": "$", "GBP": "£", "EUR": "€", "PLN": "zł", "CHF": "CHF"}


def money(value: float, style: Style, *, sign: bool = True) -> str:
    whole, cents = f"{abs(value):,.2f}".split(".")
    if style.amount == "eu":
        number = whole.replace(",", ".") + "," + cents
    elif style.amount == "space":
        number = whole.replace(",", "\u00a0") + "," + cents
    else:
        number = whole + "." + cents
    number = ("-" if value < 0 else "") + number
    if not sign:
        return number
    symbol = _SIGNS[style.currency]
    if style.sign == "code" or symbol == "CHF":
        return f"{number} {style.currency}"
    if style.sign == "before":
        return f"{symbol}{number}"
    if style.sign == "before_space":
        return f"{symbol} {number}"
    return f"{number} {symbol}"


def day(value: date, style: Style) -> str:
    months = MONTHS[style.language].split()
    if style.dates == "mdy":
        return f"{value.month:02d}/{value.day:02d}/{value.year}"
    if style.dates == "dmy_slash":
        return f"{value.day:02d}/{value.month:02d}/{value.year}"
    if style.dates == "dmy_dot":
        return f"{value.day:02d}.{value.month:02d}.{value.year}"
    if style.dates == "dmy_dash":
        return f"{value.day:02d}-{value.month:02d}-{value.year}"
    if style.dates == "iso":
        return value.isoformat()
    if style.dates == "long_us":
        return f"{months[value.month - 1]} {value.day}, {value.year}"
    if style.language == "de":
        return f"{value.day}. {months[value.month - 1]} {value.year}"
    if style.language == "es":
        return f"{value.day} de {months[value.month - 1]} de {value.year}"
    return f"{value.day} {months[value.month - 1]} {value.year}"


def company(rng: random.Random, language: str) -> str:
    return f"{rng.choice(_FIRST)}{rng.choice(_SECOND)} {rng.choice(COMPANY_FORMS[language])}"


def address(rng: random.Random, language: str) -> tuple[str, str]:
    return rng.choice(CITIES[language])


def iban(rng: random.Random, language: str) -> str:
    groups = " ".join(f"{rng.randrange(10000):04d}" for _ in range(4))
    return f"{IBAN_PREFIX[language]} {groups} {rng.randrange(100):02d}"
