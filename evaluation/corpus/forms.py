"""Labeled PDF forms, made deterministically: AcroForms (text, multi-line, checkbox, radio group,
choice list; labels left of or above the widgets) and flat forms (rules, underscores, dotted
leaders, empty boxes, label/value tables, drawn checkboxes, a signature line), in English,
German, French and Spanish. Each case records the fields it truly has and fill cases whose
instructions are `Label: value` lines, a JSON object or free sentences, with the values that
must come back (checkboxes `"true"`/`"false"`; every field not listed stays empty).
"""

from __future__ import annotations

import functools
import json

from evaluation.corpus.form_drawing import (
    ExpectedField,
    FillCase,
    FormCase,
    finish,
    new_form,
)

__all__ = ["ExpectedField", "FillCase", "FormCase", "form_cases"]

MARIA = (
    "The applicant is Maria Lopez, born 12 April 1990. Her email is maria.lopez@example.com "
    "and her phone number is +34 612 345 678. She lives at Calle Mayor 5 in Zaragoza, postal "
    "code 50001, Spain. She is female, married, and agrees to the terms."
)


def _application_en() -> FormCase:
    buffer, f = new_form()
    f.text(50, 40, "Membership application", size=16)
    x = 180
    f.acro_text("applicant.full_name", "Full name", x, 80, 260)
    f.acro_text("applicant.birth_date", "Date of birth (DD/MM/YYYY)", x, 110, 110, maxlen=10)
    f.acro_text("contact.email", "Email address", x, 140, 260)
    f.acro_text("contact.phone", "Phone number", x, 170, 160)
    f.acro_text("address.street", "Street address", x, 200, 260)
    f.acro_text("address.city", "City", x, 230, 160)
    f.acro_text("address.zip", "Postal code", x, 260, 80, maxlen=5)
    f.acro_choice("address.country", "Country", ["Spain", "France", "Germany", "Italy"], x, 290)
    f.acro_radio("gender", "Gender", [("m", "Male"), ("f", "Female")], x, 323)
    f.acro_checkbox("married", "Married", 50, 355)
    f.acro_checkbox("terms", "I agree to the terms", 50, 380)
    f.acro_text("comments", "Comments", x, 410, 300, h=60, multiline=True, maxlen=400)
    sentence = {
        "applicant.full_name": "Maria Lopez", "applicant.birth_date": "12/04/1990",
        "contact.email": "maria.lopez@example.com", "contact.phone": "+34 612 345 678",
        "address.street": "Calle Mayor 5", "address.city": "Zaragoza", "address.zip": "50001",
        "address.country": "Spain", "gender": "Female", "married": "true", "terms": "true",
    }  # fmt: skip
    lines = (
        "Full name: John Smith\nEmail address: john@example.org\nCity: Leeds\n"
        "Country: Italy\nGender: male\nMarried: no\nComments: Please call after 6 pm, "
        "preferably on weekdays; I work late on Mondays and Thursdays."
    )
    expected_lines = {
        "applicant.full_name": "John Smith", "contact.email": "john@example.org",
        "address.city": "Leeds", "address.country": "Italy", "gender": "Male",
        "married": "false", "comments": "Please call after 6 pm, preferably on weekdays; I "
        "work late on Mondays and Thursdays.",
    }  # fmt: skip
    fills = (
        FillCase("sentence", MARIA, sentence),
        FillCase("lines", lines, expected_lines),
    )
    return FormCase(
        "acroform_application_en", "acroform", finish(buffer, f), tuple(f.fields), fills
    )


def _antrag_de() -> FormCase:
    buffer, f = new_form()
    f.text(50, 40, "Antrag auf Mitgliedschaft", size=16)
    f.acro_text("vorname", "Vorname", 50, 90, 200, where="above")
    f.acro_text("nachname", "Nachname", 300, 90, 220, where="above")
    f.acro_text("geburtsdatum", "Geburtsdatum (TT.MM.JJJJ)", 50, 140, 120, where="above")
    f.acro_text("email", "E-Mail", 300, 140, 220, where="above")
    f.acro_text("strasse", "Straße und Hausnummer", 50, 190, 300, where="above")
    f.acro_text("plz", "PLZ", 50, 240, 70, where="above", maxlen=5)
    f.acro_text("ort", "Ort", 150, 240, 200, where="above")
    f.acro_checkbox("einverstanden", "Ich bin mit den Bedingungen einverstanden", 50, 280)
    values = {
        "Vorname": "Jan", "Nachname": "Kowalski", "Geburtsdatum": "3. März 1985",
        "E-Mail": "jan.kowalski@example.de", "PLZ": "10115", "Ort": "Berlin",
        "Ich bin mit den Bedingungen einverstanden": "ja",
    }  # fmt: skip
    expected = {
        "vorname": "Jan", "nachname": "Kowalski", "geburtsdatum": "03.03.1985",
        "email": "jan.kowalski@example.de", "plz": "10115", "ort": "Berlin",
        "einverstanden": "true",
    }  # fmt: skip
    by_key = {"vorname": "Anna", "nachname": "Schmidt", "ort": "München", "einverstanden": True}
    fills = (
        FillCase("lines", "\n".join(f"{k}: {v}" for k, v in values.items()), expected),
        FillCase("json_keys", json.dumps(by_key, ensure_ascii=False),
                 {**{k: str(v) for k, v in by_key.items()}, "einverstanden": "true"}),
        FillCase("sentence", "The applicant is Jan Kowalski, born on 3 March 1985, and lives "
                 "in Berlin.", {"vorname": "Jan", "nachname": "Kowalski",
                                "geburtsdatum": "03.03.1985", "ort": "Berlin"}),
    )  # fmt: skip
    return FormCase("acroform_antrag_de", "acroform", finish(buffer, f), tuple(f.fields), fills)


