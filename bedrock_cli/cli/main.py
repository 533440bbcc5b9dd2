"""Console-script entry point for `bedrock-cli` and `bedrock`."""

from __future__ import annotations


def main() -> None:
    from bedrock_cli.cli.app import build_app

    build_app()(prog_name="bedrock-cli")


if __name__ == "__main__":
    main()
