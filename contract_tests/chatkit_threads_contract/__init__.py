"""Contract-test suite for the ChatKit Threads API."""
