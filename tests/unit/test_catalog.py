"""The model catalog: data integrity, lookup, inference-profile routing and cost."""

from __future__ import annotations

import re
import subprocess
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bedrock_cli.catalog import (
    CATALOG_PATH,
    FAMILIES,
    GEOGRAPHIES,
    MODALITIES,
    Catalog,
    CatalogError,
    ModelInfo,
    Resolution,
    UnknownModelError,
    estimate_cost,
    geography,
    get_catalog,
    load_catalog,
)
from bedrock_cli.catalog.catalog import toml_loads

CATALOG = get_catalog()
MODELS = list(CATALOG)
REGION = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

NOVA_LITE = "amazon.nova-lite-v1:0"
SONNET_45 = "anthropic.claude-sonnet-4-5-20250929-v1:0"
SONNET_4 = "anthropic.claude-sonnet-4-20250514-v1:0"
HAIKU_45 = "anthropic.claude-haiku-4-5-20251001-v1:0"
HAIKU_3 = "anthropic.claude-3-haiku-20240307-v1:0"
SONNET_35_V2 = "anthropic.claude-3-5-sonnet-20241022-v2:0"
OPUS_41 = "anthropic.claude-opus-4-1-20250805-v1:0"
LLAMA_33 = "meta.llama3-3-70b-instruct-v1:0"
LLAMA_32_1B = "meta.llama3-2-1b-instruct-v1:0"
TITAN_EMBED = "amazon.titan-embed-text-v2:0"


def by_id(model_id: str) -> ModelInfo:
    model = CATALOG.get(model_id)
    assert model is not None, model_id
    return model


# ── the data ─────────────────────────────────────────────────────────────────────────────


def test_catalog_has_every_model_the_spec_names() -> None:
    expected = {
        "amazon.nova-micro-v1:0", NOVA_LITE, "amazon.nova-pro-v1:0", "amazon.nova-premier-v1:0",
        HAIKU_3, "anthropic.claude-3-5-haiku-20241022-v1:0",
        "anthropic.claude-3-5-sonnet-20240620-v1:0", SONNET_35_V2,
        "anthropic.claude-3-7-sonnet-20250219-v1:0", SONNET_4, SONNET_45, HAIKU_45,
        "anthropic.claude-opus-4-20250514-v1:0", OPUS_41,
        "meta.llama3-8b-instruct-v1:0", "meta.llama3-70b-instruct-v1:0",
        "meta.llama3-1-8b-instruct-v1:0", "meta.llama3-1-70b-instruct-v1:0",
        "meta.llama3-1-405b-instruct-v1:0", LLAMA_32_1B, "meta.llama3-2-3b-instruct-v1:0",
        "meta.llama3-2-11b-instruct-v1:0", "meta.llama3-2-90b-instruct-v1:0", LLAMA_33,
        "mistral.mistral-7b-instruct-v0:2", "mistral.mixtral-8x7b-instruct-v0:1",
        "mistral.mistral-large-2402-v1:0", "mistral.mistral-large-2407-v1:0",
        "cohere.command-r-v1:0", "cohere.command-r-plus-v1:0",
        "amazon.titan-text-express-v1", "amazon.titan-text-lite-v1",
        "amazon.titan-text-premier-v1:0",
        "amazon.nova-canvas-v1:0", "amazon.titan-image-generator-v1",
        "amazon.titan-image-generator-v2:0", "stability.sd3-5-large-v1:0",
        "stability.stable-image-ultra-v1:1", "stability.stable-image-core-v1:1",
        "stability.stable-diffusion-xl-v1",
        TITAN_EMBED, "cohere.embed-english-v3", "cohere.embed-multilingual-v3",
    }  # fmt: skip
    assert {m.id for m in MODELS} == expected
    assert len(MODELS) == len(expected)
    assert ISO_DATE.match(CATALOG.prices_as_of)
    assert CATALOG.currency == "USD"


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.id)
def test_every_model_has_its_fields(model: ModelInfo) -> None:
    assert re.match(r"^[a-z0-9]+\.[a-z0-9.:-]+$", model.id)
    assert model.provider and model.name and model.family in FAMILIES
    assert model.lifecycle in ("ACTIVE", "LEGACY")
    assert model.aliases, "every model has at least one alias"
    assert set(model.input_modalities) <= set(MODALITIES)
    assert len(model.output_modalities) == 1 and model.output_modalities[0] in MODALITIES
    assert set(model.profile_geographies) <= set(GEOGRAPHIES)
    assert all(REGION.match(r) for r in model.regions), model.regions
    assert len(set(model.regions)) == len(model.regions)
    # profile-only means no on-demand Region, and some profile to call instead
    assert model.requires_profile == (not model.regions)
    if model.requires_profile:
        assert model.profile_geographies
    assert model.prices.known
    assert ISO_DATE.match(model.prices.as_of)
    assert model.prices.batch in (None, 0.5)

    if model.kind == "text":
        assert model.converse and model.streaming
        assert model.family not in ("nova-canvas", "titan-image", "stability", "sdxl")
        assert 0 < model.default_max_tokens <= model.max_output_tokens <= model.context_window
        assert model.vision == ("IMAGE" in model.input_modalities)
        assert model.documents == ("DOCUMENT" in model.input_modalities)
        assert model.prices.input and model.prices.output
        if model.prompt_caching:
            assert model.prices.cache_read is not None and model.prices.cache_write is not None
        assert model.image is None and model.embedding is None
    else:
        assert not (model.converse or model.streaming or model.tools or model.reasoning)
        assert not (model.system_prompt or model.vision or model.count_tokens)
        assert model.top_k_field == ""
    if model.kind == "image":
        assert model.image is not None and model.embedding is None
        assert model.image.tasks and model.image.tasks[0] == "text-to-image"
        assert model.image.seed_max > model.image.seed_min >= 0
        assert model.image.max_images >= 1 and model.image.prompt_max_chars > 0
        assert model.image.takes_size != bool(model.image.aspect_ratios)
        assert model.prices.images and model.prices.input is None
        assert model.seed_field
    if model.kind == "embedding":
        assert model.embedding is not None and model.image is None
        assert model.embedding.default_dimensions in model.embedding.dimensions
        assert model.prices.input and model.prices.output is None
    if model.family == "anthropic":
        assert model.count_tokens and model.top_k_field == "top_k"


