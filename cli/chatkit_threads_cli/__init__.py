"""Command-line tool for the ChatKit Threads API."""
