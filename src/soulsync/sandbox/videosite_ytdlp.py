"""yt-dlp extractors for the sandbox video site, added through yt-dlp's extension point.

yt-dlp finds sites through extractor classes (``InfoExtractor`` and, for
search keys such as ``ytsearch``, ``SearchInfoExtractor``; see yt-dlp's
CONTRIBUTING.md, "Adding support for a new site"). These three read the
sandbox site's pages the way yt-dlp's YouTube extractor reads
``ytInitialData`` / ``ytInitialPlayerResponse``; everything after extraction
(format selection, the HTTP downloader with ``.part`` files and range
resumes, progress hooks) is yt-dlp's own code, unchanged.

SoulSync loads them when ``[youtube] plugin_modules`` names this module: the
provider calls :func:`extractors` with its options and adds the classes ahead
of yt-dlp's built-in ones. The classes are made per site URL, because a
search key carries no host.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["SEARCH_KEY", "extractors"]

SEARCH_KEY = "soulsyncsandbox"


def extractors(options: Any) -> tuple[type, ...]:
    """Extractor classes for the site whose watch pages are ``options.watch_url``."""
    from yt_dlp.extractor.common import InfoExtractor, SearchInfoExtractor
    from yt_dlp.utils import ExtractorError

    watch_url: str = options.watch_url
    base = watch_url.split("/watch", 1)[0]
    escaped = re.escape(base)

    def entry(item: dict[str, Any], ie_key: str) -> dict[str, Any]:
        return {
            "_type": "url",
            "ie_key": ie_key,
            "id": item["videoId"],
            "url": f"{base}/watch?v={item['videoId']}",
            "title": item.get("title"),
            "channel": item.get("ownerText"),
            "uploader": item.get("ownerText"),
            "duration": item.get("lengthSeconds"),
            "view_count": item.get("viewCount"),
            "channel_is_verified": item.get("verified"),
        }

    class SoulSyncSandboxVideoIE(InfoExtractor):
        IE_NAME = "soulsync:sandbox"
        _VALID_URL = rf"{escaped}/watch\?v=(?P<id>[0-9A-Za-z_-]{{11}})"

        def _real_extract(self, url: str) -> dict[str, Any]:
            video_id = self._match_id(url)
            page = self._download_webpage(url, video_id)
            data = self._search_json(
                r"var\s+ytInitialPlayerResponse\s*=", page, "player response", video_id
            )
            status = data.get("playabilityStatus") or {}
            if status.get("status") != "OK":
                raise ExtractorError(status.get("reason") or "Video unavailable", expected=True)
            details = data["videoDetails"]
            formats = []
            for fmt in data["streamingData"]["adaptiveFormats"]:
                mime = fmt["mimeType"]
                audio = mime.startswith("audio/")
                codec = re.search(r'codecs="([^"]+)"', mime)
                formats.append(
                    {
                        "format_id": str(fmt["itag"]),
                        "url": base + fmt["url"],
                        "ext": "m4a" if audio else "mp4",
                        "acodec": codec.group(1) if audio and codec else "none",
                        "vcodec": "none" if audio else (codec.group(1) if codec else "avc1"),
                        "tbr": (fmt.get("bitrate") or 0) / 1000,
                        "filesize": int(fmt["contentLength"]) if fmt.get("contentLength") else None,
                        "width": fmt.get("width"),
                        "height": fmt.get("height"),
                    }
                )
            return {
                "id": video_id,
                "title": details["title"],
                "channel": details["author"],
                "uploader": details["author"],
                "duration": int(details["lengthSeconds"]),
                "view_count": int(details.get("viewCount") or 0),
                "webpage_url": url,
                "formats": formats,
            }

    class SoulSyncSandboxPlaylistIE(InfoExtractor):
        IE_NAME = "soulsync:sandbox:playlist"
        _VALID_URL = rf"{escaped}/playlist\?list=(?P<id>[0-9A-Za-z_-]+)"

        def _real_extract(self, url: str) -> dict[str, Any]:
            list_id = self._match_id(url)
            page = self._download_webpage(url, list_id)
            data = self._search_json(r"var\s+ytInitialData\s*=", page, "initial data", list_id)
            if "entries" not in data:
                raise ExtractorError("This playlist does not exist.", expected=True)
            key = SoulSyncSandboxVideoIE.ie_key()
            return self.playlist_result(
                [entry(item, key) for item in data["entries"]], list_id, data.get("title")
            )

    class SoulSyncSandboxSearchIE(SearchInfoExtractor):
        IE_NAME = "soulsync:sandbox:search"
        _SEARCH_KEY = SEARCH_KEY

        def _search_results(self, query: str) -> Any:
            page = self._download_webpage(f"{base}/results", query, query={"search_query": query})
            data = self._search_json(r"var\s+ytInitialData\s*=", page, "initial data", query)
            key = SoulSyncSandboxVideoIE.ie_key()
            for item in data.get("results") or ():
                yield entry(item, key)

    return (SoulSyncSandboxVideoIE, SoulSyncSandboxPlaylistIE, SoulSyncSandboxSearchIE)
