"""A forgiving search over the graph's names and the documents' passages, built once from the store.

Every label (any language) and every passage text is folded (:mod:`cakg.folding`):
case, diacritics, punctuation and spacing do not count, so ``Viet Nam`` finds
``Vietnam``, ``cybersecurity`` finds ``cyber security`` and ``曼谷`` finds
``曼谷``. The words of a search are matched independently — each must occur, in
any order, across an entity's names, the names of its classes and the quotes of
its evidence, or in a passage — where a word matches the start of a word of the text (the whole word
for words under four letters), or several words of the text written together.
A word found nowhere is replaced by the graph's own words within one or two
edits (rapidfuzz; ``organization`` → ``organisation``); when nothing matches,
:meth:`SearchIndex.search` suggests what does ("did you mean"). Results come
grouped (entities, passages), ranked, with counts per class and per document
that filter them.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from .folding import fold, key, words_of
from .store import GraphStore
from .vocab import CAKG, DCTERMS, GRAPH, ID, PROV, RDF, RDFS, SKOS

PREFIX_MIN = 4  # shorter words match whole words only ("art" does not find "smart")
MAX_WORDS = 8
ENTITY_LIMIT = 100
PASSAGE_LIMIT = 50
SNIPPET = 160  # characters of context either side of the first match in a long passage
# Words a search ignores when it has others (they would match nearly every passage).
STOP_WORDS = frozenset("a an and are as at be by de for from in is it of on or the to with".split())
_LABELS = (RDFS + "label", SKOS + "prefLabel", SKOS + "altLabel")


class _Text:
    """A text folded for matching: its words written together, and where each word starts and ends."""

    __slots__ = ("squashed", "starts", "ends")

    def __init__(self, text: str) -> None:
        position, starts, ends = 0, [], []
        words = fold(text).words
        for word in words:
            starts.append(position)
            position += len(word)
            ends.append(position)
        self.squashed = "".join(words)
        self.starts, self.ends = frozenset(starts), frozenset(ends)

    def hits(self, word: str) -> list[int]:
        """Where ``word`` starts a word of the text (and, if short, ends one)."""
        found, index = [], self.squashed.find(word)
        while index >= 0:
            if index in self.starts and (len(word) >= PREFIX_MIN or index + len(word) in self.ends):
                found.append(index)
            index = self.squashed.find(word, index + 1)
        return found

    def has(self, word: str) -> bool:
        index = self.squashed.find(word)
        while index >= 0:
            if index in self.starts and (len(word) >= PREFIX_MIN or index + len(word) in self.ends):
                return True
            index = self.squashed.find(word, index + 1)
        return False


@dataclass
class _Entity:
    iri: str
    labels: list[tuple[str, str | None, str]] = field(default_factory=list)  # (text, lang, property)
    label_keys: set[str] = field(default_factory=set)
    quotes: list[str] = field(default_factory=list)
    types: set[str] = field(default_factory=set)  # asserted
    all_types: set[str] = field(default_factory=set)  # with the inferred ones
    documents: set[str] = field(default_factory=set)  # codes of the documents its facts (or it) cite
    names_text: _Text | None = None
    quotes_text: _Text | None = None
    kinds_text: _Text | None = None  # the names of its classes: "terrestrial cable" finds the GMS IS


@dataclass
class _Passage:
    iri: str
    text: str
    code: str
    label: str = ""
    number: str = ""
    order: int = 0
    kind: str = ""
    folded: _Text | None = None


@dataclass
class Query:
    """A search as typed and read: its words, the words they were taken as, filters."""

    text: str
    words: list[str]
    alternatives: dict[str, list[str]]
    class_filter: str | None = None
    doc_filter: str | None = None


class SearchIndex:
    """Folded names and passages of one store; :meth:`search` answers a query."""

    def __init__(self, entities: dict[str, _Entity], passages: list[_Passage], documents: dict[str, str],
                 labels: dict[str, str]) -> None:
        self.entities, self.passages, self.documents, self.labels = entities, passages, documents, labels
        vocabulary: set[str] = set()
        for entity in entities.values():
            entity.names_text = _Text(" · ".join(text for text, _, _ in entity.labels))
            entity.quotes_text = _Text(" · ".join(entity.quotes)) if entity.quotes else None
            kinds = [text for t in sorted(entity.types) if t in entities for text, _, _ in entities[t].labels]
            entity.kinds_text = _Text(" · ".join(kinds)) if kinds else None
            vocabulary.update(fold(" ".join(text for text, _, _ in entity.labels)).words)
        for passage in passages:
            passage.folded = _Text(passage.text)
            vocabulary.update(fold(passage.text).words)
        self.words = sorted(vocabulary)  # every word of every name and passage, for "does it occur at all"
        # Only words that can be misspelt: letters, four or more (a single CJK character is not a word to correct).
        self.vocabulary = [w for w in self.words if len(w) >= PREFIX_MIN and w.isalpha()]
        self.label_keys = {}
        for entity in entities.values():
            for text, _, _ in entity.labels:
                self.label_keys.setdefault(key(text), []).append(entity.iri)

    # -------------------------------------------------------------- reading the store

    @classmethod
    def read(cls, store: GraphStore) -> "SearchIndex":
        """Labels, types, quotes and passages of ``store`` (six queries)."""
        entities: dict[str, _Entity] = {}
        rows = store.select(f"""SELECT ?x ?p ?l WHERE {{ VALUES ?p {{ {' '.join(f'<{p}>' for p in _LABELS)} }}
            ?x ?p ?l FILTER(isIRI(?x) && isLiteral(?l)) }}""", "search labels").rows
        labels: dict[str, str] = {}
        for row in rows:
            iri, literal = row["x"].value, row["l"]
            entity = entities.setdefault(iri, _Entity(iri))
            item = (literal.value, literal.lang, row["p"].value)
            if item not in entity.labels:
                entity.labels.append(item)
                entity.label_keys.add(key(literal.value))
            if row["p"].value != SKOS + "altLabel" and (iri not in labels or literal.lang == "en"):
                labels[iri] = literal.value
        for row in store.select(f"""SELECT DISTINCT ?x ?t ?g WHERE {{ GRAPH ?g {{ ?x <{RDF}type> ?t }}
                FILTER(isIRI(?x) && isIRI(?t)) }}""", "search types").rows:
            entity = entities.get(row["x"].value)
            if entity is not None:
                entity.all_types.add(row["t"].value)
                if row["g"].value != GRAPH + "inferred":
                    entity.types.add(row["t"].value)
        for row in store.select(f"""PREFIX cakg: <{CAKG}> PREFIX prov: <{PROV}>
                SELECT ?x ?quote ?code WHERE {{ ?x cakg:evidence ?e . ?e cakg:quote ?quote .
                  OPTIONAL {{ ?e prov:wasQuotedFrom ?p . ?p cakg:inDocument ?d . ?d cakg:shortCode ?code }} }}""",
                                "search quotes").rows:
            entity = entities.get(row["x"].value)
            if entity is not None:
                if row["quote"].value not in entity.quotes:
                    entity.quotes.append(row["quote"].value)
                if "code" in row:
                    entity.documents.add(row["code"].value)
        # The entities a document's facts name (a country, a company) are in that document too.
        for row in store.select(f"""PREFIX cakg: <{CAKG}> PREFIX prov: <{PROV}>
                SELECT DISTINCT ?x ?code WHERE {{
                  ?f cakg:evidence ?e . ?e prov:wasQuotedFrom ?p . ?p cakg:inDocument ?d . ?d cakg:shortCode ?code .
                  ?f ?link ?x FILTER(isIRI(?x) && ?link != <{RDF}type> && ?link != cakg:evidence) }}""",
                                "search mentions").rows:
            entity = entities.get(row["x"].value)
            if entity is not None:
                entity.documents.add(row["code"].value)
        documents = {row["code"].value: row["title"].value for row in store.select(
            f"""PREFIX cakg: <{CAKG}> PREFIX rdfs: <{RDFS}> PREFIX dcterms: <{DCTERMS}>
            SELECT ?code (SAMPLE(?t) AS ?title) WHERE {{ ?d a cakg:Document ; cakg:shortCode ?code .
              OPTIONAL {{ ?d rdfs:label ?l FILTER(LANGMATCHES(LANG(?l), "en")) }}
              OPTIONAL {{ ?d dcterms:title ?dt }} BIND(COALESCE(?l, ?dt, ?code) AS ?t) }} GROUP BY ?code""",
            "search documents").rows}
        passages = []
        for row in store.select(f"""PREFIX cakg: <{CAKG}> PREFIX rdfs: <{RDFS}>
                SELECT ?p ?text ?code ?label ?number ?order ?kind WHERE {{
                  ?p cakg:text ?text ; cakg:inDocument ?d . ?d cakg:shortCode ?code .
                  OPTIONAL {{ ?p rdfs:label ?label }} OPTIONAL {{ ?p cakg:documentOrder ?order }}
                  OPTIONAL {{ ?p cakg:passageKind ?kind }}
                  OPTIONAL {{ ?p cakg:section ?s . ?s cakg:sectionNumber ?number }} }}""", "search passages").rows:
            order = row["order"].value if "order" in row else "0"
            passages.append(_Passage(row["p"].value, row["text"].value, row["code"].value,
                                     row["label"].value if "label" in row else "",
                                     row["number"].value if "number" in row else "",
                                     int(order) if order.lstrip("-").isdigit() else 0,
                                     row["kind"].value if "kind" in row else ""))
        passages.sort(key=lambda p: (p.code, p.order, p.iri))
        return cls(entities, passages, documents, labels)

    # -------------------------------------------------------------- searching

    def read_query(self, text: str, class_filter: str | None = None, doc_filter: str | None = None) -> Query:
        """The words of ``text`` (stop words dropped when others remain), with stand-ins for words found nowhere."""
        words = words_of(text)[:MAX_WORDS]
        kept = [w for w in words if w not in STOP_WORDS] or words
        alternatives: dict[str, list[str]] = {}
        for word in dict.fromkeys(kept):
            if len(word) < PREFIX_MIN or not word.isalpha():
                continue
            if not self._occurs(word):  # a misspelling: the graph's words within one or two edits
                close = process.extract(word, self.vocabulary, scorer=OSA.distance, limit=3,
                                        score_cutoff=1 if len(word) <= 7 else 2)
                alternatives[word] = [w for w, _, _ in close]
            elif len(word) >= 6:  # a spelling variant the texts also use: organization/organisation, center/centre
                close = process.extract(word, self.vocabulary, scorer=OSA.distance, limit=4, score_cutoff=1)
                variants = [w for w, _, _ in close if w != word and w[:4] == word[:4] and not w.startswith(word)]
                if variants:
                    alternatives[word] = variants
        return Query(text, kept, alternatives, class_filter, doc_filter)

    def _occurs(self, word: str) -> bool:
        """Whether some word of the graph starts with ``word`` (or is it, if short)."""
        index = bisect_left(self.words, word)
        if index >= len(self.words):
            return False
        return self.words[index] == word or (len(word) >= PREFIX_MIN and self.words[index].startswith(word))

    def _satisfied(self, texts: list[_Text], query: Query) -> bool:
        """Whether every word of ``query`` (or its stand-in, or a run of them written together) occurs in ``texts``."""
        words = query.words
        done = [False] * len(words)
        for index, word in enumerate(words):
            options = [word] + query.alternatives.get(word, [])
            if any(t.has(option) for t in texts for option in options):
                done[index] = True
        if all(done):
            return True
        # Words written apart in the search but together in the text: "Viet Nam" finds "Vietnam".
        for size in (len(words), 3, 2):
            for start in range(0, len(words) - size + 1):
                if size < 2 or all(done[start:start + size]):
                    continue
                if any(t.has("".join(words[start:start + size])) for t in texts):
                    done[start:start + size] = [True] * size
        return all(done)

    def search(self, text: str, base: str = "", class_filter: str | None = None,
               doc_filter: str | None = None) -> dict[str, Any]:
        """Entities and passages matching ``text``, ranked, with facets and, if nothing matches, suggestions."""
        query = self.read_query(text, class_filter, doc_filter)
        answer: dict[str, Any] = {"query": text, "words": query.words, "entities": [], "passages": [],
                                  "more": False, "facets": {"classes": [], "documents": []},
                                  "corrections": {w: alts for w, alts in query.alternatives.items() if alts},
                                  "suggestions": [], "filters": {"class": class_filter, "doc": doc_filter}}
        if not query.words:
            return answer
        phrase = "".join(query.words)
        wanted_key = key(text)
        matched_entities = []
        for entity in self.entities.values():
            names = entity.names_text
            if self._satisfied([names], query):
                if wanted_key in entity.label_keys:
                    level = 0
                elif any(k.startswith(phrase) for k in entity.label_keys):
                    level = 1
                elif names.has(phrase):
                    level = 2
                else:
                    level = 3
            else:
                kinds = [names] + ([entity.kinds_text] if entity.kinds_text is not None else [])
                if len(kinds) > 1 and self._satisfied(kinds, query):
                    level = 4  # by its name and its kind
                elif entity.quotes_text is not None and self._satisfied(kinds + [entity.quotes_text], query):
                    level = 5  # by the quotes of its evidence too
                else:
                    continue
            matched_entities.append((level, entity))
        matched_passages = []
        for passage in self.passages:
            if self._satisfied([passage.folded], query):
                matched_passages.append((0 if passage.folded.has(phrase) else 1, passage))
        # Facets over everything matched, before the filters narrow it.
        class_counts: Counter[str] = Counter()
        doc_counts: Counter[str] = Counter()
        for _, entity in matched_entities:
            class_counts.update(entity.types)
            doc_counts.update(entity.documents)
        doc_counts.update(p.code for _, p in matched_passages)
        answer["facets"] = {
            "classes": [{"iri": c, "label": self.labels.get(c) or c.rsplit("#", 1)[-1].rsplit("/", 1)[-1], "count": n}
                        for c, n in sorted(class_counts.items(), key=lambda i: (-i[1], i[0]))[:14]],
            "documents": [{"code": c, "title": self.documents.get(c, c), "count": n}
                          for c, n in sorted(doc_counts.items())]}
        if class_filter:
            matched_entities = [(lv, e) for lv, e in matched_entities if class_filter in e.all_types]
            matched_passages = []
        if doc_filter:
            matched_entities = [(lv, e) for lv, e in matched_entities if doc_filter in e.documents]
            matched_passages = [(lv, p) for lv, p in matched_passages if p.code == doc_filter]
        matched_entities.sort(key=lambda item: (not item[1].iri.startswith(ID), item[0],
                                                len(self.labels.get(item[1].iri, item[1].iri)), item[1].iri))
        matched_passages.sort(key=lambda item: (item[0], item[1].code, item[1].order))
        answer["entities"] = [self._entity_view(e, level, query, base) for level, e in matched_entities[:ENTITY_LIMIT]]
        answer["entity_total"] = len(matched_entities)
        answer["passages"] = [self._passage_view(p, query, base) for _, p in matched_passages[:PASSAGE_LIMIT]]
        answer["passage_total"] = len(matched_passages)
        answer["more"] = len(matched_passages) > PASSAGE_LIMIT
        if not matched_entities and not matched_passages and not class_filter and not doc_filter:
            answer["suggestions"] = self.suggest(query, base)
        return answer

    # -------------------------------------------------------------- did you mean

    def suggest(self, query: Query, base: str = "") -> list[dict]:
        """Searches that find something: the words corrected from the graph's vocabulary (those that cannot be
        left out), each word alone, and the names closest to the whole search."""
        suggestions: list[dict] = []
        corrected = []
        for word in query.words:
            if self._occurs(word):
                corrected.append(word)
            elif word.isalpha() and len(word) >= 3:
                close = process.extractOne(word, self.vocabulary, scorer=fuzz.ratio, score_cutoff=70)
                if close:
                    corrected.append(close[0])
        if corrected and corrected != query.words and self._finds(" ".join(corrected)):
            text = " ".join(corrected)
            suggestions.append({"kind": "query", "text": text, "href": _search_href(base, text)})
        if len(query.words) > 1:
            for word in dict.fromkeys(corrected):
                if len(word) >= 3 and word not in STOP_WORDS and word != " ".join(corrected) and self._finds(word):
                    suggestions.append({"kind": "word", "text": word, "href": _search_href(base, word)})
        wanted = key(query.text)
        if wanted:
            for name_key, _score, _ in process.extract(wanted, list(self.label_keys), scorer=fuzz.ratio, limit=4,
                                                       score_cutoff=70):
                for iri in self.label_keys[name_key][:1]:
                    suggestions.append({"kind": "entity", "text": self.labels.get(iri, iri), "iri": iri,
                                        "href": _href(iri, base)})
        return suggestions[:8]

    def _finds(self, text: str) -> bool:
        """Whether searching ``text`` finds anything."""
        trial = self.read_query(text)
        return any(self._satisfied([p.folded], trial) for p in self.passages) or any(
            self._satisfied([e.names_text], trial) for e in self.entities.values())

    # -------------------------------------------------------------- views

    def _entity_view(self, entity: _Entity, level: int, query: Query, base: str) -> dict:
        words = _all_words(query)
        wanted = key(query.text)
        best = max(entity.labels, key=lambda item: (key(item[0]) == wanted, sum(_Text(item[0]).has(w) for w in words),
                                                     item[2] != SKOS + "altLabel", item[1] == "en"),
                   default=("", None, ""))
        label = self.labels.get(entity.iri) or best[0] or entity.iri
        view = {"iri": entity.iri, "label": label, "match": best[0], "lang": best[1],
                "types": sorted(entity.types), "href": _href(entity.iri, base),
                "type_labels": [self.labels.get(t) or t.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
                                for t in sorted(entity.types) if t.startswith(CAKG)] or
                               [self.labels.get(t) or t.rsplit("#", 1)[-1] for t in sorted(entity.types)][:2],
                "in_quote": None}
        if level == 5:
            quote = next((q for q in entity.quotes if any(_Text(q).has(w) for w in words)), entity.quotes[0])
            view["in_quote"] = highlight(quote, words)
        return view

    def _passage_view(self, passage: _Passage, query: Query, base: str) -> dict:
        segments = highlight(passage.text, _all_words(query))
        slug = passage.iri[len(ID + "passage/"):] if passage.iri.startswith(ID + "passage/") else ""
        snippet = "".join(text for text, _ in segments)
        return {"iri": passage.iri, "href": _href(passage.iri, base), "label": passage.label,
                "section": passage.number or None, "document": self.documents.get(passage.code),
                "code": passage.code, "segments": segments, "snippet": snippet,
                "read_href": f"{base}/read/{passage.code}#passage-{slug}" if slug else None}


def _all_words(query: Query) -> list[str]:
    words = list(query.words) + [a for alts in query.alternatives.values() for a in alts]
    if len(query.words) > 1:
        words.append("".join(query.words))
    return words


def highlight(text: str, words: list[str], width: int = SNIPPET) -> list[tuple[str, bool]]:
    """``text`` as (piece, marked) with the words of the text that ``words`` match marked; long texts cut around the first."""
    folded = fold(text)
    squashed_starts, position = [], 0
    for word in folded.words:
        squashed_starts.append(position)
        position += len(word)
    target = _Text(text)
    marked_words: set[int] = set()
    for word in words:
        for hit in target.hits(word):
            end = hit + len(word)
            for index, start in enumerate(squashed_starts):
                if start < end and start + len(folded.words[index]) > hit:
                    marked_words.add(index)
    ranges = sorted(folded.spans[i] for i in marked_words)
    merged: list[list[int]] = []
    for start, end in ranges:
        if merged and start - merged[-1][1] <= 1 and not text[merged[-1][1]:start].strip(" -'"):
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    lo, hi = 0, len(text)
    if len(text) > 3 * width and merged:
        lo, hi = max(0, merged[0][0] - width), min(len(text), merged[0][1] + 2 * width)
        # Cut between words, not inside one.
        lo = text.find(" ", lo, merged[0][0]) + 1 if lo > 0 and text.find(" ", lo, merged[0][0]) >= 0 else lo
        hi = text.rfind(" ", merged[0][1], hi) if hi < len(text) and text.rfind(" ", merged[0][1], hi) > 0 else hi
    elif len(text) > 3 * width:
        hi = 3 * width
    pieces: list[tuple[str, bool]] = [("…", False)] if lo > 0 else []
    cursor = lo
    for start, end in merged:
        if end <= lo or start >= hi:
            continue
        start, end = max(start, lo), min(end, hi)
        if start > cursor:
            pieces.append((text[cursor:start], False))
        pieces.append((text[start:end], True))
        cursor = end
    if cursor < hi:
        pieces.append((text[cursor:hi], False))
    if hi < len(text):
        pieces.append(("…", False))
    return pieces


def _href(iri: str, base: str) -> str | None:
    from .views import href_for

    return href_for(iri, base)


def _search_href(base: str, text: str) -> str:
    from urllib.parse import urlencode

    return f"{base}/search?{urlencode({'q': text})}"


__all__ = ["SearchIndex", "Query", "highlight", "ENTITY_LIMIT", "PASSAGE_LIMIT"]
