"""The text engine: a 4-gram Kneser-Ney model of the shipped corpus, mixed with the prompt."""

from __future__ import annotations

import lzma
import os
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bedrock_cli.local.engines import _lmcache, textlm
from bedrock_cli.local.engines._lmdecode import State
from bedrock_cli.local.engines._lmtext import surface_tokens
from bedrock_cli.local.engines.textlm import END_TOKEN, LanguageModel, get_model
from bedrock_cli.text.tokenizer import count_tokens

SEED_PROMPT = "After the rain, the streets were"


@pytest.fixture(scope="session")
def model() -> LanguageModel:
    return get_model()  # built once per machine into the shared test cache (tests/conftest.py)


def run(model: LanguageModel, prompt: str = SEED_PROMPT, **kw: object) -> textlm.Generation:
    kw.setdefault("max_tokens", 200)
    gen = model.stream(prompt, **kw)  # type: ignore[arg-type]
    pieces = list(gen)
    assert "".join(pieces) == gen.text
    assert gen.output_tokens == len(pieces) == count_tokens(gen.text)
    assert all(count_tokens(p) == 1 for p in pieces)
    assert gen.stop_reason in ("end_turn", "max_tokens", "stop_sequence")
    return gen


# ------------------------------------------------------------------ generation


def test_greedy_is_reproducible_and_ends_a_sentence(model: LanguageModel) -> None:
    a = run(model, temperature=0)
    b = run(model, temperature=0, seed=123)  # the seed does not matter at T=0
    assert a.text == b.text
    assert a.stop_reason == "end_turn"
    assert a.text[-1] in ".!?"
    assert a.text[0].islower()  # it continues the prompt's sentence


def test_seeded_sampling_is_reproducible(model: LanguageModel) -> None:
    for seed in (1, 2, 3):
        assert (
            run(model, temperature=0.8, seed=seed).text
            == run(model, temperature=0.8, seed=seed).text
        )
    assert len({run(model, temperature=0.8, seed=s).text for s in range(6)}) > 1


def test_unseeded_sampling_differs(model: LanguageModel) -> None:
    texts = {run(model, temperature=0.9, max_tokens=40).text for _ in range(6)}
    assert len(texts) > 1


@pytest.mark.parametrize("limit", [0, 1, 2, 7, 25])
def test_max_tokens_is_honoured_exactly(model: LanguageModel, limit: int) -> None:
    full = run(model, temperature=0)
    assert full.output_tokens > 25
    cut = run(model, temperature=0, max_tokens=limit)
    assert cut.stop_reason == "max_tokens"
    assert cut.output_tokens == limit
    assert full.text.startswith(cut.text)


def test_pieces_are_tokens_across_settings(model: LanguageModel) -> None:
    settings_ = [
        {"temperature": 0.7},
        {"temperature": 1.0, "top_p": 0.9},
        {"temperature": 1.3, "top_k": 40},
        {"temperature": 0.5, "top_p": 0.5, "top_k": 5},
    ]
    for i, kw in enumerate(settings_):
        for seed in range(5):
            gen = run(model, "It was a cold morning in the town.", seed=seed * 10 + i, **kw)
            if gen.stop_reason == "end_turn":
                assert gen.text[-1] in ".!?"


def test_text_is_well_formed(model: LanguageModel) -> None:
    for seed in range(15):
        text = run(model, "The weather that day", temperature=0.9, seed=seed, max_tokens=120).text
        assert not text.startswith(" ")
        assert "  " not in text
        assert not re.search(r" [.,;:!?]", text)  # no space before punctuation
        assert not re.search(r"[.,;:!?—][.,;:!?—]", text)  # no doubled punctuation
        assert not re.search(r"[\"“”()\[\]]", text)  # no quotes or brackets to unbalance
        for later in re.findall(r"[.!?] (\w)", text):
            assert later.isupper()  # sentences start with a capital


def test_a_new_sentence_starts_with_a_capital(model: LanguageModel) -> None:
    for prompt in ("", "It rained all night.", "Where did they go?\n\n"):
        text = run(model, prompt, temperature=0.7, seed=5).text
        assert text[0].isupper()


