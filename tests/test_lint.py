"""Formatting and lint: the tree passes ruff and snakefmt as `make lint` runs them, and the
same settings do reject a lint finding and a formatting finding (so the check can fail)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

BIN = Path(sys.executable).parent
PYPROJECT = REPO / "pyproject.toml"


def tool(name: str, *args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    exe = BIN / name
    if not exe.exists():
        pytest.fail(f"{name} is not installed beside {sys.executable}: run `make venv` (requirements.txt pins it)")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, cwd=cwd)


def test_the_tree_passes_ruff_check():
    result = tool("ruff", "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_tree_is_formatted_as_ruff_formats_it():
    result = tool("ruff", "format", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_rule_files_are_formatted_as_snakefmt_formats_them():
    result = tool("snakefmt", "--check", "Snakefile", "workflow/rules")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_with_the_project_settings_rejects_an_unused_import_and_a_long_line(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import os\n\nx = " + " + ".join(["1"] * 60) + "\n")
    result = tool("ruff", "check", "--config", str(PYPROJECT), str(bad), cwd=tmp_path)
    assert result.returncode != 0
    assert "F401" in result.stdout and "E501" in result.stdout


def test_ruff_ignores_the_injected_snakemake_name_in_scripts_only(tmp_path):
    (tmp_path / "scripts").mkdir()
    shutil.copy(PYPROJECT, tmp_path / "pyproject.toml")
    (tmp_path / "scripts" / "rule.py").write_text("print(snakemake.input)\n")
    (tmp_path / "library.py").write_text("print(snakemake.input)\n")
    result = tool("ruff", "check", ".", cwd=tmp_path)
    assert result.returncode != 0
    assert "library.py" in result.stdout and "scripts/rule.py" not in result.stdout


def test_snakefmt_rejects_an_unformatted_rule(tmp_path):
    shutil.copy(PYPROJECT, tmp_path / "pyproject.toml")
    rule = tmp_path / "bad.smk"
    rule.write_text('rule a:\n    output: "x.txt"\n    shell:   "touch {output}"\n')
    result = tool("snakefmt", "--check", str(rule), cwd=tmp_path)
    assert result.returncode != 0
