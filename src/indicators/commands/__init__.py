"""CLI command groups; each module has ``register(app)`` that adds its commands."""
