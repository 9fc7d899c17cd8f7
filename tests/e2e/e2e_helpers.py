"""Helpers shared by the browser tests."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import Page

from soulsync.demo import DEMO_PASSWORD, DEMO_USER, Demo
from soulsync.services.container import AppServices
from soulsync.web.server import ThreadedServer


@dataclass
class Running:
    """The demo being served."""

    demo: Demo
    services: AppServices
    server: ThreadedServer

    @property
    def url(self) -> str:
        return self.server.url


def login(page: Page, password: str = DEMO_PASSWORD) -> None:
    """Log in through the form."""
    page.goto("/login")
    page.get_by_label("User name").fill(DEMO_USER)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r".*/$"))


def wait_for(check: Callable[[], Any], timeout: float = 60.0, what: str = "condition") -> Any:
    """Poll ``check`` until it returns something truthy; AssertionError on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)
