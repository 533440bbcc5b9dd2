"""Bad input, generated: argv, stdin, files, images, JSON bodies and schemas from hypothesis.

Every run goes through the real CLI on the AWS path against the `serve` emulator (which
refuses what Bedrock refuses), and must hold these, whatever the input:

* no traceback and no exit 1 (BEDROCK_CLI_RAISE_INTERNAL makes an internal error an
  exception here, so one cannot hide behind a message);
* an exit code from SPEC §6;
* exit 2 (bad input) means nothing was sent: the endpoint saw zero requests;
* nothing broken is sent: the endpoint never answers 400 (ValidationException) to a request
  the CLI built — except where the service has the last word: `invoke`'s body is the user's
  own, passed on as given; an id the catalog does not know is called as given; whether a
  prompt fits the context window is Bedrock's judgement; the emulator refuses to translate.

The emulator's engines are shortened for speed (a blank picture instead of a diffusion render,
at most 8 tokens of text); every validation it makes is untouched.
"""

from __future__ import annotations

import io
import json
import os
import random
import struct
import time
import zlib
from collections.abc import Iterator
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, currently_in_test_context, event, given, settings
from hypothesis import strategies as st

from bedrock_cli.pytest_plugin import LocalBedrock, start_local_bedrock
from tests.helpers import Run, cli

pytestmark = pytest.mark.slow

#: 25 fixed examples per test in the suite; FUZZ_EXAMPLES=N explores N random ones instead
EXPLORE = int(os.environ.get("FUZZ_EXAMPLES") or 0)
FUZZ = settings(max_examples=EXPLORE or 25, deadline=None, derandomize=not EXPLORE,
                database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large])
INVALID_INPUT = 2
EXIT_CODES = {0, 2, 3, 4, 5, 6}


_EXAMPLE_STARTED = [0.0]  # when the running example began (perf_counter)


@pytest.fixture(scope="module")
def endpoint() -> Iterator[LocalBedrock]:
    from PIL import Image

    from bedrock_cli.local import image_render
    from bedrock_cli.local.engines import textlm

    stream = textlm.LanguageModel.stream

    def short(self: Any, prompt: str, *, max_tokens: int, **kw: Any) -> Any:
        return stream(self, prompt, max_tokens=min(max_tokens, 8), **kw)

    def blank(_r: Any, _limits: Any, width: int, height: int, *_a: Any) -> Any:
        return Image.new("RGB", (width, height), (90, 120, 200))

    def record(exchange: Any) -> None:
        # A request the CLI gave up on (a tiny --read-timeout) may be answered after the next
        # example began: it belongs to the example that sent it, not to the next one's count.
        if time.perf_counter() - exchange.ms / 1000 >= _EXAMPLE_STARTED[0]:
            local.requests.append(exchange)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(textlm.LanguageModel, "stream", short)
        patch.setattr(image_render, "_render_one", blank)
        local, thread = start_local_bedrock(record=record)
        try:
            yield local
        finally:
            thread.stop(grace=0.5)


@pytest.fixture
def call(endpoint: LocalBedrock, aws_env: None, monkeypatch: pytest.MonkeyPatch) -> Any:
    from botocore.retries.standard import ExponentialBackoff

    monkeypatch.setattr(ExponentialBackoff, "_DEFAULT_BACKOFF_CONFIG",
                        {"throttling_base_scale": 0.001, "non_throttling_base_scale": 0.0005})

    def run(args: list[str], *, stdin: bytes | None = None, service_decides: bool = False) -> Run:
        _EXAMPLE_STARTED[0] = time.perf_counter()
        endpoint.reset()
        result = cli(["--backend", "aws", "--endpoint-url", endpoint.endpoint_url,
                      "--region", "us-east-1", *args], input=stdin)
        # An input that surely cannot fit the context window exits 2 before the call (a lower
        # bound on its tokens); nearer the limit it is Bedrock's call, in Bedrock's tokens
        # ("Input is too long for requested model.").
        oversized = stdin is not None and len(stdin) > 1_000_000
        # A Bedrock-shaped id the catalog does not know is called as given (DESIGN): whether
        # it exists is Bedrock's answer. The emulator refuses to translate, by design.
        unknown = "translate" in args or _service_knows(args)
        check(result, endpoint, args, service_decides=service_decides or oversized or unknown)
        return result

    return run


