"""Title anatomy: base title, version descriptors, features, extras."""

from __future__ import annotations

import pytest

from soulsync.matching.anatomy import VersionKind as K
from soulsync.matching.anatomy import album_context, parse_title

CASES = [
    # (title, base, kinds, detail of first tag or None, featured)
    ("Blinding Lights - Chromatics Remix", "Blinding Lights", {K.REMIX}, "chromatics", ()),
    ("Blinding Lights (Live)", "Blinding Lights", {K.LIVE}, "", ()),
    ("Hey Jude - Remastered 2015", "Hey Jude", {K.REMASTER}, "2015", ()),
    ("Help! - Remastered 2009", "Help!", {K.REMASTER}, "2009", ()),
    ("Song - Live at Wembley Stadium, 1986", "Song", {K.LIVE}, "wembley stadium 1986", ()),
    ("Levels (Radio Edit)", "Levels", {K.EDIT}, "", ()),
    ("Good Life - Single Edit", "Good Life", {K.EDIT}, "", ()),
    ("Strobe (Extended Mix)", "Strobe", {K.EXTENDED}, "", ()),
    ("Strobe (Original Mix)", "Strobe", set(), None, ()),
    ("Creep (Acoustic)", "Creep", {K.ACOUSTIC}, "", ()),
    ("Numb (Instrumental)", "Numb", {K.INSTRUMENTAL}, "", ()),
    ("Numb (Acapella)", "Numb", {K.ACAPPELLA}, "", ()),
    ("Wonderwall (Demo)", "Wonderwall", {K.DEMO}, "", ()),
    ("Dreams (Take 2)", "Dreams", {K.DEMO}, "", ()),
    ("Yesterday - Mono / Remastered", "Yesterday", {K.REMASTER, K.MONO}, "", ()),
    ("HUMBLE. (Clean)", "HUMBLE", {K.CLEAN}, "", ()),
    ("Hallelujah (Pentatonix Cover)", "Hallelujah", {K.COVER}, "", ()),
    ("Shallow (Karaoke Version)", "Shallow", {K.KARAOKE}, "", ()),
    ("Heat Waves (Slowed + Reverb)", "Heat Waves", {K.SLOWED}, "", ()),
    ("Heat Waves (Sped Up)", "Heat Waves", {K.SPED_UP}, "", ()),
    ("22 (Taylor's Version)", "22", {K.RERECORDED}, "", ()),
    ("Space Oddity (2019 Mix)", "Space Oddity", {K.ALTERNATE}, "2019 mix", ()),
    ("Hello (Piano Version)", "Hello", {K.ALTERNATE}, "piano", ()),
    (
        "Sgt. Pepper's Lonely Hearts Club Band - Reprise / Remastered 2009",
        "Sgt. Pepper's Lonely Hearts Club Band",
        {K.REPRISE, K.REMASTER},
        None,
        (),
    ),
    ("Shallow (feat. Bradley Cooper) [Live]", "Shallow", {K.LIVE}, "", ("Bradley Cooper",)),
    (
        "Save Your Tears (with Ariana Grande) (Remix)",
        "Save Your Tears",
        {K.REMIX},
        "",
        ("Ariana Grande",),
    ),
    ("Titanium (feat. Sia) - David Guetta Remix", "Titanium", {K.REMIX}, "david guetta", ("Sia",)),
    ("Get Lucky feat. Pharrell Williams", "Get Lucky", set(), None, ("Pharrell Williams",)),
    ("Smells Like Teen Spirit (Official Music Video)", "Smells Like Teen Spirit", set(), None, ()),
    ('Lose Yourself - From "8 Mile" Soundtrack', "Lose Yourself", set(), None, ()),
    # Word boundaries: the named bugs of spotDL and beets.
    ("Discover", "Discover", set(), None, ()),
    ("Single Ladies (Put a Ring on It)", "Single Ladies", set(), None, ()),
    ("Let Me Live", "Let Me Live", set(), None, ()),
    ("Live Forever", "Live Forever", set(), None, ()),
    ("Wings - Live and Let Die", "Wings - Live and Let Die", set(), None, ()),
    ("Blinding Lights Remix", "Blinding Lights", {K.REMIX}, "", ()),
    ("Another Brick in the Wall (Part II)", "Another Brick in the Wall Part II", set(), None, ()),
]


@pytest.mark.parametrize(("title", "base", "kinds", "detail", "featured"), CASES)
def test_parse_title(
    title: str, base: str, kinds: set[K], detail: str | None, featured: tuple[str, ...]
) -> None:
    anatomy = parse_title(title)
    assert anatomy.base == base
    assert set(anatomy.kinds) == kinds
    if detail is not None:
        assert anatomy.versions[0].detail == detail
    assert anatomy.featured == featured


def test_unknown_brackets_are_kept_as_extras() -> None:
    anatomy = parse_title("(I Can't Get No) Satisfaction")
    assert anatomy.base == "Satisfaction"
    assert anatomy.extras == ("I Can't Get No",)
    assert anatomy.full_forms == ("i cant get no satisfaction",)


def test_dash_suffix_is_read_like_a_bracket() -> None:
    # beets gives "Song - Remastered 2011" no discount; both spellings must agree.
    assert (
        parse_title("Song - Remastered 2011").kinds == parse_title("Song (Remastered 2011)").kinds
    )


@pytest.mark.parametrize(
    ("album", "kinds"),
    [
        ("MTV Unplugged in New York", {K.LIVE, K.ACOUSTIC}),
        ("Live at Leeds", {K.LIVE}),
        ("Live Killers", {K.LIVE}),
        ("Stop Making Sense (Live)", {K.LIVE}),
        ("Karaoke Hits Vol. 3", {K.KARAOKE}),
        ("After Hours (Remixes)", {K.REMIX}),
        ("A Tribute to Metallica", {K.COVER}),
        ("Meteora Instrumentals", {K.INSTRUMENTAL}),
        ("Let Me Live", set()),
        ("Discovery", set()),
        ("Abbey Road (Remastered)", set()),
        ("Alive 2007", set()),
    ],
)
def test_album_context(album: str, kinds: set[K]) -> None:
    assert set(album_context(album)) == kinds
