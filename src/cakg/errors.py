"""The exceptions cakg raises; the CLI and the service map them to exit codes and statuses.

Every message is one line that names the file, line, query or endpoint involved.
"""

from __future__ import annotations


class CakgError(Exception):
    """Base class. ``exit_code`` is what the CLI exits with (see README)."""

    exit_code = 2


class InputError(CakgError):
    """Bad input from a user or curator: unreadable file, bad option, unknown name."""

    exit_code = 2


class ParseError(InputError):
    """A data or ontology file is not valid RDF."""

    def __init__(self, path: str, line: int | None, column: int | None, message: str) -> None:
        where = path if line is None else f"{path}:{line}" + (f":{column}" if column else "")
        super().__init__(f"{where}: {message}")
        self.path, self.line, self.column = path, line, column


class ValidationFailed(CakgError):
    """SHACL validation found violations; ``report`` holds them."""

    exit_code = 1

    def __init__(self, message: str, report: object = None) -> None:
        super().__init__(message)
        self.report = report


class EndpointError(CakgError):
    """A remote SPARQL endpoint could not be reached or refused the request."""

    exit_code = 3


class QueryError(CakgError):
    """The query engine or the store could not evaluate a well-formed query.

    Not a usage error: the command line was right, the evaluation failed
    (an unsupported function, a store that cannot be read, an outbound call refused).
    """

    exit_code = 4


class MalformedAnswer(EndpointError):
    """A remote endpoint answered with something that is not what the SPARQL protocol says."""
