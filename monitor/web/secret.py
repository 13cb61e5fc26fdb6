"""The key that signs the web app's session cookies: env, a configured file, or one of our own."""

from __future__ import annotations

import logging
import os
import secrets
import stat
from pathlib import Path

from monitor.config import ConfigError, PolmonConfig, read_secret
from storage.redaction import register_secret

SECRET_ENV = "POLMON_WEB_SECRET"
GENERATED_NAME = "web-secret"
MIN_KEY_LENGTH = 32  # characters; a short key could be guessed and sessions forged
log = logging.getLogger(__name__)


def web_secret_key(config: PolmonConfig) -> str:
    """$POLMON_WEB_SECRET, else `[web] secret_key_file`, else `<data_dir>/web-secret`, made
    on first use (48 random bytes, mode 0600) and reused, so sessions outlive a restart."""
    configured = config.resolve(config.web.secret_key_file) if config.web.secret_key_file else None
    secret = read_secret(SECRET_ENV, configured)
    if secret:
        if len(secret) < MIN_KEY_LENGTH:
            from_env = bool(os.environ.get(SECRET_ENV))
            raise ConfigError(
                config.source or "polmon.toml",
                None if from_env else "web.secret_key_file",
                f"the web session key from {SECRET_ENV if from_env else configured} is too "
                f"short: use at least {MIN_KEY_LENGTH} random characters "
                "(e.g. `openssl rand -base64 48`)",
            )
        return secret
    path = config.data_dir / GENERATED_NAME
    secret = _read_or_create(path)
    register_secret(secret)
    return secret


def _read_or_create(path: Path) -> str:
    """The key in `path`; made first if missing (written whole, then linked into place, so a
    second process starting at the same moment reads a complete key, never half of one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(secrets.token_urlsafe(48) + "\n")
        try:
            os.link(draft, path)  # fails if another process got there first: use theirs
            log.info("made a new key for the web sessions in %s", path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        log.warning("%s is readable by others (mode %o): chmod 600 it", path, mode)
    secret = path.read_text(encoding="utf-8").strip()
    if not secret:
        raise ConfigError(path, None, "the web key file is empty: remove it for a new one")
    return secret