def _service_knows(names: list[str]) -> bool:
    """Whether Bedrock, not the CLI, decides about a model named here: a Bedrock-shaped id the
    catalog does not know is called as given, and a catalog model the Region cannot call at
    all is sent as named ("Bedrock will say so"; the hint then names the Regions)."""
    return bool(UNKNOWN_IDS.intersection(names)) or any(map(_not_callable_here, names))


def _not_callable_here(name: str, region: str = "us-east-1") -> bool:
    from bedrock_cli.catalog import get_catalog

    model = get_catalog().find(name)
    return model is not None and not model.on_demand_in(region) and \
        model.profile_geography_for(region) is None


def check(run: Run, endpoint: LocalBedrock, args: list[str], *, service_decides: bool) -> None:
    if currently_in_test_context():
        event(f"exit {run.exit_code}")  # --hypothesis-show-statistics shows the spread
    shown = f"argv={args!r}\nexit={run.exit_code}\nstderr={run.stderr[-600:]!r}"
    assert run.exception is None, f"{shown}\n{run.exception!r}"
    assert "Traceback" not in run.stderr, shown
    assert run.exit_code in EXIT_CODES, shown
    if run.exit_code == INVALID_INPUT:
        assert endpoint.requests == [], f"exit 2 after sending a request\n{shown}"
    if not service_decides:
        rejected = [r for r in endpoint.requests if r.status == 400]
        assert rejected == [], f"a broken request was sent: {rejected[0].body[:300]!r}\n{shown}"


# -- values ---------------------------------------------------------------------------------

NUMBER = st.one_of(
    st.integers(-(10**12), 10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["", "abc", "1e999", "0x10", " 3 ", "-0", "1_000", "٣", "0.5", "1", "8"]),
)
SMALL_INT = st.one_of(st.integers(-3, 12).map(str), NUMBER)
TEXT = st.text(max_size=30)
UNKNOWN_IDS = {"anthropic.claude-x-v9:0", "meta.llama4-maverick-17b-instruct-v1:0",
               "openai.gpt-oss-20b-1:0",
               "amazon.titan-embed-text-v1"}  # drawn by the embed test (FUZZ_EXAMPLES=300)
TEXT_MODELS = st.sampled_from([
    "nova-lite", "nova-pro", "nova-micro", "haiku", "sonnet", "llama", "mistral", "titan-text",
    "cohere", "canvas", "titan-embed", "nope", "amazon.nova-lite-v1:0",
    "us.amazon.nova-lite-v1:0", "anthropic.claude-x-v9:0",
    "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0", "", "a" * 300,
    "meta.llama4-maverick-17b-instruct-v1:0", "openai.gpt-oss-20b-1:0"])
IMAGE_MODELS = st.sampled_from(["canvas", "titan-image", "sd3", "ultra", "core", "sdxl",
                                "nova-lite", "nope", "amazon.nova-canvas-v1:0"])