def test_brief_capabilities_spot_checks() -> None:
    assert by_id("amazon.nova-micro-v1:0").top_k_field == "inferenceConfig.topK"
    assert by_id("cohere.command-r-v1:0").top_k_field == "k"
    assert by_id("cohere.command-r-v1:0").seed_field == "seed"
    assert by_id("mistral.mistral-7b-instruct-v0:2").top_k_field == "top_k"
    assert by_id(LLAMA_33).top_k_field == ""
    assert not by_id("amazon.titan-text-express-v1").system_prompt
    assert not by_id("mistral.mixtral-8x7b-instruct-v0:1").system_prompt
    assert not by_id("amazon.nova-micro-v1:0").vision
    assert not by_id("anthropic.claude-3-5-haiku-20241022-v1:0").vision
    assert by_id("meta.llama3-2-11b-instruct-v1:0").vision
    reasoning = {m.id for m in MODELS if m.reasoning}
    assert reasoning == {
        "anthropic.claude-3-7-sonnet-20250219-v1:0", SONNET_4, SONNET_45, HAIKU_45,
        "anthropic.claude-opus-4-20250514-v1:0", OPUS_41,
    }  # fmt: skip
    assert {m.id for m in MODELS if m.count_tokens} == {
        m.id for m in MODELS if m.family == "anthropic"
    }


