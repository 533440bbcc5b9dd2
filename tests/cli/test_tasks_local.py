"""summarize, ask, extract and translate on the local backend, end to end (issue 4's
"Done means"): the CLI, the boto3 client, the emulator's engines, and history. Chat is in
test_chat_local.py."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from bedrock_cli.history import History
from tests.helpers import cli
from tests.pdfmaker import make_pdf

TOPICS = ["harbour", "railway", "library", "orchard", "bridge", "market", "observatory",
          "brewery", "theatre", "mill"]


def hundred_pages() -> str:
    """100 pages (~2,100 characters each) of varied prose, generated."""
    pages = []
    for page in range(100):
        topic = TOPICS[page % len(TOPICS)]
        paragraphs = []
        for p in range(6):
            year = 1800 + page * 2 + p
            paragraphs.append(
                f"In {year} the {topic} of Lindqvist changed again. The council recorded that "
                f"{page + p + 3} families depended on the {topic} for their living that year. "
                f"Visitors described the {topic} as the busiest place in the valley, and the "
                f"chronicle for page {page + 1} lists its keepers by name. Later historians "
                f"argued that the {topic} shaped the town more than any war or flood did.")
        pages.append(f"Page {page + 1}\n\n" + "\n\n".join(paragraphs))
    return "\n\n".join(pages) + "\n"


def local(*args: str, input: str | bytes | None = None) -> object:
    return cli(["--backend", "local", *args], input=input)


def rows(home: Path) -> list[dict[str, object]]:
    return History(home / "data").rows(limit=None, oldest_first=True)


# -- summarize --------------------------------------------------------------------------

def test_a_hundred_pages_summarize_by_map_reduce(isolated_env: Path) -> None:
    text = hundred_pages()
    assert len(text) > 200_000
    Path("book.txt").write_text(text)
    run = local("summarize", "book.txt", "--json", "--length", "short")
    assert run.exit_code == 0, run.stderr
    result = run.json()
    assert result["parts"] >= 3
    assert result["calls"] == result["parts"] + 1
    assert result["inputs"] == ["book.txt"]
    sentences = [s for s in result["text"].split(". ") if s]
    assert 1 <= len(sentences) <= 2
    assert all(s.rstrip(".") in text for s in sentences)  # extractive: nothing invented
    assert "Summarizing: " in run.stderr and "parts" in run.stderr
    calls = rows(isolated_env)
    assert len(calls) == result["calls"]
    assert {c["command"] for c in calls} == {"summarize"}
    assert len({c["conversation_id"] for c in calls}) == 1
    assert calls[-1]["id"] == result["history_id"]
    assert result["usage"]["input_tokens"] == sum(c["input_tokens"] for c in calls)
    map_params = [json.loads(str(c["params"])) for c in calls[:-1]]
    assert all(p["stage"] == "map" for p in map_params)


def test_progress_bar_on_a_terminal(isolated_env: Path) -> None:

    from bedrock_cli.cli import render
    from bedrock_cli.cli.options import make_context
    from bedrock_cli.tasks import summarize as task

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    Path("book.txt").write_text(hundred_pages())
    app = make_context({"backend": "local"})
    app.output.stderr = Terminal()
    plan = task.plan(app.target,
                     task.SummarizeInput(paths=["book.txt"], chunk_tokens=20_000), logging=True)
    seen: list[tuple[int, int]] = []
    with render.progress(app, "Summarizing", len(plan.parts)) as update:
        def progress(done: int, total: int) -> None:
            seen.append((done, total))
            update(done, total)

        text, outcomes = task.map_stage(app.runtime, app.recorder, plan, progress)
    app.close()
    assert seen[-1][0] == len(outcomes) >= len(plan.parts) > 3
    assert [done for done, _ in seen] == list(range(1, len(seen) + 1))
    drawn = app.output.stderr.getvalue()
    assert "Summarizing" in drawn and f"/{len(plan.parts)}" in drawn
    assert text


@pytest.mark.parametrize(("style", "check"), [
    ("bullets", lambda out: all(line.startswith("- ") for line in out.splitlines())),
    ("tldr", lambda out: out.startswith("TL;DR: ") and out.count("\n") == 1),
])
def test_summarize_styles_from_stdin(style: str, check: object) -> None:
    story = "\n\n".join(hundred_pages().split("\n\n")[:8])
    run = local("summarize", "--style", style, input=story)
    assert run.exit_code == 0, run.stderr
    assert check(run.stdout)  # type: ignore[operator]
    assert run.stderr == ""


def test_summarize_html_and_pdf(isolated_env: Path) -> None:
    Path("page.html").write_text("<html><body><h1>Report</h1><p>The bridge over the river "
                                 "was finished in 1910 after six years of work.</p>"
                                 "<script>var hidden = 'secret';</script></body></html>")
    run = local("summarize", "page.html")
    assert run.exit_code == 0, run.stderr
    assert "bridge over the river" in run.stdout and "secret" not in run.stdout
    Path("town.pdf").write_bytes(make_pdf([["The harbour town of Lindqvist was founded by "
                                            "fishermen in 1742."]]))
    run = local("summarize", "town.pdf", "--json")
    assert run.exit_code == 0, run.stderr
    assert "Lindqvist" in run.json()["text"]
    messages = json.loads(str(rows(isolated_env)[-1]["messages"]))
    assert messages[0]["content"][0] == {"document": {"format": "pdf", "name": "town",
                                                      "omitted_bytes": True}}


# -- ask --------------------------------------------------------------------------------

@pytest.fixture
def notes() -> Path:
    folder = Path("notes")
    (folder / "asia").mkdir(parents=True)
    (folder / "france.md").write_text(
        "# France\n\nFrance is a country in Western Europe.\nIts capital is Paris, which is "
        "also its largest city.\nThe country is known for wine and cheese.\n")
    (folder / "asia" / "japan.txt").write_text(
        "Japan is an island country in East Asia.\n\nThe capital of Japan is Tokyo. Tokyo "
        "hosted the Olympics in 1964 and 2021.\n")
    (folder / "peru.html").write_text("<h1>Peru</h1><p>The capital of Peru is Lima.</p>")
    (folder / "photo.bin").write_bytes(bytes(range(256)) * 4)
    return folder


def test_ask_a_folder_of_notes_cites_the_file(notes: Path) -> None:
    run = local("ask", "What is the capital of Japan?", "-f", str(notes))
    assert run.exit_code == 0, run.stderr
    answer, sources = run.stdout.split("Sources:\n")
    assert answer.strip() == "The capital of Japan is Tokyo. [3]"
    assert sources == "- [3] notes/asia/japan.txt:3\n"
    assert "Skipped 1 file(s) that are not text (e.g. notes/photo.bin)" in run.stderr


def test_ask_json_sources_and_no_answer(notes: Path) -> None:
    run = local("ask", "What is the capital of France?", "-f", str(notes), "--json")
    assert run.exit_code == 0, run.stderr
    result = run.json()
    assert "Its capital is Paris" in result["text"]
    assert result["sources"] == [{"id": 1, "file": "notes/france.md", "lines": [4, 4]}]
    assert (result["files"], result["passages_sent"]) == (3, 3)
    assert result["question"] == "What is the capital of France?"
    run = local("ask", "What is the capital of Chile?", "-f", str(notes))
    assert run.stdout.startswith("The context does not contain the answer")
    assert "Sources searched (none cited):" in run.stdout


def test_ask_retrieves_the_relevant_passages_of_a_large_context(notes: Path) -> None:
    filler = "\n\n".join(f"Paragraph {i} is about the weather in spring, rain and wind."
                         for i in range(400))
    Path("notes/filler.txt").write_text(filler)
    run = local("ask", "What is the capital of Peru?", "-f", "notes", "--chunk-tokens", "600",
                "--json")
    assert run.exit_code == 0, run.stderr
    result = run.json()
    assert result["passages_sent"] < result["passages_total"]
    assert result["sources"][0]["file"] == "notes/peru.html"
    assert "The capital of Peru is Lima." in result["text"]
    assert "most relevant" in run.stderr


def test_ask_stdin_is_context() -> None:
    run = local("ask", "When did Tokyo host the Olympics?",
                input="The capital of Japan is Tokyo.\nTokyo hosted the Olympics in 1964.\n")
    assert run.exit_code == 0, run.stderr
    assert "1964" in run.stdout and "stdin:2" in run.stdout


def photo(path: Path, size: tuple[int, int] = (640, 480), fmt: str = "JPEG") -> Path:
    image = Image.new("RGB", size, "skyblue")
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, size[1] * 5 // 8, size[0], size[1]], fill="forestgreen")
    image.save(path, fmt)
    return path


def test_a_photo_is_described() -> None:
    run = local("ask", "What is in this picture?", "-i", str(photo(Path("meadow.jpg"))))
    assert run.exit_code == 0, run.stderr
    assert "640×480 JPEG" in run.stdout
    assert "sky blue" in run.stdout and "green" in run.stdout
    assert "cannot be recognised" in run.stdout  # honest about what it is


def test_a_too_large_image_is_downscaled_unless_no_resize() -> None:
    big = photo(Path("wide.png"), (8400, 300), "PNG")
    run = local("ask", "How big is it?", "-i", str(big))
    assert run.exit_code == 0, run.stderr
    assert "8400x300 pixels: sent downscaled to 8000x285" in run.stderr
    assert "8000×285" in run.stdout
    run = local("ask", "How big is it?", "-i", str(big), "--no-resize")
    assert run.exit_code == 2
    assert "8400x300 pixels" in run.stderr and "--no-resize" in run.stderr


# -- extract ----------------------------------------------------------------------------

INVOICE = """ACME Tools Ltd
12 Foundry Lane, Leeds

