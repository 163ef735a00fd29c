"""A client library for accessing ChatKit Threads API"""

# Added by scripts/generate: the client layer (client_models, client_resources)
# builds on chatkit_threads, which imports it; initialise chatkit_threads first.
import chatkit_threads  # noqa: F401

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)
