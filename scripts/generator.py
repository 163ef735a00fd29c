"""Drive openapi-python-client (its Python API) with the templates of openapi/templates.

The generator parses the spec and renders every module of ``chatkit_threads_api`` from
a template; where its parser lacks a fact (a discriminator's mapping, a parameter's
bounds, ``x-python-method``, a header's fixed value) the templates read it from the spec
model (``chatkit_threads_spec``) through the jinja global ``facts`` (``Facts`` below,
over ``scripts/codegen.py``). What it renders is what the package ships, and the package
ships only what something uses:

- ``models/*.py``: the attrs data classes (fields, docstrings), without the generated
  ``from_dict``/``to_dict`` that ``chatkit_threads._schema.Model`` replaces; only the
  enums the models or the client layer use;
- ``client_models.py``, ``client_resources.py`` (from the generator's endpoints), and
  ``spec_constants.py``/``spec_schemas.py`` (the spec model as literals): the client
  layer, instead of the generated ``api/``, ``client.py`` and ``errors.py`` (the
  hand-written ``chatkit_threads`` sends the requests);
- ``__init__.py`` (imports nothing) and ``types.py`` (the core's ``Unset``/``UNSET``,
  re-exported).
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import codegen  # scripts/codegen.py, beside this module
from openapi_python_client import Project
from openapi_python_client.config import Config, ConfigFile, MetaType
from openapi_python_client.parser import GeneratorData
from openapi_python_client.parser.errors import GeneratorError

from chatkit_threads_spec import load_document, source

# The client layer: modules rendered once each, from a template of the same name.
CLIENT_LAYER = (
    "spec_constants.py",
    "spec_schemas.py",
    "client_models.py",
    "client_resources.py",
)


class Facts:
    """What the client layer's templates read, derived once from the spec model."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.spec = codegen.model(document)
        """The spec model (``chatkit_threads_spec.Spec``)."""
        self.schemas = codegen.Schemas(self.spec)
        for name in self.schemas.schemas:
            if keyword.iskeyword(name):
                raise codegen.CodegenError(f"schema name {name!r} is a Python keyword")
        self.order = codegen.order(self.schemas)
        """Objects and unions, each after what its fields refer to."""
        self.enums = [
            n
            for n in self.schemas.schemas
            if self.schemas.kind(n) == "alias" and self.schemas.enum(n) is not None
        ]
        self.variants = {n: self.schemas.union_variants(n) for n in self.schemas.unions()}
        self.union_members = {v for mapping in self.variants.values() for v in mapping.values()}
        unknowns: dict[str, list[str]] = {}
        for union in self.variants:
            unknowns.setdefault(self.schemas.unknown_class(union), []).append(union)
        self.unknowns = unknowns
        """``Unknown*`` class -> the unions it stands in for."""
        self.operations = {op.op_id: op for op in codegen.operations(self.spec)}
        self.responses = {op.response for op in self.operations.values()}
        """The schemas of the operations' 200 responses."""
        self.model_names = sorted(
            {"UNSET", "Unset", *unknowns}
            | {codegen.class_name(n) for n in [*self.enums, *self.order]}
        )
        """The public names of ``client_models`` (its ``__all__``)."""

    def raw(self, name: str) -> Any:
        """The component schema ``name`` of the spec model."""
        return self.schemas.schemas[name]

    def kind(self, name: str) -> str:
        """object, union or alias."""
        return self.schemas.kind(name)

    def fields(self, name: str) -> dict[str, codegen.FieldDesc]:
        """The properties of object schema ``name``."""
        return self.schemas.fields(name)

    def common_fields(self, unknown: str) -> list[str]:
        """The properties every variant of the unions of ``unknown`` has, but ``type``."""
        variants = [v for u in self.unknowns[unknown] for v in self.variants[u].values()]
        common = set.intersection(*(set(self.fields(v)) for v in variants))
        return sorted(common - {"type"})

    def renamed(self, name: str) -> dict[str, str]:
        """JSON name -> attribute name, for the properties of ``name`` whose differ."""
        keys = (codegen.identifier(k, "field") for k in self.fields(name))
        return {k: i for k, i in zip(self.fields(name), keys, strict=True) if i != k}

    def operation(self, endpoint: Any) -> codegen.OperationDesc:
        """The operation of one of the generator's endpoints (its method and path)."""
        method, path = str(endpoint.method).upper(), endpoint.path.get_untrusted_value()
        found = (o for o in self.operations.values() if (o.op.method, o.op.path) == (method, path))
        return next(found)


class _Project(Project):
    """openapi-python-client's project, writing only the modules the package uses."""

    def __init__(self, *, facts: Facts, **kwargs: Any) -> None:
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
            dict=dict,
            iskeyword=keyword.iskeyword,
            literal=source.literal,
            model_classes=lambda value: sorted(source.model_classes(value)),
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
    document = load_document(spec)
    facts = Facts(document)  # raises codegen.CodegenError, naming the construct
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
