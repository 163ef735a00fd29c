"""ChatKit Threads API: typed sync and async client."""
