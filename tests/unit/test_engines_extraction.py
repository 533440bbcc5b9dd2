"""Schema filling from text: typed values found in the text, null where nothing fits."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bedrock_cli.local.engines.extraction import fill
from bedrock_cli.local.engines.extraction_finders import dates, to_number
from bedrock_cli.local.engines.extraction_words import keywords

INVOICE = """ACME WIDGETS LTD.
42 Industrial Way, Springfield, IL 62704
Phone: +1 (555) 123-4567   Email: billing@acme-widgets.com
www.acme-widgets.com

INVOICE

Invoice #INV-2024-001
Invoice Date: March 15, 2024        Due Date: 14/04/2024
Order No. 12345
PO Number: PO-7788

Bill To:
Jane Doe
Globex Corporation
jane.doe@globex.example

Description              Qty    Unit Price     Amount
Blue widgets              10       $25.00     $250.00
Gadget assembly kit        2      $450.00     $900.00
Installation service       1       $84.50      $84.50

Subtotal: $1,234.50
Tax (8%): $98.76
Total: $1,333.26

Payment terms: Net 30
Paid: No

Sincerely,
John Smith
"""


def obj(**properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": properties}


STRING: dict[str, Any] = {"type": "string"}
DATE: dict[str, Any] = {"type": "string", "format": "date"}
NUMBER: dict[str, Any] = {"type": "number"}


def test_invoice_core_fields() -> None:
    result = fill(
        obj(
            invoice_number=STRING,
            invoice_date=DATE,
            due_date=DATE,
            total=NUMBER,
            email=STRING,
            purchase_order_date=DATE,
            discount=NUMBER,
            tracking_number=STRING,
        ),
        INVOICE,
    )
    assert result == {
        "invoice_number": "INV-2024-001",
        "invoice_date": "2024-03-15",
        "due_date": "2024-04-14",
        "total": 1333.26,
        "email": "billing@acme-widgets.com",
        "purchase_order_date": None,
        "discount": None,
        "tracking_number": None,
    }
    assert isinstance(result["total"], float)


def test_invoice_more_fields_with_their_types() -> None:
    result = fill(
        obj(
            subtotal=NUMBER,
            tax={"type": "number", "description": "sales tax amount"},
            amount_due=NUMBER,
            order_number=STRING,
            po_number=STRING,
            customer_name=STRING,
            customer_email={"type": "string", "format": "email"},
            vendor={"type": "string", "description": "company that issued the invoice"},
            phone=STRING,
            website=STRING,
            paid={"type": "boolean"},
            payment_terms=STRING,
            signed_by=STRING,
        ),
        INVOICE,
    )
    assert result == {
        "subtotal": 1234.5,
        "tax": 98.76,
        "amount_due": 1333.26,
        "order_number": "12345",
        "po_number": "PO-7788",
        "customer_name": "Jane Doe",
        "customer_email": "jane.doe@globex.example",
        "vendor": "ACME WIDGETS LTD",
        "phone": "+1 (555) 123-4567",
        "website": "www.acme-widgets.com",
        "paid": False,
        "payment_terms": "Net 30",
        "signed_by": "John Smith",
    }


def test_invoice_line_items_from_the_table() -> None:
    item = obj(description=STRING, quantity={"type": "integer"}, unit_price=NUMBER, amount=NUMBER)
    result = fill(obj(line_items={"type": "array", "items": item}), INVOICE)
    assert isinstance(result, dict)
    assert result["line_items"] == [
        {"description": "Blue widgets", "quantity": 10, "unit_price": 25.0, "amount": 250.0},
        {"description": "Gadget assembly kit", "quantity": 2, "unit_price": 450.0, "amount": 900.0},
        {"description": "Installation service", "quantity": 1, "unit_price": 84.5, "amount": 84.5},
    ]
    assert all(isinstance(row["quantity"], int) for row in result["line_items"])


def test_nothing_is_invented_from_unrelated_text() -> None:
    schema = obj(name=STRING, total=NUMBER, date=DATE, email=STRING, count={"type": "integer"})
    assert fill(schema, "The weather was lovely and nobody said anything.") == {
        "name": None,
        "total": None,
        "date": None,
        "email": None,
        "count": None,
    }
    assert fill(schema, "") == dict.fromkeys(["name", "total", "date", "email", "count"])


LETTER = """From: Sarah Connor <sarah@cyberdyne.example>
To: Miles Dyson <miles.dyson@sky.example>
Date: Tue, 5 Nov 2024
Subject: Meeting on the 12th

