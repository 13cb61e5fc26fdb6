"""Headless Chromium through Playwright (Debian's `chromium`, no browser download): a post's
public page, or polmon's own rendering with every request refused. Failures are told apart by
exception type, never by the wording of the browser's messages."""

from __future__ import annotations

import contextlib
import os
from types import TracebackType
from typing import TYPE_CHECKING

from collectors.errors import PolmonError
from monitor.evidence.config import EvidenceConfig

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Playwright


class ChromiumUnavailable(PolmonError):
    """Chromium (or Playwright) is missing or does not start: no page can be captured."""

    expected = True


class CaptureFailed(PolmonError):
    """One page could not be captured (an HTTP error, a timeout, a browser error): retried."""


class Capturer:
    """One Chromium for a run of the stage (or a browser handed in, e.g. a test's); each
    capture opens a fresh context (no cookies or storage of the one before) and closes it."""

    def __init__(self, config: EvidenceConfig, browser: Browser | None = None) -> None:
        self.config = config
        self.browser = browser
        self._own = browser is None
        self._playwright: Playwright | None = None

    def __enter__(self) -> Capturer:
        if self._own:
            self._launch()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._own:
            self._close()

    def _launch(self) -> None:
        path = self.config.chromium_path
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise ChromiumUnavailable(
                f"no Chromium at {path}: install it (Debian: apt-get install chromium) or set "
                "[evidence] chromium_path"
            )
        try:
            from playwright.sync_api import Error, sync_playwright
        except ImportError as exc:
            raise ChromiumUnavailable(
                "screenshots need Playwright (a dependency of polmon: pip install playwright)"
            ) from exc
        self._playwright = sync_playwright().start()
        try:
            self.browser = self._playwright.chromium.launch(executable_path=str(path))
        except Error as exc:
            self._close()
            raise ChromiumUnavailable(f"Chromium at {path} did not start: {exc}") from exc

    def _close(self) -> None:
        from playwright.sync_api import Error

        if self.browser is not None:
            with contextlib.suppress(Error):  # it may have died already
                self.browser.close()
            self.browser = None
        if self._playwright is not None:
            self._playwright.stop()
            self._playwright = None

    def _context(self, **options: object) -> BrowserContext:
        """A new context; a Chromium of our own that died is started again first."""
        if self._own and (self.browser is None or not self.browser.is_connected()):
            self._close()
            self._launch()
        assert self.browser is not None
        viewport = {"width": self.config.viewport_width, "height": self.config.viewport_height}
        return self.browser.new_context(viewport=viewport, **options)  # type: ignore[arg-type]

    @property
    def _timeout_ms(self) -> float:
        return self.config.screenshot_timeout_seconds * 1000

    def page(self, url: str) -> bytes:
        """A PNG of the page at `url` once loaded; CaptureFailed on an HTTP error status, a
        timeout or a browser error. Third-party requests of the page are let through: a
        screenshot of a public page must show it as it loads."""
        from playwright.sync_api import Error, TimeoutError

        context = self._context()
        try:
            page = context.new_page()
            response = page.goto(url, timeout=self._timeout_ms, wait_until="load")
            if response is not None and response.status >= 400:
                raise CaptureFailed(f"the page answered HTTP {response.status}")
            return page.screenshot(
                type="png", full_page=self.config.full_page, timeout=self._timeout_ms
            )
        except TimeoutError as exc:
            seconds = self.config.screenshot_timeout_seconds
            raise CaptureFailed(f"the page did not load within {seconds:g} s") from exc
        except Error as exc:
            raise CaptureFailed(f"the browser failed ({type(exc).__name__}): {exc}") from exc
        finally:
            _close_context(context)

    def rendering(self, html: str) -> bytes:
        """A PNG of `html` (polmon's own page): scripts off, every request aborted."""
        from playwright.sync_api import Error, TimeoutError

        context = self._context(java_script_enabled=False, offline=True)
        try:
            context.route("**/*", lambda route: route.abort())
            page = context.new_page()
            page.set_content(html, timeout=self._timeout_ms, wait_until="load")
            return page.screenshot(
                type="png", full_page=self.config.full_page, timeout=self._timeout_ms
            )
        except TimeoutError as exc:
            raise CaptureFailed("the rendering did not finish in time") from exc
        except Error as exc:
            raise CaptureFailed(f"the browser failed ({type(exc).__name__}): {exc}") from exc
        finally:
            _close_context(context)


def _close_context(context: BrowserContext) -> None:
    from playwright.sync_api import Error

    with contextlib.suppress(Error):  # the browser may have gone away with it
        context.close()
