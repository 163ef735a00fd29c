"""A smoke test of an installed copy: ``python wheel_smoke.py [--installed]``.

CI runs it from a fresh venv with the built wheel installed (not editable), from outside
the checkout, with ``--installed``: every package must then be imported from
site-packages (not from an editable install's source folders), each must carry its
``py.typed`` marker, and the spec package (and the mock) the bundled spec; then a
client call against the mock server must work. Exit status 0 on success.
"""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path

PACKAGES = (
    "chatkit_threads",
    "chatkit_threads_api",
    "chatkit_threads_spec",
    "chatkit_threads_mock",
    "chatkit_threads_contract",
    "chatkit_threads_cli",
)


def check_installed(installed: bool) -> None:
    """Every package is importable and typed, and (with ``installed``) in site-packages."""
    for name in PACKAGES:
        try:
            package = importlib.import_module(name)
        except ModuleNotFoundError as error:  # an extra not installed: its files must exist
            if error.name is not None and error.name.startswith("chatkit_threads"):
                raise
            continue
        folder = Path(str(package.__file__)).parent
        assert (folder / "py.typed").is_file(), f"{name}: no py.typed in {folder}"
        if installed:
            assert folder.parent.name == "site-packages", (
                f"{name} imported from {folder}, not from an installed wheel"
            )
    from chatkit_threads_spec import load_spec, spec_path

    # The wheel carries the OpenAPI document inside the spec package (copied at build
    # time); a checkout reads it from openapi/.
    where = spec_path()
    if installed:
        assert where.parent.name == "chatkit_threads_spec", f"the spec is read from {where}"
    assert where.is_file() and where.stat().st_size > 0, f"no bundled spec: {where}"
    assert load_spec(where).operations, f"no operations in {where}"


def check_client() -> None:
    """A real round trip: list, retrieve, items, a typed 404, against the mock server."""
    import chatkit_threads
    from chatkit_threads_mock import MockServer

    with (
        MockServer() as server,
        chatkit_threads.ChatKit(
            api_key=server.api_key, base_url=server.base_url, strict=True
        ) as client,
    ):
        threads = list(client.threads.list(limit=5))
        assert threads, "the mock's default data has threads"
        first = client.threads.retrieve(threads[0].id)
        assert first.id == threads[0].id
        assert list(client.threads.list_items(first.id))
        try:
            client.threads.retrieve("cthr_missing")
        except chatkit_threads.NotFoundError:
            pass
        else:
            raise AssertionError("no NotFoundError for a missing thread")
    print(
        f"client smoke test passed ({len(threads)} threads, "
        f"chatkit_threads {chatkit_threads.__version__})"
    )


def main() -> None:
    """Run both checks."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--installed", action="store_true", help="require every package in site-packages"
    )
    args = parser.parse_args()
    check_installed(args.installed)
    check_client()


if __name__ == "__main__":
    main()