def test_stop_sequence_stops_before_the_text(model: LanguageModel) -> None:
    full = run(model, temperature=0).text
    words = full.split()
    stop = " " + words[4]
    at = full.index(stop)
    gen = run(model, temperature=0, stop=[stop])
    assert gen.stop_reason == "stop_sequence"
    assert gen.stop_sequence == stop
    assert gen.text == full[:at]
    # Several stop sequences: the earliest match wins; spanning pieces works (", and").
    later = " " + words[8]
    gen = run(model, temperature=0, stop=[later, stop, "zzz"])
    assert gen.text == full[: min(at, full.index(later))]
    # Never matched: the stop sequences change nothing.
    assert run(model, temperature=0, stop=["zzz", "\n"]).text == full


def test_stop_sequence_inside_a_word(model: LanguageModel) -> None:
    full = run(model, temperature=0).text
    long_word = max(re.findall(r"[a-z]+", full), key=len)
    stop = long_word[2:5]
    gen = run(model, temperature=0, stop=[stop])
    assert gen.stop_reason == "stop_sequence"
    assert full.startswith(gen.text)
    assert stop not in gen.text
    assert len(gen.text) <= full.index(stop)


# ------------------------------------------------------------------ distributions


def test_seed_prompt_continues_with_plausible_words(model: LanguageModel) -> None:
    table = model.next_token_distribution(SEED_PROMPT, limit=15)
    words = [w for w, _ in table]
    # What the corpus says follows "the streets were" (most often "wet", in modern.txt.xz;
    # then "full", "quiet", "still", "empty"...), backed off to what follows "were":
    # adjectives, adverbs, participles, prepositions.
    plausible = {"full", "wet", "empty", "quiet", "crowded", "still", "not", "all", "so", "very"}
    assert words[0] == "wet"
    assert len(plausible & set(words[:10])) >= 3
    probs = [p for _, p in table]
    assert probs == sorted(probs, reverse=True)


def test_distribution_sums_to_one(model: LanguageModel) -> None:
    for temperature in (1.0, 0.6, 1.7):
        table = model.next_token_distribution(SEED_PROMPT, temperature=temperature, limit=10**6)
        assert sum(p for _, p in table) == pytest.approx(1.0, abs=1e-6)
        assert len({w for w, _ in table}) == len(table)


def test_temperature_sharpens(model: LanguageModel) -> None:
    hot = model.next_token_distribution(SEED_PROMPT, temperature=1.5, limit=1)[0]
    cold = model.next_token_distribution(SEED_PROMPT, temperature=0.5, limit=1)[0]
    assert hot[0] == cold[0]
    assert cold[1] > hot[1]
    greedy = model.next_token_distribution(SEED_PROMPT, temperature=0)
    assert greedy == [(cold[0], 1.0)]
    assert run(model, temperature=0).text.startswith(cold[0])


def test_top_k_and_top_p(model: LanguageModel) -> None:
    full = model.next_token_distribution(SEED_PROMPT, temperature=0.8, limit=10**6)
    top5 = model.next_token_distribution(SEED_PROMPT, temperature=0.8, top_k=5)
    assert [w for w, _ in top5] == [w for w, _ in full[:5]]
    assert sum(p for _, p in top5) == pytest.approx(1.0)
    kept = sum(p for _, p in full[:5])
    for (_, p), (_, q) in zip(top5, full[:5], strict=True):
        assert p == pytest.approx(q / kept)

    nucleus = model.next_token_distribution(SEED_PROMPT, temperature=0.8, top_p=0.5, limit=10**6)
    m = len(nucleus)
    assert [w for w, _ in nucleus] == [w for w, _ in full[:m]]
    assert sum(p for _, p in full[: m - 1]) < 0.5 <= sum(p for _, p in full[:m]) + 1e-9
    assert sum(p for _, p in nucleus) == pytest.approx(1.0)


def test_a_top_p_nucleus_reaching_into_the_tail_is_exact(model: LanguageModel) -> None:
    full = model.next_token_distribution("Zqx", temperature=2.0, limit=10**6)
    nucleus = model.next_token_distribution("Zqx", temperature=2.0, top_p=0.95, limit=10**6)
    m = len(nucleus)
    assert m > 200  # a flat distribution: far more than the listed candidates
    kept = sum(p for _, p in full[:m])
    assert kept >= 0.95 > kept - full[m - 1][1]
    assert [p for _, p in nucleus] == pytest.approx([p / kept for _, p in full[:m]], rel=1e-6)


