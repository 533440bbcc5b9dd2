from bedrock_cli.output.console import Output

__all__ = ["Output"]
