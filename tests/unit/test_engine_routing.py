"""Model routing: first matching pattern wins, `*=local` by default, `none` refuses the model."""

from __future__ import annotations

import pytest

from jobstream.engines import routing
from jobstream.engines.openai_compatible import OpenAICompatibleEngine
from jobstream.engines.port import ModelNotAvailableError
from jobstream.settings import EngineSettings


def settings(routes: str, **extra: object) -> EngineSettings:
    return EngineSettings.model_validate({"model_routes": routes, **extra})


def test_default_routes_every_model_to_the_local_engine() -> None:
    default = EngineSettings.model_construct()
    assert default.model_routes == "*=local"
    for model in ("retab-small", "gpt-4o", "anything"):
        assert routing.route_for(model, default) == "local"


def test_first_matching_route_wins() -> None:
    routes = settings("retab-*=local,gpt-*=openai,gpt-4o=none,*=none")
    assert routing.route_for("retab-small", routes) == "local"
    assert routing.route_for("gpt-4o", routes) == "openai"  # gpt-* comes first
    assert routing.route_for("llama3", routes) == "none"


def test_unmatched_model_falls_back_to_local() -> None:
    assert routing.route_for("llama3", settings("gpt-*=openai")) == "local"


@pytest.mark.parametrize("bad", ["gpt-*", "gpt-*=anthropic", "=local"])
def test_bad_route_is_refused_with_its_text(bad: str) -> None:
    with pytest.raises(ValueError, match="bad model route"):
        routing.parse_routes(bad)


def test_engine_for_builds_the_openai_engine_once() -> None:
    routes = settings("gpt-*=openai", openai_base_url="http://127.0.0.1:1/v1")
    first = routing.engine_for("gpt-4o", routes)
    assert isinstance(first, OpenAICompatibleEngine)
    assert routing.engine_for("gpt-4o-mini", routes) is first


def test_model_routed_to_none_is_not_available() -> None:
    with pytest.raises(ModelNotAvailableError) as refused:
        routing.engine_for("secret-model", settings("secret-*=none"))
    assert refused.value.code == "model_not_available"
    assert "secret-model" in refused.value.message


def test_vision_patterns() -> None:
    assert routing.matches_any("gpt-4o-mini", "gpt-4o*,gpt-5*")
    assert not routing.matches_any("gpt-3.5-turbo", "gpt-4o*,gpt-5*")
    assert not routing.matches_any("gpt-4o", "")
