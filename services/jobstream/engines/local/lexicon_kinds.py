"""Document kinds: how a category may name one (`names`), and the cues its pages typically carry
(`cues`, folded, in en, de, fr, nl, es, it, pl; `|` separates them).

A category named "Invoice" or described as "bills from suppliers" takes the invoice cues; a
category the lexicon does not know is scored on its own words only. `CATCH_ALL` are the words
that make a category the one to pick when nothing fits.
"""

from __future__ import annotations

from dataclasses import dataclass

from jobstream.engines.local.text import word_set


@dataclass(frozen=True, slots=True)
class DocumentKind:
    key: str
    names: str  # words a category name or description uses for this kind
    titles: str  # the kind's title as printed (strong cue at the top of a page)
    cues: str  # terms its pages typically contain


# fmt: off
KINDS: tuple[DocumentKind, ...] = (
    DocumentKind("invoice",
        "invoice|invoices|bill|bills|billing|rechnung|facture|factuur|factura|fattura|faktura",
        "invoice|tax invoice|rechnung|facture|factuur|factura|fattura|faktura|faktura vat",
        "invoice number|invoice date|due date|bill to|subtotal|vat|tax|total due|amount due|"
        "payment terms|iban|rechnungsnummer|rechnungsdatum|zahlbar bis|mwst|ust|numero de facture|"
        "tva|total ttc|echeance|factuurnummer|btw|vervaldatum|numero de factura|iva|vencimiento|"
        "numero fattura|scadenza|imponibile|numer faktury|nabywca|sprzedawca|do zaplaty|netto"),
    DocumentKind("receipt", "receipt|receipts|till|sales slip|quittung|kassenbon|beleg|recu|ticket|"
        "kassabon|bon|recibo|ricevuta|scontrino|paragon",
        "receipt|sales receipt|kassenbon|quittung|ticket de caisse|recu|kassabon|kassabon|"
        "recibo|ticket|scontrino|ricevuta|paragon fiskalny|paragon",
        "cash|change|card|visa|mastercard|thank you|cashier|store|bar|bargeld|ruckgeld|karte|"
        "vielen dank|especes|rendu|carte|merci|contant|wisselgeld|pin|bedankt|efectivo|cambio|"
        "tarjeta|gracias|contanti|resto|carta|grazie|gotowka|reszta|karta|dziekujemy|kasjer"),
    DocumentKind("bank_statement", "bank statement|statement|account statement|kontoauszug|releve|"
        "releve de compte|rekeningafschrift|extracto|estratto conto|wyciag",
        "bank statement|account statement|statement of account|kontoauszug|releve de compte|"
        "rekeningafschrift|extracto bancario|extracto de cuenta|estratto conto|wyciag bankowy",
        "opening balance|closing balance|account number|iban|transactions|debit|credit|balance|"
        "anfangssaldo|endsaldo|kontostand|soll|haben|buchungstag|solde|debit|credit|saldo|"
        "bij|af|cargo|abono|addebito|accredito|saldo poczatkowe|saldo koncowe|uznania|obciazenia"),
    DocumentKind("contract", "contract|contracts|agreement|agreements|vertrag|contrat|overeenkomst|"
        "contrato|contratto|umowa|terms and conditions",
        "agreement|contract|service agreement|vertrag|dienstleistungsvertrag|contrat|"
        "contrat de prestation|overeenkomst|contrato|contratto|umowa",
        "party|parties|hereinafter|whereas|term|termination|governing law|signature|signed|"
        "obligations|liability|confidentiality|clause|vertragsparteien|kundigung|"
        "gerichtsstand|unterschrift|parties|resiliation|signature|partijen|opzegging|"
        "handtekening|partes|clausula|firma|parti|clausola|recesso|strony|wypowiedzenie|podpis"),
    DocumentKind("identity_document",
        "identity document|identity|id|id card|identity card|passport|driving licence|"
        "drivers license|personalausweis|reisepass|ausweis|carte d identite|passeport|"
        "identiteitskaart|paspoort|dni|documento de identidad|pasaporte|carta d identita|"
        "passaporto|dowod osobisty|paszport",
        "passport|identity card|id card|personalausweis|reisepass|carte nationale d identite|"
        "passeport|identiteitskaart|paspoort|documento nacional de identidad|pasaporte|"
        "carta d identita|passaporto|dowod osobisty|paszport",
        "surname|given names|date of birth|place of birth|nationality|sex|date of expiry|"
        "document number|nachname|vornamen|geburtsdatum|staatsangehorigkeit|nom|prenoms|"
        "date de naissance|nationalite|achternaam|voornamen|geboortedatum|apellidos|nombre|"
        "fecha de nacimiento|cognome|nome|data di nascita|nazwisko|imiona|data urodzenia"),
    DocumentKind("payslip", "payslip|pay slip|payroll|salary statement|wage|lohnabrechnung|"
        "gehaltsabrechnung|bulletin de paie|fiche de paie|loonstrook|nomina|busta paga|pasek",
        "payslip|pay slip|earnings statement|lohnabrechnung|gehaltsabrechnung|bulletin de paie|"
        "loonstrook|nomina|busta paga|pasek wynagrodzen",
        "gross pay|net pay|employee|employer|deductions|income tax|national insurance|"
        "bruttolohn|nettolohn|arbeitnehmer|lohnsteuer|salaire brut|net a payer|cotisations|"
        "brutoloon|nettoloon|salario|retencion|retribuzione|trattenute|brutto|netto|skladki"),
    DocumentKind("purchase_order", "purchase order|purchase orders|po|order|bestellung|"
        "bon de commande|inkooporder|bestelling|orden de compra|pedido|ordine di acquisto|"
        "zamowienie",
        "purchase order|bestellung|bon de commande|inkooporder|orden de compra|"
        "ordine di acquisto|zamowienie",
        "order number|order date|delivery date|ship to|deliver to|requested by|buyer|"
        "bestellnummer|lieferdatum|lieferadresse|date de livraison|leverdatum|"
        "fecha de entrega|data di consegna|termin dostawy"),
    DocumentKind("quote", "quote|quotation|estimate|offer|angebot|kostenvoranschlag|devis|offerte|"
        "presupuesto|preventivo|oferta", "quotation|quote|estimate|angebot|devis|offerte|"
        "presupuesto|preventivo|oferta",
        "valid until|quote number|estimate|gultig bis|angebotsnummer|valable|geldig tot|"
        "validez|validita|wazna do"),
    DocumentKind("letter", "letter|letters|correspondence|brief|schreiben|lettre|courrier|"
        "carta|lettera|list|pismo", "",
        "dear|sincerely|regards|yours faithfully|sehr geehrte|mit freundlichen grussen|madame|"
        "monsieur|cordialement|geachte|met vriendelijke groet|estimado|atentamente|gentile|"
        "cordiali saluti|szanowni|z powazaniem"),
    DocumentKind("credit_note", "credit note|credit memo|gutschrift|avoir|creditnota|"
        "nota de credito|nota di credito|faktura korygujaca",
        "credit note|gutschrift|avoir|creditnota|nota de credito|nota di credito|"
        "faktura korygujaca",
        "credit|refund|gutschrift|remboursement|terugbetaling|abono|rimborso"),
)
# fmt: on

CATCH_ALL = word_set(
    "other others misc miscellaneous unknown else rest none unclassified sonstige sonstiges "
    "andere autre autres divers overig overige otro otros altro altri inne pozostale"
)
