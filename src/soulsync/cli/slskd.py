"""``soulsync slskd test|search``: check the slskd connection, run one paced search.

``search`` orders the files with the matching engine
(:func:`soulsync.matching.rank.rank_soulseek_files`) when it knows what track
is wanted: from ``--artist``/``--title`` or a query written ``Artist - Title``.
For a free-text query without a wanted track there is nothing to score
against, so the table is ordered by a plain availability key, stated in the
output: free upload slot first, then upload speed (fastest first), then queue
length (shortest first), then file size (largest first).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Annotated

import typer
from rich.table import Table

from soulsync.cli.common import CliError, console, settings
from soulsync.domain import SearchResponse, SoulseekFile, Track
from soulsync.matching.rank import flatten_responses, rank_soulseek_files
from soulsync.matching.settings import DEFAULT_SETTINGS, MatchSettings
from soulsync.providers.base import ProviderError
from soulsync.providers.slskd import SlskdClient

app = typer.Typer(help="Talk to the slskd daemon (Soulseek).", no_args_is_help=True)


@dataclass(frozen=True, slots=True)
class Row:
    """One table row: a file, its score (None when not ranked) and a note."""

    file: SoulseekFile
    score: int | None
    note: str


def wanted_track(
    query: str, artist: str | None, title: str | None, duration_s: float | None
) -> Track | None:
    """The track to rank for, if the user said (options or ``Artist - Title``)."""
    if not title and " - " in query:
        head, _, tail = query.partition(" - ")
        artist, title = artist or head.strip(), tail.strip()
    if not title:
        return None
    duration = int(duration_s * 1000) if duration_s else None
    return Track(title=title, artists=(artist,) if artist else (), duration_ms=duration)


def availability_key(f: SoulseekFile) -> tuple[bool, int, int, int]:
    """The documented fallback order (sort descending): slot, speed, short queue, size."""
    return (f.has_free_upload_slot, f.upload_speed, -f.queue_length, f.size)


def order_rows(
    responses: list[SearchResponse], want: Track | None, match: MatchSettings = DEFAULT_SETTINGS
) -> tuple[list[Row], str]:
    """Rows best first, and a sentence saying how they were ordered."""
    if want is None:
        files = [f for f in flatten_responses(responses) if not f.is_locked]
        files.sort(key=availability_key, reverse=True)
        how = "ordered by free slot, upload speed, queue length, size (no track to match against)"
        return [Row(f, None, "") for f in files], how
    result = rank_soulseek_files(want, responses, match)
    rows = [Row(r.file, round(r.value * 100), "; ".join(r.reasons[:2])) for r in result.candidates]
    rows += [
        Row(r.file, round(r.value * 100), r.rejected_because or "rejected") for r in result.rejected
    ]
    who = f"{want.artist} - {want.title}" if want.artist else want.title
    how = (
        f"ranked for {who!r} by the matching engine: "
        f"{len(result.candidates)} accepted, {len(result.rejected)} rejected (listed last)"
    )
    return rows, how


def _size(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB"


def _length(seconds: int | None) -> str:
    return f"{seconds // 60}:{seconds % 60:02d}" if seconds is not None else "?"


def _quality(f: SoulseekFile) -> str:
    parts = [f.extension or "?"]
    if f.bit_rate:
        parts.append(f"{f.bit_rate}k")
    if f.bit_depth and f.sample_rate:
        parts.append(f"{f.bit_depth}/{f.sample_rate / 1000:g}")
    return " ".join(parts)


def render_table(rows: list[Row], limit: int) -> Table:
    """The results as a rich table."""
    table = Table(show_lines=False)
    for name, justify in (
        ("#", "right"),
        ("score", "right"),
        ("user", "left"),
        ("file", "left"),
        ("quality", "left"),
        ("length", "right"),
        ("size", "right"),
        ("slot / speed / queue", "left"),
        ("note", "left"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for i, row in enumerate(rows[:limit], start=1):
        f = row.file
        table.add_row(
            str(i),
            f"{row.score}%" if row.score is not None else "",
            f.username,
            f.filename,
            _quality(f),
            _length(f.length),
            _size(f.size),
            f"{'free' if f.has_free_upload_slot else 'busy'} / "
            f"{f.upload_speed / 1_000_000:.1f} MB/s / {f.queue_length}",
            row.note,
            end_section=False,
        )
    return table


@app.command("test")
def test(ctx: typer.Context) -> None:
    """Check that slskd answers, accepts the API key and is logged in to Soulseek."""
    config = settings(ctx)

    async def run() -> tuple[bool, str]:
        async with SlskdClient.from_settings(config) as client:
            status = await client.test_connection()
        return status.ok, status.detail

    ok, detail = asyncio.run(run())
    if not ok:
        raise CliError(f"slskd at {config.slskd.url}: {detail}")
    console.print(f"ok: {detail}", markup=False, soft_wrap=True)


@app.command("search")
def search(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help='Search text, e.g. "daft punk one more time".')],
    artist: Annotated[str | None, typer.Option(help="Wanted artist (enables ranking).")] = None,
    title: Annotated[str | None, typer.Option(help="Wanted title (enables ranking).")] = None,
    duration: Annotated[
        float | None, typer.Option(help="Wanted length in seconds (helps ranking).")
    ] = None,
    timeout_ms: Annotated[
        int | None, typer.Option(help="slskd searchTimeout (default: slskd.search_timeout_ms).")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="Rows to show.")] = 30,
) -> None:
    """Run one paced search through slskd and show the files found, best first."""
    config = settings(ctx)
    want = wanted_track(query, artist, title, duration)

    async def run() -> list[SearchResponse]:
        async with SlskdClient.from_settings(config) as client:
            return await client.search(
                query, timeout_ms=timeout_ms or config.slskd.search_timeout_ms
            )

    try:
        responses = asyncio.run(run())
    except ProviderError as exc:
        raise CliError(str(exc)) from exc
    rows, how = order_rows(responses, want, config.match_settings())
    locked = sum(len(r.locked_files) for r in responses)
    console.print(
        f"{len(responses)} peers answered with {sum(len(r.files) for r in responses)} files"
        f" (+{locked} locked); {how}",
        markup=False,
        soft_wrap=True,
    )
    if rows:
        console.print(render_table(rows, limit))


def register(root: typer.Typer) -> None:
    """Add ``soulsync slskd`` to the root app."""
    root.add_typer(app, name="slskd")