def test_image_limits() -> None:
    canvas = by_id("amazon.nova-canvas-v1:0").image
    assert canvas is not None
    assert canvas.size_error(1024, 1024) is None
    assert canvas.size_error(2048, 2048) is None  # exactly 4,194,304 pixels: accepted
    assert canvas.size_error(1280, 720) is None
    assert canvas.size_error(1000, 1000) == "each side must be a multiple of 16"
    assert canvas.size_error(256, 1024) == "each side must be 320 to 4096 pixels"
    assert canvas.size_error(4096, 2048) == "4096x2048 is more than 4,194,304 pixels"
    assert canvas.size_error(320, 1600) == "the aspect ratio must be between 1:4 and 4:1"
    assert (canvas.seed_max, canvas.seed_default, canvas.cfg_default) == (858993459, 12, 6.5)
    assert canvas.supports_task("background-removal")

    titan = by_id("amazon.titan-image-generator-v2:0").image
    assert titan is not None
    assert titan.size_error(1024, 1024) is None
    assert titan.size_error(1000, 1000) == "1000x1000 is not one of the model's sizes"
    assert titan.nearest_size(1920, 1080) == (1152, 640)
    assert not by_id("amazon.titan-image-generator-v1").image.supports_task("color-guided")  # type: ignore[union-attr]

    sd3 = by_id("stability.sd3-5-large-v1:0").image
    assert sd3 is not None and "16:9" in sd3.aspect_ratios and not sd3.takes_size
    assert sd3.size_error(1024, 1024) == "this model takes an aspect ratio, not a size"
    core = by_id("stability.stable-image-core-v1:1").image
    assert core is not None and core.tasks == ("text-to-image",)
    sdxl = by_id("stability.stable-diffusion-xl-v1").image
    assert sdxl is not None and (sdxl.steps_min, sdxl.steps_default) == (10, 30)
    assert sdxl.nearest_size(1920, 1080) == (1344, 768)


@pytest.mark.parametrize("model", [m for m in MODELS if m.image and m.image.takes_size],
                         ids=lambda m: m.id)  # fmt: skip
def test_nearest_size_is_always_accepted(model: ModelInfo) -> None:
    limits = model.image
    assert limits is not None
    for width in range(1, 9000, 173):
        for height in range(1, 9000, 191):
            size = limits.nearest_size(width, height)
            assert limits.size_error(*size) is None, ((width, height), size)
    if limits.default_size:
        assert limits.nearest_size(*limits.default_size) == limits.default_size


def test_embedding_info() -> None:
    titan = by_id(TITAN_EMBED).embedding
    assert titan is not None
    assert (titan.dimensions, titan.default_dimensions) == ((256, 512, 1024), 1024)
    assert titan.max_input_tokens == 8192 and not titan.input_types
    cohere = by_id("cohere.embed-multilingual-v3").embedding
    assert cohere is not None
    assert "search_query" in cohere.input_types and cohere.max_texts == 96


# ── aliases and find ─────────────────────────────────────────────────────────────────────


def test_aliases_are_unique_and_never_an_id() -> None:
    every = [alias.lower() for m in MODELS for alias in m.aliases]
    assert len(every) == len(set(every))
    assert not set(every) & {m.id for m in MODELS}
    assert CATALOG.aliases() == {a: m.id for m in MODELS for a in m.aliases}


@pytest.mark.parametrize(("alias", "model_id"), [(a, m.id) for m in MODELS for a in m.aliases])
def test_every_alias_resolves(alias: str, model_id: str) -> None:
    assert CATALOG.find(alias) is by_id(model_id)
    assert CATALOG.find(alias.upper()) is by_id(model_id)
    assert CATALOG.resolve(alias, "us-east-1").model is by_id(model_id)


