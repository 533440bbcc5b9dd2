"""The services one run of a command uses, built lazily from resolved settings."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

from bedrock_cli.errors import UsageError
from bedrock_cli.output import Output
from bedrock_cli.settings import Settings

if TYPE_CHECKING:
    from bedrock_cli.catalog import Catalog, Resolution
    from bedrock_cli.clients import Clients
    from bedrock_cli.history import History
    from bedrock_cli.metering import Meter
    from bedrock_cli.recorder import Recorder
    from bedrock_cli.runtime import Runtime
    from bedrock_cli.tasks.common import Target


class AppContext:
    def __init__(self, settings: Settings, output: Output) -> None:
        self.settings = settings
        self.output = output

    @cached_property
    def clients(self) -> Clients:
        from bedrock_cli.clients import Clients

        return Clients(self.settings, notice=self.output.notice)

    @cached_property
    def runtime(self) -> Runtime:
        from bedrock_cli.runtime import Runtime

        return Runtime(self.clients, on_usage=self.recorder.tokens)

    @cached_property
    def meter(self) -> Meter:
        """Usage and cost of every call this command makes (`--usage`)."""
        from bedrock_cli.metering import Meter

        return Meter()

    @cached_property
    def recorder(self) -> Recorder:
        """Around every call: metering, pricing, history, partial results, usage lines."""
        from bedrock_cli.recorder import Recorder

        return Recorder(self.meter, lambda: self.history, lambda: self.clients.backend,
                        self.output)

    def report_usage(self) -> None:
        """Print the calls not reported yet when --usage (or the `usage` setting) asks."""
        if self.settings.usage and "meter" in self.__dict__:
            self.recorder.report_usage()

    @cached_property
    def history(self) -> History | None:
        """None when logging is off (`--no-log`, BEDROCK_CLI_LOG=0)."""
        if not self.settings.log:
            return None
        from bedrock_cli.history import History

        return History(self.settings.data_dir)

    @cached_property
    def catalog(self) -> Catalog:
        from bedrock_cli.catalog import get_catalog

        return get_catalog()

    def resolve_model(self, name: str | None, *, kind: str = "model",
                      clients: Clients | None = None) -> Resolution:
        """Alias, catalog id, Bedrock-shaped id or ARN → what to call in this region (of
        `clients` when given: `doctor` uses its own)."""
        from bedrock_cli.catalog import UnknownModelError

        clients = clients or self.clients
        wanted: str = name or getattr(self.settings, kind)
        try:
            resolution = self.catalog.resolve(wanted, clients.region)
        except UnknownModelError as exc:
            raise unknown_model(wanted, exc.suggestions) from None
        if resolution.model is None and resolution.profile is None and \
                not wanted.lower().startswith("arn:"):
            resolution = self._listed(wanted, clients) or resolution
        if resolution.profile:
            self.output.debug(
                f"debug: {wanted} is called through the inference profile {resolution.model_id}"
            )
        return resolution

    def target(self, name: str | None) -> Target:
        """The text model to call for `name` (None: the `model` setting): what tasks get as
        `common.TargetFor`."""
        from bedrock_cli.tasks.common import target

        return target(self.resolve_model(name), name or str(self.settings.model))

    def _listed(self, model_id: str, clients: Clients) -> Resolution | None:
        """A model id the shipped catalog does not know, routed by the cached account listing
        (`models refresh`); read from disk only in this case, never fetched."""
        from bedrock_cli.catalog.live import route

        return route(self.settings.data_dir, clients, self.catalog, model_id)

    def close(self) -> Any:
        if "history" in self.__dict__ and self.history is not None:
            self.history.close()


def unknown_model(wanted: str, suggestions: Sequence[str]) -> UsageError:
    """The error for a name that is neither an alias, a catalog id, a Bedrock id nor an ARN."""
    close = ", ".join(suggestions) if suggestions else "none close"
    return UsageError(
        f"Unknown model {wanted!r}: not an alias, a catalog id, a Bedrock model id "
        f"or an ARN (closest: {close}).",
        "See `bedrock-cli models list` for ids and aliases.",
    )
