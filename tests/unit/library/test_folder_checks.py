"""Folder pre-flight (issue 18 item 10): say what is wrong with a folder before any work."""

from __future__ import annotations

from pathlib import Path

import pytest

from soulsync.library.folder_checks import check_folder


def _layout(tmp_path: Path) -> dict[str, Path]:
    (tmp_path / "afile").write_text("x")
    (tmp_path / "dir").mkdir()
    return {
        "existing": tmp_path / "dir",
        "missing": tmp_path / "dir" / "new" / "deeper",
        "file": tmp_path / "afile",
        "under-file": tmp_path / "afile" / "sub",
    }


@pytest.mark.parametrize(
    ("case", "problem"),
    [
        ("existing", None),
        ("missing", None),
        ("file", "is a file, not a folder"),
        ("under-file", "cannot be created"),
    ],
)
def test_check_folder(tmp_path: Path, case: str, problem: str | None) -> None:
    why = check_folder(_layout(tmp_path)[case], "the Transfer folder")
    if problem is None:
        assert why is None
    else:
        assert why is not None and problem in why and why.startswith("the Transfer folder ")
