"""bedrock-cli: a command-line client for Amazon Bedrock with an offline local backend."""

__version__ = "0.1.0"