def test_invalid_parameters(model: LanguageModel) -> None:
    with pytest.raises(ValueError):
        model.stream("x", max_tokens=-1)
    with pytest.raises(ValueError):
        model.stream("x", max_tokens=5, temperature=-0.1)
    with pytest.raises(ValueError):
        model.stream("x", max_tokens=5, top_p=0.0)
    with pytest.raises(ValueError):
        model.next_token_distribution("x", top_k=0)


# ------------------------------------------------------------------ the request model


def test_the_prompt_lends_its_words(model: LanguageModel) -> None:
    prompt = "The zorblax lives in the river. Every morning the zorblax swims. I watched the"
    words = [w for w, _ in model.next_token_distribution(prompt, limit=20)]
    assert "zorblax" in words  # a word the corpus never saw, from the prompt alone
    assert "zorblax" not in [
        w for w, _ in model.next_token_distribution("I watched the", limit=200)
    ]


def test_end_token_is_named(model: LanguageModel) -> None:
    st = State(model, "It was late.")
    st.generated = 1  # as if the sentence had just been generated
    assert model.show(st, model.eos) == END_TOKEN


@settings(max_examples=40, deadline=None)
@given(
    prompt=st.text(max_size=60),
    temperature=st.sampled_from([0.0, 0.5, 1.0, 2.0]),
    top_p=st.sampled_from([None, 0.3, 0.95]),
    top_k=st.sampled_from([None, 1, 30]),
    max_tokens=st.integers(0, 30),
)
def test_any_prompt_any_settings(
    model: LanguageModel,
    prompt: str,
    temperature: float,
    top_p: float | None,
    top_k: int | None,
    max_tokens: int,
) -> None:
    gen = run(
        model,
        prompt,
        temperature=temperature,
        top_p=top_p,
        top_k=top_k,
        max_tokens=max_tokens,
        seed=1,
    )
    assert gen.output_tokens <= max_tokens
    table = model.next_token_distribution(prompt, temperature=temperature, top_p=top_p, top_k=top_k)
    assert table and all(0 < p <= 1 for _, p in table)


# ------------------------------------------------------------------ words, training, cache


def test_surface_tokens() -> None:
    text = '"Well," said Mr. Darcy--it rained... (Truly!?) The £20 bill, it’s 1814.'
    assert surface_tokens(text) == [
        "Well",
        ",",
        "said",
        "Mr.",
        "Darcy",
        "—",
        "it",
        "rained",
        ".",
        "Truly",
        "?",
        "The",
        "20",
        "bill",
        ",",
        "it's",
        "1814",
        ".",
    ]


SMALL_CORPUS = (
    "The rain fell on the town. The streets were wet and empty.\n"
    "After the rain, the streets were quiet. She walked home.\n"
    "The sun came out and the streets were dry again!\n"
) * 20


def _small_corpus(tmp_path: Path, text: str = SMALL_CORPUS) -> Path:
    path = tmp_path / "corpus.txt.xz"
    path.write_bytes(lzma.compress(text.encode()))
    return path


