"""Screenshots of posts as a person sees them (headless Chromium through Playwright)."""
