"""Reference mock server for the ChatKit Threads API (Starlette + SQLite)."""