def test_small_model_is_a_proper_distribution(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BEDROCK_CLI_CACHE", str(tmp_path / "cache"))
    tables = _lmcache.load(_small_corpus(tmp_path))
    assert tables.source == "built"
    small = LanguageModel(tables)
    assert float(tables.uni.sum()) == pytest.approx(1.0)
    table = small.next_token_distribution(SEED_PROMPT, limit=1000)
    assert sum(p for _, p in table) == pytest.approx(1.0)
    assert {w for w, _ in table[:3]} == {"wet", "quiet", "dry"}
    gen = small.stream("The rain fell on the", max_tokens=50, temperature=0)
    assert "".join(gen) == "town. The streets were dry again!"  # ties go to the first word
    assert gen.stop_reason == "end_turn"


def test_every_corpus_file_is_trained_on_and_keys_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert [p.name for p in _lmcache.corpus_files()] == ["corpus.txt.xz", "modern.txt.xz"]
    monkeypatch.setenv("BEDROCK_CLI_CACHE", str(tmp_path / "cache"))
    first = _small_corpus(tmp_path)
    second = tmp_path / "more.txt.xz"
    second.write_bytes(lzma.compress(b"The tram was late again.\n"))
    both = _lmcache.load([first, second])
    assert both.source == "built"
    assert {"streets", "tram"} <= set(both.vocab)
    assert both.meta["corpus_sha256"].keys() == {"corpus.txt.xz", "more.txt.xz"}
    assert _lmcache.load([first, second]).path == both.path
    second.write_bytes(lzma.compress(b"The tram was early for once.\n"))
    rebuilt = _lmcache.load([first, second])
    assert rebuilt.source == "built" and rebuilt.path != both.path
    assert "early" in rebuilt.vocab


def test_cache_is_reused_and_stale_versions_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("BEDROCK_CLI_CACHE", str(cache))
    cache.mkdir()
    stale = cache / "textlm-v0-o4-0123456789abcdef0123.bin"
    stale.write_bytes(b"old")
    unused = time.time() - _lmcache.STALE_AFTER - 60
    os.utime(stale, (unused, unused))
    in_use = cache / "textlm-v9-o4-abcdef0123456789abcd.bin"  # another installed version's
    in_use.write_bytes(b"theirs")
    corpus = _small_corpus(tmp_path)
    first = _lmcache.load(corpus)
    second = _lmcache.load(corpus)
    assert (first.source, second.source) == ("built", "cache")
    assert second.vocab == first.vocab
    assert not stale.exists()
    assert in_use.exists()  # recently used: kept, or two versions would retrain every run
    in_use.unlink()
    assert [p.name for p in cache.glob("*.bin")] == [first.path.name if first.path else ""]
    assert _lmcache.FORMAT_VERSION and f"v{_lmcache.FORMAT_VERSION}-" in second.path.name  # type: ignore[union-attr]


def test_corrupt_cache_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BEDROCK_CLI_CACHE", str(tmp_path / "cache"))
    corpus = _small_corpus(tmp_path)
    path = _lmcache.load(corpus).path
    assert path is not None
    path.write_bytes(path.read_bytes()[:200])  # truncated
    assert _lmcache.load(corpus).source == "built"
    path.write_bytes(b"not a model at all")
    assert _lmcache.load(corpus).source == "built"


def test_unwritable_cache_dir_keeps_the_model_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv("BEDROCK_CLI_CACHE", str(blocker / "cache"))  # cannot be a directory
    tables = _lmcache.load(_small_corpus(tmp_path))
    assert tables.source == "memory"
    assert (
        "".join(LanguageModel(tables).stream("The rain fell on the", max_tokens=5, temperature=0))
        == "town. The streets were"
    )


def test_cache_dir_resolution(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BEDROCK_CLI_CACHE", str(tmp_path / "explicit"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert _lmcache.cache_dir() == tmp_path / "explicit"
    monkeypatch.delenv("BEDROCK_CLI_CACHE")
    assert _lmcache.cache_dir() == tmp_path / "xdg" / "bedrock-cli"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert _lmcache.cache_dir() == tmp_path / "home" / ".cache" / "bedrock-cli"


def test_concurrent_builds_make_one_valid_cache(tmp_path: Path) -> None:
    corpus = _small_corpus(tmp_path, SMALL_CORPUS * 50)
    cache = tmp_path / "cache"
    script = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from bedrock_cli.local.engines import _lmcache
        t = _lmcache.load(Path({str(corpus)!r}))
        print(t.source, len(t.vocab))
        """
    )
    env = {**os.environ, "BEDROCK_CLI_CACHE": str(cache)}
    procs = [
        subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    outs = [p.communicate(timeout=120)[0].split() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert {o[1] for o in outs} == {outs[0][1]}
    assert {o[0] for o in outs} <= {"built", "cache"}
    files = sorted(p.name for p in cache.iterdir())
    assert len([f for f in files if f.endswith(".bin")]) == 1
    assert not [f for f in files if f.endswith(".tmp")]
    tables = _lmcache.read_cache(next(cache.glob("*.bin")))
    assert tables is not None and tables.source == "cache"


def test_importing_the_engine_does_not_import_numpy() -> None:
    code = "import sys, bedrock_cli.local.engines.textlm; print('numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_get_model_is_one_per_process(model: LanguageModel) -> None:
    assert get_model() is model
    assert model.tables.source in ("cache", "built", "memory")


def test_a_cache_hit_marks_the_file_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BEDROCK_CLI_CACHE", str(tmp_path / "cache"))
    corpus = _small_corpus(tmp_path)
    path = _lmcache.load(corpus).path
    assert path is not None
    old = time.time() - 3 * 86400
    os.utime(path, (old, old))
    assert _lmcache.load(corpus).source == "cache"
    assert time.time() - path.stat().st_mtime < 3600
