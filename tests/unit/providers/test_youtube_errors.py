"""yt-dlp failures sorted into retry-later and give-up; the backoff schedule."""

from __future__ import annotations

import pytest
from yt_dlp.networking.exceptions import TransportError
from yt_dlp.utils import DownloadError, ExtractorError

from soulsync.providers.base import ServiceUnavailable
from soulsync.providers.youtube import VideoUnavailable, _classify, backoff_delay


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (DownloadError("ERROR: [download] Got error: HTTP Error 503: Service Unavailable"), True),
        (
            DownloadError(
                "ERROR: unable to download video data: HTTP Error 429: Too Many Requests"
            ),
            True,
        ),
        (DownloadError("ERROR: HTTP Error 500: Internal Server Error"), True),
        (DownloadError("ERROR: [download] Got error: The read operation timed out"), True),
        (DownloadError("ERROR: Connection reset by peer"), True),
        (DownloadError("ERROR: x", exc_info=(TransportError, TransportError("down"), None)), True),
        (TimeoutError("timed out"), True),
        (DownloadError("ERROR: HTTP Error 404: Not Found"), False),
        (DownloadError("ERROR: HTTP Error 403: Forbidden"), False),
        (ExtractorError("Sign in to confirm you're not a bot", expected=True), False),
        (DownloadError("ERROR: Requested format is not available"), False),
        (DownloadError("ERROR: [youtube] abc: Video unavailable"), False),
    ],
)
def test_classify(error: Exception, transient: bool) -> None:
    sorted_error = _classify(error, "download x")
    expected = ServiceUnavailable if transient else VideoUnavailable
    assert type(sorted_error) is expected, sorted_error
    assert "download x" in str(sorted_error)


@pytest.mark.parametrize(("retry", "base"), [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0)])
def test_backoff_doubles_with_bounded_jitter(retry: int, base: float) -> None:
    delays = [backoff_delay(retry, 1.0, jitter=0.2) for _ in range(200)]
    assert min(delays) >= base
    assert max(delays) <= base * 1.2
    # Jitter: not every retry of many jobs lands at the same instant.
    assert len({round(d, 6) for d in delays}) > 100
