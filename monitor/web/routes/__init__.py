"""The web app's routers: each module defines `router`; a page or API area is one line here."""

ROUTER_MODULES = (
    "monitor.web.routes.health",
    "monitor.web.routes.login",
    "monitor.web.routes.admin",
    "monitor.web.routes.posts",
    "monitor.web.routes.api_posts",
    "monitor.web.routes.media",
    "monitor.web.routes.screenshots",
    "monitor.web.routes.hits",
    "monitor.web.routes.api_hits",
    "monitor.web.routes.search",
    "monitor.web.routes.api_search",
    "monitor.web.routes.api_growth",
    "monitor.web.routes.engagement",
    "monitor.web.routes.api_engagement",
    "monitor.web.routes.overview",
    "monitor.web.routes.actors",
    "monitor.web.routes.accounts",
    "monitor.web.routes.status_page",
)
