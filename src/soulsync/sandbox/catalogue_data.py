"""The sandbox catalogue as data: real artists and songs, realistic durations.

Rows are compact tuples so the whole catalogue reads at a glance; the
``catalogue`` module turns them into typed objects with stable ids.

ALBUMS rows: (album key, title, album artist keys, type, release date, discs, tracks)
where each track is (title, duration "m:ss", extra artist keys, disc) — disc
defaults to 1 and track numbers count per disc in order.
"""

from __future__ import annotations

# key: (display name, genres)
ARTISTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "daft-punk": ("Daft Punk", ("french house", "electronic")),
    "pharrell": ("Pharrell Williams", ("pop",)),
    "nile-rodgers": ("Nile Rodgers", ("funk",)),
    "the-weeknd": ("The Weeknd", ("pop", "r&b")),
    "chromatics": ("Chromatics", ("synthpop",)),
    "ariana-grande": ("Ariana Grande", ("pop",)),
    "beyonce": ("Beyoncé", ("pop", "r&b")),
    "simon-garfunkel": ("Simon & Garfunkel", ("folk rock",)),
    "ewf": ("Earth, Wind & Fire", ("funk", "soul")),
    "tyler": ("Tyler, the Creator", ("hip hop",)),
    "adele": ("Adele", ("pop", "soul")),
    "beatles": ("The Beatles", ("rock",)),
    "rihanna": ("Rihanna", ("pop",)),
    "jay-z": ("JAY-Z", ("hip hop",)),
    "queen": ("Queen", ("rock",)),
    "utada": ("宇多田ヒカル", ("j-pop",)),
    "kino": ("Кино", ("post-punk",)),
    "bts": ("BTS", ("k-pop",)),
    "sigur-ros": ("Sigur Rós", ("post-rock",)),
    "asap-rocky": ("A$AP Rocky", ("hip hop",)),
    "taylor-swift": ("Taylor Swift", ("pop", "country")),
    "pink-floyd": ("Pink Floyd", ("progressive rock",)),
    "bach": ("Johann Sebastian Bach", ("classical",)),
    "glenn-gould": ("Glenn Gould", ("classical",)),
    "hans-zimmer": ("Hans Zimmer", ("soundtrack",)),
    "avicii": ("Avicii", ("edm",)),
    "mark-ronson": ("Mark Ronson", ("funk", "pop")),
    "bruno-mars": ("Bruno Mars", ("pop",)),
    "nirvana": ("Nirvana", ("grunge",)),
    "fleetwood-mac": ("Fleetwood Mac", ("rock",)),
    "various": ("Various Artists", ()),
}