@pytest.mark.parametrize(
    ("alias", "model_id"),
    [
        ("nova-micro", "amazon.nova-micro-v1:0"), ("nova-lite", NOVA_LITE),
        ("nova-pro", "amazon.nova-pro-v1:0"), ("nova-premier", "amazon.nova-premier-v1:0"),
        ("haiku", HAIKU_45), ("haiku-3", HAIKU_3),
        ("haiku-3.5", "anthropic.claude-3-5-haiku-20241022-v1:0"),
        ("sonnet", SONNET_45), ("sonnet-4", SONNET_4),
        ("sonnet-3.7", "anthropic.claude-3-7-sonnet-20250219-v1:0"),
        ("sonnet-3.5", SONNET_35_V2), ("opus", OPUS_41),
        ("opus-4", "anthropic.claude-opus-4-20250514-v1:0"),
        ("llama", LLAMA_33), ("llama-8b", "meta.llama3-1-8b-instruct-v1:0"),
        ("llama-vision", "meta.llama3-2-11b-instruct-v1:0"),
        ("mistral", "mistral.mistral-7b-instruct-v0:2"),
        ("mixtral", "mistral.mixtral-8x7b-instruct-v0:1"),
        ("mistral-large", "mistral.mistral-large-2407-v1:0"),
        ("command-r", "cohere.command-r-v1:0"), ("command-r-plus", "cohere.command-r-plus-v1:0"),
        ("titan-express", "amazon.titan-text-express-v1"),
        ("titan-lite", "amazon.titan-text-lite-v1"),
        ("titan-premier", "amazon.titan-text-premier-v1:0"),
        ("canvas", "amazon.nova-canvas-v1:0"), ("titan-image", "amazon.titan-image-generator-v2:0"),
        ("titan-image-v1", "amazon.titan-image-generator-v1"),
        ("sd3", "stability.sd3-5-large-v1:0"), ("ultra", "stability.stable-image-ultra-v1:1"),
        ("core", "stability.stable-image-core-v1:1"), ("sdxl", "stability.stable-diffusion-xl-v1"),
        ("titan-embed", TITAN_EMBED), ("cohere-embed", "cohere.embed-english-v3"),
        ("cohere-embed-multilingual", "cohere.embed-multilingual-v3"),
    ],
)  # fmt: skip
def test_the_briefs_aliases(alias: str, model_id: str) -> None:
    assert CATALOG.aliases()[alias] == model_id


@pytest.mark.parametrize(
    "name",
    [
        NOVA_LITE, NOVA_LITE.upper(), f"  {NOVA_LITE} ",
        f"us.{NOVA_LITE}", f"eu.{NOVA_LITE}", f"apac.{NOVA_LITE}", f"global.{NOVA_LITE}",
        f"arn:aws:bedrock:us-east-1::foundation-model/{NOVA_LITE}",
        f"arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.{NOVA_LITE}",
        f"arn:aws-us-gov:bedrock:us-gov-west-1::foundation-model/{NOVA_LITE}",
    ],
)  # fmt: skip
def test_find_takes_ids_prefixed_ids_and_arns(name: str) -> None:
    assert CATALOG.find(name) is by_id(NOVA_LITE)


@pytest.mark.parametrize(
    "name",
    [
        "nova-ultra", "", "xx.amazon.nova-lite-v1:0", "amazon.nova-lite-v9:0",
        "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abcdefghijkl",
        "arn:aws:s3:::bucket/amazon.nova-lite-v1:0",
    ],
)  # fmt: skip
def test_find_returns_none_for_other_names(name: str) -> None:
    assert CATALOG.find(name) is None


# ── resolve ──────────────────────────────────────────────────────────────────────────────

REGIONS = ["us-east-1", "us-west-2", "eu-central-1", "ap-northeast-1", "ap-southeast-2",
           "us-gov-west-1"]  # fmt: skip
# What each alias is called as in each Region above; "" = the bare catalog id.
RESOLVE_TABLE = {
    # columns:       us-east-1  us-west-2  eu-central-1  ap-northeast-1  ap-southeast-2  us-gov-w-1
    "nova-lite":     ("",       "us",      "eu",         "",             "",             ""),
    "nova-micro":    ("",       "us",      "eu",         "apac",         "",             ""),
    "nova-premier":  ("us",     "us",      "",           "",             "",             ""),
    "haiku-3":       ("",       "",        "",           "",             "",             ""),
    "haiku-3.5":     ("us",     "",        "",           "",             "",             ""),
    "sonnet-3.5-v1": ("",       "",        "",           "",             "apac",         ""),
    "sonnet-3.5":    ("us",     "",        "",           "apac",         "",             ""),
    "sonnet-3.7":    ("us",     "us",      "eu",         "apac",         "apac",         ""),
    "sonnet-4":      ("us",     "us",      "eu",         "apac",         "apac",         ""),
    "sonnet":        ("us",     "us",      "eu",         "jp",           "au",           "us-gov"),
    "haiku":         ("us",     "us",      "eu",         "jp",           "au",           ""),
    "opus":          ("us",     "us",      "",           "",             "",             ""),
    "llama":         ("us",     "us",      "",           "",             "",             ""),
    "llama-1b":      ("us",     "us",      "eu",         "",             "",             ""),
    "llama-8b":      ("us",     "",        "",           "",             "",             ""),
    "llama3-8b":     ("",       "",        "",           "",             "",             ""),
    "mistral-large": ("",       "",        "",           "",             "",             ""),
    "canvas":        ("",       "",        "",           "",             "",             ""),
    "sd3":           ("",       "",        "",           "",             "",             ""),
    "titan-embed":   ("",       "",        "",           "",             "",             ""),
}  # fmt: skip


