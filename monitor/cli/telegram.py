"""`polmon telegram login`: the interactive login that creates the Telethon session."""

from __future__ import annotations

import asyncio

import click

from monitor.cli.context import app


@click.group()
def telegram() -> None:
    """Telegram's API backend (Telethon): the login session."""


@telegram.command("login")
@click.option("--phone", help="Phone number in international format (asked when missing).")
@click.pass_context
def login(ctx: click.Context, phone: str | None) -> None:
    """Log in to Telegram (phone, code, 2FA password) and save the session, mode 0600."""
    from collectors.telegram.session import login_session, session_file
    from monitor.config import DEFAULT_CONFIG_NAME, ConfigError

    config = app(ctx).config
    api_id = config.telegram.api_id
    if api_id is None:
        raise ConfigError(
            config.source or DEFAULT_CONFIG_NAME,
            "telegram.api_id",
            "required for `polmon telegram login`; create one at https://my.telegram.org",
        )
    api_hash = config.telegram_api_hash(required=True)
    assert api_hash is not None
    path = session_file(config.telegram_session_path)
    who = asyncio.run(
        login_session(
            path,
            api_id,
            api_hash,
            phone=lambda: phone or click.prompt("Phone number (international format)"),
            code=lambda: click.prompt("Login code Telegram sent you"),
            password=lambda: click.prompt("Two-step verification password", hide_input=True),
        )
    )
    click.echo(f"logged in as {who}; session saved to {path} (mode 0600)")
    if config.telegram.backend == "web":
        click.echo("note: telegram.backend is 'web'; set it to 'auto' or 'telethon' to use it")