def _png(width: int, height: int) -> bytes:
    """A PNG header claiming width×height, with almost no pixel data behind it."""
    ihdr = struct.pack("!IIBBBBB", width, height, 8, 2, 0, 0, 0)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack("!I", len(data)) + kind + data + \
            struct.pack("!I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + \
        chunk(b"IDAT", zlib.compress(b"\x00" * 8)) + chunk(b"IEND", b"")


def _image(fmt: str, size: tuple[int, int], mode: str = "RGB") -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new(mode, size, (200, 30, 30, 255) if mode == "RGBA" else (200, 30, 30)).save(
        buffer, fmt)
    return buffer.getvalue()


def _pdf() -> bytes:
    from tests.pdfmaker import make_pdf

    return make_pdf([["The harbour town of Lindqvist was founded in 1620."] * 30])


#: file contents: name → bytes (built lazily, some are large)
KINDS: dict[str, Any] = {
    "empty": lambda: b"",
    "text": lambda: b"The river runs north past the old mill. It floods in spring.\n" * 3,
    "latin-1": lambda: "café crème, déjà vu — naïve\n".encode("latin-1", "replace"),
    "binary": lambda: bytes(range(256)) * 4,
    "nul text": lambda: b"hello\x00world",
    "json": lambda: b'{"a": 1}',
    "huge text": lambda: b"lorem ipsum dolor sit amet " * 200_000,  # 5.4 MB
    "png 64": lambda: _image("PNG", (64, 64)),
    "png 512 rgba": lambda: _image("PNG", (512, 512), "RGBA"),
    "jpeg 640x480": lambda: _image("JPEG", (640, 480)),
    "gif 32": lambda: _image("GIF", (32, 32)),
    "webp 100": lambda: _image("WEBP", (100, 100)),
    "bmp 50": lambda: _image("BMP", (50, 50)),
    "truncated png": lambda: _image("PNG", (300, 300))[:80],
    "truncated jpeg": lambda: _image("JPEG", (640, 480))[:200],
    "png header 9000x9000": lambda: _png(9000, 9000),
    "png header 100000x100000": lambda: _png(100_000, 100_000),
    "png magic, garbage": lambda: b"\x89PNG\r\n\x1a\n" + b"garbage" * 20,
    "pdf garbage": lambda: b"%PDF-1.7\n" + bytes(range(256)),
    "pdf random": lambda: b"%PDF-1.7\n" + random.Random(13).randbytes(3000),
    "pdf truncated": lambda: _pdf()[: len(_pdf()) // 3],
    "pdf": lambda: _pdf(),
}
EXTENSIONS = ["", ".txt", ".md", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".pdf", ".json",
              ".html", ".csv", ".docx", ".bin", ".exe", ".PNG"]
_serial = count()


def make_file(directory: Path, kind: str, ext: str) -> Path:
    path = directory / f"f{next(_serial)}-{kind.replace(' ', '_')}{ext}"
    path.write_bytes(KINDS[kind]())
    return path


FILE = st.tuples(st.sampled_from(sorted(KINDS)), st.sampled_from(EXTENSIONS))
#: files a task reads as text (a 5 MB one would be summarized in dozens of calls)
TEXT_FILE = st.tuples(st.sampled_from(sorted(set(KINDS) - {"huge text"})),
                      st.sampled_from(EXTENSIONS))


def draw_options(data: st.DataObject, options: dict[str, Any], most: int = 5) -> list[str]:
    """A random subset of `options` (name → value strategy, or None for a flag)."""
    args: list[str] = []
    for name in data.draw(st.lists(st.sampled_from(sorted(options)), max_size=most,
                                   unique=True)):
        strategy = options[name]
        args += [name] if strategy is None else [name, data.draw(strategy)]
    return args


COMMON = {"--json": None, "--format": st.sampled_from(["text", "json", "markdown", "auto",
                                                        "yaml", ""]),
          "--read-timeout": NUMBER, "--connect-timeout": NUMBER, "--max-attempts": SMALL_INT,
          "--retry-mode": st.sampled_from(["standard", "adaptive", "legacy", "fast", ""]),
          "--no-log": None, "--quiet": None}


# -- the commands -----------------------------------------------------------------------------


@FUZZ
@given(data=st.data())
def test_generate_argv_stdin_and_attachments(call: Any, tmp_path: Path,
                                             data: st.DataObject) -> None:
    options = {
        "-m": TEXT_MODELS, "--system": TEXT, "--temperature": NUMBER, "--top-p": NUMBER,
        "--top-k": SMALL_INT, "--max-tokens": SMALL_INT, "--stop": TEXT, "--seed": NUMBER,
        "--no-stream": None, "--usage": None, "--api": st.sampled_from(["converse", "invoke",
                                                                        "native", ""]),
        "--cid": TEXT, **COMMON,
    }
    args = ["generate", *data.draw(st.lists(TEXT, max_size=1)), *draw_options(data, options)]
    for kind, ext in data.draw(st.lists(FILE, max_size=2)):
        args += ["--attach", str(make_file(tmp_path, kind, ext))]
    stdin = data.draw(st.one_of(st.none(), st.binary(max_size=200),
                                st.sampled_from([b"", b"\xff\xfe\x00bad", "ünïcode".encode()])))
    call(args, stdin=stdin)


JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                  max_size=4),
    max_leaves=12)
NATIVE_KEYS = st.sampled_from(["messages", "prompt", "inputText", "schemaVersion",
                               "max_tokens", "max_new_tokens", "inferenceConfig",
                               "anthropic_version", "textGenerationConfig", "temperature"])
