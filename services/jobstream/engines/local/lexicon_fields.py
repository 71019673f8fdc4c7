"""The label lexicon: common business fields and how documents label them in en, de, fr, nl, es,
it and pl (folded: lower case, no accents; `|` separates variants).

A schema property is matched to a concept by its name, title and description (`aliases` plus the
labels themselves); the document is then searched for every label of the concept in every
language, since a German supplier may write an English invoice. `kind` says what a value looks
like (amount, date, code, text, name, address, iban, currency, percent).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FieldConcept:
    key: str
    kind: str
    description: str
    aliases: str  # other names a schema may give the field
    labels: str  # how documents label it, every language together


# fmt: off
CONCEPTS: tuple[FieldConcept, ...] = (
    FieldConcept("invoice_number", "code", "The invoice number as printed on the invoice.",
        "invoice id|invoice no|invoice ref|invoice reference|number|bill number",
        "invoice number|invoice no|invoice nr|invoice #|invoice id|invoice ref|bill number|"
        "rechnungsnummer|rechnungs nr|rechnung nr|rechnungsnr|re nr|beleg nr|"
        "numero de facture|facture no|no de facture|no facture|facture numero|"
        "factuurnummer|factuur nr|factuurnr|numero de factura|factura no|no de factura|"
        "factura n|numero fattura|fattura n|fattura no|n fattura|numero della fattura|"
        "numer faktury|faktura nr|nr faktury|faktura vat nr"),
    FieldConcept("invoice_date", "date", "The date the invoice was issued (ISO 8601).",
        "date|issue date|issued|document date|billing date|invoice issue date",
        "invoice date|date of issue|issue date|issued on|billing date|date|dated|"
        "rechnungsdatum|ausstellungsdatum|belegdatum|datum|"
        "date de facture|date de facturation|date d emission|date|"
        "factuurdatum|datum|fecha de factura|fecha de emision|fecha|"
        "data fattura|data di emissione|data emissione|data|"
        "data wystawienia|data faktury|data"),
    FieldConcept("due_date", "date", "The date by which the invoice must be paid (ISO 8601).",
        "payment due date|due|pay by|payment date|deadline",
        "due date|payment due|due by|pay by|due|"
        "falligkeitsdatum|fallig am|fallig bis|zahlbar bis|zahlungsziel|faellig am|"
        "date d echeance|echeance|date limite de paiement|a payer avant le|"
        "vervaldatum|te betalen voor|uiterste betaaldatum|vervaldag|"
        "fecha de vencimiento|vencimiento|data di scadenza|scadenza|data scadenza|"
        "termin platnosci|termin zaplaty"),
    FieldConcept("po_number", "code", "The buyer's purchase order number.",
        "purchase order|purchase order number|order number|order reference|po",
        "purchase order|purchase order no|po number|po no|po #|p o|po|order number|order no|"
        "your order|bestellnummer|bestell nr|auftragsnummer|ihre bestellung|"
        "bon de commande|numero de commande|commande no|commande|"
        "bestelnummer|ordernummer|inkoopordernummer|uw bestelling|"
        "numero de pedido|pedido|orden de compra|"
        "numero ordine|ordine n|ordine no|ordine di acquisto|"
        "numer zamowienia|zamowienie nr|zamowienie"),
    FieldConcept("subtotal", "amount", "The total before tax (net amount).",
        "sub total|net amount|net total|amount before tax|total excluding tax|total net|net",
        "subtotal|sub total|net amount|net total|total net|total excl vat|total excl tax|"
        "total excluding vat|total excluding tax|total before tax|amount excl vat|net|"
        "zwischensumme|nettobetrag|summe netto|gesamt netto|netto|nettosumme|"
        "gesamtbetrag netto|rechnungsbetrag netto|"
        "sous total|total ht|montant ht|total hors taxes|montant hors taxes|"
        "subtotaal|totaal excl btw|netto bedrag|totaal exclusief btw|"
        "subtotal|base imponible|total sin iva|importe neto|"
        "subtotale|imponibile|totale imponibile|totale netto|"
        "wartosc netto|razem netto|suma netto"),
    FieldConcept("tax_amount", "amount", "The tax (VAT, sales tax) amount.",
        "tax|vat|vat amount|tax total|total tax|sales tax|gst",
        "tax|vat|sales tax|vat amount|tax amount|total tax|total vat|gst|"
        "mwst|mehrwertsteuer|ust|umsatzsteuer|mwst betrag|zzgl mwst|"
        "tva|montant tva|total tva|montant de la tva|"
        "btw|btw bedrag|totaal btw|iva|importe iva|cuota iva|total iva|"
        "importo iva|totale iva|kwota vat|podatek vat|vat"),
    FieldConcept("tax_rate", "percent", "The tax rate in percent.",
        "vat rate|tax rate|vat percent|tax percentage",
        "vat rate|tax rate|mwst satz|steuersatz|taux de tva|taux tva|btw tarief|btw percentage|"
        "tipo de iva|tipo iva|aliquota iva|aliquota|stawka vat|stawka"),
    FieldConcept("total_amount", "amount", "The grand total to pay, tax included.",
        "total|grand total|amount due|total due|invoice total|total amount due|amount|"
        "total incl tax|gross total|balance due|amount payable",
        "total|grand total|total amount|amount due|total due|balance due|total payable|"
        "invoice total|total incl vat|total including vat|total incl tax|amount payable|"
        "gesamtbetrag|gesamtsumme|rechnungsbetrag|endbetrag|zu zahlen|zahlbetrag|summe|"
        "gesamt|bruttobetrag|gesamtbetrag brutto|brutto|"
        "total ttc|montant ttc|total a payer|net a payer|montant total|montant du|"
        "totaal|totaalbedrag|te betalen|totaal incl btw|totaal te betalen|"
        "total a pagar|importe total|total factura|"
        "totale|totale fattura|totale da pagare|importo totale|totale documento|"
        "razem do zaplaty|do zaplaty|razem|wartosc brutto|kwota brutto|suma"),
    FieldConcept("currency", "currency", "The ISO 4217 currency code of the amounts.",
        "currency code|currency",
        "currency|wahrung|devise|monnaie|valuta|moneda|divisa|waluta"),
    FieldConcept("vendor_name", "name", "The name of the company that issued the document.",
        "vendor|supplier|seller|merchant|issuer|company name|supplier name|seller name|"
        "issuer name|business name|merchant name|store name|biller name|from|provider|store|"
        "shop|biller",
        "vendor|supplier|seller|from|issued by|bill from|sold by|merchant|"
        "lieferant|verkaufer|rechnungssteller|absender|von|"
        "fournisseur|vendeur|emetteur|de|leverancier|verkoper|van|"
        "proveedor|vendedor|emisor|fornitore|venditore|cedente|da|"
        "sprzedawca|dostawca|wystawca"),
    FieldConcept("vendor_address", "address", "The postal address of the issuer.",
        "supplier address|seller address|vendor address|issuer address|from address",
        "vendor address|supplier address|seller address"),
    FieldConcept("customer_name", "name", "The name of the customer billed.",
        "customer|client|buyer|bill to|billed to|recipient|purchaser|sold to",
        "bill to|billed to|invoice to|customer|client|sold to|buyer|to|"
        "kunde|rechnungsempfanger|empfanger|rechnung an|an|kaufer|"
        "facture a|facturer a|client|destinataire|acheteur|"
        "klant|factuur aan|afnemer|cliente|facturar a|destinatario|comprador|"
        "intestatario|fatturare a|spett le|nabywca|odbiorca|klient"),
    FieldConcept("customer_address", "address", "The postal address of the customer.",
        "billing address|client address|buyer address|customer address|bill to address",
        "billing address|customer address|client address"),
    FieldConcept("iban", "iban", "The IBAN to pay to.", "bank account|account iban|iban number",
        "iban|iban nr|iban no"),
    FieldConcept("bic", "bic", "The BIC / SWIFT code of the bank.", "swift|bic code|swift code",
        "bic|swift|bic swift|swift bic|swift code"),
    FieldConcept("vat_id", "code", "The VAT identification number of the issuer.",
        "vat number|tax id|vat id|vat registration number|tax number|supplier vat",
        "vat number|vat no|vat id|vat reg no|tax id|ust idnr|ust id nr|ust id|steuernummer|"
        "numero de tva|no tva|tva intracommunautaire|btw nummer|btw nr|btw id|"
        "nif|cif|partita iva|p iva|nip"),
    FieldConcept("customer_number", "code", "The customer or account number at the issuer.",
        "customer id|client number|customer no|account number|customer reference",
        "customer number|customer no|customer id|client no|kundennummer|kunden nr|"
        "numero client|no client|klantnummer|numero de cliente|codice cliente|numer klienta"),
    FieldConcept("payment_terms", "text", "The payment terms.", "terms|terms of payment",
        "payment terms|terms|zahlungsbedingungen|conditions de paiement|betalingsvoorwaarden|"
        "condiciones de pago|termini di pagamento|condizioni di pagamento|warunki platnosci"),
    FieldConcept("email", "text", "An e-mail address.", "e mail|mail|email address",
        "email|e mail|mail|courriel"),
    FieldConcept("phone", "text", "A telephone number.", "telephone|phone number|tel",
        "phone|tel|telephone|telefon|telefoon|telefono|tel no"),
    FieldConcept("account_holder", "name", "The holder of the bank account.",
        "holder|account owner|account name|customer name",
        "account holder|account name|kontoinhaber|titulaire du compte|titulaire|"
        "rekeninghouder|titular|titolare|wlasciciel rachunku"),
    FieldConcept("account_number", "code", "The bank account number.", "account no|account",
        "account number|account no|kontonummer|numero de compte|rekeningnummer|"
        "numero de cuenta|numero di conto|numer rachunku"),
    FieldConcept("opening_balance", "amount", "The balance at the start of the period.",
        "starting balance|previous balance|balance brought forward|start balance",
        "opening balance|previous balance|balance brought forward|starting balance|"
        "anfangssaldo|alter kontostand|alter saldo|solde initial|ancien solde|solde precedent|"
        "beginsaldo|saldo inicial|saldo iniziale|saldo poczatkowe"),
    FieldConcept("closing_balance", "amount", "The balance at the end of the period.",
        "ending balance|final balance|new balance|end balance",
        "closing balance|new balance|ending balance|balance carried forward|"
        "endsaldo|neuer kontostand|neuer saldo|solde final|nouveau solde|eindsaldo|"
        "saldo final|saldo finale|saldo koncowe"),
    FieldConcept("statement_period", "text", "The period a statement covers.", "period",
        "statement period|period|zeitraum|kontoauszug vom|periode|periodo|okres"),
    FieldConcept("bank_name", "name", "The bank's name.", "bank",
        "bank|bank name|banque|banco|banca"),
    FieldConcept("receipt_number", "code", "The receipt or transaction number.",
        "transaction number|receipt no|transaction id",
        "receipt no|receipt number|receipt #|transaction|trans no|bon nr|belegnummer|"
        "ticket no|ticket n|no de ticket|bonnummer|ticket|scontrino n|paragon nr"),
    FieldConcept("payment_method", "text", "How it was paid.", "paid with|payment type",
        "payment method|paid by|payment|zahlungsart|bezahlt mit|mode de paiement|"
        "betaalwijze|forma de pago|metodo di pagamento|forma platnosci"),
    FieldConcept("surname", "name", "The holder's surname (family name).",
        "last name|family name|lastname", "surname|last name|family name|name|nom|nachname|"
        "achternaam|apellidos|apellido|cognome|nazwisko"),
    FieldConcept("given_names", "name", "The holder's given names.",
        "first name|given name|firstname|forename", "given names|given name|first name|"
        "forenames|vornamen|vorname|prenoms|prenom|voornamen|nombre|nombres|nome|imiona|imie"),
    FieldConcept("date_of_birth", "date", "The holder's date of birth.", "birth date|dob|birthday",
        "date of birth|birth date|dob|geburtsdatum|date de naissance|geboortedatum|"
        "fecha de nacimiento|data di nascita|data urodzenia"),
    FieldConcept("document_number", "code", "The identity document's number.",
        "passport number|id number|card number|document no",
        "document number|document no|passport no|passport number|card no|id no|"
        "ausweisnummer|passnummer|dokumentennummer|numero du document|no du document|"
        "documentnummer|numero de documento|numero documento|numer dokumentu"),
    FieldConcept("nationality", "text", "The holder's nationality.", "citizenship",
        "nationality|staatsangehorigkeit|nationalite|nationaliteit|nacionalidad|"
        "nazionalita|obywatelstwo"),
    FieldConcept("expiry_date", "date", "The date the document expires.",
        "expiration date|valid until|date of expiry|expires",
        "date of expiry|expiry date|expiration date|valid until|expires|gultig bis|"
        "date d expiration|valable jusqu au|geldig tot|fecha de caducidad|"
        "fecha de expiracion|data di scadenza|scadenza|data waznosci|wazny do"),
    FieldConcept("effective_date", "date", "The date a contract takes effect.",
        "start date|commencement date|effective", "effective date|commencement date|"
        "start date|dated|inkrafttreten|date d effet|ingangsdatum|fecha de entrada en vigor|"
        "data di decorrenza|data wejscia w zycie"),
    FieldConcept("employee_name", "name", "The employee paid.", "employee|worker",
        "employee|employee name|mitarbeiter|arbeitnehmer|salarie|werknemer|empleado|"
        "dipendente|pracownik"),
    FieldConcept("net_pay", "amount", "The net pay.", "take home pay|net salary",
        "net pay|net salary|nettolohn|auszahlungsbetrag|net a payer|nettoloon|"
        "liquido a percibir|netto in busta|do wyplaty"),
    FieldConcept("gross_pay", "amount", "The gross pay.", "gross salary|gross",
        "gross pay|gross salary|bruttolohn|bruttogehalt|salaire brut|brutoloon|"
        "salario bruto|retribuzione lorda|wynagrodzenie brutto"),
)

ITEM_CONCEPTS: tuple[FieldConcept, ...] = (
    FieldConcept("description", "text", "What was sold.", "item|name|product|service|article|"
        "item description|label|designation",
        "description|item|article|product|service|details|"
        "beschreibung|bezeichnung|artikel|leistung|position|designation|libelle|produit|"
        "omschrijving|descripcion|concepto|articulo|descrizione|articolo|opis|nazwa|towar"),
    FieldConcept("quantity", "amount", "How many units.", "qty|count|units|number of units",
        "qty|quantity|menge|anzahl|anz|stk|stuck|quantite|qte|aantal|hoeveelheid|cantidad|cant|"
        "quantita|qta|pz|pezzi|ilosc|szt"),
    FieldConcept("unit_price", "amount", "The price of one unit.", "price|rate|price per unit",
        "unit price|price|rate|unit cost|einzelpreis|einzelpr|stuckpreis|preis|e preis|"
        "prix unitaire|pu|"
        "prix unit|prix unitaire ht|p u|p u ht|pu ht|prix|stukprijs|prijs|eenheidsprijs|"
        "precio unitario|precio|"
        "prezzo unitario|prezzo unit|prezzo|cena jednostkowa|cena jedn|cena netto|cena"),
    FieldConcept("amount", "amount", "The line total.", "total|line total|line amount|price total",
        "amount|line total|total|gesamtpreis|gesamt|betrag|summe|montant|total ht|montant ht|"
        "bedrag|totaal|importe|total|importo|totale|wartosc|kwota|wartosc netto"),
    FieldConcept("tax_rate", "percent", "The line's tax rate.", "vat rate|vat|tax",
        "vat|vat %|tax|mwst|ust|tva|btw|iva|vat rate|stawka vat"),
    FieldConcept("sku", "code", "The article number.", "code|item code|article number|product code",
        "sku|code|item no|art nr|artikelnummer|ref|reference|referentie|codigo|codice"),
    FieldConcept("date", "date", "The line's date.", "transaction date|booking date",
        "date|datum|fecha|data|booking date|buchungstag|value date|valuta"),
)
# fmt: on