# (key, title, album artists, type, date, discs, tracks)
ALBUMS: list[tuple[str, str, tuple[str, ...], str, str, int, list[tuple]]] = [
    (
        "discovery",
        "Discovery",
        ("daft-punk",),
        "album",
        "2001-03-12",
        1,
        [
            ("One More Time", "5:20", ()),
            ("Aerodynamic", "3:27", ()),
            ("Digital Love", "4:58", ()),
            ("Harder, Better, Faster, Stronger", "3:44", ()),
            ("Something About Us", "3:51", ()),
        ],
    ),
    (
        "ram",
        "Random Access Memories",
        ("daft-punk",),
        "album",
        "2013-05-17",
        1,
        [
            ("Give Life Back to Music", "4:34", ()),
            ("Instant Crush", "5:37", ()),
            ("Get Lucky", "6:09", ("pharrell", "nile-rodgers")),
        ],
    ),
    (
        "get-lucky-edit",
        "Get Lucky (Radio Edit)",
        ("daft-punk",),
        "single",
        "2013-04-19",
        1,
        [
            ("Get Lucky - Radio Edit", "4:08", ("pharrell", "nile-rodgers")),
        ],
    ),
    (
        "after-hours",
        "After Hours",
        ("the-weeknd",),
        "album",
        "2020-03-20",
        1,
        [
            ("Alone Again", "4:10", ()),
            ("Blinding Lights", "3:20", ()),
            ("In Your Eyes", "3:57", ()),
            ("Save Your Tears", "3:35", ()),
        ],
    ),
    (
        "bl-chromatics",
        "Blinding Lights (Chromatics Remix)",
        ("the-weeknd",),
        "single",
        "2020-04-01",
        1,
        [
            ("Blinding Lights - Chromatics Remix", "5:05", ("chromatics",)),
        ],
    ),
    (
        "syt-remix",
        "Save Your Tears (Remix)",
        ("the-weeknd",),
        "single",
        "2021-04-23",
        1,
        [
            ("Save Your Tears (Remix) (with Ariana Grande)", "3:11", ("ariana-grande",)),
        ],
    ),
    (
        "sasha-fierce",
        "I Am... Sasha Fierce",
        ("beyonce",),
        "album",
        "2008-11-12",
        1,
        [
            ("If I Were a Boy", "4:09", ()),
            ("Halo", "4:21", ()),
            ("Single Ladies (Put a Ring on It)", "3:13", ()),
        ],
    ),
    (
        "bridge",
        "Bridge over Troubled Water",
        ("simon-garfunkel",),
        "album",
        "1970-01-26",
        1,
        [
            ("Bridge over Troubled Water", "4:52", ()),
            ("El Condor Pasa (If I Could)", "3:06", ()),
            ("Cecilia", "2:55", ()),
            ("The Boxer", "5:08", ()),
        ],
    ),
    (
        "september",
        "September",
        ("ewf",),
        "single",
        "1978-11-18",
        1,
        [
            ("September", "3:35", ()),
        ],
    ),
    (
        "igor",
        "IGOR",
        ("tyler",),
        "album",
        "2019-05-17",
        1,
        [
            ("IGOR'S THEME", "3:20", ()),
            ("EARFQUAKE", "3:10", ()),
            ("NEW MAGIC WAND", "3:15", ()),
        ],
    ),
    (
        "25",
        "25",
        ("adele",),
        "album",
        "2015-11-20",
        1,
        [
            ("Hello", "4:55", ()),
            ("Send My Love (To Your New Lover)", "3:43", ()),
            ("When We Were Young", "4:50", ()),
        ],
    ),
    (
        "hello-live",
        "Hello (Live at the Church Studios)",
        ("adele",),
        "single",
        "2016-02-12",
        1,
        [
            ("Hello - Live at the Church Studios", "4:57", ()),
        ],
    ),
    (
        "abbey-road",
        "Abbey Road",
        ("beatles",),
        "album",
        "1969-09-26",
        1,
        [
            ("Come Together", "4:20", ()),
            ("Something", "3:02", ()),
            ("Here Comes The Sun", "3:05", ()),
        ],
    ),
    (
        "hello-goodbye",
        "Hello, Goodbye",
        ("beatles",),
        "single",
        "1967-11-24",
        1,
        [
            ("Hello, Goodbye", "3:28", ()),
        ],
    ),
    (
        "ggbg",
        "Good Girl Gone Bad",
        ("rihanna",),
        "album",
        "2007-05-31",
        1,
        [
            ("Umbrella", "4:35", ("jay-z",)),
            ("Don't Stop The Music", "4:27", ()),
        ],
    ),
    (
        "opera",
        "A Night at the Opera",
        ("queen",),
        "album",
        "1975-11-21",
        1,
        [
            ("Love of My Life", "3:38", ()),
            ("Bohemian Rhapsody", "5:55", ()),
        ],
    ),
    (
        "live-killers",
        "Live Killers",
        ("queen",),
        "album",
        "1979-06-22",
        1,
        [
            ("Bohemian Rhapsody - Live", "4:46", ()),
            ("Love of My Life - Live", "4:49", ()),
        ],
    ),
    (
        "first-love",
        "First Love",
        ("utada",),
        "album",
        "1999-03-10",
        1,
        [
            ("Automatic -Part II-", "4:42", ()),
            ("First Love", "4:17", ()),
        ],
    ),
    (
        "gruppa-krovi",
        "Группа крови",
        ("kino",),
        "album",
        "1988-01-05",
        1,
        [
            ("Группа крови", "4:46", ()),
            ("Закрой за мной дверь, я ухожу", "4:16", ()),
            ("Кукушка", "6:38", ()),
        ],
    ),
    (
        "dynamite",
        "Dynamite (DayTime Version)",
        ("bts",),
        "single",
        "2020-08-21",
        1,
        [
            ("Dynamite", "3:19", ()),
        ],
    ),
    (
        "takk",
        "Takk...",
        ("sigur-ros",),
        "album",
        "2005-09-12",
        1,
        [
            ("Glósóli", "6:15", ()),
            ("Hoppípolla", "4:28", ()),
        ],
    ),
    (
        "alla",
        "At.Long.Last.A$AP",
        ("asap-rocky",),
        "album",
        "2015-05-26",
        1,
        [
            ("L$D", "3:58", ()),
            ("Everyday", "4:21", ()),
        ],
    ),
    (
        "fearless",
        "Fearless",
        ("taylor-swift",),
        "album",
        "2008-11-11",
        1,
        [
            ("Fearless", "4:01", ()),
            ("Love Story", "3:55", ()),
        ],
    ),
    (
        "fearless-tv",
        "Fearless (Taylor's Version)",
        ("taylor-swift",),
        "album",
        "2021-04-09",
        1,
        [
            ("Fearless (Taylor's Version)", "4:01", ()),
            ("Love Story (Taylor's Version)", "3:56", ()),
        ],
    ),
    (
        "the-wall",
        "The Wall",
        ("pink-floyd",),
        "album",
        "1979-11-30",
        2,
        [
            ("In the Flesh?", "3:16", ()),
            ("Another Brick in the Wall, Pt. 1", "3:11", ()),
            ("Another Brick in the Wall, Pt. 2", "3:59", ()),
            ("Hey You", "4:40", (), 2),
            ("Comfortably Numb", "6:22", (), 2),
            ("Run Like Hell", "4:20", (), 2),
        ],
    ),
    (
        "goldberg",
        "Bach: Goldberg Variations, BWV 988 (1981 Recording)",
        ("bach", "glenn-gould"),
        "album",
        "1982-09-01",
        1,
        [
            ("Goldberg Variations, BWV 988: Aria", "3:05", ()),
            ("Goldberg Variations, BWV 988: Variation 1 a 1 Clav.", "1:05", ()),
        ],
    ),
    (
        "interstellar",
        "Interstellar (Original Motion Picture Soundtrack)",
        ("hans-zimmer",),
        "album",
        "2014-11-18",
        1,
        [
            ("Dreaming of the Crash", "3:55", ()),
            ("Cornfield Chase", "2:06", ()),
            ("No Time for Caution", "4:06", ()),
        ],
    ),
    (
        "true",
        "True",
        ("avicii",),
        "album",
        "2013-09-13",
        1,
        [
            ("Wake Me Up", "4:07", ()),
            ("You Make Me", "3:53", ()),
        ],
    ),
    (
        "levels",
        "Levels",
        ("avicii",),
        "single",
        "2011-10-28",
        1,
        [
            ("Levels - Radio Edit", "3:19", ()),
        ],
    ),
    (
        "wmu-acoustic",
        "Wake Me Up (Acoustic)",
        ("avicii",),
        "single",
        "2013-10-21",
        1,
        [
            ("Wake Me Up - Acoustic", "4:27", ()),
        ],
    ),
    (
        "uptown-special",
        "Uptown Special",
        ("mark-ronson",),
        "album",
        "2015-01-12",
        1,
        [
            ("Uptown Funk", "4:30", ("bruno-mars",)),
            ("Daffodils", "5:09", ()),
        ],
    ),
    (
        "nevermind",
        "Nevermind",
        ("nirvana",),
        "album",
        "1991-09-24",
        1,
        [
            ("Smells Like Teen Spirit", "5:01", ()),
            ("In Bloom", "4:14", ()),
            ("Come As You Are", "3:39", ()),
        ],
    ),
    (
        "unplugged",
        "MTV Unplugged in New York",
        ("nirvana",),
        "album",
        "1994-11-01",
        1,
        [
            ("About a Girl", "3:37", ()),
            ("Come As You Are", "4:13", ()),
        ],
    ),
    (
        "rumours",
        "Rumours",
        ("fleetwood-mac",),
        "album",
        "1977-02-04",
        1,
        [
            ("Dreams", "4:17", ()),
            ("Go Your Own Way", "3:38", ()),
            ("The Chain", "4:30", ()),
        ],
    ),
]

