"""`polmon serve`: the team's web app, server-rendered pages and a JSON API on the query layer."""
