"""Per-API state modules: apis/<x-pontes-api>.py, each registering one ApiState subclass
with @register("<x-pontes-api>") (see ../plugins.py and tools/mock/README.md)."""
