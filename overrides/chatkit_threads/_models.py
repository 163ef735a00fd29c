"""Public response models: generated from the spec, with the behaviour of ``_schema``.

Each class (``chatkit_threads_api.client_models``, made by ``scripts/generate``) *is* its
generated attrs counterpart (``isinstance`` holds; fields, ``repr`` and ``==`` are the
generated ones) plus the ``_schema.Model`` mixin: fast ``from_dict`` dispatching unions
on ``type``, lenient by default and ``strict=True`` to validate, and an exact
``to_dict`` round trip. Nested fields are typed by the public classes. Unknown union
variants become explicit ``Unknown*`` models keeping the raw JSON.

Lenient parsing leaves a field that is missing from the payload as ``UNSET``
(``chatkit_threads.UNSET``, falsy) and a value of the wrong JSON shape as it came; the
type annotations hold exactly when the payload matches the spec, which ``strict=True``
guarantees.
"""

from chatkit_threads_api.client_models import *  # noqa: F403
from chatkit_threads_api.client_models import MODELS, SPECS, UNIONS
from chatkit_threads_api.client_models import __all__ as _generated_all

from ._strict import check

__all__ = ["MODELS", "SPECS", "UNIONS", "check", *_generated_all]
