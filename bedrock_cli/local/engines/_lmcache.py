"""Loading the text engine's corpus model, building and caching it when needed.

The model is trained on every ``*.txt.xz`` file in ``data/`` (:func:`corpus_files`, in name
order), joined as one text.  The trained arrays (see :mod:`._lmtrain`) go into one file in
the cache directory, named after the corpus files' SHA-256 (salted with the training code),
the model order and :data:`FORMAT_VERSION`.  It is written to a temporary file in the same
directory and renamed into place, so processes that build at the same time never see a
half-written file (a lock file also lets the second one wait for the first instead of
training again).  Reading it loads the header and the small per-word arrays (about 0.5 MB)
and leaves the large n-gram arrays on disk: each lookup reads just the bytes it needs
(:class:`._lmcolumn.FileColumn`), so a generation neither reads nor maps most of the 39 MB
file.  When the cache directory is not writable the model is kept in memory only.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import lzma
import mmap
import os
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bedrock_cli.paths import private_dir, user_cache_dir

if TYPE_CHECKING:
    import numpy as np

    from bedrock_cli.local.engines._lmcolumn import FileColumn

    Column = np.ndarray | FileColumn

FORMAT_VERSION = 1
ORDER = 4
DATA = Path(__file__).parent / "data"
_MAGIC = b"BCLITXLM"
_ALIGN = 64
_PREFIX = "textlm-"
_DAY = 86400.0
#: another version's cache file is removed once unused this long (seconds)
STALE_AFTER = 7 * _DAY


@dataclass
class Tables:
    """The trained model's arrays (``keys``/``ptr``/``gamma``/``succ``/``prob`` by order)."""

    order: int
    bits: int
    vocab: list[str]
    display: list[str]
    uni: np.ndarray
    uni_order: np.ndarray
    open: np.ndarray
    keys: dict[int, Column] = field(default_factory=dict)
    ptr: dict[int, Column] = field(default_factory=dict)
    gamma: dict[int, Column] = field(default_factory=dict)
    succ: dict[int, Column] = field(default_factory=dict)
    prob: dict[int, Column] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    source: str = "built"  # "cache", "built" (and cached), or "memory" (cache unwritable)
    path: Path | None = None
    buffer: Any = None  # keeps the cache file (or its memory map) open


def cache_dir() -> Path:
    """``$BEDROCK_CLI_CACHE``, else ``$XDG_CACHE_HOME/bedrock-cli``, else ``~/.cache/...``."""
    return user_cache_dir()


def cache_path(digest: str) -> Path:
    return cache_dir() / f"{_PREFIX}v{FORMAT_VERSION}-o{ORDER}-{digest[:20]}.bin"


def corpus_files() -> list[Path]:
    """The shipped corpus files: every ``*.txt.xz`` in ``data/``, in name order."""
    return sorted(DATA.glob("*.txt.xz"))


