"""Content bundles: manifest, Markdown rendering, sanitising, and (later) signing and installation."""
