"""Issue 13.2: what is piped in goes through the same content detection as a named file: an
HTML page is read as its text (no script, no markup), a PDF as a PDF, text as text."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import cli
from tests.pdfmaker import make_pdf

PAGE = """<!DOCTYPE html>
<html><head><title>Acme Pricing</title>
<script>var tracking = "The Pro plan costs 999 dollars per month according to the script";</script>
<style>body { color: red; }</style></head>
<body><h1>Acme Pricing</h1>
<p>Acme offers three plans for teams of every size. The Basic plan costs 10 dollars per month
and includes one user.</p>
<p>The Pro plan costs 49 dollars per month and includes ten users, priority support and daily
backups.</p>
<p>The Enterprise plan is priced on request and includes unlimited users, a dedicated manager
and an uptime guarantee.</p>
<p>All plans can be cancelled at any time, and annual billing saves two months compared with
monthly billing.</p>
<p>Customers in Europe are billed in euros, and prices exclude local taxes where they apply.</p>
</body></html>
"""


def local(*args: str, input: str | bytes | None = None) -> object:
    return cli(["--backend", "local", *args], input=input)


@pytest.mark.parametrize("dash", [[], ["-"]])
@pytest.mark.parametrize("length", ["short", "long"])
def test_summarize_html_from_stdin_as_from_the_file(dash: list[str], length: str) -> None:
    Path("page.html").write_text(PAGE)
    named = local("summarize", "page.html", "--length", length)
    piped = local("summarize", *dash, "--length", length, input=PAGE)
    assert piped.exit_code == named.exit_code == 0, piped.stderr  # type: ignore[attr-defined]
    assert piped.stdout == named.stdout  # type: ignore[attr-defined]
    assert "<" not in piped.stdout and "999" not in piped.stdout  # type: ignore[attr-defined]


def test_summarize_length_is_honoured_for_piped_html() -> None:
    short = local("summarize", "--length", "short", input=PAGE).stdout  # type: ignore[attr-defined]
    long = local("summarize", "--length", "long", input=PAGE).stdout  # type: ignore[attr-defined]
    assert short.count(". ") < long.count(". ")


def test_ask_answers_piped_html_from_its_text_not_its_script() -> None:
    run = local("ask", "How much is the Pro plan?", input=PAGE)
    assert run.exit_code == 0, run.stderr  # type: ignore[attr-defined]
    assert "49 dollars" in run.stdout and "999" not in run.stdout  # type: ignore[attr-defined]
    assert "<script>" not in run.stdout  # type: ignore[attr-defined]


def test_extract_from_piped_html() -> None:
    run = local("extract", "--field", "pro_price:number", "--json", input=PAGE)
    assert run.exit_code == 0, run.stderr  # type: ignore[attr-defined]
    assert run.json()["data"] == {"pro_price": 49}  # type: ignore[attr-defined]


def test_a_piped_pdf_is_read_as_a_pdf() -> None:
    pdf = make_pdf([["The harbour town of Lindqvist was founded by fishermen in 1620.",
                     "The lighthouse was built in 1750 and still works today."]])
    run = local("ask", "When was the lighthouse built?", input=pdf)
    assert run.exit_code == 0, run.stderr  # type: ignore[attr-defined]
    assert "1750" in run.stdout  # type: ignore[attr-defined]
    run = local("summarize", "--json", input=pdf)
    assert run.exit_code == 0, run.stderr  # type: ignore[attr-defined]
    assert run.json()["inputs"] == ["stdin"]  # type: ignore[attr-defined]
    assert "Lindqvist" in run.json()["text"]  # type: ignore[attr-defined]


def test_piped_markdown_and_text_stay_as_written() -> None:
    text = "<!-- notes -->\n# Plans\n\nThe Pro plan costs 49 dollars per month.\n"
    run = local("ask", "How much is the Pro plan?", "--json", input=text)
    assert run.exit_code == 0, run.stderr  # type: ignore[attr-defined]
    assert "49 dollars" in run.json()["text"]  # type: ignore[attr-defined]