@pytest.mark.parametrize(
    ("alias", "region", "geo"),
    [
        (alias, region, geo)
        for alias, row in RESOLVE_TABLE.items()
        for region, geo in zip(REGIONS, row, strict=True)
    ],
)
def test_resolve_table(alias: str, region: str, geo: str) -> None:
    model = CATALOG.find(alias)
    assert model is not None
    resolution = CATALOG.resolve(alias, region)
    expected = f"{geo}.{model.id}" if geo else model.id
    assert resolution == Resolution(model, expected, expected if geo else None)
    assert resolution.geography == (geo or None)


def test_profile_only_models_never_resolve_to_the_bare_id_where_a_profile_exists() -> None:
    for model in (m for m in MODELS if m.requires_profile):
        for region in REGIONS:
            resolution = CATALOG.resolve(model.id, region)
            if model.profile_geography_for(region):
                assert resolution.profile and resolution.model_id.endswith("." + model.id)
                assert model.needs_profile(region)


def test_global_profile_is_the_last_resort() -> None:
    # São Paulo has no us/eu/apac geography: Sonnet 4.5 goes global, Nova Lite stays bare.
    assert CATALOG.resolve("sonnet", "sa-east-1").model_id == f"global.{SONNET_45}"
    assert CATALOG.resolve("sonnet-4", "ap-south-1").model_id == f"apac.{SONNET_4}"
    assert CATALOG.resolve("sonnet", "ap-south-1").model_id == f"global.{SONNET_45}"
    assert CATALOG.resolve("nova-lite", "sa-east-1").model_id == NOVA_LITE
    # GovCloud never uses global profiles.
    assert CATALOG.resolve("haiku", "us-gov-west-1").model_id == HAIKU_45
    # Canada: its own ca. profile where it exists, else the us. one.
    assert CATALOG.resolve("nova-lite", "ca-central-1").model_id == f"ca.{NOVA_LITE}"
    assert CATALOG.resolve("haiku", "ca-central-1").model_id == f"us.{HAIKU_45}"


def test_resolve_defaults_the_region() -> None:
    assert CATALOG.resolve("sonnet", None).model_id == f"us.{SONNET_45}"
    assert CATALOG.resolve("sonnet", "US-EAST-1").model_id == f"us.{SONNET_45}"


@pytest.mark.parametrize(
    ("name", "model_id"),
    [
        (f"eu.{SONNET_45}", SONNET_45),            # a profile the user chose, even in another geo
        (f"global.{SONNET_4}", SONNET_4),
        (f"us-gov.{SONNET_45}", SONNET_45),
        (f"apac.{NOVA_LITE}", NOVA_LITE),
        (f"us.{HAIKU_3}", HAIKU_3),                # prefixed although on demand in us-east-1
    ],
)  # fmt: skip
def test_explicit_profile_ids_are_called_as_given(name: str, model_id: str) -> None:
    resolution = CATALOG.resolve(name, "us-east-1")
    assert resolution == Resolution(by_id(model_id), name, name)


@pytest.mark.parametrize(
    ("arn", "model_id", "is_profile"),
    [
        (f"arn:aws:bedrock:us-east-1::foundation-model/{SONNET_45}", SONNET_45, False),
        (f"arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.{SONNET_45}",
         SONNET_45, True),
        ("arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6",
         None, True),
        ("arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc123", None, False),
        ("arn:aws:sagemaker:us-east-1:123456789012:endpoint/my-endpoint", None, False),
    ],
)  # fmt: skip
def test_arns_are_called_as_given(arn: str, model_id: str | None, is_profile: bool) -> None:
    resolution = CATALOG.resolve(arn, "eu-west-1")
    assert resolution.model_id == arn
    assert resolution.model is (by_id(model_id) if model_id else None)
    assert resolution.profile == (arn if is_profile else None)


