"""One curation change: computed under the lock, validated like the build, written atomically or not at all.

The change is applied to a temporary copy of the project, which is
assembled and validated exactly as ``cakg validate`` and ``cakg build`` do
(same loader, segmenter, reasoning, rules and shapes); only if that copy
conforms are the changed files written into ``data/``, each atomically.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import Store

from ..build import Layout, assemble
from ..errors import InputError, ValidationFailed
from ..validate import Report, Violation, load_shapes, validate
from .files import LOCK_NAME, atomic_write, data_lock, make_folder, remove_stale_temporaries
from .turtle_blocks import triples

Plan = Callable[[Callable[[str], str | None]], dict[str, str]]


@dataclass
class Outcome:
    files: dict[str, str]  # path relative to data/ → new text
    report: Report
    store: Store  # the validated project, as the build will assemble it


class Refused(ValidationFailed):
    """The change would make the project fail validation; ``violations`` are those about the change."""

    def __init__(self, message: str, report: Report, violations: list[Violation]) -> None:
        super().__init__(message, report)
        self.violations = violations


def apply(layout: Layout, plan: Plan, concerning: Callable[[Violation], bool] = lambda v: True) -> Outcome:
    """Run ``plan`` (given a reader of current files) under the lock, validate, then write its files.

    ``plan`` returns the new text of each file it changes, by path relative to
    ``data/``. Raises InputError for an unusable plan and Refused when the
    result does not conform; nothing in ``data/`` changes in either case.
    """
    data_dir = layout.data_dir
    with data_lock(data_dir):
        def read(relative: str) -> str | None:
            path = _inside(data_dir, relative)
            return path.read_text(encoding="utf-8") if path.is_file() else None

        files = plan(read)
        for relative, text in files.items():
            if relative.endswith(".ttl"):
                triples(text, f"data/{relative}")  # each data file must parse before anything else
        report, store = validate_with(layout, files)
        if not report.conforms:
            own = [v for v in report.violations if concerning(v)] or report.violations
            detail = "; ".join(f"{v.focus.rsplit('/', 1)[-1]}: {v.message}" + (f" [{v.path}]" if v.path else "")
                               for v in own[:5])
            raise Refused(f"refused, nothing written: {detail}", report, own)
        for relative, text in files.items():
            path = _inside(data_dir, relative)
            make_folder(path.parent)
            remove_stale_temporaries(path.parent)
            atomic_write(path, text.encode("utf-8"))
    return Outcome(files, report, store)


def validate_with(layout: Layout, files: dict[str, str]) -> tuple[Report, Store]:
    """Validate the project as it would be with ``files`` written: the build's assembly and shapes."""
    with tempfile.TemporaryDirectory(prefix="cakg-curation-") as folder:
        root = Path(folder)
        shutil.copytree(layout.data_dir, root / "data", ignore=shutil.ignore_patterns(LOCK_NAME, ".*.tmp"))
        shutil.copytree(layout.ontology_dir, root / "ontology")
        for relative, text in files.items():
            path = _inside(root / "data", relative)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        copy = Layout(ontology_dir=root / "ontology", data_dir=root / "data")
        store, _counts = assemble(copy)
        report = validate(store, load_shapes(copy.shapes_dir))
    return report, store


def _inside(folder: Path, relative: str) -> Path:
    """``folder/relative``, refused unless it stays inside ``folder`` (no .., no absolute path)."""
    path = (folder / relative).resolve()
    if not path.is_relative_to(folder.resolve()) or Path(relative).is_absolute():
        raise InputError(f"{relative}: not a path inside {folder}")
    return path
