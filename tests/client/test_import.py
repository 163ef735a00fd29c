"""What `import chatkit_threads` loads, and the response models it loads on first use."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import chatkit_threads
from chatkit_threads import ChatKitError
from chatkit_threads._tables import MODELS, SCHEMAS, Table
from chatkit_threads_api import client_models, spec_schemas
from chatkit_threads_api.spec_constants import MODEL_NAMES


def _modules_after(code: str) -> set[str]:
    script = f"import sys\n{code}\nimport json; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    return set(json.loads(out.splitlines()[-1]))


def test_import_loads_neither_asyncio_nor_the_models() -> None:
    loaded = _modules_after("import chatkit_threads")
    assert "asyncio" not in loaded
    # httpx's transport loads httpcore when a client is made; the deadline wrappers wait
    # for that rather than loading it at import.
    assert "httpcore" not in loaded
    assert "chatkit_threads_api.client_models" not in loaded
    assert not any(name.startswith("chatkit_threads_api.models") for name in loaded)
    assert "chatkit_threads_api.client_resources" not in loaded
    assert "chatkit_threads_api.spec_schemas" not in loaded


def test_a_client_loads_its_resources_but_not_the_models_or_schemas() -> None:
    loaded = _modules_after("import chatkit_threads; chatkit_threads.ChatKit(api_key='k')")
    assert "chatkit_threads_api.client_resources" in loaded
    assert "chatkit_threads_api.client_models" not in loaded
    assert "chatkit_threads_api.spec_schemas" not in loaded


def test_a_generated_table_loads_once_from_the_loader_the_facade_provides() -> None:
    table: Table[list[int]] = Table("test tables")
    with pytest.raises(ChatKitError, match="No test tables provided"):
        table()
    calls: list[int] = []

    def load() -> list[int]:
        calls.append(1)
        return [1, 2]

    table.provide(load)
    assert table() == [1, 2]
    assert table() is table()
    assert calls == [1]
    # The façade's own: the tables the generated layer holds.
    assert MODELS()["ThreadResource"] is client_models.SPECS["ThreadResource"]
    assert SCHEMAS() is spec_schemas.SCHEMAS


def test_httpx2_is_loaded_only_for_a_client_built_on_it() -> None:
    # httpx2 is installed here (the SDK's stack), but importing it costs as much as this
    # package: only an httpx2 http_client, whose module the caller imported, brings it in.
    assert "httpx2" not in _modules_after(
        "import chatkit_threads; chatkit_threads.ChatKit(api_key='sk-x')"
    )
    code = (
        "import httpx2, chatkit_threads\n"
        "client = chatkit_threads.ChatKit(api_key='sk-x', http_client=httpx2.Client())\n"
        "import chatkit_threads._http as h\n"
        "assert httpx2.TransportError in h.TRANSPORT_ERRORS, h.TRANSPORT_ERRORS"
    )
    assert "httpx2" in _modules_after(code)


def test_a_model_imported_by_name_loads_the_models() -> None:
    loaded = _modules_after("from chatkit_threads import ThreadResource")
    assert "chatkit_threads_api.client_models" in loaded


def test_every_model_name_is_exported_and_is_the_generated_class() -> None:
    assert set(MODEL_NAMES) == set(client_models.__all__)
    assert set(MODEL_NAMES) <= set(chatkit_threads.__all__)
    assert set(MODEL_NAMES) <= set(dir(chatkit_threads))
    for name in MODEL_NAMES:
        assert getattr(chatkit_threads, name) is getattr(client_models, name)
        assert getattr(chatkit_threads.types, name) is getattr(client_models, name)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="chatkit_threads' has no attribute 'Thred'"):
        chatkit_threads.Thred  # type: ignore[attr-defined]  # noqa: B018
    with pytest.raises(ImportError):
        from chatkit_threads.types import Thred  # type: ignore[attr-defined]  # noqa: F401
