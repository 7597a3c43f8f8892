"""Read a build's input files once, confined to their folders: the bytes parsed, their stamps and fingerprint.

Confinement holds by construction rather than by matching names. A file is
opened one path component at a time below the folder's own file descriptor,
every component with ``O_NOFOLLOW``, so no symbolic link is ever followed and
nothing outside the folder can be reached, whatever the name says; the last
component is opened with ``O_NONBLOCK`` (a FIFO cannot hang the build) and
read only if ``fstat`` says it is a regular file, and at most its size cap.

Each file is read once: its fingerprint is the hash of the bytes then parsed,
so an edit saved while a build runs makes that build stale instead of being
recorded as built.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .errors import InputError

MIB = 2**20
# A Turtle file of the 10^7-triple synthetic data set is about 30 MB; the source texts
# shipped are under 100 KB. The caps stop a stray dump or device file, not real data.
MAX_TURTLE_BYTES = 256 * MIB
MAX_TEXT_BYTES = 64 * MIB
MAX_TOTAL_BYTES = 1024 * MIB

TURTLE = ".ttl"
TEXTS = (".txt", ".md")
# Other RDF syntaxes (and compressed files) are refused rather than skipped without a word.
# Only Turtle is read: the strict parser reports a curator's typo with its line, and RDF/XML
# would need entity expansion to be refused (see DESIGN.md, hostile RDF/XML).
OTHER_RDF = (".jsonld", ".json-ld", ".rdf", ".owl", ".xml", ".nt", ".ntriples", ".nq", ".nquads",
             ".trig", ".n3", ".trix", ".hext", ".rj", ".ttls", ".ttl.gz", ".nt.gz", ".nq.gz", ".rdf.gz",
             ".jsonld.gz", ".trig.gz", ".ttl.bz2", ".ttl.xz", ".ttl.zst")
# A file modified this close to the moment it was read may change again within the same
# mtime tick without changing its size; its stamp is then not trusted (hashed next time).
_RACY_NS = 2_000_000_000

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC


@dataclass(frozen=True)
class InputFile:
    """One input file as read: ``name`` is how the fingerprint knows it (``data/wp2016/i-ii.ttl``),
    ``folder`` the label of its folder, ``relative`` its path inside it, ``kind`` turtle or text."""

    name: str
    folder: str
    relative: str
    kind: str
    display: str
    content: bytes
    stamp: tuple[int, int]


@dataclass(frozen=True)
class Folder:
    """An input folder: ``label`` names it in fingerprints (``data``), ``recursive`` reads its subfolders."""

    label: str
    path: Path
    recursive: bool
    kinds: tuple[str, ...]


def relative_parts(relative: str, where: str, folder: Path | str) -> tuple[str, ...]:
    """The components of a path that must stay inside ``folder``: relative, no ``..``, nothing hidden."""
    if not relative or "\x00" in relative:
        raise InputError(f"{where}: an empty file name or one with a NUL byte; name a file inside {folder}")
    path = PurePosixPath(relative)
    if path.is_absolute():
        raise InputError(f"{where} {_shown(relative)}: an absolute path; name a file inside {folder}")
    parts = path.parts
    if any(part in ("..", ".") or part.startswith(".") for part in parts) or relative.endswith("/"):
        raise InputError(f"{where} {_shown(relative)}: leaves the folder or names a hidden file; "
                         f"name a file inside {folder} without '..'")
    return parts


def _shown(text: str) -> str:
    printable = "".join(c if c.isprintable() else "?" for c in text)
    return repr(printable[:200] + ("…" if len(printable) > 200 else ""))


def _open_folder(folder: Path) -> int:
    try:
        return os.open(folder.resolve(), _DIR_FLAGS)
    except OSError as error:
        raise InputError(f"{folder}: cannot open the folder ({error.strerror})") from None


def open_confined(folder: Path, relative: str, display: str) -> int:
    """A read-only descriptor of the regular file ``relative`` below ``folder``; never follows a link."""
    parts = relative_parts(relative, display, folder)
    current = _open_folder(folder)
    try:
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            try:
                opened = os.open(part, _FILE_FLAGS if last else _DIR_FLAGS, dir_fd=current)
            except OSError as error:
                raise _refusal(error, display, last) from None
            os.close(current)
            current = opened
        info = os.fstat(current)
        if not stat.S_ISREG(info.st_mode):
            raise InputError(f"{display}: not a regular file; inputs must be plain files inside their folder")
        handed_over, current = current, -1
        return handed_over
    finally:
        if current >= 0:
            os.close(current)


def _refusal(error: OSError, display: str, last: bool) -> InputError:
    if error.errno in (errno.ELOOP, errno.EMLINK):
        where = "" if last else " on the way to it"
        return InputError(f"{display}: a symbolic link{where}; inputs must be plain files inside their folder "
                          "(links are not followed)")
    if error.errno in (errno.ENOENT, errno.ENOTDIR):
        return InputError(f"{display}: not found")
    return InputError(f"{display}: cannot read ({error.strerror})")


def read_confined(folder: Path, relative: str, display: str, limit: int) -> tuple[bytes, tuple[int, int]]:
    """The bytes of ``relative`` below ``folder`` (at most ``limit``) and its (size, mtime) before reading."""
    descriptor = open_confined(folder, relative, display)
    try:
        info = os.fstat(descriptor)
        if info.st_size > limit:
            raise InputError(f"{display}: {info.st_size:,} bytes, over the {limit // MIB} MiB a file of this kind "
                             "may have")
        os.set_blocking(descriptor, True)
        chunks, total = [], 0
        while chunk := os.read(descriptor, min(1 * MIB, limit + 1 - total)):
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise InputError(f"{display}: grew past the {limit // MIB} MiB a file of this kind may have "
                                 "while it was read")
    except OSError as error:
        raise InputError(f"{display}: cannot read ({error.strerror})") from None
    finally:
        os.close(descriptor)
    return b"".join(chunks), (info.st_size, info.st_mtime_ns)


def _kind(name: str) -> str | None:
    """``turtle``, ``text``, ``other-rdf`` (refused) or None (not an input: skipped)."""
    lower = name.lower()
    if name.endswith(TURTLE):
        return "turtle"
    if name.endswith(TEXTS):
        return "text"
    if lower.endswith(OTHER_RDF + (TURTLE,)):
        return "other-rdf"
    return None


def listing(folder: Folder) -> list[tuple[str, str]]:
    """(relative path, kind) of the input files of ``folder``, in path order.

    Names starting with a dot are skipped (editor locks, ``.git``); a symbolic link,
    a file of another RDF syntax or an input that is not a regular file is refused.
    """
    found: list[tuple[tuple[str, ...], str]] = []
    root = folder.path

    def visit(path: Path, parts: tuple[str, ...]) -> None:
        try:
            entries = sorted(os.scandir(path), key=lambda e: e.name)
        except OSError as error:
            raise InputError(f"{path}: cannot list the folder ({error.strerror})") from None
        for entry in entries:
            if entry.name.startswith("."):
                continue
            display = (root / Path(*parts, entry.name)).as_posix()
            if entry.is_symlink():
                raise InputError(f"{display}: a symbolic link; {folder.label}/ must hold the files themselves "
                                 "(links are not followed)")
            if entry.is_dir(follow_symlinks=False):
                if folder.recursive:
                    visit(Path(entry.path), (*parts, entry.name))
                continue
            kind = _kind(entry.name)
            if kind is None:
                continue
            if kind == "other-rdf":
                raise InputError(f"{display}: only Turtle files named *.ttl are read from {folder.label}/; "
                                 "convert this file to Turtle or move it out of the folder")
            if kind not in folder.kinds:
                continue
            if not entry.is_file(follow_symlinks=False):
                raise InputError(f"{display}: not a regular file; inputs must be plain files inside their folder")
            found.append(((*parts, entry.name), kind))

    visit(root, ())
    found.sort(key=lambda item: item[0])
    return [("/".join(parts), kind) for parts, kind in found]


def _limit(kind: str) -> int:
    return MAX_TURTLE_BYTES if kind == "turtle" else MAX_TEXT_BYTES


def _entries(folders: Iterable[Folder]) -> list[tuple[Folder, str, str]]:
    return [(folder, relative, kind) for folder in folders for relative, kind in listing(folder)]


def read_inputs(folders: Iterable[Folder]) -> list[InputFile]:
    """Every input file of ``folders``, each read once, confined to its folder."""
    files: list[InputFile] = []
    total = 0
    read_at = time.time_ns()
    for folder, relative, kind in _entries(folders):
        display = (folder.path / relative).as_posix()
        content, (size, mtime) = read_confined(folder.path, relative, display, _limit(kind))
        total += len(content)
        if total > MAX_TOTAL_BYTES:
            raise InputError(f"{display}: the inputs pass {MAX_TOTAL_BYTES // MIB} MiB in all; "
                             "a build reads at most that much")
        racy = mtime > read_at - _RACY_NS
        files.append(InputFile(f"{folder.label}/{relative}", folder.label, relative, kind, display, content,
                               (size, -1 if racy else mtime)))
    return files


def current_stamps(folders: Iterable[Folder]) -> dict[str, list[int]]:
    """Size and modification time of every input now, from the same confined opens, without reading."""
    stamps = {}
    for folder, relative, _kind_ in _entries(folders):
        display = (folder.path / relative).as_posix()
        descriptor = open_confined(folder.path, relative, display)
        try:
            info = os.fstat(descriptor)
        finally:
            os.close(descriptor)
        stamps[f"{folder.label}/{relative}"] = [info.st_size, info.st_mtime_ns]
    return stamps


def recorded_stamps(files: Iterable[InputFile]) -> dict[str, list[int]]:
    return {f.name: list(f.stamp) for f in files}


def fingerprint(files: Iterable[InputFile], extra: Iterable[bytes] = ()) -> str:
    """A hash of every input's name inside its folder and its bytes: equal fingerprints, equal builds.

    Names are relative to the folders, so the same inputs reached by another path
    (``--data data`` or an absolute path) give the same fingerprint.
    """
    digest = hashlib.sha256()
    for item in extra:
        digest.update(len(item).to_bytes(8, "big") + item)
    for f in files:
        name = f.name.encode("utf-8")
        digest.update(len(name).to_bytes(8, "big") + name)
        digest.update(len(f.content).to_bytes(8, "big") + f.content)
    return digest.hexdigest()