# Compilation: (key, title, date, [(artist keys, title, duration)])
COMPILATIONS: list[tuple[str, str, str, list[tuple[tuple[str, ...], str, str]]]] = [
    (
        "dance-classics",
        "Pure Dance Classics",
        "2016-06-03",
        [
            (("ewf",), "September", "3:35"),
            (("daft-punk",), "One More Time - Radio Edit", "3:55"),
            (("avicii",), "Levels - Radio Edit", "3:19"),
            (("mark-ronson", "bruno-mars"), "Uptown Funk", "4:30"),
        ],
    ),
]

# Spotify/Deezer playlists: (key, name, owner, collaborative, [(album key, title) | "local:<name>" | "unavailable:<album>/<title>"])
# "owner" is "me" for the sandbox user; anything else is followed (403 on items).
PLAYLISTS: list[tuple[str, str, str, bool, list[str]]] = [
    (
        "road-trip",
        "Road Trip",
        "me",
        False,
        [
            "discovery/One More Time",
            "after-hours/Blinding Lights",
            "bridge/The Boxer",
            "september/September",
            "25/Hello",
            "abbey-road/Come Together",
            "opera/Bohemian Rhapsody",
            "rumours/Go Your Own Way",
            "nevermind/Smells Like Teen Spirit",
            "uptown-special/Uptown Funk",
            "discovery/Digital Love",
            "ram/Get Lucky",
            "after-hours/Save Your Tears",
            "sasha-fierce/Single Ladies (Put a Ring on It)",
            "igor/EARFQUAKE",
            "abbey-road/Here Comes The Sun",
            "ggbg/Umbrella",
            "first-love/First Love",
            "gruppa-krovi/Группа крови",
            "dynamite/Dynamite",
            "takk/Hoppípolla",
            "alla/L$D",
            "fearless-tv/Love Story (Taylor's Version)",
            "the-wall/Another Brick in the Wall, Pt. 2",
            "the-wall/Comfortably Numb",
            "interstellar/Cornfield Chase",
            "true/Wake Me Up",
            "rumours/Dreams",
            "nevermind/Come As You Are",
            "bridge/Cecilia",
        ],
    ),
    (
        "versions",
        "Versions & Remixes",
        "me",
        False,
        [
            "after-hours/Blinding Lights",
            "bl-chromatics/Blinding Lights - Chromatics Remix",
            "25/Hello",
            "hello-live/Hello - Live at the Church Studios",
            "hello-goodbye/Hello, Goodbye",
            "opera/Bohemian Rhapsody",
            "live-killers/Bohemian Rhapsody - Live",
            "fearless/Love Story",
            "fearless-tv/Love Story (Taylor's Version)",
            "true/Wake Me Up",
            "wmu-acoustic/Wake Me Up - Acoustic",
            "syt-remix/Save Your Tears (Remix) (with Ariana Grande)",
        ],
    ),
    (
        "evening",
        "Chill Evening",
        "me",
        True,
        [
            "goldberg/Goldberg Variations, BWV 988: Aria",
            "interstellar/Dreaming of the Crash",
            "takk/Glósóli",
            "local:My Demo Tape - Track 1.mp3",
            "bridge/Bridge over Troubled Water",
            "unavailable:gruppa-krovi/Кукушка",
            "rumours/The Chain",
            "unplugged/About a Girl",
            "first-love/Automatic -Part II-",
            "abbey-road/Something",
        ],
    ),
    (
        "rarities",
        "Rarities",
        "me",
        False,
        [
            "gruppa-krovi/Кукушка",
            "gruppa-krovi/Закрой за мной дверь, я ухожу",
            "get-lucky-edit/Get Lucky - Radio Edit",
        ],
    ),
    (
        "top-hits",
        "Today's Top Hits",
        "spotify",
        False,
        [
            "after-hours/Blinding Lights",
            "dynamite/Dynamite",
            "uptown-special/Uptown Funk",
        ],
    ),
]