def _file_sha256(path: Path) -> bytes:
    """The SHA-256 of a file, read in chunks (a cached load never holds a corpus whole)."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 16):
            h.update(chunk)
    return h.digest()


def _digest(corpora: Sequence[bytes]) -> str:
    """A SHA-256 over every corpus file's SHA-256 (in order), salted with the training code
    so that a change to any of them (even without a :data:`FORMAT_VERSION` bump) makes a new
    cache file."""
    h = hashlib.sha256()
    for file_hash in corpora:
        h.update(file_hash)
    for name in ("_lmtrain.py", "_lmtext.py"):
        with contextlib.suppress(OSError):  # sources may be absent from a frozen install
            h.update((Path(__file__).parent / name).read_bytes())
    return h.hexdigest()


def _tables(meta: dict[str, Any], arrays: dict[str, Any]) -> Tables:
    order = int(meta["order"])
    vocab = list(meta["vocab"])
    t = Tables(
        order=order,
        bits=int(meta["bits"]),
        vocab=vocab,
        # most words are written as they are keyed: share those strings
        display=[v if d == v else d for v, d in zip(vocab, meta["display"], strict=True)],
        uni=arrays["uni"],
        uni_order=arrays["uni_order"],
        open=arrays["open"],
        meta={k: v for k, v in meta.items() if k not in ("vocab", "display")},
    )
    for k in range(2, order + 1):
        t.keys[k] = arrays[f"keys{k}"]
        t.ptr[k] = arrays[f"ptr{k}"]
        t.gamma[k] = arrays[f"gamma{k}"]
        t.succ[k] = arrays[f"succ{k}"]
        t.prob[k] = arrays[f"prob{k}"]
    return t


def _serialise(meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> Iterator[bytes]:
    """Magic, header length, JSON header, then each array's bytes, 64-byte aligned."""
    head = dict(meta)
    head["vocab"] = "\n".join(meta["vocab"])
    head["display"] = "\n".join(meta["display"])
    layout: dict[str, list[Any]] = {}
    offset = 0
    for name, arr in arrays.items():
        layout[name] = [arr.dtype.str, len(arr), offset]
        offset += -(-arr.nbytes // _ALIGN) * _ALIGN
    head["arrays"] = layout
    blob = json.dumps(head).encode()
    start = -(-(len(_MAGIC) + 8 + len(blob)) // _ALIGN) * _ALIGN
    first = _MAGIC + start.to_bytes(8, "little") + blob
    yield first + b"\0" * (start - len(first))
    for arr in arrays.values():
        data = arr.tobytes()
        yield data + b"\0" * (-len(data) % _ALIGN)


def write_cache(path: Path, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
    """Write atomically: a temporary file in the same directory, then ``os.replace``."""
    private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            for chunk in _serialise(meta, arrays):
                fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def read_cache(path: Path) -> Tables | None:
    """The tables in ``path``, or None if it is missing or not valid.

    The per-word arrays are read into memory; the n-gram arrays stay in the file and are
    read on demand (memory-mapped where ``os.pread`` does not exist)."""
    try:
        fh = path.open("rb")
    except OSError:
        return None
    try:
        tables = _read(fh) if hasattr(os, "pread") else _read_mapped(fh)
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        fh.close()
        return None
    if tables is None:
        fh.close()
        return None
    tables.source = "cache"
    tables.path = path
    return tables


def _header(read: Callable[[int, int], bytes]) -> tuple[int, dict[str, Any]] | None:
    lead = read(len(_MAGIC) + 8, 0)
    if lead[: len(_MAGIC)] != _MAGIC:
        return None
    start = int.from_bytes(lead[len(_MAGIC) :], "little")
    head = json.loads(read(start - len(lead), len(lead)).rstrip(b"\0"))
    head["vocab"] = head["vocab"].split("\n")
    head["display"] = head["display"].split("\n")
    return start, head


_IN_MEMORY = ("uni", "uni_order", "open")


def _read(fh: Any) -> Tables | None:
    import numpy as np

    from bedrock_cli.local.engines._lmcolumn import FileColumn

    fd = fh.fileno()
    size = os.fstat(fd).st_size
    found = _header(lambda n, at: os.pread(fd, n, at))
    if found is None:
        return None
    start, head = found
    arrays: dict[str, Any] = {}
    for name, (dtype, count, offset) in head.pop("arrays").items():
        column = FileColumn(fd, dtype, count, start + offset)
        if start + offset + count * column.dtype.itemsize > size:
            raise ValueError(f"{name} runs past the end of the file")
        arrays[name] = np.asarray(column) if name in _IN_MEMORY else column
    tables = _tables(head, arrays)
    tables.buffer = fh
    return tables


def _read_mapped(fh: Any) -> Tables | None:  # pragma: no cover - platforms without pread
    import numpy as np

    buf = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    found = _header(lambda n, at: bytes(buf[at : at + n]))
    if found is None:
        return None
    start, head = found
    arrays = {name: np.frombuffer(buf, dtype=dtype, count=count, offset=start + offset)
              for name, (dtype, count, offset) in head.pop("arrays").items()}
    tables = _tables(head, arrays)
    tables.buffer = buf
    return tables


@contextlib.contextmanager
def _build_lock(path: Path, timeout: float = 120.0) -> Iterator[None]:
    """Let one process build at a time where ``fcntl`` exists; never fatal."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    try:
        private_dir(path.parent)
        fd = os.open(f"{path}.lock", os.O_CREAT | os.O_RDWR, 0o644)
    except OSError:
        yield
        return
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError:
                if time.monotonic() > deadline:
                    break  # build anyway: the rename keeps the file whole
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _mark_used(path: Path) -> None:
    """Bump the cache file's mtime (at most once a day): :func:`_remove_stale` keeps it."""
    with contextlib.suppress(OSError):
        if time.time() - path.stat().st_mtime > _DAY:
            os.utime(path)


def _remove_stale(keep: Path) -> None:
    """Remove the caches of other corpus versions or formats that no process has loaded for
    :data:`STALE_AFTER` (best effort). Two installed versions sharing the cache directory
    each keep their own file, instead of deleting the other's and retraining every run."""
    now = time.time()
    with contextlib.suppress(OSError):
        for other in keep.parent.glob(f"{_PREFIX}*.bin"):
            if other != keep:
                with contextlib.suppress(OSError):
                    if now - other.stat().st_mtime > STALE_AFTER:
                        other.unlink()
                        Path(f"{other}.lock").unlink(missing_ok=True)


def load(corpus: Path | Sequence[Path] | None = None) -> Tables:
    """Load the cached model for ``corpus`` (one file or several, trained on as one text;
    by default :func:`corpus_files`), building (and caching) it if needed."""
    from bedrock_cli.local.engines._lmtrain import train

    paths = corpus_files() if corpus is None else [corpus] if isinstance(corpus, Path) else corpus
    if not paths:
        raise FileNotFoundError(f"no *.txt.xz corpus files in {DATA}")
    hashes = [_file_sha256(p) for p in paths]
    digest = _digest(hashes)
    path = cache_path(digest)
    tables = read_cache(path)
    if tables is not None:
        _mark_used(path)
        return tables
    with _build_lock(path):
        tables = read_cache(path)  # another process may have built it meanwhile
        if tables is not None:
            return tables
        text = "\n".join(lzma.decompress(p.read_bytes()).decode("utf-8") for p in paths)
        meta, arrays = train(text, ORDER)
        meta["corpus_sha256"] = {
            p.name: file_hash.hex() for p, file_hash in zip(paths, hashes, strict=True)
        }
        try:
            write_cache(path, meta, arrays)
        except OSError:
            tables = None
        else:
            tables = read_cache(path)
        if tables is None:
            tables = _tables(meta, arrays)
            tables.source = "memory"
            return tables
        tables.source = "built"
        _remove_stale(path)
        return tables