BODY = st.one_of(
    JSON_VALUE.map(json.dumps),
    st.dictionaries(NATIVE_KEYS, JSON_VALUE, max_size=5).map(json.dumps),
    st.text(max_size=40),
    st.sampled_from(["", "{", "[1,", "null", "{\"messages\": []}", "\ufeff{}", "NaN",
                     '{"a": NaN}', "1e999999"]),
)


@FUZZ
@given(data=st.data())
def test_invoke_bodies_and_outputs(call: Any, tmp_path: Path, data: st.DataObject) -> None:
    args = ["invoke", data.draw(TEXT_MODELS)]
    stdin = None
    how = data.draw(st.sampled_from(["text", "file", "stdin", "none"]))
    if how == "text":
        args += ["--body", data.draw(BODY)]
    elif how == "file":
        kind = data.draw(st.sampled_from(["json", "empty", "binary", "latin-1", "huge text",
                                          "text"]))
        path = make_file(tmp_path, kind, ".json")
        if data.draw(st.booleans()):
            path.write_text(data.draw(BODY), encoding="utf-8", errors="surrogatepass")
        args += ["--body", "@" + str(path)]
    elif how == "stdin":
        args += ["--body", "-"] if data.draw(st.booleans()) else []
        stdin = data.draw(BODY).encode("utf-8", "surrogatepass")
    existing = None
    target = data.draw(st.sampled_from(["none", "new", "existing", "directory", "missing dir"]))
    if target != "none":
        out = {"new": tmp_path / f"new{next(_serial)}.json", "directory": tmp_path,
               "missing dir": tmp_path / "no" / "such" / "out.json",
               "existing": tmp_path / f"old{next(_serial)}.json"}[target]
        if target == "existing":
            out.write_bytes(b"keep me")
            existing = out
        args += ["-o", str(out)]
    args += draw_options(data, {"--stream": None, "--force": None, **COMMON}, 3)
    run = call(args, stdin=stdin, service_decides=True)
    if existing is not None and "--force" not in args:
        assert existing.read_bytes() == b"keep me"
        assert run.exit_code == INVALID_INPUT


SCHEMA = st.one_of(
    JSON_VALUE.map(json.dumps),
    st.fixed_dictionaries({"type": st.sampled_from(["object", "array", "string", "nope"])},
                          optional={"properties": st.dictionaries(
                              st.text(max_size=8),
                              st.fixed_dictionaries({}, optional={
                                  "type": st.sampled_from(["string", "number", "integer",
                                                           "boolean", "array", "object",
                                                           "null", "date", 5]),
                                  "enum": st.lists(JSON_VALUE, max_size=3),
                                  "items": JSON_VALUE, "format": TEXT}),
                              max_size=4),
                              "required": st.lists(st.text(max_size=8), max_size=3),
                              "items": JSON_VALUE}).map(json.dumps),
    st.sampled_from(["", "{", "not json", "[]", "null", '{"type": "object"}']),
)


@FUZZ
@given(data=st.data())
def test_extract_schemas_and_fields(call: Any, tmp_path: Path, data: st.DataObject) -> None:
    args = ["extract", data.draw(TEXT)]
    if data.draw(st.booleans()):
        schema = tmp_path / f"schema{next(_serial)}.json"
        schema.write_bytes(data.draw(SCHEMA).encode("utf-8", "surrogatepass")
                           if data.draw(st.integers(0, 4)) else KINDS["binary"]())
        args += ["--schema", str(schema)]
    for _ in range(data.draw(st.integers(0, 3))):
        args += ["-F", data.draw(st.one_of(TEXT, st.sampled_from([
            "name", "name:string", "total:number=the sum", "when:date", "x:nope", ":", "a:b:c",
            "tags:list", "n:integer", "ok:boolean"])))]
    args += draw_options(data, {"--many": None, "-m": TEXT_MODELS, **COMMON}, 3)
    call(args)


