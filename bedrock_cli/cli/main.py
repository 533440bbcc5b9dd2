"""Console-script entry point for `bedrock-cli` and `bedrock`."""

from __future__ import annotations

#: how long after start-up the cyclic garbage collector stays off (see `main`)
STARTUP_SECONDS = 1.0


def main() -> None:
    import gc
    import os
    import sys
    import threading

    # Start-up allocates some 100k objects (Typer, the command's modules, botocore's client
    # and models) and frees almost none of them in cycles, yet the collector walks them all,
    # again and again as they age: about 30 ms of a one-shot command's 250. It is off for the
    # first second; a command that runs longer (serve, chat, batch, a long stream) gets it
    # back then, with start-up's few cycles collected on its first pass.
    gc.disable()
    restore = threading.Timer(STARTUP_SECONDS, gc.enable)
    restore.daemon = True
    restore.start()

    from bedrock_cli.cli.app import ROOT, build_app, command_named, root_only

    # This process ends with its command: the local backend's batch jobs must outlive it.
    os.environ.setdefault("BEDROCK_CLI_LOCAL_BATCH_RUNNER", "process")
    # Shell completion walks the whole tree; a normal run builds only its own command.
    # `--help`, `--version` and no arguments list the commands without building them.
    completing = any(key.endswith("_COMPLETE") for key in os.environ)
    argv = sys.argv[1:]
    only = None if completing else ROOT if root_only(argv) else command_named(argv)
    build_app(only=only)(prog_name="bedrock-cli")


if __name__ == "__main__":
    main()
