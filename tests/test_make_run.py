"""`make run` on a fresh clone: its development .env, and the address it prints."""

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _make(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "--no-print-directory", "-f", str(ROOT / "Makefile"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
    )


def test_it_writes_a_private_env_file_for_development(tmp_path):
    result = _make(".env", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    env_file = tmp_path / ".env"
    lines = env_file.read_text().splitlines()
    assert lines[0] == "DEBUG=1"
    assert lines[1].startswith("SECRET_KEY=") and len(lines[1]) >= len("SECRET_KEY=") + 50
    assert env_file.stat().st_mode & 0o777 == 0o600


def test_it_never_overwrites_an_existing_env_file(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DEBUG=1\nSECRET_KEY=chosen-by-the-developer\n")
    result = _make(".env", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert env_file.read_text() == "DEBUG=1\nSECRET_KEY=chosen-by-the-developer\n"


def test_it_gives_two_clones_different_secret_keys(tmp_path):
    keys = set()
    for clone in ("one", "two"):
        (tmp_path / clone).mkdir()
        assert _make(".env", cwd=tmp_path / clone).returncode == 0
        keys.add((tmp_path / clone / ".env").read_text().splitlines()[1])
    assert len(keys) == 2


def test_it_prints_the_admin_address_on_the_chosen_host(tmp_path):
    """`make -n` lists the commands of `make run HOST=…` without running them."""
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    result = _make("-n", "run", "HOST=127.0.0.1:8101", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    commands = result.stdout.splitlines()
    assert "manage.py ensure_dev_admin --address 127.0.0.1:8101" in commands[-2]
    assert commands[-1].endswith("manage.py runserver 127.0.0.1:8101")
