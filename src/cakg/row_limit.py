"""An outer LIMIT for a SELECT query, so the engine stops evaluating one solution past the service's row limit.

The service answers at most ``--max-rows`` solutions and refuses larger results.
Its workers count the solutions of every answer; this only spares the engine the
work past the first refused one. :func:`with_limit` appends ``LIMIT n`` at the very
end of the query, the one place the grammar allows the outer query's LIMIT (after
its ORDER BY, HAVING and GROUP BY, never inside a subquery), and only where the
query has no outer LIMIT and no trailing VALUES of its own. Where the tokens of
:mod:`cakg.sparql_guard` misread a query (a LIMIT or VALUES they did not see), the
result is a syntax error for the engine, and the worker evaluates the query as
sent instead; so a misreading can cost the early stop, never change an answer.
"""

from __future__ import annotations

import functools

from .sparql_guard import Refused, tokens

_PROLOGUE = ("BASE", "PREFIX")


@functools.lru_cache(maxsize=1024)  # a worker sees the same texts again and again
def with_limit(query: str, rows: int) -> str | None:
    """``query`` with ``LIMIT rows`` appended, or None when it is not a SELECT or has an outer LIMIT or VALUES."""
    try:
        items = tokens(query)
    except Refused:
        return None
    depth = 0
    form = None
    for token in items:
        if token.kind == "other":
            if token.text == "{":
                depth += 1
            elif token.text == "}":
                depth -= 1
            continue
        if token.kind != "word":
            continue
        word = token.text.upper()
        if form is None:
            if word in _PROLOGUE:
                continue
            form = word
            if form != "SELECT":
                return None
        elif depth == 0 and word in ("LIMIT", "VALUES"):
            return None
    if form != "SELECT":
        return None
    return f"{query}\nLIMIT {rows}\n"  # a line break first: the query may end in a comment


__all__ = ["with_limit"]