@pytest.mark.parametrize(
    "name",
    [
        "anthropic.claude-sonnet-4-6",
        "anthropic.claude-opus-4-5-20251101-v1:0",
        "openai.gpt-oss-120b-1:0",
        "amazon.titan-embed-text-v1",
        "ai21.jamba-1-5-large-v1:0",
        "cohere.embed-v4:0",
    ],
)
def test_bedrock_shaped_unknown_ids_pass_through(name: str) -> None:
    assert CATALOG.resolve(name, "us-east-1") == Resolution(None, name, None)
    prefixed = f"us.{name}"
    assert CATALOG.resolve(prefixed, "us-east-1") == Resolution(None, prefixed, prefixed)


@pytest.mark.parametrize(
    ("name", "close"),
    [
        ("sonet", "sonnet"),
        ("haiku4.5", "haiku-4.5"),
        ("sonnet-3.6", "sonnet-3.7"),
        ("nova-lit", "nova-lite"),
        ("titan-embedd", "titan-embed"),
        ("claud", "claude"),
        ("gpt-4o", None),
        ("arn:not-an-arn", None),
        ("Nova Lite", None),
    ],
)
def test_unknown_names_raise_with_suggestions(name: str, close: str | None) -> None:
    with pytest.raises(UnknownModelError) as caught:
        CATALOG.resolve(name, "us-east-1")
    error = caught.value
    assert error.name == name
    assert isinstance(error, Exception) and error.exit_code == 2
    assert len(error.suggestions) <= 3
    if close:
        assert close in error.suggestions
        assert close in str(error)
    assert error.suggestions == CATALOG.suggest(name)


def test_suggest() -> None:
    assert CATALOG.suggest("sonet")[0] == "sonnet"
    assert CATALOG.suggest("us.sonet")[0] == "sonnet"  # a geography prefix is ignored
    assert CATALOG.suggest("sonnet", n=5)[:1] == ["sonnet"]
    assert len(CATALOG.suggest("llama", n=5)) == 5
    assert CATALOG.suggest("") == []
    assert CATALOG.suggest("zzzzzzzz") == []


# ── models() and geography() ─────────────────────────────────────────────────────────────


def test_models_filters() -> None:
    assert CATALOG.models() == MODELS
    anthropic = CATALOG.models(provider="anthropic")
    assert len(anthropic) == 10 and all(m.provider == "Anthropic" for m in anthropic)
    assert CATALOG.models(provider="Mistral AI") == CATALOG.models(provider="MISTRAL")
    images = CATALOG.models(modality="image")
    assert {m.family for m in images} == {"nova-canvas", "titan-image", "stability", "sdxl"}
    assert CATALOG.models(modality="images") == images
    assert {m.id for m in CATALOG.models(modality="Embedding")} == {
        TITAN_EMBED, "cohere.embed-english-v3", "cohere.embed-multilingual-v3"}  # fmt: skip
    assert [m.id for m in CATALOG.models(provider="amazon", modality="video")] == [
        NOVA_LITE, "amazon.nova-pro-v1:0", "amazon.nova-premier-v1:0"]  # fmt: skip
    assert len(CATALOG.models(modality="text")) == 33
    assert CATALOG.models(provider="openai") == []
    assert CATALOG.models(modality="smell") == []


@pytest.mark.parametrize(
    ("region", "geo"),
    [
        ("us-east-1", "us"), ("us-west-2", "us"), ("US-EAST-2", "us"),
        ("us-gov-west-1", "us-gov"), ("us-gov-east-1", "us-gov"),
        ("eu-west-1", "eu"), ("eu-central-2", "eu"), ("il-central-1", "eu"),
        ("ap-northeast-1", "apac"), ("ap-southeast-2", "apac"), ("ap-south-1", "apac"),
        ("me-central-1", "apac"), ("ca-central-1", "ca"),
        ("sa-east-1", None), ("af-south-1", None), ("", None), (None, None),
    ],
)  # fmt: skip
def test_geography(region: str | None, geo: str | None) -> None:
    assert geography(region) == geo


