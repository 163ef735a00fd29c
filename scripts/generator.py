"""Drive openapi-python-client (its Python API) with the templates of openapi/templates.

The generator parses the spec and renders every module of ``chatkit_threads_api`` from
a template; where its parser lacks a fact (a discriminator's mapping, a parameter's
bounds, ``x-python-method``, a header's fixed value) the templates read it from the
jinja global ``facts`` (``codegen.Facts``). What it renders is what the package ships,
and the package ships only what something uses:

- ``models/*.py``: the attrs data classes (fields, docstrings), without the generated
  ``from_dict``/``to_dict`` that ``chatkit_threads._schema.Model`` replaces; only the
  enums the models or the client layer use;
- ``client_models.py``, ``client_resources.py``, ``spec_constants.py``: the client layer,
  rendered from the tag's endpoints instead of the generated ``api/``, ``client.py`` and
  ``errors.py`` (the hand-written ``chatkit_threads`` sends the requests);
- ``__init__.py`` (imports nothing) and ``types.py`` (``Unset``/``UNSET``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import codegen  # scripts/codegen.py, beside this module
from openapi_python_client import Project
from openapi_python_client.config import Config, ConfigFile, MetaType
from openapi_python_client.parser import GeneratorData
from openapi_python_client.parser.errors import GeneratorError

# The client layer: modules rendered once each, from a template of the same name.
CLIENT_LAYER = ("spec_constants.py", "client_models.py", "client_resources.py")


class _Project(Project):
    """openapi-python-client's project, writing only the modules the package uses."""

    def __init__(self, *, facts: codegen.Facts, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.facts = facts
        self.env.globals["facts"] = facts
        self.env.filters.update(
            ident=codegen.identifier,
            class_name=codegen.class_name,
            words=codegen.words,
            doc=codegen.doc,
            pyrepr=repr,
            tuple=tuple,
        )
        self.env.add_extension("jinja2.ext.do")

    def _build_models(self) -> None:
        # Keep an enum only when a model imports it or the client layer re-exports it
        # (a component schema): the header enums were only for the generated api/.
        used = {codegen.class_name(n) for n in self.facts.enums}
        for model in self.openapi.models:
            for line in (*(model.relative_imports or ()), *(model.lazy_imports or ())):
                used.update(re.findall(r"import (\w+)", line))
        self.openapi.enums = [e for e in self.openapi.enums if e.class_info.name in used]
        super()._build_models()

    def _build_api(self) -> None:
        if self._get_errors():
            return  # e.g. a skipped endpoint: build() reports it, and generation fails
        for name in CLIENT_LAYER:
            template = self.env.get_template(f"{name}.jinja")
            (self.package_dir / name).write_text(
                template.render(), encoding=self.config.file_encoding
            )


def generate(spec: Path, config_file: Path, templates: Path, package_dir: Path) -> list[str]:
    """Render the package into ``package_dir``; the generator's errors and warnings."""
    document = codegen.load(spec)
    facts = codegen.Facts(document)  # raises codegen.CodegenError, naming the construct
    config = Config.from_sources(
        ConfigFile.load_from_path(config_file),
        MetaType.NONE,
        spec,
        "utf-8",
        overwrite=True,
        output_path=package_dir,
    )
    openapi = GeneratorData.from_dict(document, config=config)
    if isinstance(openapi, GeneratorError):
        return [_describe(openapi)]
    project = _Project(facts=facts, openapi=openapi, config=config, custom_template_path=templates)
    errors: Sequence[GeneratorError] = project.build()
    # A skipped endpoint is only a warning to the generator; for us it is an error.
    return [_describe(e) for e in errors]


def _describe(error: GeneratorError) -> str:
    return f"{error.level.value}: {error.header or ''} {error.detail or ''}".strip()
