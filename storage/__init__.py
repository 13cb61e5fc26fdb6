"""SQL storage: typed models, engines and sessions, and the queries the commands run."""
