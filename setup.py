"""Build hook: the wheel carries the OpenAPI document, copied from ``openapi/`` at build
time (the project metadata is all in pyproject.toml).

The document has one home in the source tree, ``openapi/chatkit-threads.yaml``; a built
package gets a copy inside ``chatkit_threads_spec``, where
``chatkit_threads_spec.spec_path()`` finds it. The sdist carries ``openapi/`` (see
MANIFEST.in), so a wheel built from it gets the same copy. An editable install reads
``openapi/`` directly and gets no copy.
"""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SPEC = Path("openapi", "chatkit-threads.yaml")
PACKAGE = "chatkit_threads_spec"


class BuildPyWithSpec(build_py):
    """``build_py`` that also copies the OpenAPI document into the spec package."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        if not SPEC.is_file():
            raise FileNotFoundError(f"{SPEC} is missing: the package cannot be built without it")
        target = Path(self.build_lib, PACKAGE, SPEC.name)
        self.mkpath(str(target.parent))
        self.copy_file(str(SPEC), str(target))


setup(cmdclass={"build_py": BuildPyWithSpec})
