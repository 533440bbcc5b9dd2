"""Input records, ids, the output file: torn lines, resume sets, error-line compaction."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bedrock_cli.batch.output import OutputFile, read_output
from bedrock_cli.batch.records import RecordError, contains, id_hash, id_key, parse_line, scan_input
from bedrock_cli.errors import UsageError
from bedrock_cli.jsonl import repair_tail


def test_records_without_an_id_are_named_by_their_line_number() -> None:
    record = parse_line(7, '{"prompt": "hi"}\n')
    assert record is not None and record.id == 7
    assert parse_line(3, '{"recordId": "CALL1", "modelInput": {}}').id == "CALL1"
    assert parse_line(4, "   \n") is None


@pytest.mark.parametrize("text, message", [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "not a JSON object"),
    ('{"id": true, "prompt": "x"}', "non-empty string or an integer"),
    ('{"id": "", "prompt": "x"}', "non-empty string or an integer"),
])
def test_bad_lines_are_refused_with_their_line_number(text: str, message: str) -> None:
    with pytest.raises(RecordError) as caught:
        parse_line(12, text)
    assert caught.value.line == 12 and message in caught.value.message


def test_ids_compare_by_their_json_encoding() -> None:
    assert id_key(5) != id_key("5")
    assert id_hash(id_key("a")) == id_hash(id_key("a"))


def test_scan_refuses_duplicates_naming_them_and_their_lines(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": "a", "prompt": "x"}\n{"id": "b", "prompt": "y"}\n'
                    '{"prompt": "z"}\n{"id": "a", "prompt": "w"}\n')
    with pytest.raises(UsageError) as caught:
        scan_input(path)
    assert '"a" on lines 1 and 4' in caught.value.message


def test_an_explicit_id_can_collide_with_a_line_number_id(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": 2, "prompt": "x"}\n{"prompt": "y"}\n')
    with pytest.raises(UsageError, match="2 on lines 1 and 2"):
        scan_input(path)


def test_scan_counts_and_lists_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text('{"prompt": "x"}\n\nnope\n{"prompt": "y"}\n[]\n')
    with pytest.raises(UsageError) as caught:
        scan_input(path)
    assert "2 bad record(s)" in caught.value.message
    assert "line 3" in caught.value.message and "line 5" in caught.value.message
    good = tmp_path / "good.jsonl"
    good.write_text('{"prompt": "x"}\n\n{"prompt": "y"}\n')
    scan = scan_input(good)
    assert scan.total == 2
    assert contains(scan.hashes, id_hash(id_key(3)))
    assert not contains(scan.hashes, id_hash(id_key(2)))


def test_repair_tail_cuts_exactly_the_torn_line(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    path.write_bytes(b'{"id": 1, "text": "a"}\n{"id": 2, "text": "b"}\n{"id": 3, "te')
    assert repair_tail(path) is True
    assert path.read_bytes() == b'{"id": 1, "text": "a"}\n{"id": 2, "text": "b"}\n'
    assert repair_tail(path) is False
    only = tmp_path / "only.jsonl"
    only.write_bytes(b'{"id": 1, "te')
    assert repair_tail(only) and only.read_bytes() == b""


def _output(path: Path, lines: list[dict[str, object]]) -> None:
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))


def test_read_output_retries_errors_by_rewriting_the_file(tmp_path: Path) -> None:
    inputs = tmp_path / "in.jsonl"
    inputs.write_text("".join(json.dumps({"id": i, "prompt": "p"}) + "\n" for i in range(4)))
    scan = scan_input(inputs)
    out = tmp_path / "out.jsonl"
    _output(out, [{"id": 0, "text": "ok"},
                  {"id": 1, "error": {"code": "ThrottlingException", "message": "slow"}},
                  {"id": 9, "error": {"code": "X", "message": "not ours"}}])
    resume = read_output(out, scan.hashes, retry_errors=True)
    assert (resume.ok, resume.errors_dropped, resume.errors_kept, resume.foreign) == (1, 1, 0, 1)
    assert [json.loads(x)["id"] for x in out.read_text().splitlines()] == [0, 9]
    assert contains(resume.done, id_hash(id_key(0)))
    assert not contains(resume.done, id_hash(id_key(1)))


def test_read_output_can_keep_errors(tmp_path: Path) -> None:
    inputs = tmp_path / "in.jsonl"
    inputs.write_text('{"id": 1, "prompt": "p"}\n')
    out = tmp_path / "out.jsonl"
    _output(out, [{"id": 1, "error": {"code": "ThrottlingException", "message": "slow"}}])
    resume = read_output(out, scan_input(inputs).hashes, retry_errors=False)
    assert (resume.errors_kept, resume.throttled_kept) == (1, 1)
    assert contains(resume.done, id_hash(id_key(1)))


def test_read_output_refuses_a_file_that_is_not_batch_output(tmp_path: Path) -> None:
    inputs = tmp_path / "in.jsonl"
    inputs.write_text('{"id": 1, "prompt": "p"}\n')
    out = tmp_path / "notes.txt"
    out.write_text("dear diary\n")
    with pytest.raises(UsageError, match="not a batch result"):
        read_output(out, scan_input(inputs).hashes, retry_errors=True)


def test_output_file_appends_whole_lines(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "out.jsonl"
    out = OutputFile(path, sync_every=0).open()
    out.write({"id": 1, "text": "é"})
    out.write({"id": 2, "text": "b"})
    out.close()
    again = OutputFile(path).open()
    again.write({"id": 3, "text": "c"})
    again.close()
    assert [json.loads(x)["id"] for x in path.read_text(encoding="utf-8").splitlines()] == \
        [1, 2, 3]