# ── cost ─────────────────────────────────────────────────────────────────────────────────


def test_text_cost_is_exact() -> None:
    haiku = by_id(HAIKU_45)  # $0.001 in, $0.005 out per 1K
    assert estimate_cost(haiku, {"input_tokens": 1000, "output_tokens": 2000}) == 0.011
    assert estimate_cost(haiku, {"input_tokens": 0, "output_tokens": 0}) == 0.0
    sonnet = by_id(SONNET_45)  # $0.003 in, $0.015 out, $0.0003 cache read, $0.00375 write
    usage = {"input_tokens": 1000, "output_tokens": 500,
             "cache_read_tokens": 2000, "cache_write_tokens": 1000}  # fmt: skip
    assert estimate_cost(sonnet, usage) == 0.01485
    camel = {"inputTokens": 1000, "outputTokens": 500,
             "cacheReadInputTokens": 2000, "cacheWriteInputTokens": 1000}  # fmt: skip
    assert estimate_cost(sonnet, camel) == 0.01485
    lite = by_id(NOVA_LITE)  # $0.00006 in, $0.00024 out
    million = {"input_tokens": 1_000_000, "output_tokens": 1_000_000}
    assert estimate_cost(lite, million) == 0.3
    assert estimate_cost(lite, million, batch=True) == 0.15
    assert estimate_cost(lite, {"input_tokens": 7, "output_tokens": 3}) == 0.00000114


def test_cost_without_a_cache_rate_prices_cache_tokens_as_input() -> None:
    llama = by_id(LLAMA_33)  # no caching, $0.00072 in
    assert estimate_cost(llama, {"input_tokens": 1000, "cache_read_tokens": 1000}) == 0.00144


def test_embedding_and_image_cost() -> None:
    assert estimate_cost(by_id(TITAN_EMBED), {"input_tokens": 1000}) == 0.00002
    assert estimate_cost(by_id(TITAN_EMBED), {"input_tokens": 10, "output_tokens": 1}) is None
    canvas = by_id("amazon.nova-canvas-v1:0")
    assert estimate_cost(canvas, {"images": 1}) == 0.04  # default 1024x1024, standard
    assert estimate_cost(canvas, {"images": 2, "image_quality": "premium",
                                  "image_size": "2048x2048"}) == 0.16  # fmt: skip
    assert estimate_cost(canvas, {"images": 3, "image_width": 1280, "image_height": 720}) == 0.12
    assert estimate_cost(canvas, {"images": 1, "image_size": "4096x4096"}) is None  # no tier
    assert estimate_cost(canvas, {"images": 0}) == 0.0
    titan = by_id("amazon.titan-image-generator-v1")
    assert estimate_cost(titan, {"images": 5, "image_size": "512x512"}) == 0.04
    assert estimate_cost(titan, {"images": 1, "image_size": "1152x640",
                                 "image_quality": "premium"}) == 0.012  # fmt: skip
    sdxl = by_id("stability.stable-diffusion-xl-v1")
    assert estimate_cost(sdxl, {"images": 1}) == 0.04  # default 30 steps
    assert estimate_cost(sdxl, {"images": 1, "steps": 60}) == 0.08
    assert estimate_cost(by_id("stability.sd3-5-large-v1:0"), {"images": 2}) == 0.16


def test_cost_is_none_when_unknown() -> None:
    assert estimate_cost(None, {"input_tokens": 10}) is None
    mistral = by_id("mistral.mistral-7b-instruct-v0:2")
    assert mistral.prices.batch is None
    assert estimate_cost(mistral, {"input_tokens": 10}, batch=True) is None
    assert estimate_cost(mistral, {"input_tokens": 1000}) == 0.00015


# ── loading ──────────────────────────────────────────────────────────────────────────────

TOML_TEXT = Path(CATALOG_PATH).read_text(encoding="utf-8")


def test_get_catalog_is_cached_and_load_catalog_is_not() -> None:
    assert get_catalog() is get_catalog()
    fresh = load_catalog()
    assert fresh is not get_catalog()
    assert list(fresh) == MODELS