def _registration_en() -> FormCase:
    buffer, f = new_form()
    f.text(50, 40, "Event registration", size=16)
    f.flat_rule("full_name", "Full name", 50, 80, 300)
    f.flat_blank("email", "Email", 50, 110, "_", 40)
    f.flat_blank("city", "City", 50, 140, ".", 60)
    f.flat_box("company", "Company", 180, 165, 260, 20)
    f.flat_checkbox("vegetarian_meal", "Vegetarian meal", 50, 205)
    f.flat_checkbox("i_agree_to_the_terms", "I agree to the terms", 200, 205)
    f.flat_table(["job_title", "phone_number"], ["Job title", "Phone number"], 50, 240)
    f.flat_caption_rule("signature", "Signature", 50, 330, 200)
    sentence = (
        "The applicant is Maria Lopez, email maria.lopez@example.com, phone number "
        "+34 612 345 678. She works at ACME Robotics as a research engineer, lives in "
        "Zaragoza and agrees to the terms; no vegetarian meal."
    )
    expected = {
        "full_name": "Maria Lopez", "email": "maria.lopez@example.com",
        "phone_number": "+34 612 345 678", "company": "ACME Robotics",
        "job_title": "research engineer", "city": "Zaragoza", "i_agree_to_the_terms": "true",
        "vegetarian_meal": "false",
    }  # fmt: skip
    lines = "Full name: Li Wei\nCity: Shanghai\nJob title: Designer\nVegetarian meal: yes"
    fills = (
        FillCase("sentence", sentence, expected),
        FillCase("lines", lines, {"full_name": "Li Wei", "city": "Shanghai",
                                  "job_title": "Designer", "vegetarian_meal": "true"}),
    )  # fmt: skip
    return FormCase("flat_registration_en", "flat", finish(buffer, f), tuple(f.fields), fills)


def _inscription_fr() -> FormCase:
    buffer, f = new_form()
    f.text(50, 40, "Formulaire d'inscription", size=16)
    f.flat_box("nom_complet", "Nom complet", 50, 95, 300, 22, where="above")
    f.flat_box("date_de_naissance", "Date de naissance", 50, 150, 140, 22, where="above")
    f.flat_box("adresse_e_mail", "Adresse e-mail", 220, 150, 230, 22, where="above")
    f.flat_box("commentaires", "Commentaires", 50, 205, 400, 60, where="above")
    f.flat_checkbox("j_accepte_les_conditions", "J'accepte les conditions", 50, 285)
    lines = (
        "Nom complet: Élodie Martin\nDate de naissance: 14/07/1992\n"
        "Adresse e-mail: elodie.martin@example.fr\nJ'accepte les conditions: oui\n"
        "Commentaires: Merci de m'envoyer la confirmation par courrier électronique "
        "et de prévoir un accès pour fauteuil roulant."
    )
    expected = {
        "nom_complet": "Élodie Martin", "date_de_naissance": "14/07/1992",
        "adresse_e_mail": "elodie.martin@example.fr", "j_accepte_les_conditions": "true",
        "commentaires": "Merci de m'envoyer la confirmation par courrier électronique et de "
        "prévoir un accès pour fauteuil roulant.",
    }  # fmt: skip
    fills = (FillCase("lines", lines, expected),)
    return FormCase("flat_inscription_fr", "flat", finish(buffer, f), tuple(f.fields), fills)


def _solicitud_es() -> FormCase:
    buffer, f = new_form()
    f.text(50, 40, "Solicitud de empleo", size=16)
    keys = ["nombre", "apellidos", "fecha_de_nacimiento", "correo_electronico", "telefono",
            "ciudad"]  # fmt: skip
    labels = ["Nombre", "Apellidos", "Fecha de nacimiento", "Correo electrónico", "Teléfono",
              "Ciudad"]  # fmt: skip
    f.flat_table(keys, labels, 50, 80)
    f.flat_checkbox("disponibilidad_inmediata", "Disponibilidad inmediata", 50, 215)
    values = {
        "Nombre": "Lucía",
        "Apellidos": "García Pérez",
        "Correo electrónico": "lucia.garcia@example.es",
        "Ciudad": "Sevilla",
        "Disponibilidad inmediata": "sí",
    }
    expected = {"nombre": "Lucía", "apellidos": "García Pérez",
                "correo_electronico": "lucia.garcia@example.es", "ciudad": "Sevilla",
                "disponibilidad_inmediata": "true"}  # fmt: skip
    fills = (FillCase("json_labels", json.dumps(values, ensure_ascii=False), expected),)
    return FormCase("flat_solicitud_es", "flat", finish(buffer, f), tuple(f.fields), fills)


@functools.cache
def form_cases() -> tuple[FormCase, ...]:
    """Every labeled form, AcroForms first."""
    return (_application_en(), _antrag_de(), _registration_en(), _inscription_fr(),
            _solicitud_es())  # fmt: skip
