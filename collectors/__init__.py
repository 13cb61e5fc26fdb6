"""Platform collectors: one module per platform, each yielding plain typed records."""
