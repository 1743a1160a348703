"""Vietnamese texts of the decision and notice forms of Circular 112/2025/TT-BQP.

``render(form_id, context, fmt)`` fills a form from the records in a ``FormContext`` and
returns it as HTML (a standalone UTF-8 page; every value is escaped by Jinja2's autoescape)
or plain text. Form ids: Appendix I "17".."24"; Appendix II "II-01".."II-04" (the id an
``AuthorityVerdict.form_id`` carries). Times are written in Hanoi time ("08 giờ 00 phút ngày
05/01/2026"); Form 19 adds "(theo giờ Hà Nội)" as the form does.

The area is written as given in ``FormContext.area_text``: the caller resolves commune codes
to administrative names, or writes the coordinates.

Templates are package files under ``geo/decisions/templates/`` (``document.html``,
``document.txt``); the environments are built on first use, not at import.
"""

from __future__ import annotations

from functools import lru_cache

from jinja2 import Environment, PackageLoader, StrictUndefined

from geo.common.errors import InvalidInput
from geo.decisions.document import Document, FormContext
from geo.decisions.forms import LAND_FORMS, Builder
from geo.decisions.forms_gate import GATE_FORMS

__all__ = ["FORM_IDS", "FORM_TITLES", "FormContext", "build_document", "render"]

FORMS: dict[str, Builder] = {**LAND_FORMS, **GATE_FORMS}
FORM_IDS = tuple(FORMS)

FORM_TITLES = {
    "17": "Mẫu số 17 (Phụ lục I)",
    "18": "Mẫu số 18 (Phụ lục I)",
    "19": "Mẫu số 19 (Phụ lục I)",
    "20": "Mẫu số 20 (Phụ lục I)",
    "21": "Mẫu số 21 (Phụ lục I)",
    "22": "Mẫu số 22 (Phụ lục I)",
    "23": "Mẫu số 23 (Phụ lục I)",
    "24": "Mẫu số 24 (Phụ lục I)",
    "II-01": "Mẫu số 01 (Phụ lục II)",
    "II-02": "Mẫu số 02 (Phụ lục II)",
    "II-03": "Mẫu số 03 (Phụ lục II)",
    "II-04": "Mẫu số 04 (Phụ lục II)",
}

FORMATS = {"html": "document.html", "text": "document.txt"}


@lru_cache(maxsize=2)
def _environment(autoescape: bool) -> Environment:
    return Environment(
        loader=PackageLoader("geo.decisions", "templates"),
        autoescape=autoescape,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def build_document(form_id: str, context: FormContext) -> Document:
    """The neutral layout of form ``form_id`` filled from ``context`` (InvalidInput if the
    records do not fit the form: scope, gate type, issuer, missing extension/revocation)."""
    if form_id not in FORMS:
        raise InvalidInput(
            f"form_id: {form_id!r} is not one of {', '.join(FORM_IDS)}", field="form_id"
        )
    if not isinstance(context, FormContext):
        raise InvalidInput("context: a FormContext is required", field="context")
    return FORMS[form_id](context)


def render(form_id: str, context: FormContext, fmt: str = "html") -> str:
    """Form ``form_id`` in Vietnamese, as ``fmt`` "html" (escaped) or "text"."""
    if fmt not in FORMATS:
        raise InvalidInput(f"fmt: {fmt!r} is not one of html, text", field="fmt")
    doc = build_document(form_id, context)
    template = _environment(fmt == "html").get_template(FORMATS[fmt])
    text = template.render(doc=doc, form_id=form_id, form_label=FORM_TITLES[form_id])
    return text if fmt == "html" else _tidy(text)


def _tidy(text: str) -> str:
    """Collapse runs of blank lines left by optional sections of the text template."""
    lines: list[str] = []
    for line in text.splitlines():
        if line.strip() or (lines and lines[-1].strip()):
            lines.append(line.rstrip())
    return "\n".join(lines).strip() + "\n"
