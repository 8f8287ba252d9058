"""Output directories that never lose a user's files (decision 59).

Recorded in docs/decisions/0059-output-directories-owned-and-locked.md.

Every intsim command that writes an output directory goes through this module:

* **Staged writes.** The outputs are written into a fresh temporary sibling
  (``.<name>.tmp-<12 hex digits>``) and renamed into place at the end, so an error or an
  interruption leaves the old directory as it was and nothing half-written.
* **Ownership.** On success the directory's ``manifest.json`` gets a ``files`` mapping: the
  relative path (``/``-separated) and SHA-256 of every file intsim wrote. An existing directory
  is replaced only when every file in it is listed there with a matching hash (an empty
  directory, or a listed file that has since been deleted, is fine). Anything else -- a file of
  the user's, a listed file whose content changed, a symbolic link, a ``manifest.json`` without
  ``files`` (written by hand, or by an intsim older than this scheme) -- is *foreign*: the
  command stops with :class:`ForeignFilesError` naming those files, and nothing is touched.
  The check runs before any work (so a mistake costs nothing) and again, authoritatively, after
  the old directory has been renamed aside and just before it is deleted.
* **One writer at a time.** A command holds an exclusive ``fcntl.flock`` on
  ``.<name>.lock`` next to the directory from the moment it claims the directory until it has
  renamed its outputs into place; a second command aiming at the same directory stops at once
  with :class:`OutputLockedError`. The lock is released by the kernel if the process dies (no
  stale locks); the lock file is removed on a clean release.

This module is the bottom layer (standard library only), so every writer can use it.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import re
import shutil
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

MANIFEST_NAME = "manifest.json"
#: Key of ``manifest.json`` listing the files intsim wrote: relative path -> SHA-256 (hex).
FILES_KEY = "files"
#: Most foreign files named in one error message (the rest are counted).
MAX_NAMED = 8
_TMP_RE = r"\.tmp-[0-9a-f]{12}"


class ForeignFilesError(FileExistsError):
    """The output directory holds files intsim did not write (or that changed since)."""

    def __init__(self, out_dir: Path, foreign: list[str]) -> None:
        self.out_dir = Path(out_dir)
        self.foreign = list(foreign)
        super().__init__(
            f"{out_dir}: not an intsim run directory that can be replaced: it holds files that "
            f"no manifest.json of intsim lists with a matching hash: {name_files(foreign)}; "
            "nothing was touched (move those files away, or choose another directory)"
        )


class OutputLockedError(BlockingIOError):
    """Another intsim command is writing the same output directory."""

    def __init__(self, out_dir: Path, lock_path: Path) -> None:
        self.out_dir = Path(out_dir)
        super().__init__(
            errno.EWOULDBLOCK,
            f"{out_dir}: another intsim command is writing this directory (it holds "
            f"{lock_path.name}); wait for it to finish, or choose another directory",
        )

    def __str__(self) -> str:
        return str(self.strerror)


def name_files(names: list[str]) -> str:
    """``a, b, c`` -- at most :data:`MAX_NAMED` names, then ``and N more``."""
    shown = ", ".join(names[:MAX_NAMED])
    rest = len(names) - MAX_NAMED
    return f"{shown} and {rest} more" if rest > 0 else shown


# --------------------------------------------------------------------------- hashes


def sha256_file(path: Path) -> str:
    """SHA-256 (hex) of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _walk(root: Path) -> Iterator[tuple[str, Path]]:
    """Every non-directory entry under ``root`` (symbolic links not followed), sorted."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        base = Path(dirpath)
        links = [d for d in dirnames if (base / d).is_symlink()]
        for name in sorted(filenames + links):
            path = base / name
            yield path.relative_to(root).as_posix(), path


def listed_files(out_dir: Path) -> dict[str, str] | None:
    """The ``files`` mapping of ``out_dir/manifest.json``; None if there is none valid."""
    try:
        data = json.loads((Path(out_dir) / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    files = data.get(FILES_KEY) if isinstance(data, dict) else None
    if not isinstance(files, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in files.items()
    ):
        return None
    return files


def foreign_files(out_dir: Path) -> list[str]:
    """Files under ``out_dir`` that intsim did not write, as ``/``-separated relative paths.

    A file is intsim's when ``manifest.json`` lists it in ``files`` with its current SHA-256;
    ``manifest.json`` itself is intsim's when it holds such a listing. Symbolic links and other
    special files are always foreign. A missing directory has no foreign files.
    """
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        return []
    listed = listed_files(out_dir)
    foreign: list[str] = []
    for rel, path in _walk(out_dir):
        if path.is_symlink() or not path.is_file():
            foreign.append(rel)
        elif rel == MANIFEST_NAME:
            if listed is None:
                foreign.append(rel)
        elif listed is None or listed.get(rel) != sha256_file(path):
            foreign.append(rel)
    return foreign


def record_files(out_dir: Path) -> dict[str, str]:
    """List every file of ``out_dir`` (but the manifest) with its hash in ``manifest.json``.

    Creates ``manifest.json`` if the command wrote none. Returns the listing.
    """
    out_dir = Path(out_dir)
    path = out_dir / MANIFEST_NAME
    manifest: dict[str, Any] = {}
    if path.exists():
        loaded = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(loaded, dict):
            raise ValueError(f"{path}: the manifest written is not a JSON object")
        manifest = loaded
    files = {rel: sha256_file(p) for rel, p in _walk(out_dir) if rel != MANIFEST_NAME}
    manifest[FILES_KEY] = files
    path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return files


# --------------------------------------------------------------------------- checks


def check_target(out_dir: Path) -> None:
    """Check that ``out_dir`` could receive outputs, without touching anything.

    Raises:
        NotADirectoryError: ``out_dir`` or one of its ancestors is a file.
        FileExistsError: ``out_dir`` is the current directory or one of its parents.
        ForeignFilesError: ``out_dir`` holds files intsim did not write.
    """
    out_dir = Path(out_dir)
    check_location(out_dir)
    foreign = foreign_files(out_dir)
    if foreign:
        raise ForeignFilesError(out_dir, foreign)


def check_location(out_dir: Path) -> None:
    """Check that ``out_dir`` is missing or a directory of its own, without reading its files.

    Raises as :func:`check_target` (but never :class:`ForeignFilesError`).
    """
    out_dir = Path(out_dir)
    if out_dir.exists() or out_dir.is_symlink():
        if out_dir.is_symlink() or not out_dir.is_dir():
            raise NotADirectoryError(f"{out_dir}: exists and is not a directory")
        resolved, cwd = out_dir.resolve(), Path.cwd().resolve()
        if resolved == cwd or resolved in cwd.parents:
            raise FileExistsError(
                f"{out_dir}: is the current directory or one of its parents; expected a "
                "directory of its own for the outputs"
            )
        return
    for parent in out_dir.parents:
        if parent.exists():
            if not parent.is_dir():
                raise NotADirectoryError(f"{out_dir}: {parent} is not a directory")
            return


# --------------------------------------------------------------------------- the lock


_HELD: dict[str, tuple[int, int]] = {}  # lock path -> (file descriptor, depth)
_HELD_GUARD = threading.Lock()
_CREATED: dict[str, list[Path]] = {}  # lock path -> folders created for it (deepest first)
_CLAIMS: set[str] = set()  # locks taken by claim(), released once the outputs are in place


def lock_path(out_dir: Path) -> Path:
    """``.<name>.lock`` next to ``out_dir``."""
    out_dir = Path(out_dir)
    return out_dir.parent / f".{out_dir.name}.lock"


def _key(out_dir: Path) -> str:
    return str(lock_path(Path(os.path.abspath(out_dir))))


def acquire_lock(out_dir: Path) -> None:
    """Take the exclusive lock of ``out_dir`` (re-entrant within this process).

    Creates the parent directory if needed. Each call must be matched by
    :func:`release_lock` (or the lock is released when the process ends).

    Raises:
        OutputLockedError: Another process holds the lock.
    """
    key = _key(out_dir)
    with _HELD_GUARD:
        if key in _HELD:
            fd, depth = _HELD[key]
            _HELD[key] = (fd, depth + 1)
            return
        path = Path(key)
        created = [p for p in (path.parent, *path.parent.parents) if not p.exists()]
        path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(20):
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                raise OutputLockedError(Path(out_dir), path) from None
            try:  # the holder before us may have removed the file after we opened it
                same = os.stat(path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                _HELD[key] = (fd, 1)
                _CREATED[key] = created
                return
            os.close(fd)
        raise OutputLockedError(Path(out_dir), path)


def release_lock(out_dir: Path) -> None:
    """Undo one :func:`acquire_lock`; the last release removes the lock file and unlocks."""
    _release_key(_key(out_dir))


def _release_key(key: str) -> None:
    with _HELD_GUARD:
        if key not in _HELD:
            return
        fd, depth = _HELD[key]
        if depth > 1:
            _HELD[key] = (fd, depth - 1)
            return
        del _HELD[key]
        _CLAIMS.discard(key)
        with contextlib.suppress(OSError):
            os.unlink(key)  # still locked: a waiting opener sees the inode change and retries
        os.close(fd)
        for folder in _CREATED.pop(key, []):  # folders made for the lock, if still empty
            try:
                folder.rmdir()
            except OSError:
                break


def release_all_locks() -> None:
    """Release every lock this process holds (the end of a command)."""
    with _HELD_GUARD:
        keys = list(_HELD)
    for key in keys:
        while key in _HELD:
            _release_key(key)


@contextlib.contextmanager
def locked(out_dir: Path) -> Iterator[None]:
    """Hold the lock of ``out_dir`` for the block (see :func:`acquire_lock`)."""
    acquire_lock(out_dir)
    try:
        yield
    finally:
        release_lock(out_dir)


def claim(out_dir: Path) -> None:
    """Lock ``out_dir`` for this command and check it can receive the outputs.

    The lock is kept until the outputs are in place (:func:`staged_directory` releases it) or
    :func:`release_all_locks` is called; on a failed check it is released at once.
    """
    key = _key(out_dir)
    check_location(out_dir)  # before the lock creates the parent folder
    if key in _CLAIMS:
        check_target(out_dir)
        return
    acquire_lock(out_dir)
    try:
        check_target(out_dir)
    except BaseException:
        release_lock(out_dir)
        raise
    _CLAIMS.add(key)


def release_claim(out_dir: Path) -> None:
    """Release the lock taken by :func:`claim` (no-op if there is none)."""
    key = _key(out_dir)
    if key in _CLAIMS:
        _CLAIMS.discard(key)
        _release_key(key)


# --------------------------------------------------------------------------- staged replacement


def new_tmp_sibling(out_dir: Path) -> Path:
    """A fresh, empty ``.<name>.tmp-<hex>`` next to ``out_dir`` (mode from the umask)."""
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    # Not tempfile.mkdtemp: its mode 0700 would stick to the renamed directory.
    tmp = out_dir.parent / f".{out_dir.name}.tmp-{uuid.uuid4().hex[:12]}"
    tmp.mkdir()
    return tmp


def remove_debris(out_dir: Path) -> None:
    """Delete staged siblings (``.<name>.tmp-<hex>``) left by a killed writer (lock held).

    They only ever hold outputs being written. A renamed-aside old directory
    (``.<name>.old-<hex>``, left only if a writer died between two renames) is kept: it may
    hold a user's files.
    """
    out_dir = Path(out_dir)
    if not out_dir.parent.is_dir():
        return
    pattern = re.compile(rf"\.{re.escape(out_dir.name)}{_TMP_RE}")
    for entry in out_dir.parent.iterdir():
        if pattern.fullmatch(entry.name) and entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)


def replace_directory(staged: Path, out_dir: Path) -> None:
    """Rename ``staged`` to ``out_dir``; an existing ``out_dir`` must hold only intsim's files.

    The old directory is renamed aside, checked again (a file added while the command ran
    counts), and deleted only if it is still all intsim's; otherwise it is renamed back.

    Raises:
        ForeignFilesError: The old directory holds foreign files (it is left in place).
    """
    out_dir = Path(out_dir)
    if not out_dir.exists():
        os.rename(staged, out_dir)
        return
    check_target(out_dir)
    old = out_dir.parent / f".{out_dir.name}.old-{uuid.uuid4().hex[:12]}"
    os.rename(out_dir, old)
    foreign = foreign_files(old)
    if foreign:
        os.rename(old, out_dir)
        raise ForeignFilesError(out_dir, foreign)
    try:
        os.rename(staged, out_dir)
    except BaseException:
        os.rename(old, out_dir)
        raise
    shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def staged_directory(out_dir: Path) -> Iterator[Path]:
    """A temporary sibling of ``out_dir`` that replaces it when the block succeeds.

    Holds the lock of ``out_dir`` throughout, checks it first (:func:`check_target`), and on
    success lists the files written in ``manifest.json`` (:func:`record_files`) and renames the
    staged directory into place (:func:`replace_directory`). On any error the staged directory
    is removed and ``out_dir`` is left as it was.

    Raises:
        OutputLockedError: Another command is writing ``out_dir``.
        ForeignFilesError: ``out_dir`` holds files intsim did not write.
    """
    out_dir = Path(out_dir)
    check_location(out_dir)  # before the lock creates the parent folder
    with locked(out_dir):
        check_target(out_dir)
        remove_debris(out_dir)
        tmp = new_tmp_sibling(out_dir)
        try:
            yield tmp
            record_files(tmp)
            replace_directory(tmp, out_dir)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    release_claim(out_dir)  # the claim taken before the work, if any: the outputs are in place


# --------------------------------------------------------------------------- resumable batches

#: Files a batch folder of :func:`intsim.analysis.batch.run_batch` and ``intsim mc`` may hold: the
#: journal (manifest, log, chunks, with the temporary files of an interrupted atomic write) and
#: the final tables and figures.
_JOURNAL_RE = re.compile(
    r"(manifest\.json|batch_log\.jsonl|runs\.parquet|draws\.parquet|summary\.csv|[\w.-]+\.png"
    rf"|\.(manifest\.json|runs\.parquet){_TMP_RE}"
    rf"|chunks/(\.)?chunk-\d{{8}}-\d{{8}}\.parquet({_TMP_RE})?)"
)


def partial_path(out_dir: Path) -> Path:
    """``.<name>.partial`` next to ``out_dir``: where a resumable batch keeps its journal."""
    out_dir = Path(out_dir)
    return out_dir.parent / f".{out_dir.name}.partial"


def journal_foreign(folder: Path) -> list[str]:
    """Files under ``folder`` that a batch folder never holds (see :data:`_JOURNAL_RE`)."""
    return [
        rel
        for rel, path in _walk(Path(folder))
        if path.is_symlink() or not path.is_file() or not _JOURNAL_RE.fullmatch(rel)
    ]


def _is_legacy_batch(out_dir: Path) -> bool:
    """A batch folder written in place by an intsim without file hashes (interrupted or not)."""
    try:
        data = json.loads((out_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (
        isinstance(data, dict)
        and FILES_KEY not in data
        and "task_fingerprint" in data
        and not journal_foreign(out_dir)
    )


_FRESH_COPIES: set[str] = set()  # partial folders copied from a finished folder by this process


def claim_resumable(out_dir: Path, *, resume: bool) -> Path:
    """Lock ``out_dir`` and return the folder a resumable batch (``intsim mc``) works in.

    The batch runs in :func:`partial_path` (a fixed name, so that ``--resume`` finds it after
    any interruption, even ``kill -9``); :func:`commit_resumable` renames it into place once
    everything is written. Without ``resume``, ``out_dir`` must be missing or empty and no
    interrupted batch may be waiting. With ``resume``, the batch continues from the partial
    folder if there is one, else from a copy of a finished ``out_dir`` (which must hold only
    intsim's files), else it starts.

    Raises:
        OutputLockedError: Another command is writing ``out_dir``.
        FileExistsError: ``out_dir`` is not empty (or an interrupted batch waits) and not
            ``resume``; or (``ForeignFilesError``) the folders hold files intsim did not write.
        NotADirectoryError: As :func:`check_location`.
    """
    out_dir = Path(out_dir)
    check_location(out_dir)  # before the lock creates the parent folder
    acquire_lock(out_dir)
    try:
        work = _resumable_work_dir(out_dir, resume)
    except BaseException:
        release_lock(out_dir)
        raise
    _CLAIMS.add(_key(out_dir))
    return work


def _resumable_work_dir(out_dir: Path, resume: bool) -> Path:
    check_location(out_dir)
    partial = partial_path(out_dir)
    filled = out_dir.is_dir() and any(out_dir.iterdir())
    if not resume:
        if filled:
            raise FileExistsError(
                f"{out_dir}: not empty; add --resume to continue it, or choose another folder"
            )
        if partial.exists():
            raise FileExistsError(
                f"{out_dir}: an interrupted run of it is kept in {partial}; add --resume to "
                "continue it, or delete that folder to start again"
            )
        return partial
    if partial.exists():
        foreign = journal_foreign(partial)
        if foreign:
            raise ForeignFilesError(partial, foreign)
        check_target(out_dir)  # replaced at the end
        return partial
    if filled:
        if _is_legacy_batch(out_dir):
            record_files(out_dir)  # adopt it: every file is one a batch writes
        check_target(out_dir)
        staged = new_tmp_sibling(out_dir)
        try:
            shutil.copytree(out_dir, staged, dirs_exist_ok=True)
            os.rename(staged, partial)
        except BaseException:
            shutil.rmtree(staged, ignore_errors=True)
            raise
        _FRESH_COPIES.add(str(partial))
    return partial


def abandon_resumable(work: Path) -> None:
    """After a failed resume: delete ``work`` if it is only a fresh copy of the finished folder.

    A partial folder of an interrupted batch is kept (it is what ``--resume`` continues).
    """
    if str(work) in _FRESH_COPIES:
        _FRESH_COPIES.discard(str(work))
        shutil.rmtree(work, ignore_errors=True)


def commit_resumable(work: Path, out_dir: Path) -> None:
    """List the files of a finished batch folder and rename it into place; release the lock.

    Raises:
        ForeignFilesError: ``out_dir`` gained foreign files meanwhile (``work`` is kept).
    """
    record_files(work)
    replace_directory(work, out_dir)
    _FRESH_COPIES.discard(str(work))
    release_claim(out_dir)
