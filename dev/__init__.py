"""Local development: the embedded AWS emulator and the local server (not shipped to Lambda)."""
