"""The patient's visit: where they are, their text size, and the idle reset that ends the visit."""
