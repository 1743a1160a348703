"""Dependencies shared by the routers (Annotated aliases keep signatures short)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.headers import SCOPE_KEY
from api.settings import Settings
from geo.location.index import ZoneIndex
from geo.store.zones.live import LiveIndex


# async: plain attribute reads, cheaper on the event loop than in the thread pool
async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_live(request: Request) -> LiveIndex:
    return request.app.state.live


async def get_index(request: Request) -> ZoneIndex:
    index = request.app.state.live.get()
    request.scope[SCOPE_KEY] = index.version  # answered in X-Index-Version
    return index


SettingsDep = Annotated[Settings, Depends(get_settings)]
LiveDep = Annotated[LiveIndex, Depends(get_live)]
IndexDep = Annotated[ZoneIndex, Depends(get_index)]
