"""The CI recipe: action.yml's run step is contract_tests/ci/run-contract.sh, run here as
a CI would run it (a config file, reports kept, a baseline, outputs for the workflow)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "contract_tests" / "ci" / "run-contract.sh"
BRIEF_CONFIG = (
    "[tool.chatkit-threads-contract]\n"
    'suites = ["server"]\n'
    "max-examples = 1\n"
    "seed = 4\n"
    'operations = ["listThreads"]\n'
    'phases = ["examples"]\n'
)


def _run(tmp_path: Path, **env: str) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    outputs = tmp_path / "github-output"
    outputs.write_text("", encoding="utf-8")
    result = subprocess.run(
        ["bash", str(SCRIPT)],
        cwd=tmp_path,
        env={
            **os.environ,
            "CONTRACT_COMMAND": f"{sys.executable} -m chatkit_threads_contract",
            "GITHUB_OUTPUT": str(outputs),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=600,
    )
    lines = outputs.read_text(encoding="utf-8").splitlines()
    return result, dict(line.split("=", 1) for line in lines if "=" in line)


def test_the_action_runs_the_script() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    steps = action["runs"]["steps"]
    assert any("contract_tests/ci/run-contract.sh" in step.get("run", "") for step in steps)
    assert any(step.get("uses", "").startswith("actions/upload-artifact") for step in steps)


def test_the_script_runs_the_suite_with_a_config_and_keeps_the_reports(tmp_path: Path) -> None:
    config = tmp_path / "contract.toml"
    config.write_text(BRIEF_CONFIG, encoding="utf-8")
    result, outputs = _run(tmp_path, CONTRACT_CONFIG=str(config), CONTRACT_REPORT_DIR="out")
    assert result.returncode == 0, result.stdout + result.stderr
    assert outputs == {"status": "0", "report-dir": "out"}
    reports = tmp_path / "out"
    assert {p.name for p in reports.iterdir()} >= {
        "junit.xml",
        "exchanges.har",
        "events.ndjson",
        "summary.txt",
    }
    assert "PASSED" in (reports / "summary.txt").read_text(encoding="utf-8")
    json.loads((reports / "exchanges.har").read_text(encoding="utf-8"))


def test_the_script_passes_on_the_exit_status_and_a_baseline(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(BRIEF_CONFIG, encoding="utf-8")
    broken, outputs = _run(tmp_path, CONTRACT_BASELINE=str(tmp_path / "missing.json"))
    assert broken.returncode == 2 and outputs["status"] == "2"
    assert "--baseline" in broken.stdout
