"""CLI tables stay readable at 80 columns: cells wrap, headers are never cut."""

from __future__ import annotations

import io

import pytest
from rich.table import Table

from soulsync.cli.common import FittingConsole, fit_table

HEADERS = ("id", "playlist", "started", "state", "tracks", "owned", "downloaded", "wishlisted")
ROW = (
    "12",
    "Road Trip Classics With A Very Long Name Indeed",
    "2026-12-04 22:10",
    "completed",
    "30",
    "10",
    "20",
    "0",
)


def render(table: Table, width: int) -> list[str]:
    out = io.StringIO()
    console = FittingConsole(file=out, width=width, color_system=None, highlight=False)
    console.print(table)
    return out.getvalue().splitlines()


def wide_table() -> Table:
    table = Table(*HEADERS, title="Last sync runs")
    table.add_row(*ROW)
    return table


@pytest.mark.parametrize("width", [80, 100, 120])
def test_headers_whole_and_lines_within_width(width: int) -> None:
    lines = render(wide_table(), width)
    assert all(len(line) <= width for line in lines)
    assert not any("…" in line for line in lines)
    header = next(line for line in lines if "id" in line and "playlist" in line)
    assert "started" in header


def test_long_cells_wrap_instead_of_ending_in_an_ellipsis() -> None:
    text = "\n".join(render(wide_table(), 80))
    for word in ("Road", "Trip", "Classics", "Indeed"):
        assert word in text


def test_columns_that_cannot_fit_are_dropped_and_said() -> None:
    lines = render(wide_table(), 40)
    text = "\n".join(lines)
    assert all(len(line) <= 40 for line in lines)
    assert "id" in text and "playlist" in text
    assert "wishlisted" not in text
    assert "hidden: widen the terminal" in text


def test_fit_table_is_idempotent() -> None:
    table = wide_table()
    fit_table(table, 80)
    before = [str(c.header) for c in table.columns]
    fit_table(table, 80)
    assert [str(c.header) for c in table.columns] == before
