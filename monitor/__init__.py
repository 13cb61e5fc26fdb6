"""polmon's monitor: config, pipeline stages, analytics, digest, scheduler and CLI."""

__version__ = "0.1.0"
