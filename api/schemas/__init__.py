"""Request and response shapes of the HTTP API, one module per capability.

``location`` for the location checks (and health), ``decisions`` for the decision API.
Pydantic models only: may import the domain, never ``geo.store`` or the routers.
"""
