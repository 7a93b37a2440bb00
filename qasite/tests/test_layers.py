"""The apps' layers hold (pyproject.toml, [tool.importlinter]; ARCHITECTURE.md), and an
import up a layer, of a network client into the domain, or in a circle breaks them: each
probe is written into a copy of the tree, never into the tree itself."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
PACKAGES = ["qasite", "desk", "patient_site", "reports", "delivery", "answers", "citations"]


def lint_imports(root):
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=root, capture_output=True, text=True,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"}, timeout=120,
    )  # fmt: skip


def test_every_app_imports_only_the_layers_below_it():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 3 kept, 0 broken." in result.stdout


@pytest.mark.parametrize(
    ("probe", "code", "broken"),
    [
        ("answers/probe.py", "from delivery import page_cache", "Apps by layer"),
        ("delivery/probe.py", "from patient_site import views", "Apps by layer"),
        ("patient_site/probe.py", "from desk import my_work", "Apps by layer"),
        ("citations/probe.py", "from answers import models", "Apps by layer"),
        ("answers/models/probe.py", "import redis", "pulls in no cache, proxy or network"),
        ("answers/rendering_probe.py", "from answers import models", "No import circles"),
    ],
)
def test_a_forbidden_import_breaks_a_contract(tmp_path, probe, code, broken):
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tmp_path / package,
            ignore=shutil.ignore_patterns("__pycache__", "tests", "migrations"),
        )  # fmt: skip
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    assert lint_imports(tmp_path).returncode == 0  # the copy holds, as the tree does
    (tmp_path / probe).write_text(code + "\n")
    if probe == "answers/rendering_probe.py":  # a circle: models <- rendering <- models
        rendering = tmp_path / "answers/rendering.py"
        rendering.write_text(rendering.read_text() + "\nfrom answers import rendering_probe\n")
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert broken in result.stdout and "BROKEN" in result.stdout
