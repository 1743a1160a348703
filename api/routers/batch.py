"""Batch checks: POST /v1/check/batch — CSV or GeoJSON points in, answers streamed out.

The whole body is parsed and validated first (too many points: a 413 naming the limit; a
body of the wrong shape, with no good row or with more than 1,000 bad rows: a 422 naming the
first bad line or feature and the field), so an answer is never cut off by bad input; then
answers stream as NDJSON (default) or CSV (``Accept: text/csv``), 10,000 points at a time,
as they are computed in a worker thread. A bad row among good ones gets its own error object
(NDJSON) or ``error`` cell (CSV) in its place; the counts are in the headers, known before
the stream starts: ``X-Point-Count`` (rows read), ``X-Rows-Answered``, ``X-Rows-Refused``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from api.auth import PrincipalDep
from api.deps import IndexDep, SettingsDep
from api.limits import charge_points
from api.work import WorkersDep
from geo.batch.input import parse
from geo.batch.output import CSV, CSV_COLUMNS, NDJSON, answer_chunks, media_type
from geo.common.crs import parse_crs
from geo.common.timeutil import now, parse_instant

router = APIRouter(prefix="/v1/check", tags=["checks"])
#: Points per worker-thread hop. Encoding a chunk is one C call that holds the GIL: ~40 ms
#: for 10,000 points, ~0.4 s for 50,000 (which would stall ``/health``); throughput is the same.
STREAM_CHUNK = 10_000

BATCH_OPENAPI = {
    "requestBody": {"required": True, "content": {
        "text/csv": {"schema": {"type": "string", "example":
                                "id,lon,lat,time\nlang-son,106.7615,21.8537,\n"
                                "lung-cu,105.3208,23.3590,2026-01-05T08:00:00+07:00\n",
                                "description": "rows id,lon,lat[,time]; header optional; "
                                "';' separators with decimal commas are read too"}},
        "application/geo+json": {"schema": {
            "type": "object", "description": "a FeatureCollection of Points; id from the "
            "feature's id or properties.id, optional properties.time"}}}},
    "responses": {"200": {"description": "one answer per point, in input order; a refused "
                          "row in its place as {id, line|feature, error: {field, message}} "
                          "(CSV: its message in the error column). Headers X-Point-Count, "
                          "X-Rows-Answered, X-Rows-Refused",
                          "content": {NDJSON: {"schema": {"type": "string"}},
                                      CSV: {"schema": {"type": "string", "description":
                                                       ",".join(CSV_COLUMNS)}}}}},
}


@router.post("/batch", openapi_extra=BATCH_OPENAPI, response_class=StreamingResponse)
async def check_batch(
    request: Request, index: IndexDep, principal: PrincipalDep, settings: SettingsDep,
    workers: WorkersDep,
    at: Annotated[str | None, Query(description="ISO-8601 instant for rows without a "
                                                "time; no offset = Hanoi; default now")] = None,
    crs: Annotated[str | None, Query(description="EPSG:4326 (default) or VN-2000")] = None,
) -> StreamingResponse:
    """Check up to ``BORDERZONE_MAX_BATCH_POINTS`` points; answers stream in input order.
    Parsing and every chunk of answers run in worker threads (``api.work``)."""
    instant, epsg = parse_instant(at, field="at") or now(), parse_crs(crs)
    body = await request.body()
    batch = await workers.run(parse, body, request.headers.get("content-type"),
                              max_points=settings.max_batch_points, epsg=epsg,
                              default_at=instant)
    charge_points(request, batch.rows)  # rate limits count points (rows), not only requests
    fmt = media_type(request.headers.get("accept"))
    chunks = answer_chunks(index, batch, fmt=fmt, cleared=principal.cleared, at=instant,
                           chunk=STREAM_CHUNK)
    return StreamingResponse(workers.stream(chunks), media_type=fmt,
                             headers={"X-Point-Count": str(batch.rows),
                                      "X-Rows-Answered": str(len(batch)),
                                      "X-Rows-Refused": str(len(batch.refused))})
