"""The HTTP service: SPARQL 1.1 Protocol, saved queries, Linked Data, the explorer and the network analyses.

One Starlette application (:mod:`.app`, where errors become statuses) whose routes
are split by concern: the protocol endpoint and saved queries (:mod:`.sparql`),
Linked Data (:mod:`.linked_data`), the explorer's pages (:mod:`.explorer`), the
analyses and the network view (:mod:`.analyses`), health and the OpenAPI document
(:mod:`.operations`). Every read of the store runs as a job in the killable query
workers (:mod:`cakg.workers`, with the reads other than SPARQL in :mod:`.tasks`);
the server process only routes, checks and streams bytes. The service answers
from a snapshot of the build taken when it starts (:mod:`cakg.snapshot`).
"""

from __future__ import annotations

from .app import create_app
from .core import Service, ServiceConfig

__all__ = ["ServiceConfig", "Service", "create_app"]
