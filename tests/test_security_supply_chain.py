"""`make lint` supply-chain steps: bandit is clean; the pip-audit wrapper never calls an
un-audited run clean, and fails on a known vulnerability."""

import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import pip_audit_check  # noqa: E402


def fake_run(payload):
    def run(*args, **kwargs):
        return SimpleNamespace(stdout=json.dumps(payload), stderr="", returncode=0)

    return run


@pytest.mark.parametrize(
    ("payload", "code", "words"),
    [
        (
            {"dependencies": [{"name": "django", "version": "5.2", "skip_reason": "not found"}]},
            0,
            "NOT audited",
        ),
        ({"dependencies": [{"name": "django", "version": "5.2", "vulns": []}]}, 0, "no known"),
        (
            {
                "dependencies": [
                    {"name": "django", "version": "5.2", "vulns": [{"id": "PYSEC-0000-1"}]}
                ]
            },
            1,
            "PYSEC-0000-1",
        ),
    ],
    ids=["service-unreachable", "clean", "vulnerable"],
)
def test_the_pip_audit_wrapper(monkeypatch, capsys, payload, code, words):
    monkeypatch.setattr(pip_audit_check.subprocess, "run", fake_run(payload))
    assert pip_audit_check.main() == code
    assert words in capsys.readouterr().out


def test_the_pip_audit_wrapper_reports_an_unparseable_answer(monkeypatch, capsys):
    def run(*args, **kwargs):
        return SimpleNamespace(stdout="", stderr="ConnectionError: offline", returncode=1)

    monkeypatch.setattr(pip_audit_check.subprocess, "run", run)
    assert pip_audit_check.main() == 0
    assert "NOT audited" in capsys.readouterr().out


def test_bandit_finds_nothing_of_medium_or_high_severity():
    bandit = Path(sys.executable).with_name("bandit")
    result = subprocess.run(
        [str(bandit), "-c", "pyproject.toml", "-r", ".", "-ll", "-q", "-f", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = json.loads(result.stdout)
    issues = [f"{i['filename']}:{i['line_number']} {i['test_id']}" for i in report["results"]]
    assert issues == []
    assert result.returncode == 0
