"""``soulsync process FILE_OR_FOLDER…``: loudness tags, conversion, trimming for files on disk.

Without ``--out`` files are rewritten in place, safely: the new file is
written beside the original under a temporary name, verified (decoded
whole, tags read back), then renamed over it (or, for a new format, given
its new name before the original is removed). Heavy imports (PyAV, numpy)
happen inside the command so ``soulsync --help`` stays fast.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from soulsync.cli.common import CliError, console, err_console, open_store, settings

__all__ = ["process_command", "register"]


def register(root: typer.Typer) -> None:
    """Add ``process`` to the root command."""
    root.command("process")(process_command)


def process_command(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="Audio files or folders (recursive).")],
    to: Annotated[str, typer.Option("--to", help="keep (default), mp3, opus or aac.")] = "keep",
    bitrate: Annotated[
        int | None,
        typer.Option("--bitrate", min=32, max=512, help="kbit/s (default 320/160/256)."),
    ] = None,
    replaygain: Annotated[
        bool, typer.Option("--replaygain/--no-replaygain", help="Write ReplayGain 2.0 tags.")
    ] = True,
    album: Annotated[
        bool, typer.Option("--album", help="Also album gain: each folder is one album.")
    ] = False,
    normalize: Annotated[
        bool, typer.Option("--normalize", help="Rewrite the audio to [processing] normalize_lufs.")
    ] = False,
    trim_silence: Annotated[
        bool, typer.Option("--trim-silence", help="Cut silence at the start and end.")
    ] = False,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write results here instead of in place.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per file.")] = False,
) -> None:
    """Measure loudness and write ReplayGain tags; optionally convert, normalise, trim."""
    from dataclasses import replace

    from soulsync.library.process import ProcessError
    from soulsync.library.process.cache import ProcessCache
    from soulsync.library.process.profile import CONVERT_CHOICES
    from soulsync.services.processing_batch import FileOutcome, collect_files, process_paths
    from soulsync.store.processing_log import ProcessingLog

    config = settings(ctx)
    conf = config.processing
    choice = to.strip().lower()
    if choice not in CONVERT_CHOICES:
        raise CliError(f"--to must be one of {', '.join(CONVERT_CHOICES)}, not {to!r}", 2)
    if bitrate is not None and choice == "keep":
        raise CliError("--bitrate needs --to mp3, opus or aac", 2)
    base = conf.profile()
    profile = replace(
        base,
        convert=choice,
        bitrate_kbps=bitrate,
        mp3_vbr=None,
        replaygain=("album" if album else "track") if replaygain else "off",
        normalize=base.normalize if normalize else None,
        trim=base.trim if trim_silence else None,
        lossy_copy_dir=None,
    )
    if normalize and profile.normalize is None:
        from soulsync.library.process.levels import NormalizeSettings

        profile = replace(
            profile, normalize=NormalizeSettings(conf.normalize_lufs, conf.true_peak_db)
        )
    if trim_silence and profile.trim is None:
        from soulsync.library.process.trim import TrimSettings

        profile = replace(
            profile,
            trim=TrimSettings(conf.trim_threshold_db, conf.trim_min_ms, conf.trim_max_ms),
        )
    try:
        files = collect_files(paths)
    except ProcessError as exc:
        raise CliError(str(exc), 2) from exc
    if not files:
        raise CliError("no audio files found", 2)
    cache = ProcessCache(config.paths.data_dir / "cache" / "processing") if conf.cache else None
    store = open_store(config)
    failed = 0
    rows: list[FileOutcome] = []

    def done(outcome: FileOutcome) -> None:
        nonlocal failed
        if outcome.error is not None:
            failed += 1
        if as_json:
            typer.echo(json.dumps(outcome.as_dict()))
        else:
            rows.append(outcome)

    try:
        process_paths(
            files,
            profile,
            out_dir=out,
            album=album,
            cache=cache,
            records=ProcessingLog(store),
            on_done=done,
        )
    finally:
        store.close()
    if not as_json:
        _print_table(rows)
    if failed:
        if not as_json:
            err_console.print(f"[red]{failed} of {len(files)} files failed; originals kept.[/red]")
        raise typer.Exit(1)


def _print_table(rows: list[Any]) -> None:
    table = Table("file", "output", "LUFS", "gain", "album", "peak", "trim", "s")
    for o in rows:
        if o.result is None:
            table.add_row(escape(str(o.path)), f"[red]{escape(str(o.error))}[/red]", *[""] * 6)
            continue
        r = o.result
        table.add_row(
            escape(o.path.name),
            escape(Path(r.output).name),
            f"{r.integrated_lufs:.1f}" if r.integrated_lufs is not None else "",
            f"{r.track_gain_db:+.2f}" if r.track_gain_db is not None else "",
            f"{o.album_gain_db:+.2f}" if o.album_gain_db is not None else "",
            f"{r.track_peak:.3f}" if r.track_peak is not None else "",
            f"{r.trimmed_ms} ms" if r.trimmed_ms else "",
            f"{r.seconds:.2f}",
        )
    console.print(table)
