"""conftest.shared_build: a session's build is made once, whichever pytest-xdist worker asks first."""

import subprocess

import pytest
from conftest import shared_build


class Factory:
    """What shared_build reads of pytest's tmp_path_factory: the worker's own base folder."""

    def __init__(self, base):
        self.base = base

    def getbasetemp(self):
        self.base.mkdir(parents=True, exist_ok=True)
        return self.base


def counting_build(calls):
    def build(root):
        calls.append(root)
        (root / "made").write_text("x")
        return subprocess.CompletedProcess(["snakemake"], 0, "out", "err"), "local"

    return build


def test_two_workers_share_one_build(tmp_path, monkeypatch):
    calls = []
    session = tmp_path / "pytest-1"
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")
    first = shared_build(Factory(session / "popen-gw0"), "tiny", counting_build(calls))
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw1")
    second = shared_build(Factory(session / "popen-gw1"), "tiny", counting_build(calls))
    assert calls == [session / "tiny"]  # built once, in the session's folder above both workers
    assert first[0] == second[0] == session / "tiny" and (session / "tiny" / "made").exists()
    for _, result, extra in (first, second):
        assert (result.args, result.returncode, result.stdout, result.stderr) == (["snakemake"], 0, "out", "err")
        assert extra == "local"


def test_without_workers_the_build_lives_in_the_sessions_own_folder(tmp_path, monkeypatch):
    calls = []
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    root, _, _ = shared_build(Factory(tmp_path / "pytest-2"), "smoke", counting_build(calls))
    assert root == tmp_path / "pytest-2" / "smoke" and calls == [root]


def test_a_failed_build_is_not_recorded_as_made(tmp_path, monkeypatch):
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    factory = Factory(tmp_path / "pytest-3")

    def failing(root):
        raise AssertionError("snakemake failed")

    with pytest.raises(AssertionError, match="snakemake failed"):
        shared_build(factory, "smoke", failing)
    assert not (tmp_path / "pytest-3" / "smoke.json").exists()
    # the next test (or worker) to ask is told why, without building again
    calls = []
    with pytest.raises(AssertionError, match="build failed earlier in this run:\nsnakemake failed"):
        shared_build(factory, "smoke", counting_build(calls))
    assert calls == []


def test_a_skipped_build_skips_the_other_workers_for_the_same_reason(tmp_path, monkeypatch):
    """Without the MNIST files the first worker's build skips; the other worker skips too, not errors."""
    session = tmp_path / "pytest-4"

    def skipping(root):
        pytest.skip("needs the MNIST IDX files: set MNIST_DIR")

    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")
    with pytest.raises(pytest.skip.Exception, match="needs the MNIST IDX files"):
        shared_build(Factory(session / "popen-gw0"), "tiny", skipping)
    calls = []
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw1")
    with pytest.raises(pytest.skip.Exception, match="needs the MNIST IDX files: set MNIST_DIR"):
        shared_build(Factory(session / "popen-gw1"), "tiny", counting_build(calls))
    assert calls == [] and not (session / "tiny.json").exists() and not (session / "tiny.failed").exists()
