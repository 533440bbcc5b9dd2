"""`doctor`: check the install, configuration, credentials, model access and local data, and
say for each problem exactly what to do about it.

Each check is a function returning one :class:`Check`. A check that raises is reported as a
warning (the doctor never crashes); a ``fail`` blocks use (the command exits 3). The checks
that talk to AWS are in :mod:`.remote`, the others in :mod:`.local`; both report
:class:`.checks.Check`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from bedrock_cli.errors import BedrockCliError
from bedrock_cli.tasks.doctor.checks import FAIL, OK, SKIP, UPGRADE, WARN, Check, Report

if TYPE_CHECKING:
    from bedrock_cli.catalog import Catalog, Resolution
    from bedrock_cli.clients import Clients
    from bedrock_cli.history import History
    from bedrock_cli.recorder import Recorder
    from bedrock_cli.settings import Settings

__all__ = ["FAIL", "OK", "SKIP", "UPGRADE", "WARN", "Check", "Report", "run"]


def run(settings: Settings, catalog: Catalog, recorder: Recorder,
        resolve: Callable[[str | None, Clients], Resolution],
        open_history: Callable[[], History | None],
        on_check: Callable[[Check], None] | None = None) -> Report:
    """Every check, in order; ``on_check`` sees each as it finishes. ``resolve`` turns a model
    name into what to call in the region of the given clients."""
    from bedrock_cli.clients import Clients
    from bedrock_cli.runtime import Runtime
    from bedrock_cli.tasks.doctor import local, remote

    # clients of its own, without the "using the local backend" notice: the report says it
    clients = Clients(settings)
    state = remote.State(settings, clients, Runtime(clients, recorder.tokens), catalog,
                         lambda name: resolve(name, clients))
    checks: list[Check] = []
    steps: list[tuple[str, Callable[[], Check]]] = [
        ("install", local.check_install),
        ("config", lambda: local.check_config(settings)),
        ("backend", state.check_backend),
        ("region", state.check_region),
        ("credentials", state.check_credentials),
        ("endpoint", state.check_endpoint),
        ("clock", state.check_clock),
        ("model", lambda: state.check_model("model", blocking=True)),
        ("image model", lambda: state.check_model("image_model", blocking=False)),
        ("embeddings model", lambda: state.check_model("embed_model", blocking=False)),
        ("data dir", lambda: local.check_data_dir(settings.data_dir)),
        ("history", lambda: local.check_history(open_history())),
    ]
    for name, step in steps:
        try:
            check = step()
        except BedrockCliError as err:
            check = Check(name, FAIL, err.message, err.hint)
        except Exception as exc:  # a diagnostic tool reports; it does not crash
            check = Check(name, WARN, f"could not check: {type(exc).__name__}: {exc}",
                          "Rerun with --debug and report this if it persists.")
        checks.append(check)
        if on_check:
            on_check(check)
    return Report(checks, state.backend, state.region)
