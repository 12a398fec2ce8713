"""Root conftest: makes the project importable from tests without installing it."""