INVOICE
Invoice number: INV-2041
Date: March 3, 2025
Bill to: Jane Smith <jane.smith@example.com>

Widgets x 10        $1,000.00
Shipping              $234.50
Total due:          $1,234.50
"""


def test_an_invoice_comes_out_as_valid_typed_json(isolated_env: Path) -> None:
    Path("invoice.txt").write_text(INVOICE)
    run = local("extract", "invoice.txt", "--field", "invoice_number", "--field", "date:date",
                "--field", "total:number=The total amount due", "--field", "email")
    assert run.exit_code == 0, run.stderr
    assert json.loads(run.stdout) == {"invoice_number": "INV-2041", "date": "2025-03-03",
                                      "total": 1234.5, "email": "jane.smith@example.com"}
    assert run.stderr == ""
    [row] = rows(isolated_env)
    assert (row["command"], row["status"]) == ("extract", "complete")
    assert json.loads(str(row["response"]))["total"] == 1234.5


def test_extract_with_a_schema_file_and_json_envelope() -> None:
    Path("schema.json").write_text(json.dumps({
        "type": "object", "required": ["customer", "total"],
        "properties": {"customer": {"type": "string"}, "total": {"type": "number"},
                       "phone": {"type": ["string", "null"]}}}))
    run = local("extract", "--schema", "schema.json", "--json", input=INVOICE)
    assert run.exit_code == 0, run.stderr
    result = run.json()
    assert result["data"]["total"] == 1234.5 and result["data"]["phone"] is None
    assert result["stop_reason"] == "tool_use" and result["attempts"] == 1
    assert json.loads(result["text"]) == result["data"]


def test_extract_many_records() -> None:
    text = "Alice Brown, alice@x.com, +44 20 7946 0958\n\nBob Green, bob@y.org, +44 20 7946 0011\n"
    run = local("extract", "--many", "-F", "name", "-F", "email", input=text)
    assert run.exit_code == 0, run.stderr
    assert json.loads(run.stdout) == [{"name": "Alice Brown", "email": "alice@x.com"},
                                      {"name": "Bob Green", "email": "bob@y.org"}]


def test_the_local_answer_is_repaired_to_the_schema(isolated_env: Path) -> None:
    """The emulator's tool input always validates: 1234.5 is found, 5000 is the least the
    schema allows."""
    Path("schema.json").write_text(json.dumps({
        "type": "object", "required": ["total"],
        "properties": {"total": {"type": "number", "minimum": 5000}}}))
    run = local("extract", "--schema", "schema.json", input=INVOICE)
    assert run.exit_code == 0, run.stderr
    assert json.loads(run.stdout) == {"total": 5000}


def test_an_answer_that_never_validates_is_retried_once_then_exit_5(isolated_env: Path) -> None:
    # no number is at least 5000 and at most 100: not even the emulator can satisfy it
    Path("schema.json").write_text(json.dumps({
        "type": "object", "required": ["total"],
        "properties": {"total": {"type": "number", "minimum": 5000, "maximum": 100}}}))
    run = local("extract", "--schema", "schema.json", input=INVOICE)
    assert run.exit_code == 5
    assert run.stdout == ""
    assert "asking again" in run.stderr
    assert "does not match the schema after a retry: $.total: 100 is below the minimum " \
           "5000. Raw answer: {\"total\": 100}" in run.stderr
    calls = rows(isolated_env)
    assert len(calls) == 2
    retry = json.loads(str(calls[1]["messages"]))
    assert [m["role"] for m in retry] == ["user", "assistant", "user", "assistant"]
    assert retry[2]["content"][0]["toolResult"]["status"] == "error"


# -- translate --------------------------------------------------------------------------

def test_translate_is_declined_plainly_on_the_local_backend(isolated_env: Path) -> None:
    run = local("translate", "Hello, world.", "--to", "French")
    assert run.exit_code == 5
    assert run.stdout == ""
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 2
    assert "The local backend cannot translate" in lines[0]
    assert "--backend aws" in lines[1]
    [row] = rows(isolated_env)
    assert (row["command"], row["status"]) == ("translate", "error")


# -- bad input: exit 2, a clear message, no traceback ---------------------------------------

@pytest.fixture
def files() -> None:
    Path("blob.txt").write_bytes(b"\x00\x01\x02binary")
    Path("report.docx").write_bytes(b"PK\x03\x04")
    Path("bad.json").write_text("{nope")
    Path("notes.txt").write_text("Some text.")


@pytest.mark.usefixtures("files")
@pytest.mark.parametrize(("args", "needle"), [
    (["summarize", "missing.txt"], "File not found: missing.txt"),
    (["summarize", "blob.txt"], "looks like binary data"),
    (["summarize", "report.docx"], ".docx files are not supported"),
    (["summarize", "notes.txt", "--length", "huge"], "--length 'huge'"),
    (["summarize"], "No input given"),
    (["ask", "Why?", "-f", "missing.md"], "File not found"),
    (["ask", "Why?", "-f", "blob.txt"], "blob.txt looks like binary data"),
    (["ask", "Why?", "-f", "-"], "reads stdin, but nothing was piped in"),
    (["ask", "What is it?", "-i", "notes.txt"], "is not an image"),
    (["ask", "What is it?", "-i", "nope.png"], "Image not found"),
    (["ask", "What is it?", "-i", "photo.jpg", "-m", "nova-micro"], "does not take images"),
    (["extract", "notes.txt", "--schema", "bad.json"], "bad.json is not valid JSON"),
    (["extract", "notes.txt", "--schema", "none.json"], "Schema file not found"),
    (["extract", "notes.txt"], "Nothing to extract"),
    (["extract", "notes.txt", "-F", "x:money"], "Unknown field type"),
    (["extract", "invoice.pdf", "-F", "x"], "File not found: invoice.pdf"),
    (["translate", "notes.txt"], "Missing --to"),
    (["translate", "blob.txt", "--to", "French"], "looks like binary data"),
    (["chat", "--cid", "NOPE"], "No conversation with id"),
    (["history", "show", "01ABCDEF"], "No call with id"),
    (["history", "list", "--since", "soon"], "is not a date or time"),
    (["history", "delete"], "Give either a call id or --before"),
])
def test_bad_input_is_exit_2_with_a_short_message(args: list[str], needle: str) -> None:
    photo(Path("photo.jpg"))
    run = local(*args)
    assert run.exit_code == 2, (run.stdout, run.stderr)
    assert needle in run.stderr
    assert "Traceback" not in run.stderr
    assert 1 <= len(run.stderr.strip().splitlines()) <= 2
    assert run.stdout == ""


def test_the_readme_person_example_extracts_offline(isolated_env: Path) -> None:
    """README: `bedrock-cli extract --schema person.json bio.txt` (files in docs/examples)."""
    examples = Path(__file__).resolve().parents[2] / "docs" / "examples"
    run = local("extract", "--schema", str(examples / "person.json"), str(examples / "bio.txt"))
    assert run.exit_code == 0, run.stderr
    data = json.loads(run.stdout)
    assert data["name"] == "Maria Gonzalez" and data["age"] == 42
    assert (data["city"], data["country"]) == ("London", "United Kingdom")
    assert data["languages"] == ["English", "Spanish", "German"]
    assert data["birth_date"] == "1982-05-03" and data["occupation"] == "software engineer"
