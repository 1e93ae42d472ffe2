"""Reading text aloud: sentence splitting and the text-to-speech service (no widgets)."""
