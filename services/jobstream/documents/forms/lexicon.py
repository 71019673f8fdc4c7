"""What common form labels mean, in the languages documents come in, and how sentences say them.

A field's label is mapped to a concept (the first whose keyword it contains, most specific
first: "Email address" is an email, not an address); a concept lists the cues that introduce
its value in free text ("born" for a date of birth, "works at" for an employer) and the kind of
value it takes, so the local engine can check what it picks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from jobstream.documents.forms.values import normalized

ValueKind = Literal["text", "email", "phone", "date", "name", "first_name", "last_name"]


@dataclass(frozen=True, slots=True)
class Concept:
    name: str
    keywords: tuple[str, ...]  # found in a label
    cues: tuple[str, ...]  # introduce the value in a sentence
    kind: ValueKind = "text"


def _words(text: str) -> tuple[str, ...]:
    return tuple(w.strip() for w in text.split(",") if w.strip())


CONCEPTS: tuple[Concept, ...] = (
    Concept("email", _words("email, e mail, correo, courriel, posta elettronica"),
            _words("email address, email, e-mail, mail, reached by email at"), "email"),
    Concept("phone", _words("phone, telephone, tel, mobile, cell, telefon, telefono, telefone, "
                            "teléfono, téléphone, portable, handy"),
            _words("phone number, phone, telephone, mobile, call, reached at"), "phone"),
    Concept("birth_date", _words("date of birth, birth date, birthdate, dob, geburtsdatum, "
                                 "date de naissance, fecha de nacimiento, data di nascita, "
                                 "geboortedatum, data urodzenia, data de nascimento"),
            _words("date of birth, born on, born, birthday, dob, birth date"), "date"),
    Concept("birth_place", _words("place of birth, birthplace, geburtsort, lieu de naissance, "
                                  "lugar de nacimiento, luogo di nascita, geboorteplaats"),
            _words("place of birth, born in, birthplace")),
    Concept("first_name", _words("first name, given name, forename, vorname, prénom, prenom, "
                                 "nombre de pila, voornaam, imię, imie"),
            _words("first name, given name, forename"), "first_name"),
    Concept("last_name", _words("last name, surname, family name, nachname, familienname, "
                                "nom de famille, apellido, apellidos, cognome, achternaam, "
                                "nazwisko, sobrenome"),
            _words("last name, surname, family name"), "last_name"),
    Concept("postal_code", _words("zip, postal code, postcode, post code, plz, postleitzahl, "
                                  "code postal, código postal, codigo postal, cap, postcode"),
            _words("zip code, zip, postal code, postcode, post code")),
    Concept("nationality", _words("nationality, citizenship, staatsangehörigkeit, "
                                  "nationalité, nacionalidad, nazionalità, nationaliteit"),
            _words("nationality, citizen of, citizenship")),
    Concept("country", _words("country, land, pays, país, pais, paese, kraj"),
            _words("country, lives in the country")),
    Concept("employer", _words("employer, company, arbeitgeber, firma, employeur, empresa, "
                               "azienda, werkgever, pracodawca"),
            _words("works at, works for, employed by, employer, company")),
    Concept("position", _words("position, job title, occupation, profession, beruf, role, "
                               "poste, puesto, cargo, functie, stanowisko"),
            (*_words("works as, job title, position, occupation, profession, role"),
             "re:(?<=\\w )as an?(?=\\s)")),
    Concept("full_name", _words("full name, name, applicant, nombre, nom, nome, naam, "
                                "nazwisko i imię, imię i nazwisko"),
            _words("full name, my name is, name is, named, called, applicant is, applicant, "
                   "i am"), "name"),
    Concept("address", _words("address, street, adresse, anschrift, straße, strasse, "
                              "dirección, direccion, domicilio, indirizzo, adres, morada"),
            _words("lives at, living at, resides at, address is, address, street")),
    Concept("city", _words("city, town, stadt, ort, ville, ciudad, città, citta, plaats, "
                           "woonplaats, miasto, cidade, localidad"),
            (*_words("lives in, living in, resides in, based in, city, town"),
             "re:\\bin(?=\\s+(?-i:[A-Z]))")),
    Concept("date", _words("date, datum, fecha, data, dated"),
            _words("dated, date, signed on, on the date"), "date"),
)  # fmt: skip
NAMES_CONCEPT = next(c for c in CONCEPTS if c.name == "full_name")
STOP_WORDS = frozenset(
    [
        "i",
        "we",
        "me",
        "the",
        "a",
        "an",
        "of",
        "and",
        "or",
        "to",
        "in",
        "on",
        "at",
        "for",
        "your",
        "you",
        "my",
        "his",
        "her",
        "their",
        "is",
        "are",
        "please",
        "if",
        "de",
        "la",
        "le",
        "les",
        "du",
        "des",
        "der",
        "die",
        "das",
        "und",
        "von",
        "el",
        "los",
        "las",
        "y",
        "del",
        "di",
        "il",
        "e",
        "en",
        "het",
        "van",
        "een",
    ]
)


def concept_of(label: str) -> Concept | None:
    """The concept a label names, most specific first; None for labels the lexicon lacks."""
    text = f" {normalized(label)} "
    for concept in CONCEPTS:
        if any(f" {normalized(k)} " in text for k in concept.keywords):
            return concept
    return None


def content_words(text: str) -> tuple[str, ...]:
    """A label's or a clause's meaningful words, each cut to a 5-letter stem."""
    return tuple(w[:5] for w in normalized(text).split() if w not in STOP_WORDS)


def cue_pattern(cue: str) -> re.Pattern[str]:
    """A cue's pattern: its words apart from other words; `re:` cues are regular expressions
    (`in` before a capitalized word introduces a city, `as a` after a word a position)."""
    if cue.startswith("re:"):
        return re.compile(cue[3:], re.IGNORECASE)
    words = [re.escape(w) for w in cue.split()]
    return re.compile(r"(?<![\w@.])" + r"[\s-]+".join(words) + r"(?![\w@])", re.IGNORECASE)
