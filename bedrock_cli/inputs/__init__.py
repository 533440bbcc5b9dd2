"""What the user hands in: stdin and text files (:mod:`.reading`) and the documents in them.

PDF parsing lives here too, stdlib only: :mod:`.pdf_objects` reads the object syntax,
stream filters and page tree; :mod:`.pdf_text` turns the pages into text. The client's
document tasks and the emulator's engines both use it, so it sits below both.
"""

from bedrock_cli.inputs.reading import (
    MAX_TEXT_BYTES,
    decode_text,
    read_bytes,
    read_stdin,
    read_stdin_bytes,
    read_text_file,
    stdin_is_piped,
    user_path,
)

__all__ = ["MAX_TEXT_BYTES", "decode_text", "read_bytes", "read_stdin", "read_stdin_bytes",
           "read_text_file", "stdin_is_piped", "user_path"]
