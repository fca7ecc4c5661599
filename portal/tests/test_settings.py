"""Production settings come from the same module: they refuse to start without a real secret."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_settings(**env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    env["ENV_FILE"] = ""  # a developer's .env must not decide these tests
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "portal.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "secret",
    [None, "", "short", "insecure-development-key-do-not-use-in-production"],
)
def test_it_refuses_to_start_without_a_real_secret_key_when_debug_is_off(secret):
    overrides = {"DEBUG": "0"}
    if secret is not None:
        overrides["SECRET_KEY"] = secret
    result = run_settings(**overrides)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_it_starts_with_a_real_secret_key():
    result = run_settings(DEBUG="0", SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr


def test_debug_mode_starts_without_a_secret_key():
    result = run_settings(DEBUG="1")
    assert result.returncode == 0, result.stderr


def test_a_developer_env_file_is_read_but_real_variables_win(tmp_path):
    env_file = tmp_path / "dev.env"
    env_file.write_text("DEBUG=1\n")
    assert run_settings(ENV_FILE=str(env_file)).returncode == 0
    # DEBUG=0 from the real environment beats the file: no secret, so it refuses.
    result = run_settings(ENV_FILE=str(env_file), DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
