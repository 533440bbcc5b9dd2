"""Text helpers below both the client and the emulator (`local/`), stdlib only:
the tokenizer (:mod:`.tokenizer`), content words (:mod:`.terms`) and BM25 ranking (:mod:`.bm25`).
"""
