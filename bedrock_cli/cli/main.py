"""Console-script entry point for `bedrock-cli` and `bedrock`."""

from __future__ import annotations


def main() -> None:
    import os
    import sys

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
