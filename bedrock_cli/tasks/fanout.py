"""Many calls at once over one boto3 client: a thread pool, in order, with Ctrl-C handled.

boto3 clients are thread-safe; their connection pool is sized by ``max_pool_connections``,
so the run's ``Clients`` is built with a pool as large as the concurrency before any call.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from bedrock_cli.errors import BedrockCliError, InterruptedByUser

if TYPE_CHECKING:
    from bedrock_cli.context import AppContext

T = TypeVar("T")
R = TypeVar("R")


def use_pool(app: AppContext, size: int) -> None:
    """Give the run's boto3 clients a connection pool of at least ``size`` connections, and
    build the runtime client now: building clients is not thread-safe, calling them is."""
    if "clients" not in vars(app):
        from bedrock_cli.clients import Clients

        vars(app)["clients"] = Clients(app.settings, notice=app.output.notice,
                                       max_pool_connections=max(10, size))
    app.clients.runtime  # noqa: B018 - built here, in one thread


@dataclass
class Done(Generic[R]):
    """One item's outcome: its result, or the project error it failed with."""

    result: R | None = None
    error: BedrockCliError | None = None


def run_all(items: Sequence[T], call: Callable[[T], R], concurrency: int, *,
            fail_fast: bool, on_done: Callable[[int], None] | None = None,
            interrupted: str = "Interrupted; the calls that finished are kept in history."
            ) -> list[Done[R]]:
    """``call`` on every item, ``concurrency`` at a time; results in the items' order.

    With ``fail_fast`` the first error cancels what has not started and is raised; without,
    each item's error is kept in its ``Done``. Anything that is not a project error (a bug)
    is always raised. Ctrl-C cancels what has not started and raises InterruptedByUser.
    """
    done: list[Done[R]] = [Done() for _ in items]
    if not items:
        return done
    finished_count = 0
    pool = ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(items))),
                              thread_name_prefix="bedrock-cli")
    try:
        futures: dict[Future[R], int] = {pool.submit(call, item): i
                                         for i, item in enumerate(items)}
        for future in as_completed(futures):
            index = futures[future]
            try:
                done[index].result = future.result()
            except BedrockCliError as err:
                if fail_fast:
                    raise
                done[index].error = err
            finished_count += 1
            if on_done:
                on_done(finished_count)
    except KeyboardInterrupt:
        pool.shutdown(wait=False, cancel_futures=True)
        raise InterruptedByUser(interrupted, None) from None
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return done
