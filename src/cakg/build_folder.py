"""The layout of a build folder: what `cakg build` writes where, and the one way every reader finds it.

A build folder holds, once the build has swapped it in (never edited afterwards):

- ``store/``: the embedded pyoxigraph store (RocksDB) queries, analyses and exports read;
- ``graph.trig`` (every named graph) and ``graph.ttl`` (their union);
- ``ontology/``: ``cakg-ontology.ttl``, ``index.html`` (pyLODE) and ``.inputs.sha256``,
  what they were made from;
- ``validation-report.txt`` and ``validation-report.json``;
- ``build-info.json``: cakg's version, the inputs' fingerprint and stamps, the graphs
  with their sizes, the triples, what reasoning and the rules added.

Beside it a build keeps ``.NAME.staging-PID`` and ``.NAME.validation-PID.nq`` while it
works (:mod:`cakg.staging`), and a service ``.NAME.serving-PID-N`` while it serves
(:mod:`cakg.snapshot`). The build writes through this module; the store, the CLI,
exports and the service read through it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph

from .errors import InputError

STORE = "store"
GRAPH_TRIG = "graph.trig"
GRAPH_TTL = "graph.ttl"
ONTOLOGY = "ontology"
ONTOLOGY_TTL = "cakg-ontology.ttl"
ONTOLOGY_HTML = "index.html"
ONTOLOGY_STAMP = ".inputs.sha256"
VALIDATION_TEXT = "validation-report.txt"
VALIDATION_JSON = "validation-report.json"
BUILD_INFO = "build-info.json"

# Everything a complete build holds, in the order the build writes it.
ENTRIES = (GRAPH_TRIG, GRAPH_TTL, STORE, ONTOLOGY, VALIDATION_TEXT, VALIDATION_JSON, BUILD_INFO)
# What a service needs of a build to answer from it (the snapshot it takes holds these).
SERVED = (BUILD_INFO, ONTOLOGY, STORE)


@dataclass(frozen=True)
class BuildFolder:
    """A build folder (which may not hold a build yet): the paths in it and what its ``build-info.json`` says."""

    path: Path

    @property
    def store_dir(self) -> Path:
        return self.path / STORE

    @property
    def graph_trig(self) -> Path:
        return self.path / GRAPH_TRIG

    @property
    def graph_ttl(self) -> Path:
        return self.path / GRAPH_TTL

    @property
    def ontology_dir(self) -> Path:
        return self.path / ONTOLOGY

    @property
    def ontology_ttl(self) -> Path:
        return self.ontology_dir / ONTOLOGY_TTL

    @property
    def ontology_html(self) -> Path:
        return self.ontology_dir / ONTOLOGY_HTML

    @property
    def validation_text(self) -> Path:
        return self.path / VALIDATION_TEXT

    @property
    def validation_json(self) -> Path:
        return self.path / VALIDATION_JSON

    @property
    def info_file(self) -> Path:
        return self.path / BUILD_INFO

    def is_built(self) -> bool:
        """Whether the folder holds a build's store and description (not whether they are current)."""
        return self.store_dir.is_dir() and self.info_file.is_file()

    def info_text(self) -> str:
        """``build-info.json`` as written; an InputError naming the folder when there is none."""
        try:
            return self.info_file.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InputError(f"{self.path}: no build here (run `cakg build --out {self.path}` first)") from None
        except (OSError, UnicodeDecodeError) as error:
            raise InputError(f"{self.info_file}: cannot read ({getattr(error, 'strerror', None) or error})") from None

    def info(self) -> dict[str, Any]:
        """What the build recorded of itself (see the module's description)."""
        try:
            info = json.loads(self.info_text())
        except ValueError:
            raise InputError(f"{self.info_file}: not the JSON a build writes; rebuild the folder") from None
        if not isinstance(info, dict):
            raise InputError(f"{self.info_file}: not the JSON a build writes; rebuild the folder")
        return info

    @property
    def fingerprint(self) -> str | None:
        """The hash of the inputs (and code) the build was made from; equal fingerprints, equal builds."""
        return self.info().get("fingerprint")

    @property
    def triples(self) -> int:
        return int(self.info().get("triples") or 0)

    @property
    def graphs(self) -> dict[str, int]:
        """Triples per named graph, as the build counted them."""
        return dict(self.info().get("graphs") or {})

    def open_store(self) -> pyoxigraph.Store:
        """The build's store, read-only: a finished build is never written to."""
        if not self.store_dir.is_dir():
            raise InputError(f"{self.path}: no built store here (run `cakg build --out {self.path}` first)")
        try:
            return pyoxigraph.Store.read_only(str(self.store_dir))
        except OSError as error:
            raise InputError(f"{self.store_dir}: cannot open the store ({error})") from error

    # ---------------------------------------------------------------- written by the build only

    def write_info(self, info: dict[str, Any]) -> None:
        """``build-info.json``, keys sorted, so identical builds write identical bytes."""
        self.info_file.write_text(json.dumps(info, indent=2, sort_keys=True) + "\n", encoding="utf-8")

    def write_validation_report(self, text: str, json_text: str) -> None:
        self.validation_text.write_text(text + "\n", encoding="utf-8")
        self.validation_json.write_text(json_text + "\n", encoding="utf-8")
