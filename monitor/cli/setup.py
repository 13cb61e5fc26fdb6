"""Commands that set polmon up: `init`, `db upgrade|current`, `config check`."""

from __future__ import annotations

import shutil
from pathlib import Path

import click

from monitor.cli.context import AppContext, app

_HERE = Path(__file__).resolve().parent.parent


def example_config_path() -> Path:
    """The bundled config.example.toml (checkout root, or inside the installed package)."""
    for candidate in (_HERE.parent / "config.example.toml", _HERE / "config.example.toml"):
        if candidate.is_file():
            return candidate
    raise click.ClickException("config.example.toml is missing from this installation")


@click.command()
@click.pass_context
def init(ctx: click.Context) -> None:
    """Write polmon.toml from the example if missing, create the data dir, migrate."""
    from monitor.config import find_config_path, load_config
    from storage.migrations import current_revision, upgrade

    context = app(ctx)
    path, _named = find_config_path(context.config_path)
    if path.exists():
        click.echo(f"config: {path} (kept)")
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(example_config_path(), path)
        click.echo(f"config: {path} (written from the example; edit it)")
    context.config = load_config(path)
    config = context.config
    for folder in (config.data_dir, config.media_dir):
        folder.mkdir(parents=True, exist_ok=True)
    click.echo(f"data:   {config.data_dir}")
    upgrade(context.raw_engine, media_dir=config.media_dir)
    click.echo(
        f"database: {context.raw_engine.url.render_as_string()} at revision "
        f"{current_revision(context.raw_engine)}"
    )


@click.group()
def db() -> None:
    """Database schema migrations."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Target revision.")
@click.pass_context
def db_upgrade(ctx: click.Context, revision: str) -> None:
    """Migrate the database to the newest schema (or --revision)."""
    from storage.migrations import current_revision, upgrade

    engine = app(ctx).raw_engine
    upgrade(engine, revision, media_dir=app(ctx).config.media_dir)
    click.echo(f"database at revision {current_revision(engine)}")


@db.command("current")
@click.pass_context
def db_current(ctx: click.Context) -> None:
    """Print the database's schema revision and whether it is the newest."""
    from storage.migrations import current_revision, head_revisions

    engine = app(ctx).raw_engine
    current = current_revision(engine)
    heads = head_revisions()
    state = "up to date" if current in heads else f"behind head {', '.join(heads)}"
    click.echo(f"{current or 'empty (run `polmon db upgrade`)'} ({state})")


@click.group("config")
def config_group() -> None:
    """Inspect the configuration."""


@config_group.command("check")
@click.pass_context
def config_check(ctx: click.Context) -> None:
    """Validate the config file and the secrets the configured features need."""
    from monitor.user_regex import regex_warnings

    context = app(ctx)
    problems = config_problems(context)
    if problems:
        for line in problems:
            click.echo(line, err=True)
        count = f"{len(problems)} problem{'s' if len(problems) > 1 else ''}"
        click.echo(f"config check: {count} found", err=True)
        ctx.exit(2)
    config = context.config
    for name, group in config.keywords.items():
        for term in group.terms if group.regex else ():
            for warning in regex_warnings(term):
                click.echo(f"warning: keywords.{name}: term {term!r} {warning}", err=True)
    accounts = sum(len(actor.accounts) for actor in config.actors)
    click.echo(
        f"{config.source}: ok ({len(config.actors)} actors, {accounts} accounts, "
        f"{len(config.keywords)} keyword groups, {len(config.schedule.jobs)} jobs)"
    )


def config_problems(context: AppContext) -> list[str]:
    """Every problem of the config file as one line each: what loading rejects, then what
    later commands would (the database URL, missing secrets)."""
    from monitor.config import ConfigError
    from storage.engine import DatabaseError, check_database_url

    try:
        config = context.config
    except ConfigError as exc:
        return exc.problems
    problems: list[str] = []
    try:
        check_database_url(config.database_url)
    except DatabaseError as exc:
        problems.append(str(ConfigError(config.source or "config", "database.url", str(exc))))
    problems += [str(exc) for exc in config.secret_problems()]
    return problems
