"""`polmon evidence`: timestamp the kept captures and files, export posts as WACZ, verify one."""

from __future__ import annotations

from pathlib import Path

import click

from monitor.cli.context import UserError, app


@click.group()
def evidence() -> None:
    """Evidence: timestamp captures and files (RFC 3161), export and verify WACZ files."""


@evidence.command()
@click.pass_context
def stamp(ctx: click.Context) -> None:
    """Hash new captures, media and screenshots into a Merkle tree and timestamp its root."""
    from monitor.evidence.stamp import run_stamp

    context = app(ctx)
    report = run_stamp(context.config, context.engine)
    click.echo(report.summary_line())
    for problem in report.problems():
        click.echo(f"not stamped: {problem}", err=True)
    if report.problems():
        ctx.exit(1)


@evidence.command()
@click.argument("post_id", type=int, required=False)
@click.option("--hits", "group", default=None, help="Every post with a hit of this keyword group.")
@click.option("--account", default=None, help="Every post of this account (handle or URL).")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The WACZ file to write.",
)
@click.pass_context
def export(
    ctx: click.Context, post_id: int | None, group: str | None, account: str | None, out: Path
) -> None:
    """Write posts with their captures, media, transcripts and timestamp proofs as a WACZ."""
    from monitor.evidence.export import export_evidence
    from monitor.queries.evidence import export_post_ids
    from monitor.queries.selection import find_account_ids, group_name

    if sum(value is not None for value in (post_id, group, account)) != 1:
        raise UserError("give exactly one of POST_ID, --hits GROUP or --account ACCOUNT")
    context = app(ctx)
    with context.session() as session:
        ids = export_post_ids(
            session,
            post_id=post_id,
            hits_group=group_name(session, context.config.keywords, group),
            account_ids=find_account_ids(session, account),
        )
    if not ids:
        raise UserError("no post matches: nothing to export")
    report = export_evidence(context.config, context.engine, ids, out)
    click.echo(
        f"{report.out}: {report.posts} post(s), {report.files} file(s), "
        f"{report.stamped} timestamped"
    )


@evidence.command()
@click.argument("wacz", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option(
    "--ca-file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="The TSA's CA certificate(s), PEM (default: the one bundled in the archive).",
)
@click.pass_context
def verify(ctx: click.Context, wacz: Path, ca_file: Path | None) -> None:
    """Recompute every hash of a WACZ, check its proofs and tokens: one line per file."""
    from monitor.evidence.verify import verify_wacz

    findings = verify_wacz(wacz, ca_file)
    for finding in findings:
        click.echo(finding.line())
    failed = [f for f in findings if not f.ok]
    click.echo(f"{len(findings) - len(failed)} OK, {len(failed)} failed")
    if failed:
        ctx.exit(1)
