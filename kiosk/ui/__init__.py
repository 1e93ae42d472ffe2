"""Screens and widgets. They show state and emit intents; the services decide."""
