"""A competency framework from a 1EdTech CASE 1.0/1.1 ``CFPackage`` JSON file.

Mapping onto the ``competencies`` table:

* each ``CFItem`` is a competency: ``competency_id`` is its ``humanCodingScheme``
  when every item has a distinct one, else its ``identifier``; ``name`` is the
  ``abbreviatedStatement`` (else the ``fullStatement``); ``statement`` keeps the
  full statement and ``uri`` the item's URI (credentials align to it);
* ``isChildOf`` gives ``parent_id`` (null under the CFDocument) and ``category``
  (the name of the item's top-level ancestor), so the hierarchy is kept;
* associations whose other end is outside the package (``exactMatchOf`` a
  standard elsewhere, an ``exemplar`` web page...) are kept as references, not
  errors; an ``isChildOf`` cycle makes the whole file an error;
* ``CFRubrics`` criterion levels, when present, are declared onto the 1–5 scale
  by their ``score`` (else ``position``), linearly from the lowest to the highest
  level of each criterion; the mapping is listed in the notes.

Example
-------
>>> pkg = {"CFDocument": {"identifier": "D", "uri": "u:D", "title": "Demo"},
...        "CFItems": [{"identifier": "a", "uri": "u:a", "fullStatement": "Data", "humanCodingScheme": "D1"},
...                    {"identifier": "b", "uri": "u:b", "fullStatement": "SQL joins", "humanCodingScheme": "D1.1"}],
...        "CFAssociations": [
...            {"associationType": "isChildOf", "originNodeURI": {"identifier": "a"}, "destinationNodeURI": {"identifier": "D"}},
...            {"associationType": "isChildOf", "originNodeURI": {"identifier": "b"}, "destinationNodeURI": {"identifier": "a"}}]}
>>> fw = parse_case(pkg, "demo.json")
>>> fw.competencies.select("competency_id", "category", "parent_id").rows()
[('D1', 'Data', None), ('D1.1', 'Data', 'D1')]
>>> print(framework_text(fw.competencies))
D1  Data
  D1.1  SQL joins
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from data_sources.errors import ERR_RECURSION, ERR_UNREADABLE, SourceError
from data_sources.files import ROW

ERR_CASE_SHAPE = "{file}: not a CASE CFPackage: {detail}"
ERR_CASE_CYCLE = "{file}: the isChildOf associations form a cycle: {cycle}"
NOTE_CASE_REFERENCES = "{file}: {n} association(s) point outside the package and are kept as references ({types})"
NOTE_CASE_TWO_PARENTS = "{file}: item {item} is a child of several items; the first ({parent}) is used"
NOTE_CASE_RUBRIC = "{file}: rubric criterion {criterion}: levels {mapping} declared onto the 1–5 scale by {by}"
NOTE_CASE_UNKNOWN_ORIGIN = "{file}: {n} association(s) start outside the package and are kept as references"

COLUMNS = ("competency_id", "name", "category", "uri", "statement", "parent_id")
REFERENCE_COLUMNS = ("origin_id", "association_type", "destination_uri", "destination_title")


@dataclass(frozen=True)
class CaseFramework:
    """A parsed CFPackage.

    ``competencies``: raw rows (text, ``_row`` = the CFItem's position) for the
    competencies table; ``references``: associations leaving the package;
    ``rubric_levels``: CFRubricCriterionLevel URI/identifier → level 1–5 and the
    competency its criterion is about; ``notes``: what was declared or chosen.
    """

    title: str
    competencies: pl.DataFrame
    references: pl.DataFrame
    rubric_levels: pl.DataFrame
    notes: tuple[str, ...] = field(default_factory=tuple)


def read_case(path: Path) -> CaseFramework:
    """Read a CFPackage JSON file; any whole-file problem is one ``SourceError``."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(ERR_UNREADABLE.format(file=path, kind="CASE JSON", detail=exc)) from exc
    except json.JSONDecodeError as exc:
        detail = f"line {exc.lineno}, column {exc.colno}: {exc.msg}"
        raise SourceError(ERR_UNREADABLE.format(file=path, kind="CASE JSON", detail=detail)) from exc
    except RecursionError as exc:  # arrays or objects nested thousands deep
        raise SourceError(ERR_RECURSION.format(file=path, detail="arrays or objects nested thousands deep")) from exc
    return parse_case(doc, path.name)


def _ref(node: Any) -> tuple[str | None, str | None, str | None]:
    """(identifier, uri, title) of a LinkURI (object) or a plain URI string."""
    if isinstance(node, Mapping):
        return node.get("identifier"), node.get("uri"), node.get("title")
    if isinstance(node, str):
        return None, node, None
    return None, None, None


def parse_case(doc: Any, file: str) -> CaseFramework:
    """Turn a parsed CFPackage into a ``CaseFramework`` (see the module docstring)."""
    if isinstance(doc, Mapping) and "CFPackage" in doc and isinstance(doc["CFPackage"], Mapping):
        doc = doc["CFPackage"]
    if not isinstance(doc, Mapping) or not isinstance(doc.get("CFItems"), list):
        raise SourceError(ERR_CASE_SHAPE.format(file=file, detail="expected an object with a CFItems list"))
    found = doc.get("CFDocument")
    document: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    items = [i for i in doc["CFItems"] if isinstance(i, Mapping)]
    if len(items) != len(doc["CFItems"]):
        raise SourceError(ERR_CASE_SHAPE.format(file=file, detail="a CFItems entry is not an object"))
    if any(not i.get("identifier") for i in items):
        raise SourceError(ERR_CASE_SHAPE.format(file=file, detail="a CFItem has no identifier"))
    codes = [i.get("humanCodingScheme") for i in items]
    use_code = all(codes) and len(set(codes)) == len(codes)
    key_of: dict[str, str] = {}
    for i in items:
        key = str(i["humanCodingScheme"] if use_code else i["identifier"])
        key_of[str(i["identifier"])] = key
        if i.get("uri"):
            key_of[str(i["uri"])] = key
    doc_ids = {str(document.get("identifier")), str(document.get("uri"))} - {"None"}
    notes: list[str] = []
    parent: dict[str, str | None] = {}
    references: list[tuple[str | None, str | None, str | None, str | None]] = []
    outside_origin = 0
    for assoc in doc.get("CFAssociations") or []:
        if not isinstance(assoc, Mapping):
            continue
        kind = str(assoc.get("associationType") or "")
        o_id, o_uri, _ = _ref(assoc.get("originNodeURI"))
        d_id, d_uri, d_title = _ref(assoc.get("destinationNodeURI"))
        origin = key_of.get(str(o_id)) or key_of.get(str(o_uri))
        dest = key_of.get(str(d_id)) or key_of.get(str(d_uri))
        if origin is None:
            outside_origin += 1
            references.append((None, kind, d_uri or d_id, d_title))
            continue
        if kind == "isChildOf" and (dest is not None or {str(d_id), str(d_uri)} & doc_ids):
            if origin in parent and parent[origin] != dest:
                notes.append(NOTE_CASE_TWO_PARENTS.format(file=file, item=origin, parent=parent[origin]))
                continue
            parent[origin] = dest
        elif dest is None:
            references.append((origin, kind, d_uri or d_id, d_title))
    _check_cycles(parent, file)
    names = {
        key_of[str(i["identifier"])]: str(i.get("abbreviatedStatement") or i.get("fullStatement") or "") for i in items
    }

    def top(k: str) -> str:
        seen = 0
        while parent.get(k) is not None and seen <= len(parent):
            k = parent[k]  # type: ignore[assignment]
            seen += 1
        return k

    rows = []
    for n, i in enumerate(items, start=1):
        k = key_of[str(i["identifier"])]
        rows.append(
            {
                ROW: f"CFItem {n}",
                "competency_id": k,
                "name": names[k] or None,
                "category": names[top(k)] or None,
                "uri": i.get("uri"),
                "statement": i.get("fullStatement"),
                "parent_id": parent.get(k),
            }
        )
    competencies = pl.DataFrame(rows, schema={ROW: pl.String, **{c: pl.String for c in COLUMNS}})
    refs = pl.DataFrame(references, schema={c: pl.String for c in REFERENCE_COLUMNS}, orient="row")
    if references:
        counts: dict[str, int] = {}
        for r in references:
            counts[str(r[1])] = counts.get(str(r[1]), 0) + 1
        types = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        notes.append(NOTE_CASE_REFERENCES.format(file=file, n=len(references), types=types))
    if outside_origin:
        notes.append(NOTE_CASE_UNKNOWN_ORIGIN.format(file=file, n=outside_origin))
    rubric = _rubric_levels(doc.get("CFRubrics") or [], key_of, file, notes)
    return CaseFramework(str(document.get("title") or file), competencies, refs, rubric, tuple(notes))


def _check_cycles(parent: Mapping[str, str | None], file: str) -> None:
    state: dict[str, int] = {}
    for start in parent:
        path: list[str] = []
        k: str | None = start
        while k is not None and state.get(k, 0) == 0:
            state[k] = 1
            path.append(k)
            k = parent.get(k)
        if k is not None and state.get(k) == 1:
            cycle = path[path.index(k) :] + [k]
            raise SourceError(ERR_CASE_CYCLE.format(file=file, cycle=" → ".join(cycle)))
        for p in path:
            state[p] = 2


def _rubric_levels(rubrics: list[Any], key_of: Mapping[str, str], file: str, notes: list[str]) -> pl.DataFrame:
    rows: list[tuple[str, str | None, int]] = []
    for rubric in rubrics:
        if not isinstance(rubric, Mapping):
            continue
        for crit in rubric.get("CFRubricCriteria") or []:
            if not isinstance(crit, Mapping):
                continue
            c_id, c_uri, _ = _ref(crit.get("CFItemURI"))
            competency = key_of.get(str(c_id)) or key_of.get(str(c_uri)) or crit.get("CFItemIdentifier")
            levels = [lv for lv in crit.get("CFRubricCriterionLevels") or [] if isinstance(lv, Mapping)]
            by = "score" if levels and all(isinstance(lv.get("score"), int | float) for lv in levels) else "position"
            values = [float(lv.get(by) or 0) for lv in levels]
            if not levels:
                continue
            lo, hi = min(values), max(values)
            mapping = []
            for lv, v in zip(levels, values):
                level = 3 if hi == lo else int(round(1 + (v - lo) * 4 / (hi - lo)))
                for ident in {lv.get("identifier"), lv.get("uri")} - {None}:
                    rows.append((str(ident), competency, level))
                mapping.append(f"{lv.get('quality') or lv.get('identifier')}={level}")
            notes.append(
                NOTE_CASE_RUBRIC.format(
                    file=file, criterion=crit.get("identifier") or c_id, mapping=", ".join(mapping), by=by
                )
            )
    return pl.DataFrame(
        rows, schema={"level_ref": pl.String, "competency_id": pl.String, "level": pl.Int64}, orient="row"
    )


def framework_tree(competencies: pl.DataFrame) -> pl.DataFrame:
    """The hierarchy as a parent-linked frame in display order.

    Columns: ``competency_id, name, parent_id, depth, path`` (ids from the root,
    joined by `` / ``). Competencies without ``parent_id`` (or whose parent is
    not in the table) are roots; order is depth-first, siblings in table order.

    Example
    -------
    >>> comp = pl.DataFrame({"competency_id": ["b", "a", "c"], "name": ["B", "A", "C"],
    ...                      "parent_id": ["a", None, "a"]})
    >>> framework_tree(comp).select("competency_id", "depth", "path").rows()
    [('a', 0, 'a'), ('b', 1, 'a / b'), ('c', 1, 'a / c')]
    """
    ids = competencies.get_column("competency_id").to_list()
    names = dict(zip(ids, competencies.get_column("name").to_list()))
    parents = (
        dict(zip(ids, competencies.get_column("parent_id").to_list()))
        if "parent_id" in competencies.columns
        else dict.fromkeys(ids)
    )
    known = set(ids)
    children: dict[str | None, list[str]] = {}
    for k in ids:
        p = parents.get(k)
        children.setdefault(p if p in known else None, []).append(k)
    out: list[tuple[str, str | None, str | None, int, str]] = []
    visited: set[str] = set()
    stack: list[tuple[str, int, str]] = [(k, 0, k) for k in reversed(children.get(None, []))]
    while stack:
        k, depth, path = stack.pop()
        if k in visited:
            continue
        visited.add(k)
        out.append((k, names.get(k), parents.get(k) if parents.get(k) in known else None, depth, path))
        stack.extend((c, depth + 1, f"{path} / {c}") for c in reversed(children.get(k, [])))
    for k in ids:  # items caught in a cycle (a table typed by hand) still appear, as roots
        if k not in visited:
            out.append((k, names.get(k), None, 0, k))
    return pl.DataFrame(
        out,
        schema={
            "competency_id": pl.String,
            "name": pl.String,
            "parent_id": pl.String,
            "depth": pl.Int64,
            "path": pl.String,
        },
        orient="row",
    )


def framework_text(competencies: pl.DataFrame, indent: str = "  ") -> str:
    """The hierarchy as indented text, one competency per line (``id  name``)."""
    tree = framework_tree(competencies)
    return "\n".join(
        f"{indent * d}{k}  {n or ''}".rstrip() for k, n, d in tree.select("competency_id", "name", "depth").rows()
    )


__all__ = ["CaseFramework", "framework_text", "framework_tree", "parse_case", "read_case"]
