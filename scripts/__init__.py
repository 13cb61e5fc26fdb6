"""Repository scripts: fixture generators and maintenance helpers."""