# Tracks already in the media-server library (the Plex sandbox and folder
# library start with these files). Exactly 10 of "Road Trip" are owned.
LIBRARY: list[str] = [
    "discovery/One More Time",
    "after-hours/Blinding Lights",
    "bridge/The Boxer",
    "september/September",
    "25/Hello",
    "abbey-road/Come Together",
    "opera/Bohemian Rhapsody",
    "rumours/Go Your Own Way",
    "nevermind/Smells Like Teen Spirit",
    "uptown-special/Uptown Funk",
    "fearless/Love Story",
    "abbey-road/Something",
]

# Tracks nobody on the sandbox Soulseek network shares.
UNSHARED: list[str] = [
    "gruppa-krovi/Кукушка",
    "get-lucky-edit/Get Lucky - Radio Edit",
]

# -- Short titles (issue 13) ------------------------------------------------------------
# Songs titled with one or two characters: Soulseek.NET drops one-letter search
# terms, so "u" or "x" alone is a search slskd refuses (400). One contiguous
# block, kept apart so other additions to this file do not collide with it.
# (Tests build their playlist of these with SpotifySimulator.add_playlist.)
ARTISTS.update(
    {
        "catfish": ("Catfish and the Bottlemen", ("indie rock",)),
        "kendrick": ("Kendrick Lamar", ("hip hop",)),
        "xzibit": ("Xzibit", ("hip hop",)),
    }
)
ALBUMS.extend(
    [
        (
            "the-balcony",
            "The Balcony",
            ("catfish",),
            "album",
            "2014-09-12",
            1,
            [("Homesick", "3:41", ()), ("7", "3:33", ())],
        ),
        (
            "tpab",
            "To Pimp a Butterfly",
            ("kendrick",),
            "album",
            "2015-03-15",
            1,
            [("King Kunta", "3:54", ()), ("u", "4:28", ())],
        ),
        (
            "restless",
            "Restless",
            ("xzibit",),
            "album",
            "2000-12-12",
            1,
            [("X", "4:14", ()), ("Front 2 Back", "4:21", ())],
        ),
        (
            "red",
            "Red",
            ("taylor-swift",),
            "album",
            "2012-10-22",
            1,
            [("22", "3:52", ()), ("Red", "3:43", ())],
        ),
    ]
)