def test_toml_parses_with_stdlib_tomllib() -> None:
    import tomllib

    assert toml_loads(TOML_TEXT) == tomllib.loads(TOML_TEXT)


def test_toml_parses_through_the_tomli_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Python 3.10 path: tomllib is missing, tomli is used (a tomllib-backed stand-in
    when tomli itself is not installed, so the fallback branch always runs)."""
    import tomllib

    parse: Callable[[str], dict[str, Any]] = tomllib.loads
    try:
        import tomli

        parse = tomli.loads
    except ImportError:
        pass
    calls: list[str] = []

    def loads(text: str) -> dict[str, Any]:
        calls.append("tomli")
        return parse(text)

    stand_in = types.ModuleType("tomli")
    stand_in.loads = loads  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tomllib", None)  # makes `import tomllib` fail
    monkeypatch.setitem(sys.modules, "tomli", stand_in)
    catalog = load_catalog()
    assert calls == ["tomli"]
    assert list(catalog) == MODELS


def test_toml_parses_with_real_tomli() -> None:
    tomli = pytest.importorskip("tomli")
    import tomllib

    assert tomli.loads(TOML_TEXT) == tomllib.loads(TOML_TEXT)


def _one_model(**changes: object) -> dict[str, object]:
    import tomllib

    raw = tomllib.loads(TOML_TEXT)
    model = dict(raw["model"][0])
    model.update(changes)
    return {"prices_as_of": raw["prices_as_of"], "model": [model]}


def test_catalog_from_a_single_table() -> None:
    catalog = Catalog.from_dict(_one_model())
    assert len(catalog) == 1 and "nova-micro" in catalog and "sonnet" not in catalog


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"contex_window": 5}, "unknown keys ['contex_window']"),
        ({"streaming": "yes"}, "'streaming' has the wrong type"),
        ({"context_window": True}, "'context_window' has the wrong type"),
        ({"regions": ["us-east-1", 3]}, "'regions' has the wrong type"),
        ({"family": "gpt"}, "unknown family 'gpt'"),
        ({"lifecycle": "RETIRED"}, "unknown lifecycle"),
        ({"output_modalities": ["SMELL"]}, "unknown modality"),
        ({"profile_geographies": ["mars"]}, "unknown profile geography"),
        ({"requires_profile": True}, "requires_profile but on-demand regions"),
        ({"image": {"seed_max": 1, "max_images": 1, "prompt_max_chars": 1, "tasks": []}},
         "image models, and only they"),
        ({"prices": {"input": 0.1, "currency": "EUR"}}, "unknown keys ['currency']"),
    ],
)  # fmt: skip
def test_malformed_data_is_rejected(changes: dict[str, object], message: str) -> None:
    with pytest.raises(CatalogError, match=re.escape(message)):
        Catalog.from_dict(_one_model(**changes))


def test_missing_fields_and_duplicates_are_rejected() -> None:
    data = _one_model()
    del data["model"][0]["name"]  # type: ignore[index]
    with pytest.raises(CatalogError, match="missing 'name'"):
        Catalog.from_dict(data)
    twice = _one_model()
    twice["model"] = [twice["model"][0], dict(twice["model"][0])]  # type: ignore[index]
    with pytest.raises(CatalogError, match="duplicate model id"):
        Catalog.from_dict(twice)
    clash = _one_model()
    other = dict(clash["model"][0], id="amazon.nova-micro-v2:0")  # type: ignore[index]
    clash["model"] = [clash["model"][0], other]  # type: ignore[index]
    with pytest.raises(CatalogError, match="alias 'nova-micro'"):
        Catalog.from_dict(clash)
    with pytest.raises(CatalogError, match="no \\[\\[model\\]\\] tables"):
        Catalog.from_dict({})


def test_importing_the_catalog_stays_light() -> None:
    code = (
        "import sys; from bedrock_cli.catalog import get_catalog; get_catalog()"
        ".resolve('sonnet', 'us-east-1'); "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'boto3', 'botocore', 'rich', 'typer', 'difflib', 'decimal'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
