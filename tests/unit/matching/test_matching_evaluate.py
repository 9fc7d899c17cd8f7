"""The evaluator: corpus quality gate, output format, malformed input."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from soulsync.matching.evaluate import CorpusError, evaluate, load_cases, main
from soulsync.matching.settings import DEFAULT_SETTINGS

CORPUS = Path(__file__).resolve().parents[2] / "data" / "matching"
LAST_LINE = re.compile(r"^precision (\d\.\d{4}) recall (\d\.\d{4}) cases (\d+)$")

GOOD_SOULSEEK = {
    "id": "t-1",
    "kind": "soulseek",
    "want": {
        "title": "Digital Love",
        "artists": ["Daft Punk"],
        "album": "Discovery",
        "duration_ms": 301000,
    },
    "candidates": [
        {
            "username": "a",
            "filename": "@@a\\Daft Punk\\Discovery\\03 Digital Love.flac",
            "size": 1,
            "length": 301,
            "hasFreeUploadSlot": True,
            "uploadSpeed": 1,
            "queueLength": 0,
        }
    ],
    "expect": [0],
}
GOOD_LIBRARY = {
    "id": "t-2",
    "kind": "library",
    "want": {"title": "Hello", "artists": ["Adele"], "album": "25", "duration_ms": 295000},
    "candidates": [
        {"title": "Hello", "artist": "Lionel Richie", "album": None, "duration_ms": 248000}
    ],
    "expect": [],
}


def test_corpus_meets_the_quality_bar() -> None:
    cases = load_cases([CORPUS])
    assert len(cases) >= 900
    assert {c.kind for c in cases} == {"soulseek", "library"}
    report = evaluate(cases)
    # Issue 17's bar, on the whole corpus held-out file included.
    assert report.total.precision >= 0.995, "\n".join(report.failures)
    assert report.total.recall >= 0.96, "\n".join(report.failures)
    assert report.total.wrong_version_picks == 0, "\n".join(report.failures)


# Written for issue 17 before the engine changed and never tuned on; its
# numbers are in the corpus README. The gate below is for the cases the
# engine may be tuned on, class by class.
HELDOUT_2026 = "heldout_2026.jsonl"


def test_tuning_corpus_meets_the_issue_17_bar() -> None:
    cases = load_cases([p for p in sorted(CORPUS.glob("*.jsonl")) if p.name != HELDOUT_2026])
    assert len(cases) >= 750
    report = evaluate(cases)
    assert report.total.precision >= 0.995, "\n".join(report.failures)
    assert report.total.recall >= 0.96, "\n".join(report.failures)
    # Every failure class of issue 17 is represented.
    assert set(report.by_class) >= {str(n) for n in range(1, 9)}
    assert all(r.cases >= 15 for r in report.by_class.values())
    assert report.total.wrong_version_picks == 0, "\n".join(report.failures)


def test_cli_last_line_format() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "soulsync.matching.evaluate", str(CORPUS)],
        capture_output=True,
        text=True,
        check=True,
    )
    lines = result.stdout.strip().splitlines()
    match = LAST_LINE.match(lines[-1])
    assert match, lines[-1]
    assert int(match.group(3)) >= 900
    assert any(line.startswith("soulseek: ") for line in lines)
    assert any(line.startswith("library: ") for line in lines)
    assert any("wrong-version picks" in line for line in lines)
    assert any(line.startswith("class 5 (processed uploads): ") for line in lines)


def _write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_small_file_counts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, [json.dumps(GOOD_SOULSEEK), "", json.dumps(GOOD_LIBRARY)])
    assert main([str(path)]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-1] == "precision 1.0000 recall 1.0000 cases 2"


def _bad(**changes: object) -> str:
    case = json.loads(json.dumps(GOOD_SOULSEEK))
    for dotted, value in changes.items():
        target = case
        keys = dotted.split("__")
        for key in keys[:-1]:
            target = target[int(key)] if key.isdigit() else target[key]
        if value is _DELETE:
            del target[keys[-1]]
        else:
            target[keys[-1]] = value
    return json.dumps(case)


_DELETE = object()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "Expecting property name"),
        ("[1, 2]", "must be a JSON object"),
        (_bad(kind="spotify"), "kind must be"),
        (_bad(expect=[3]), "out of range"),
        (_bad(expect="0"), "expect must be a list"),
        (_bad(want__artists=[]), "non-empty list"),
        (_bad(want__title=_DELETE), "lacks 'title'"),
        (_bad(candidates__0__size="big"), "'size' has the wrong type"),
        (_bad(candidates__0__bitrate=320), "unknown field"),
        (_bad(extra=1), "unknown field"),
        (_bad(id=""), "lacks a string 'id'"),
    ],
)
def test_malformed_line_names_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    path = _write(tmp_path, [json.dumps(GOOD_LIBRARY), line])
    with pytest.raises(CorpusError, match=re.escape(f"{path}:2: ") + ".*" + re.escape(message)):
        load_cases([path])


def test_duplicate_ids_and_missing_paths_are_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, [json.dumps(GOOD_LIBRARY), json.dumps(GOOD_LIBRARY)])
    with pytest.raises(CorpusError, match="duplicate case id 't-2'"):
        load_cases([path])
    assert main([str(tmp_path / "nope.jsonl")]) == 2
    assert "no such file" in capsys.readouterr().err


@pytest.mark.parametrize(
    "filename",
    [
        "@@a\\Daft Punk - Digital Love (8D Audio).mp3",
        "@@a\\Daft Punk - Digital Love (Japanese Ver.).mp3",
        "@@a\\Daft Punk - Digital Love (Re-Recorded).mp3",
        "@@a\\Daft Punk - Digital Love (nightcore).mp3",
    ],
)
def test_processed_language_and_rerecorded_picks_count_as_wrong_version(
    tmp_path: Path, filename: str
) -> None:
    case = json.loads(json.dumps(GOOD_SOULSEEK))
    case["id"] = "x-c5-1"
    case["candidates"][0]["filename"] = filename
    case["expect"] = []
    cases = load_cases([_write(tmp_path, [json.dumps(case)])])
    # An engine that ignores versions picks the file; the evaluator must
    # call that pick a wrong version, in its class too.
    lax = replace(DEFAULT_SETTINGS, hard_version_factor=1.0)
    report = evaluate(cases, lax)
    assert report.total.wrong_version_picks == 1
    assert report.by_class["5"].wrong_version_picks == 1
    assert evaluate(cases).total.wrong_version_picks == 0
