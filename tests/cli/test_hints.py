"""Hints that send users the right way (issue 13, items 11–13): a hint names only a model id or
Region the catalog says works, and each error names its real cause."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bedrock_cli.catalog import get_catalog
from bedrock_cli.catalog.reach import how_to_call
from bedrock_cli.local import modelref
from tests.helpers import cli

REGIONS = ("us-east-1", "us-west-2", "eu-west-1", "ap-northeast-1", "ap-southeast-2",
           "ca-central-1", "us-gov-west-1", "sa-east-1")


def _local(*args: str, region: str = "us-east-1") -> tuple[int, str]:
    run = cli(["--backend", "local", "--region", region, *args])
    assert run.exception is None, repr(run.exception)
    return run.exit_code, run.stderr


@pytest.mark.parametrize("region", REGIONS)
def test_every_catalog_hint_names_a_call_that_works(region: str) -> None:
    """For every model that fails in a Region, following the hint succeeds: the model id it
    names resolves there, or the model resolves in the Region it names (as the emulator, which
    judges a modelId as Bedrock does, sees it)."""
    for model in get_catalog():
        works_here = model.on_demand_in(region) or model.profile_geography_for(region)
        assert (how_to_call(model, region) is None) == bool(works_here), model.id
        hint = how_to_call(model, region, model.id)
        if hint is None:
            modelref.resolve(model.id, region)  # no hint: the bare id must work
            continue
        named = re.search(r"-m (\S+?)\.?$", hint)
        if named:
            modelref.resolve(named.group(1), region)
            continue
        target = re.search(r"--region (\S+?)\.$", hint)
        assert target is not None, hint
        routed = get_catalog().resolve(model.id, target.group(1)).model_id
        modelref.resolve(routed, target.group(1))
        assert target.group(1) != region


def test_a_model_offered_elsewhere_names_its_regions_not_a_made_up_profile() -> None:
    code, err = _local("generate", "-m", "mistral-large", "hi")
    assert code == 5
    assert "us.mistral" not in err
    assert "add --region us-west-2" in err
    assert _local("generate", "-m", "mistral-large", "hi", "--max-tokens", "3",
                  region="us-west-2")[0] == 0


def test_an_invalid_profile_id_gets_the_catalog_hint_not_check_the_parameters() -> None:
    code, err = _local("generate", "-m", "us.mistral.mistral-large-2407-v1:0", "hi")
    assert code == 5
    assert "Check the parameters" not in err
    assert "--region us-west-2" in err


def test_a_profile_of_the_wrong_geography_names_the_one_that_works() -> None:
    code, err = _local("generate", "-m", "us.amazon.nova-lite-v1:0", "hi", region="eu-west-1")
    assert code == 5
    assert "-m eu.amazon.nova-lite-v1:0" in err


@pytest.mark.parametrize("model", ["stability.sd3-5-large-v1:0", "stable-image-core"])
def test_stability_models_in_us_east_1_name_us_west_2(model: str, tmp_path: Path) -> None:
    code, err = _local("image", "-m", model, "a cat", "-o", str(tmp_path / "cat.png"))
    assert code == 5
    assert "us.stability" not in err
    assert "add --region us-west-2" in err


def test_an_unknown_bedrock_id_gets_no_invented_id() -> None:
    code, err = _local("generate", "-m", "acme.nosuch-v1", "hi")
    assert code == 5
    assert "-m " not in err and "Check the parameters" not in err
    assert "models list" in err


def test_a_missing_batch_job_says_how_to_list_jobs() -> None:
    code, err = _local("batch", "status", "abcdefgh1234")  # well-formed, no such job
    assert code == 5
    assert "abcdefgh1234" in err and "not found" in err.lower()
    assert "batch list" in err
    assert "model" not in err.lower()


def test_a_malformed_batch_job_id_says_how_to_list_jobs() -> None:
    """Bedrock refuses an id that is not a job id or ARN (ValidationException): the hint is
    about jobs, not about model parameters."""
    code, err = _local("batch", "status", "nosuchjob")
    assert code == 5
    assert "nosuchjob" in err and "jobIdentifier" in err
    assert "batch list" in err
    assert "models show" not in err
