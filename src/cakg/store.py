"""Opening the built embedded store."""

from __future__ import annotations

from pathlib import Path

from pyoxigraph import Store

from .errors import InputError


def open_store(build_dir: Path) -> Store:
    """The read-only embedded store of a build folder."""
    folder = build_dir / "store"
    if not folder.is_dir():
        raise InputError(f"{build_dir}: no built store here (run `cakg build --out {build_dir}` first)")
    try:
        return Store.read_only(str(folder))
    except OSError as error:
        raise InputError(f"{folder}: cannot open the store ({error})") from error
