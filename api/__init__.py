"""borderzone's thin adapters: HTTP (FastAPI) and the command line."""
