"""Telegram: the collector, its web-preview and Telethon backends, parsers and settings."""
