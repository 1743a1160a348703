"""CQL2 filters (OGC API – Features Part 3): text and JSON, parsed by pygeofilter.

Supported: basic CQL2 (comparisons, ``AND``/``OR``/``NOT``, ``LIKE``, ``BETWEEN``, ``IN``,
``IS NULL``) and the basic spatial functions (``S_INTERSECTS``, ``S_WITHIN``,
``S_CONTAINS``, ``S_DISJOINT``, ``S_EQUALS``, ``S_TOUCHES``, ``S_CROSSES``,
``S_OVERLAPS``) against ``geometry`` with a WKT/GeoJSON literal or ``BBOX(...)``, lon/lat
(CRS84; ``filter-crs`` may name another accepted CRS). Every attribute must be one of the
collection's queryables; the checked AST goes to ``geo.store.layers.filter``, which builds
SQLAlchemy expressions with every literal bound as a parameter.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from pygeofilter import ast, values
from pygeofilter.parsers.cql2_json import parse as parse_json
from pygeofilter.parsers.cql2_text import parse as parse_text

from geo.common.errors import InvalidInput
from geo.common.timeutil import parse_instant
from geo.layers.collections import (
    BOOLEAN,
    DATE,
    DATETIME,
    INTEGER,
    NUMBER,
    STRING,
    STRINGS,
    Collection,
)

GEOMETRY = "geometry"
MAX_TEXT = 20_000
MAX_NODES = 500
SPATIAL = (ast.GeometryIntersects, ast.GeometryWithin, ast.GeometryContains,
           ast.GeometryDisjoint, ast.GeometryEquals, ast.GeometryTouches,
           ast.GeometryCrosses, ast.GeometryOverlaps)
COMPARISON = (ast.Equal, ast.NotEqual, ast.LessThan, ast.LessEqual, ast.GreaterThan,
              ast.GreaterEqual)
SCALAR = (str, int, float, bool, date, datetime)
#: Which literals each property type may be compared with.
_LITERALS = {STRING: (str,), STRINGS: (), INTEGER: (int, float), NUMBER: (int, float),
             BOOLEAN: (bool,), DATE: (date, str), DATETIME: (datetime, date, str)}


def parse(text: str | None, lang: str | None, coll: Collection) -> Any:
    """The checked AST of ``text`` (``cql2-text`` or ``cql2-json``), or None."""
    if text is None or text.strip() == "":
        return None
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"filter: longer than {MAX_TEXT} characters", field="filter")
    lang = (lang or "cql2-text").lower()
    try:
        if lang == "cql2-text":
            node = parse_text(text)
        elif lang == "cql2-json":
            node = parse_json(json.loads(text))
        else:
            raise InvalidInput(f"filter-lang: cql2-text or cql2-json, not {lang!r}",
                               field="filter-lang")
    except InvalidInput:
        raise
    except Exception as exc:  # the parser's own errors (lark, json, ValueError, ...)
        raise InvalidInput(f"filter: not valid {lang}: {str(exc).splitlines()[0][:200]}",
                           field="filter") from None
    count = [0]
    check(node, coll, count)
    return node


def check(node: Any, coll: Collection, count: list[int]) -> None:
    """Refuse what is not basic CQL2 on this collection's queryables."""
    count[0] += 1
    if count[0] > MAX_NODES:
        raise InvalidInput(f"filter: more than {MAX_NODES} terms", field="filter")
    if isinstance(node, ast.Attribute):
        if node.name != GEOMETRY and coll.prop(node.name) is None:
            raise InvalidInput(f"filter: {node.name!r} is not a queryable of {coll.id}; "
                               f"see /ogc/collections/{coll.id}/queryables", field="filter")
        return
    if isinstance(node, SCALAR) or node is None:
        return
    if isinstance(node, values.Geometry | values.Envelope):
        return
    if isinstance(node, ast.Function) and node.name.lower() == "bbox":
        if len(node.arguments) != 4 or not all(isinstance(a, int | float)
                                               for a in node.arguments):
            raise InvalidInput("filter: BBOX takes four numbers", field="filter")
        return
    if isinstance(node, ast.And | ast.Or):
        check(node.lhs, coll, count)
        check(node.rhs, coll, count)
    elif isinstance(node, ast.Not):
        check(node.sub_node, coll, count)
    elif isinstance(node, SPATIAL):
        for part in (node.lhs, node.rhs):
            check(part, coll, count)
        if not any(_is_geometry(p) for p in (node.lhs, node.rhs)):
            raise InvalidInput("filter: spatial functions compare `geometry` with a "
                               "geometry", field="filter")
    elif isinstance(node, COMPARISON):
        _typed(node.lhs, (node.rhs,), coll, count)
    elif isinstance(node, ast.Like):
        _typed(node.lhs, (node.pattern,), coll, count)
    elif isinstance(node, ast.IsNull):
        check(node.lhs, coll, count)
    elif isinstance(node, ast.Between):
        _typed(node.lhs, (node.low, node.high), coll, count)
    elif isinstance(node, ast.In):
        _typed(node.lhs, tuple(node.sub_nodes), coll, count)
    else:
        raise InvalidInput(f"filter: {type(node).__name__} is not supported (basic CQL2 and "
                           "basic spatial functions)", field="filter")


def _is_geometry(node: Any) -> bool:
    return (isinstance(node, ast.Attribute) and node.name == GEOMETRY) or isinstance(
        node, values.Geometry | values.Envelope | ast.Function)


def _typed(attribute: Any, literals: tuple, coll: Collection, count: list[int]) -> None:
    """A property compared with literals of its own type (so no comparison can fail in
    the database)."""
    if not isinstance(attribute, ast.Attribute) or attribute.name == GEOMETRY:
        raise InvalidInput("filter: compare a property (not the geometry) with literal "
                           "values", field="filter")
    check(attribute, coll, count)
    prop = coll.prop(attribute.name)
    allowed = _LITERALS.get(prop.type, (str,))
    for value in literals:
        count[0] += 1
        ok = isinstance(value, allowed) and not (
            isinstance(value, bool) and bool not in allowed)
        if not ok:
            raise InvalidInput(f"filter: {attribute.name} ({prop.type}) cannot be compared "
                               f"with {value!r}", field="filter")
        if prop.type in (DATE, DATETIME) and isinstance(value, str):
            parse_instant(value, field="filter")
