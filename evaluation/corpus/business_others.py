"""The other kinds of business documents: receipts, bank statements, contracts, identity
documents, and (for the catch-all) letters, payslips and purchase orders, with their truth."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from evaluation.corpus.business_locale import STYLES, address, company, day, iban, money
from evaluation.corpus.sheet import Grid, Sheet

# fmt: off
WORDS: dict[str, dict[str, str]] = {
    "en": {"receipt": "RECEIPT", "total": "TOTAL", "cash": "Card payment", "thanks": "Thank you for shopping with us!",
           "statement": "Account Statement", "holder": "Account holder", "opening": "Opening balance",
           "closing": "Closing balance", "tx": "Date|Description|Amount", "period": "Statement period",
           "contract": "SERVICE AGREEMENT", "between": "This Agreement is made between {a} (the Provider) and {b} (the Client).",
           "clauses": "Term|Termination|Confidentiality|Governing law", "sign": "Signature",
           "id": "PASSPORT", "surname": "Surname", "given": "Given names", "dob": "Date of birth",
           "docno": "Passport No.", "nat": "Nationality", "expiry": "Date of expiry", "natv": "BRITISH",
           "dear": "Dear Sir or Madam,", "regards": "Yours sincerely,", "payslip": "PAYSLIP", "gross": "Gross pay",
           "net": "Net pay", "po": "PURCHASE ORDER", "deliver": "Delivery date"},
    "de": {"receipt": "KASSENBON", "total": "SUMME", "cash": "Kartenzahlung", "thanks": "Vielen Dank für Ihren Einkauf!",
           "statement": "Kontoauszug", "holder": "Kontoinhaber", "opening": "Alter Kontostand",
           "closing": "Neuer Kontostand", "tx": "Buchungstag|Verwendungszweck|Betrag", "period": "Zeitraum",
           "contract": "DIENSTLEISTUNGSVERTRAG", "between": "Zwischen {a} (Auftragnehmer) und {b} (Auftraggeber) wird folgender Vertrag geschlossen.",
           "clauses": "Vertragsdauer|Kündigung|Vertraulichkeit|Gerichtsstand", "sign": "Unterschrift",
           "id": "REISEPASS", "surname": "Name", "given": "Vornamen", "dob": "Geburtsdatum",
           "docno": "Passnummer", "nat": "Staatsangehörigkeit", "expiry": "Gültig bis", "natv": "DEUTSCH",
           "dear": "Sehr geehrte Damen und Herren,", "regards": "Mit freundlichen Grüßen", "payslip": "Lohnabrechnung",
           "gross": "Bruttolohn", "net": "Auszahlungsbetrag", "po": "BESTELLUNG", "deliver": "Liefertermin"},
    "fr": {"receipt": "TICKET DE CAISSE", "total": "TOTAL", "cash": "Paiement par carte", "thanks": "Merci de votre visite !",
           "statement": "Relevé de compte", "holder": "Titulaire du compte", "opening": "Ancien solde",
           "closing": "Nouveau solde", "tx": "Date|Libellé|Montant", "period": "Période",
           "contract": "CONTRAT DE PRESTATION DE SERVICES", "between": "Entre {a} (le Prestataire) et {b} (le Client), il a été convenu ce qui suit.",
           "clauses": "Durée|Résiliation|Confidentialité|Droit applicable", "sign": "Signature",
           "id": "CARTE NATIONALE D'IDENTITÉ", "surname": "Nom", "given": "Prénoms", "dob": "Date de naissance",
           "docno": "N° du document", "nat": "Nationalité", "expiry": "Date d'expiration", "natv": "FRANÇAISE",
           "dear": "Madame, Monsieur,", "regards": "Veuillez agréer nos salutations distinguées.", "payslip": "BULLETIN DE PAIE",
           "gross": "Salaire brut", "net": "Net à payer", "po": "BON DE COMMANDE", "deliver": "Date de livraison"},
    "nl": {"receipt": "KASSABON", "total": "TOTAAL", "cash": "Betaald met pin", "thanks": "Bedankt voor uw bezoek!",
           "statement": "Rekeningafschrift", "holder": "Rekeninghouder", "opening": "Beginsaldo",
           "closing": "Eindsaldo", "tx": "Datum|Omschrijving|Bedrag", "period": "Periode",
           "contract": "OVEREENKOMST VAN OPDRACHT", "between": "Deze overeenkomst is gesloten tussen {a} (opdrachtnemer) en {b} (opdrachtgever).",
           "clauses": "Duur|Opzegging|Geheimhouding|Toepasselijk recht", "sign": "Handtekening",
           "id": "IDENTITEITSKAART", "surname": "Achternaam", "given": "Voornamen", "dob": "Geboortedatum",
           "docno": "Documentnummer", "nat": "Nationaliteit", "expiry": "Geldig tot", "natv": "NEDERLANDSE",
           "dear": "Geachte heer, mevrouw,", "regards": "Met vriendelijke groet,", "payslip": "LOONSTROOK",
           "gross": "Brutoloon", "net": "Nettoloon", "po": "INKOOPORDER", "deliver": "Leverdatum"},
    "es": {"receipt": "TICKET", "total": "TOTAL", "cash": "Pago con tarjeta", "thanks": "¡Gracias por su compra!",
           "statement": "Extracto de cuenta", "holder": "Titular", "opening": "Saldo inicial",
           "closing": "Saldo final", "tx": "Fecha|Concepto|Importe", "period": "Periodo",
           "contract": "CONTRATO DE PRESTACIÓN DE SERVICIOS", "between": "Entre {a} (el Proveedor) y {b} (el Cliente) se acuerdan las siguientes cláusulas.",
           "clauses": "Duración|Resolución|Confidencialidad|Ley aplicable", "sign": "Firma",
           "id": "DOCUMENTO NACIONAL DE IDENTIDAD", "surname": "Apellidos", "given": "Nombre", "dob": "Fecha de nacimiento",
           "docno": "Número de documento", "nat": "Nacionalidad", "expiry": "Fecha de caducidad", "natv": "ESPAÑOLA",
           "dear": "Estimados señores:", "regards": "Atentamente,", "payslip": "NÓMINA",
           "gross": "Salario bruto", "net": "Líquido a percibir", "po": "ORDEN DE COMPRA", "deliver": "Fecha de entrega"},
    "it": {"receipt": "SCONTRINO", "total": "TOTALE", "cash": "Pagamento con carta", "thanks": "Grazie e arrivederci!",
           "statement": "Estratto conto", "holder": "Titolare", "opening": "Saldo iniziale",
           "closing": "Saldo finale", "tx": "Data|Descrizione|Importo", "period": "Periodo",
           "contract": "CONTRATTO DI SERVIZI", "between": "Tra {a} (il Fornitore) e {b} (il Cliente) si conviene quanto segue.",
           "clauses": "Durata|Recesso|Riservatezza|Legge applicabile", "sign": "Firma",
           "id": "CARTA D'IDENTITÀ", "surname": "Cognome", "given": "Nome", "dob": "Data di nascita",
           "docno": "Numero documento", "nat": "Cittadinanza", "expiry": "Scadenza", "natv": "ITALIANA",
           "dear": "Gentile Cliente,", "regards": "Cordiali saluti,", "payslip": "BUSTA PAGA",
           "gross": "Retribuzione lorda", "net": "Netto in busta", "po": "ORDINE DI ACQUISTO", "deliver": "Data di consegna"},
    "pl": {"receipt": "PARAGON FISKALNY", "total": "SUMA", "cash": "Płatność kartą", "thanks": "Dziękujemy za zakupy!",
           "statement": "Wyciąg bankowy", "holder": "Właściciel rachunku", "opening": "Saldo początkowe",
           "closing": "Saldo końcowe", "tx": "Data|Opis|Kwota", "period": "Okres",
           "contract": "UMOWA O ŚWIADCZENIE USŁUG", "between": "Umowa zawarta pomiędzy {a} (Wykonawca) a {b} (Zamawiający).",
           "clauses": "Czas trwania|Wypowiedzenie|Poufność|Prawo właściwe", "sign": "Podpis",
           "id": "DOWÓD OSOBISTY", "surname": "Nazwisko", "given": "Imiona", "dob": "Data urodzenia",
           "docno": "Numer dokumentu", "nat": "Obywatelstwo", "expiry": "Data ważności", "natv": "POLSKIE",
           "dear": "Szanowni Państwo,", "regards": "Z poważaniem,", "payslip": "PASEK WYNAGRODZEŃ",
           "gross": "Wynagrodzenie brutto", "net": "Do wypłaty", "po": "ZAMÓWIENIE", "deliver": "Termin dostawy"},
}
# fmt: on
_SURNAMES = ("Schmidt", "Dubois", "Jansen", "García", "Rossi", "Nowak", "Smith", "Weber")
_GIVEN = ("Anna Maria", "Jean", "Pieter", "Lucía", "Marco", "Katarzyna", "John Paul", "Lena")

Made = tuple[list[Sheet], dict[str, Any]]


def _start(rng: random.Random) -> date:
    return date(2026, 1, 1) + timedelta(days=rng.randrange(330))


def receipt(rng: random.Random, language: str) -> Made:
    style, w, sheet = rng.choice(STYLES[language]), WORDS[language], Sheet()
    store = company(rng, language)
    when = _start(rng)
    sheet.text(297, 40, store, size=14, bold=True, align="center")
    sheet.text(297, 58, ", ".join(address(rng, language)), size=8, align="center")
    sheet.text(297, 80, w["receipt"], size=11, bold=True, align="center")
    sheet.text(
        200, 100, f"{day(when, style)}  {rng.randrange(8, 20)}:{rng.randrange(60):02d}", size=9
    )
    total, y = 0.0, 125.0
    for _ in range(rng.randint(2, 6)):
        price = round(rng.uniform(0.5, 40), 2)
        total += price
        sheet.text(
            200, y, rng.choice(("Coffee", "Bread", "Milk", "Apples", "Water", "Pasta")), size=9
        )
        sheet.text(400, y, money(price, style, sign=False), size=9, align="right")
        y += 13
    total = round(total, 2)
    sheet.text(200, y + 10, w["total"], size=11, bold=True)
    sheet.text(400, y + 10, money(total, style), size=11, bold=True, align="right")
    sheet.text(200, y + 30, w["cash"], size=9)
    sheet.text(297, y + 55, w["thanks"], size=9, align="center")
    truth = {"vendor_name": store, "date": when.isoformat(), "total_amount": total,
             "currency": style.currency}  # fmt: skip
    return [sheet], truth


def bank_statement(rng: random.Random, language: str, *, pages: int = 1) -> Made:
    style, w = rng.choice(STYLES[language]), WORDS[language]
    bank, holder, account = company(rng, language), company(rng, language), iban(rng, language)
    opening = round(rng.uniform(100, 20000), 2)
    balance, sheets, when = opening, [], _start(rng)
    for page in range(pages):
        sheet = Sheet()
        sheet.text(40, 40, bank, size=14, bold=True)
        sheet.text(330, 40, w["statement"], size=14, bold=True)
        if page == 0:
            sheet.text(330, 70, f"{w['holder']}: {holder}", size=9)
            sheet.text(330, 84, f"IBAN: {account}", size=9)
            sheet.text(
                330,
                98,
                f"{w['period']}: {day(when, style)} - {day(when + timedelta(days=30), style)}",
                size=9,
            )
            sheet.text(40, 130, w["opening"], size=10)
            sheet.text(555, 130, money(opening, style), size=10, align="right")
        rows: list[tuple[str, ...]] = [tuple(w["tx"].split("|"))]
        for _ in range(rng.randint(4, 9)):
            amount = round(rng.uniform(-900, 900), 2)
            balance = round(balance + amount, 2)
            when += timedelta(days=rng.randint(0, 3))
            rows.append((day(when, style), rng.choice(("SEPA transfer", "Card payment", "Standing order", "Salary")),
                         money(amount, style, sign=False)))  # fmt: skip
        sheet.grid(Grid(40, 160, (110, 300, 105), tuple(rows), ruled=False, right_align_from=2))
        if page == pages - 1:
            y = 160 + 16 * len(rows) + 20
            sheet.text(40, y, w["closing"], size=10, bold=True)
            sheet.text(555, y, money(balance, style), size=10, bold=True, align="right")
        sheet.text(480, 800, f"{page + 1}/{pages}", size=8)
        sheets.append(sheet)
    truth = {"bank_name": bank, "account_holder": holder, "iban": account,
             "opening_balance": opening, "closing_balance": balance}  # fmt: skip
    return sheets, truth


def contract(rng: random.Random, language: str, *, pages: int = 2) -> Made:
    style, w = rng.choice(STYLES[language]), WORDS[language]
    a, b, when = company(rng, language), company(rng, language), _start(rng)
    clauses = w["clauses"].split("|")
    sheets = []
    for page in range(pages):
        sheet = Sheet()
        y = 60.0
        if page == 0:
            sheet.text(297, 50, w["contract"], size=15, bold=True, align="center")
            sheet.text(40, 90, w["between"].format(a=a, b=b), size=9)
            sheet.text(40, 104, day(when, style), size=9)
            y = 130.0
        for n, clause in enumerate(clauses[page * 2 : page * 2 + 2], start=page * 2 + 1):
            sheet.text(40, y, f"{n}. {clause}", size=11, bold=True)
            for line in range(4):
                sheet.text(
                    40,
                    y + 18 + line * 12,
                    f"{clause} § {n}.{line + 1} " + "lorem ipsum " * 8,
                    size=8,
                )
            y += 90
        if page == pages - 1:
            sheet.text(40, 700, f"{w['sign']}: ______________________", size=9)
            sheet.text(320, 700, f"{w['sign']}: ______________________", size=9)
        sheet.text(297, 800, f"{page + 1} / {pages}", size=8, align="center")
        sheets.append(sheet)
    return sheets, {"effective_date": when.isoformat(), "parties": [a, b]}


def _passport_day(value: date) -> str:
    """How identity documents print dates: `03 JUL 1956`."""
    return f"{value.day:02d} {value.strftime('%b').upper()} {value.year}"


def identity_document(rng: random.Random, language: str) -> Made:
    w = WORDS[language]
    surname, given = rng.choice(_SURNAMES), rng.choice(_GIVEN)
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(18000))
    expiry = date(2027, 1, 1) + timedelta(days=rng.randrange(3000))
    number = f"{rng.choice('CPXL')}{rng.randrange(10**7, 10**8)}"
    sheet = Sheet()
    sheet.frame(60, 60, 420, 250)
    sheet.text(80, 75, w["id"], size=14, bold=True)
    fields = ((w["surname"], surname.upper()), (w["given"], given.upper()), (w["nat"], w["natv"]),
              (w["dob"], _passport_day(born)), (w["docno"], number), (w["expiry"], _passport_day(expiry)))  # fmt: skip
    for n, (label, value) in enumerate(fields):
        sheet.text(200, 105 + n * 30, label, size=7)
        sheet.text(200, 115 + n * 30, value, size=11)
    sheet.frame(80, 110, 100, 130)
    truth = {"surname": surname.upper(), "given_names": given.upper(), "date_of_birth": born.isoformat(),
             "document_number": number, "expiry_date": expiry.isoformat()}  # fmt: skip
    return [sheet], truth


def letter(rng: random.Random, language: str) -> Made:
    w, sheet = WORDS[language], Sheet()
    sender = company(rng, language)
    sheet.text(40, 40, sender, size=12, bold=True)
    sheet.text(40, 56, ", ".join(address(rng, language)), size=9)
    sheet.text(40, 140, w["dear"], size=10)
    for line in range(6):
        sheet.text(40, 165 + line * 14, "lorem ipsum dolor sit amet " * 3, size=10)
    sheet.text(40, 280, w["regards"], size=10)
    sheet.text(40, 300, sender, size=10)
    return [sheet], {"sender": sender}


def payslip(rng: random.Random, language: str) -> Made:
    style, w, sheet = rng.choice(STYLES[language]), WORDS[language], Sheet()
    employer = company(rng, language)
    gross = round(rng.uniform(2000, 7000), 2)
    sheet.text(40, 40, employer, size=12, bold=True)
    sheet.text(360, 40, w["payslip"], size=14, bold=True)
    sheet.text(40, 90, f"{rng.choice(_GIVEN)} {rng.choice(_SURNAMES)}", size=10)
    sheet.text(40, 130, w["gross"], size=10)
    sheet.text(555, 130, money(gross, style), size=10, align="right")
    sheet.text(40, 150, w["net"], size=10, bold=True)
    sheet.text(555, 150, money(round(gross * 0.68, 2), style), size=10, align="right")
    return [sheet], {"gross_pay": gross}


def purchase_order(rng: random.Random, language: str) -> Made:
    style, w, sheet = rng.choice(STYLES[language]), WORDS[language], Sheet()
    buyer = company(rng, language)
    sheet.text(40, 40, buyer, size=12, bold=True)
    sheet.text(360, 40, w["po"], size=14, bold=True)
    sheet.text(360, 70, f"PO-{rng.randrange(1000, 99999)}", size=10)
    sheet.text(360, 85, f"{w['deliver']}: {day(_start(rng), style)}", size=10)
    rows = (
        ("Item", "Qty"),
        *((rng.choice(("Paper", "Pens", "Desks")), str(rng.randint(1, 50))) for _ in range(3)),
    )
    sheet.grid(Grid(40, 140, (300, 80), tuple(rows)))
    return [sheet], {"buyer": buyer}
