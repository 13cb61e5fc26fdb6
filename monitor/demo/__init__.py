"""`polmon demo`: a bundled sample channel served on 127.0.0.1 and the whole pipeline run on it."""
