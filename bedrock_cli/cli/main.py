"""Console-script entry point for `bedrock-cli` and `bedrock`."""

from __future__ import annotations


def main() -> None:
    import os
    import sys

    from bedrock_cli.cli.app import build_app, command_named

    # This process ends with its command: the local backend's batch jobs must outlive it.
    os.environ.setdefault("BEDROCK_CLI_LOCAL_BATCH_RUNNER", "process")
    # Shell completion walks the whole tree; a normal run builds only its own command.
    completing = any(key.endswith("_COMPLETE") for key in os.environ)
    build_app(only=None if completing else command_named(sys.argv[1:]))(prog_name="bedrock-cli")


if __name__ == "__main__":
    main()