Dear Miles,

Could we meet on 12 November 2024 at the Los Angeles office? The budget is €15.000,00 and we
expect 25 attendees. Call me on 555-0199-2233 if needed. Catering included: yes.

Topics: security review, budget approval, hiring plan

Best regards,
Sarah Connor
Cyberdyne Systems Inc.
"""


def test_letter_fields() -> None:
    result = fill(
        obj(
            sender=STRING,
            sender_email={"type": "string", "format": "email"},
            recipient_name=STRING,
            sent=DATE,
            meeting_date={"type": "string", "format": "date", "description": "when we meet"},
            budget=NUMBER,
            attendees={"type": "integer", "description": "number of attendees"},
            phone=STRING,
            catering={"type": "boolean"},
            topics={"type": "array", "items": STRING},
            company=STRING,
            subject=STRING,
            priority={"type": "string", "enum": ["low", "high"]},
        ),
        LETTER,
    )
    assert result == {
        "sender": "Sarah Connor",
        "sender_email": "sarah@cyberdyne.example",
        "recipient_name": "Miles Dyson",
        "sent": "2024-11-05",
        "meeting_date": "2024-11-12",
        "budget": 15000.0,
        "attendees": 25,
        "phone": "555-0199-2233",
        "catering": True,
        "topics": ["security review", "budget approval", "hiring plan"],
        "company": "Cyberdyne Systems Inc.",
        "subject": "Meeting on the 12th",
        "priority": None,
    }


def test_many_records_from_list_items() -> None:
    people = (
        "- Alice Johnson, alice@example.com, born 1990-04-02\n"
        "- Bob Stone, bob@example.com, born 03/15/1985\n"
        "- Carol White, carol@example.org\n"
    )
    schema = {
        "type": "array",
        "items": obj(name=STRING, email=STRING, birth_date=DATE),
    }
    assert fill(schema, people) == [
        {"name": "Alice Johnson", "email": "alice@example.com", "birth_date": "1990-04-02"},
        {"name": "Bob Stone", "email": "bob@example.com", "birth_date": "1985-03-15"},
        {"name": "Carol White", "email": "carol@example.org", "birth_date": None},
    ]


def test_array_of_plain_values_collects_every_one() -> None:
    schema = {"type": "array", "items": {"type": "string", "format": "email"}}
    text = "Write to a@example.com or b@example.org; a@example.com again."
    assert fill(schema, text) == ["a@example.com", "b@example.org"]


def test_label_lines_enums_nullable_types_and_integers() -> None:
    schema = {
        "properties": {
            "name": {"type": ["string", "null"]},
            "age": {"type": "integer"},
            "status": {"type": "string", "enum": ["open", "closed"]},
            "nickname": STRING,
        }
    }
    text = "Name: Bob Marley\nAge: 36 years\nStatus: Closed since May"
    assert fill(schema, text) == {
        "name": "Bob Marley",
        "age": 36,
        "status": "closed",
        "nickname": None,
    }


def test_cli_style_types_date_and_list() -> None:
    schema = obj(when={"type": "date"}, tags={"type": "list"})
    text = "When: 2024-07-01\nTags: red, green and blue"
    assert fill(schema, text) == {"when": "2024-07-01", "tags": ["red", "green", "blue"]}


def test_bullet_list_under_a_label() -> None:
    text = "Ingredients:\n- flour\n- sugar\n- two eggs\n\nBake for 20 minutes."
    schema = obj(ingredients={"type": "array", "items": STRING}, minutes={"type": "integer"})
    assert fill(schema, text) == {"ingredients": ["flour", "sugar", "two eggs"], "minutes": 20}


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2024-03-15", "2024-03-15"),
        ("2024/3/5", "2024-03-05"),
        ("March 15, 2024", "2024-03-15"),
        ("Mar. 15th 2024", "2024-03-15"),
        ("15 March 2024", "2024-03-15"),
        ("15th of March, 2024", "2024-03-15"),
        ("15-Mar-2024", "2024-03-15"),
        ("14/04/2024", "2024-04-14"),  # day first: 14 cannot be a month
        ("04/14/2024", "2024-04-14"),  # month first
        ("03/04/2024", "2024-03-04"),  # ambiguous with "/": month first
        ("03.04.2024", "2024-04-03"),  # ambiguous with ".": day first
        ("1.2.99", "1999-02-01"),
    ],
)
def test_date_formats(text: str, iso: str) -> None:
    assert [d.value for d in dates(f"on {text} we met")] == [iso]


def test_impossible_dates_are_not_dates() -> None:
    assert dates("31/02/2024 and 2024-13-01") == []


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("1,234.50", 1234.5),
        ("1.234,50", 1234.5),
        ("1234,5", 1234.5),
        ("1,000,000", 1e6),
        ("12", 12.0),
    ],
)
def test_numbers_in_both_conventions(raw: str, value: float) -> None:
    assert to_number(raw) == value


def test_keywords_normalise_labels() -> None:
    assert keywords("Invoice #") == ["invoice", "number"]
    assert keywords("Order No.") == ["order", "number"]
    assert keywords("invoiceNumber") == ["invoice", "number"]
    assert keywords("E-mail address") == ["email", "address"]


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_values_always_have_the_schema_types(text: str) -> None:
    schema = obj(
        total=NUMBER,
        count={"type": "integer"},
        ok={"type": "boolean"},
        name=STRING,
        when=DATE,
        tags={"type": "array", "items": STRING},
    )
    result = fill(schema, text)
    assert isinstance(result, dict)
    types = {"total": float, "count": int, "ok": bool, "name": str, "when": str, "tags": list}
    for key, kind in types.items():
        assert result[key] is None or type(result[key]) is kind


# -------------------------------------------- people and places: ages, gazetteer, lists

PERSON = {
    "type": "object",
    "properties": {
        "name": {"type": "string"}, "age": {"type": ["integer", "null"]},
        "city": {"type": ["string", "null"], "description": "Where the person lives"},
        "country": {"type": ["string", "null"]}, "occupation": {"type": ["string", "null"]},
        "birthplace": {"type": ["string", "null"]},
        "languages": {"type": "array", "items": {"type": "string"}},
        "hobbies": {"type": ["array", "null"], "items": {"type": "string"}},
        "salary": {"type": ["number", "null"]},
        "birth_date": {"type": ["string", "null"], "format": "date"},
    },
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Maria Gonzalez is a 42-year-old software engineer who lives in London, United "
         "Kingdom. She was born on 3 May 1982 in Madrid, Spain, and speaks English, French and "
         "German, and is learning Japanese. She earns £85,000 a year.",
         {"age": 42, "city": "London", "country": "United Kingdom", "birthplace": "Madrid",
          "occupation": "software engineer", "languages": ["English", "French", "German"],
          "salary": 85000.0, "birth_date": "1982-05-03"}),
        ("John Smith, aged 35, is a nurse from Manchester. He speaks English and Welsh. His "
         "hobbies include chess, hiking and cooking.",
         {"age": 35, "city": "Manchester", "country": "United Kingdom", "birthplace": None,
          "occupation": "nurse", "languages": ["English", "Welsh"],
          "hobbies": ["chess", "hiking", "cooking"]}),
        ("Priya (31) was born in Mumbai and now works as a data analyst in Toronto. She is "
         "fluent in Hindi and French.",
         {"age": 31, "city": "Toronto", "country": "Canada", "birthplace": "Mumbai",
          "occupation": "data analyst", "languages": ["Hindi", "French"]}),
        ("Name: Akira Tanaka\nAge: 28\nCity: Osaka\nLanguages: Japanese, English",
         {"name": "Akira Tanaka", "age": 28, "city": "Osaka", "country": "Japan",
          "languages": ["Japanese", "English"]}),
    ],
)
def test_people_facts_are_typed_fields(text: str, expected: dict[str, object]) -> None:
    got = fill(PERSON, text)
    assert isinstance(got, dict)
    assert {k: got[k] for k in expected} == expected


def test_nothing_is_invented_for_a_text_without_people_facts() -> None:
    got = fill(PERSON, "The weather was nice and the trains ran on time.")
    assert isinstance(got, dict)
    assert all(v is None for v in got.values())


def test_the_gazetteer_ships_every_country_and_hundreds_of_cities() -> None:
    from bedrock_cli.local.engines.extraction_facts import gazetteer

    g = gazetteer()
    assert len(set(g.countries.values())) >= 195
    assert len(g.cities) >= 300
    assert g.cities["Nairobi"] == "Kenya" and g.countries["UK"] == "United Kingdom"
    assert {"English", "Swahili", "Mandarin"} <= g.languages


def test_a_labelled_value_beats_the_gazetteer() -> None:
    text = "City: Springfield\nAge: 31\nCountry: USA\nWe also have an office in London."
    got = fill(PERSON, text)
    assert isinstance(got, dict)
    assert (got["city"], got["age"], got["country"]) == ("Springfield", 31, "USA")