@FUZZ
@given(data=st.data())
def test_image_argv_and_input_images(call: Any, tmp_path: Path, data: st.DataObject) -> None:
    size = st.one_of(st.sampled_from(["1024x1024", "512x512", "320x320", "100x100",
                                      "4096x4096", "1024x1023", "0x0", "x", "1e3x1e3", ""]),
                     TEXT)
    options = {
        "-m": IMAGE_MODELS, "--size": size, "--width": SMALL_INT, "--height": SMALL_INT,
        "--aspect": st.one_of(st.sampled_from(["1:1", "16:9", "21:9", "9:21", "1:5", "0:1",
                                               "a:b"]), TEXT),
        "-n": SMALL_INT, "--seed": NUMBER, "--cfg-scale": NUMBER,
        "--quality": st.sampled_from(["standard", "premium", "ultra", ""]),
        "--steps": SMALL_INT, "--negative": TEXT, "--strength": NUMBER,
        "--mask-prompt": TEXT, "--outpaint": None, "--remove-background": None,
        "--colors": st.one_of(st.sampled_from(["#FF0000", "#ff0000,#00ff00", "red", "#FFF",
                                               ",".join(["#123456"] * 11)]), TEXT),
        "--control": st.sampled_from(["canny", "segmentation", "edges"]),
        "--control-strength": NUMBER, "--force": None, **COMMON,
    }
    args = ["image", *data.draw(st.lists(TEXT, max_size=1)), *draw_options(data, options, 6)]
    for flag in data.draw(st.lists(st.sampled_from(["--from", "--mask", "--condition"]),
                                   max_size=2, unique=True)):
        kind = data.draw(st.sampled_from([k for k in sorted(KINDS) if k != "huge text"]))
        args += [flag, str(make_file(tmp_path, kind, data.draw(st.sampled_from(EXTENSIONS))))]
    out = tmp_path / f"img{next(_serial)}"
    out.mkdir()
    args += ["-o", str(out) + "/" if data.draw(st.booleans()) else str(out / "pic.png")]
    run = call(args)
    written = sorted(p.name for p in out.iterdir())
    if run.exit_code == INVALID_INPUT:
        assert written == []  # nothing written for a refused input
    for name in written:  # names stay inside the directory and are sanitised
        assert (out / name).resolve().parent == out.resolve()


@FUZZ
@given(data=st.data())
def test_files_for_ask_summarize_and_translate(call: Any, tmp_path: Path,
                                               data: st.DataObject) -> None:
    files = [make_file(tmp_path, kind, ext) for kind, ext in
             data.draw(st.lists(TEXT_FILE, min_size=1, max_size=3))]
    command = data.draw(st.sampled_from(["ask-context", "ask-image", "summarize", "translate"]))
    if command == "ask-context":
        args = ["ask", data.draw(TEXT)] + [x for f in files for x in ("--context", str(f))]
    elif command == "ask-image":
        args = ["ask", data.draw(TEXT)] + [x for f in files for x in ("--image", str(f))]
        args += draw_options(data, {"--no-resize": None}, 1)
    elif command == "summarize":
        args = ["summarize", *map(str, files)]
        args += draw_options(data, {"--length": st.sampled_from(["short", "long", "epic"]),
                                    "--style": st.sampled_from(["bullets", "haiku"]),
                                    "--chunk-tokens": SMALL_INT}, 2)
    else:
        args = ["translate", str(files[0]), "--to", data.draw(st.sampled_from(
            ["French", "fr", "", "Klingon"]))]
    args += draw_options(data, {"-m": TEXT_MODELS, **COMMON}, 2)
    call(args)


STDIN = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.sampled_from([b"", b"\n", b"\xef\xbb\xbf", b"\xff\xfe", b"\x00" * 50,
                     "é".encode("latin-1") * 40, b"word " * 400_000]),  # the last is 2 MB
)


@FUZZ
@given(data=st.data())
def test_stdin_for_every_reader(call: Any, data: st.DataObject) -> None:
    command = data.draw(st.sampled_from([
        ["generate"], ["generate", "Summarize:"], ["summarize"], ["summarize", "-"],
        ["translate", "--to", "French"], ["tokens"], ["tokens", "-"], ["embed"],
        ["ask", "What is it?", "--context", "-"], ["extract", "-F", "name"], ["image"],
        ["guardrail", "check", "-g", "abc123xyz", "-"], ["chat"]]))
    call([*command, "--no-log"], stdin=data.draw(STDIN))


