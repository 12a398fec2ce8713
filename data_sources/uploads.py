"""Files uploaded through the browser: where they are kept, what they may name, when they go.

Uploads live under one root in the system's temporary folder, one private
folder per upload (``UploadFolder``). A configuration found there is an
*uploaded* configuration: it may name only the files uploaded with it, never a
database (``url``, ``url_env``, ``sql_table``, ``query``) or a server path
(see ``data_sources.config``). A folder is removed when the app replaces the
source, when its session ends (the object is garbage-collected), or when the
server stops; folders left by a crashed server are swept after a day.

Example
-------
>>> folder = UploadFolder()
>>> is_uploaded(folder.path / "sources.toml")
True
>>> folder.cleanup()
>>> folder.path.exists()
False
"""

from __future__ import annotations

import shutil
import tempfile
import time
import weakref
from pathlib import Path

UPLOAD_ROOT_NAME = "talent-readiness-uploads"
#: Upload folders older than this are removed by ``sweep_stale`` (a server that crashed left them).
STALE_AFTER_SECONDS = 24 * 3600


def upload_root() -> Path:
    """The folder under which every upload folder lives.

    Example
    -------
    >>> upload_root().name
    'talent-readiness-uploads'
    """
    return Path(tempfile.gettempdir()) / UPLOAD_ROOT_NAME


def is_uploaded(path: str | Path) -> bool:
    """True when ``path`` lies inside the upload root (so it came from a browser).

    Example
    -------
    >>> is_uploaded("/etc/passwd")
    False
    """
    try:
        return Path(path).resolve().is_relative_to(upload_root().resolve())
    except (OSError, ValueError):
        return False


class UploadFolder:
    """A private folder for one upload; removed by ``cleanup()`` or when the object is collected.

    Keep it in the session's state: when the session ends the folder goes with it.
    """

    def __init__(self) -> None:
        root = upload_root()
        root.mkdir(parents=True, exist_ok=True)
        self.path = Path(tempfile.mkdtemp(prefix="upload-", dir=root))
        self._finalizer = weakref.finalize(self, shutil.rmtree, str(self.path), True)

    def cleanup(self) -> None:
        """Remove the folder and its files now (idempotent)."""
        self._finalizer()

    def __repr__(self) -> str:
        return f"UploadFolder({self.path.name})"


def sweep_stale(max_age_seconds: float = STALE_AFTER_SECONDS) -> int:
    """Remove upload folders untouched for longer than ``max_age_seconds``; returns how many.

    Example
    -------
    >>> sweep_stale() >= 0
    True
    """
    root = upload_root()
    if not root.is_dir():
        return 0
    limit = time.time() - max_age_seconds
    removed = 0
    for entry in root.iterdir():
        try:
            if entry.is_dir() and not entry.is_symlink() and entry.stat().st_mtime < limit:
                shutil.rmtree(entry, ignore_errors=True)
                removed += 1
        except OSError:
            continue
    return removed
