"""Multi-user todo service: a FastAPI JSON API with JWT bearer auth."""