@FUZZ
@given(data=st.data())
def test_embed_and_tokens_argv(call: Any, tmp_path: Path, data: st.DataObject) -> None:
    if data.draw(st.booleans()):
        args = ["embed", *data.draw(st.lists(TEXT, max_size=2))]
        args += draw_options(data, {
            "-m": st.one_of(TEXT_MODELS, st.sampled_from(["titan-embed", "cohere-embed",
                                                          "amazon.titan-embed-text-v1"])),
            "--dimensions": SMALL_INT, "--no-normalize": None,
            "--input-type": st.sampled_from(["search_document", "search_query", "image",
                                             "nope"]), **COMMON}, 4)
        if data.draw(st.booleans()):
            kind, ext = data.draw(TEXT_FILE)
            args += ["--many", str(make_file(tmp_path, kind, ext))]
    else:
        args = ["tokens", *data.draw(st.lists(TEXT, max_size=1))]
        args += draw_options(data, {"-m": TEXT_MODELS, "--system": TEXT, **COMMON}, 3)
    call(args)


RECORD = st.one_of(
    st.fixed_dictionaries({"id": st.one_of(TEXT, st.integers()), "prompt": TEXT},
                          optional={"model": TEXT_MODELS, "max_tokens": st.one_of(
                              st.integers(-5, 10**6), TEXT), "temperature": JSON_VALUE,
                                    "system": JSON_VALUE, "task": TEXT}),
    JSON_VALUE,
)


def _json_or_none(line: str) -> Any:
    try:
        return json.loads(line)
    except ValueError:
        return None


@FUZZ
@given(data=st.data())
def test_batch_input_files(call: Any, tmp_path: Path, data: st.DataObject) -> None:
    lines = data.draw(st.lists(st.one_of(RECORD.map(json.dumps), st.text(max_size=20)),
                               min_size=0, max_size=6))
    inp = tmp_path / f"in{next(_serial)}.jsonl"
    newline_at_end: bool = data.draw(st.booleans())
    inp.write_text("\n".join(lines) + ("\n" if lines and newline_at_end else ""),
                   encoding="utf-8", errors="surrogatepass")
    out = tmp_path / f"out{next(_serial)}.jsonl"
    args = ["batch", "run", str(inp), "-o", str(out), "--retries", "0", "--max-attempts", "1"]
    args += draw_options(data, {"-m": TEXT_MODELS, "--task": st.sampled_from(
        ["generate", "summarize", "extract", "translate", "dance"]), "-c": SMALL_INT,
        "--max-tokens": SMALL_INT, "--temperature": NUMBER}, 3)
    record_models = [str(r.get("model")) for r in map(_json_or_none, lines)
                     if isinstance(r, dict) and r.get("model")]
    run = call(args, service_decides=_service_knows(record_models))
    if run.exit_code == 0 and out.exists():
        ids = [json.loads(line)["id"] for line in out.read_text().splitlines()]
        assert len(ids) == len(set(map(json.dumps, ids)))


# -- what the fuzzing found, pinned ------------------------------------------------------------


@pytest.mark.parametrize(("args", "stdin", "message"), [
    (["chat"], b"caf\xe9\n", "Error: Standard input is not valid UTF-8 text."),
    (["generate", "hi", "--connect-timeout", "-1"], None,
     "Error: Invalid value -1.0 for --connect-timeout: must be a number greater than 0."),
    (["generate", "hi", "--read-timeout", "0"], None,  # was silently the default (300 s)
     "Error: Invalid value 0.0 for --read-timeout: must be a number greater than 0."),
    (["--read-timeout", "nan", "generate", "hi"], None,
     "Error: Invalid value nan for --read-timeout: must be a number greater than 0."),
    (["generate", "hi", "--max-attempts", "0"], None,  # was silently the default (3)
     "Error: Invalid value 0 for --max-attempts: must be between 1 and 20."),
    (["generate", "0", "--top-k", "1_000"], None,  # FUZZ_EXAMPLES=300: sent, refused (400)
     "Error: --top-k 1000 is outside Bedrock's range."),
    (["generate", "0", "-m", "haiku", "--top-k", "501"], None,
     "Error: --top-k 501 is outside Bedrock's range."),
])
def test_found_by_fuzzing(call: Any, args: list[str], stdin: bytes | None, message: str) -> None:
    run = call(args, stdin=stdin)
    assert run.exit_code == INVALID_INPUT
    assert run.stderr.splitlines()[0] == message


