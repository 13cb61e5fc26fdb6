"""The web app's routers: each module defines `router`; a page or API area is one line here."""

ROUTER_MODULES = (
    "monitor.web.routes.health",
    "monitor.web.routes.login",
    "monitor.web.routes.admin",
)
