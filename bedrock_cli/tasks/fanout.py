"""Many calls at once over one boto3 client: a thread pool, in order, with Ctrl-C handled.

boto3 clients are thread-safe; their connection pool is sized by ``max_pool_connections``,
so the caller hands the calls a runtime whose pool is as large as the concurrency
(``pooled``), built before any call.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from bedrock_cli.errors import BedrockCliError, InterruptedByUser

if TYPE_CHECKING:
    from bedrock_cli.runtime import Runtime

T = TypeVar("T")
R = TypeVar("R")


def pooled(runtime: Runtime, size: int) -> Runtime:
    """A runtime for ``size`` calls at once: the same usage hook, clients whose connection
    pool holds ``size`` connections (``Clients.pooled``), built before any worker starts."""
    from bedrock_cli.runtime import Runtime

    clients = runtime.clients.pooled(size)
    return runtime if clients is runtime.clients else Runtime(clients, runtime.on_usage)


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