def test_a_model_the_region_cannot_call_is_left_to_bedrock(call: Any, tmp_path: Path) -> None:
    """FUZZ_EXAMPLES=600: `image 0 -m sd3` in us-east-1 was sent and refused (400), as the
    catalog intends (the Region has no route to it; Bedrock says so, the hint names the
    Regions that have it) — the harness now knows that case."""
    run = call(["image", "0", "-m", "sd3", "-o", str(tmp_path / "pic.png")])
    assert run.exit_code == 5
    assert "us-west-2" in run.stderr


@pytest.mark.parametrize(("args", "exit_code"), [  # FUZZ_EXAMPLES=300: "~0" crashed (exit 1)
    (["embed", "~0"], 0),  # Path.expanduser raised for a user that does not exist
    (["tokens", "~0"], 0),
    (["extract", "~0", "-F", "name"], 0),
    (["ask", "What is it?", "--context", "~0"], INVALID_INPUT),
    (["invoke", "nova-lite", "--body", "@~nosuchuser/body.json"], INVALID_INPUT),
    (["summarize", "~nosuchuser/notes.txt"], INVALID_INPUT),
])
def test_a_tilde_user_that_does_not_exist_is_a_plain_path(call: Any, args: list[str],
                                                           exit_code: int) -> None:
    run = call(args)
    assert run.exit_code == exit_code, run.stderr
    if exit_code == INVALID_INPUT:
        assert "not found" in run.stderr.splitlines()[0]


@pytest.mark.parametrize("kind", ["png header 100000x100000", "png header 9000x9000",
                                  "truncated png", "png magic, garbage"])
@pytest.mark.parametrize("flag", [["generate", "what is it?", "--attach"],
                                  ["ask", "what is it?", "--image"],
                                  ["image", "a cat", "--from"]])
def test_images_that_cannot_be_read_are_refused_cleanly(call: Any, tmp_path: Path, kind: str,
                                                        flag: list[str]) -> None:
    path = make_file(tmp_path, kind, ".png")
    run = call([*flag, str(path), *(["-o", str(tmp_path / "o.png")] if "image" in flag
                                    else [])])
    assert run.exit_code == INVALID_INPUT
    lines = run.stderr.splitlines()
    assert len(lines) == 2 and lines[0].startswith("Error: ") and path.name in lines[0]
    assert "Warning" not in run.stderr and "warn" not in run.stderr


@pytest.mark.parametrize("kind", ["pdf garbage", "pdf random", "pdf truncated"])
@pytest.mark.parametrize("command", [["summarize", "{}"], ["ask", "What is it?", "-f", "{}"],
                                     ["generate", "-a", "{}", "hi"],
                                     ["extract", "-F", "name", "{}"],
                                     ["translate", "{}", "--to", "French"]])
def test_a_damaged_pdf_is_refused_the_same_way_by_every_command(
        call: Any, tmp_path: Path, kind: str, command: list[str]) -> None:
    path = make_file(tmp_path, kind, ".pdf")
    run = call([arg.replace("{}", str(path)) for arg in command])
    assert run.exit_code == INVALID_INPUT  # and `call` checked that nothing was sent
    assert run.stderr.splitlines()[0] == f"Error: {path} is not a readable PDF: no pages " \
                                         "were found in it."


def test_batch_refuses_an_unknown_default_model_before_any_call(call: Any,
                                                                tmp_path: Path) -> None:
    """FUZZ_EXAMPLES=300: `batch run -m titan-text` ran a record that named its own model,
    then exited 2 over the unknown -m: a bad -m is exit 2 before anything is sent."""
    inp = tmp_path / "in.jsonl"
    inp.write_text('{"id": 0, "prompt": "0", "model": "nova-lite"}\n', encoding="utf-8")
    run = call(["batch", "run", str(inp), "-o", str(tmp_path / "out.jsonl"), "-m", "titan-text"])
    assert run.exit_code == INVALID_INPUT
    assert run.stderr.startswith("Error: Unknown model 'titan-text'")
    assert not (tmp_path / "out.jsonl").exists()
