"""How settings are read (config.load_settings): flags over the environment over the file --env-file
names over defaults; JOBMOJITO_<FIELD> names in any case; values converted and checked by the model.

The server's own use of each is tested end to end in test_cli.py (flags win, a dotenv only when
named, an invalid value refused with its name); these pin the reader's rules one by one.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from jobmojito_mcp.config import DEFAULT_READ_TIMEOUT, Settings, environment_values, load_settings


def test_the_environment_is_read_by_prefix_in_any_case_and_strangers_are_ignored() -> None:
    settings = load_settings(
        environ={
            "JOBMOJITO_BASE_URL": "http://127.0.0.1:9/functions/v1/",
            "jobmojito_timeout": "7.5",
            "JobMojito_Read_Only": "yes",
            "JOBMOJITO_NO_SUCH_SETTING": "x",  # not a setting: ignored, as before
            "BASE_URL": "http://elsewhere.example",  # no prefix: not ours
            "HOME": "/root",
        }
    )
    assert settings.base_url == "http://127.0.0.1:9/functions/v1"  # and its validator ran
    assert settings.timeout == 7.5
    assert settings.read_only is True


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("true", True), ("on", True), ("0", False), ("off", False), ("no", False)],
)
def test_flags_are_read_as_people_write_them(raw: str, expected: bool) -> None:
    assert load_settings(environ={"JOBMOJITO_SANDBOX": raw}).sandbox is expected


def test_flags_win_over_the_environment_which_wins_over_the_named_file(tmp_path: Path) -> None:
    dotenv = tmp_path / "jobmojito.env"
    dotenv.write_text(
        "# a comment\n"
        "JOBMOJITO_TOKEN='from-the-file-1'\n"
        "JOBMOJITO_TIMEOUT=30\n"
        'export JOBMOJITO_LOG_LEVEL="debug"\n'
        "JOBMOJITO_CLIENT_ID\n"  # a name without a value sets nothing
        "OTHER=1\n",
        encoding="utf-8",
    )
    environ = {"JOBMOJITO_TIMEOUT": "40", "JOBMOJITO_CONNECT_TIMEOUT": "3"}
    settings = load_settings(env_file=str(dotenv), environ=environ, connect_timeout=4.0, max_retries=None)
    assert settings.token is not None and settings.token.get_secret_value() == "from-the-file-1"
    assert settings.timeout == 40  # the environment over the file
    assert settings.connect_timeout == 4.0  # the flag over the environment
    assert settings.max_retries == Settings().max_retries  # a flag left unset does not count
    assert settings.log_level == "DEBUG"
    assert settings.client_id is None


def test_a_named_file_that_is_not_there_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_settings(env_file=str(tmp_path / "missing.env"), environ={})


def test_a_bad_value_is_refused_naming_its_setting() -> None:
    with pytest.raises(ValidationError) as refused:
        load_settings(environ={"JOBMOJITO_TIMEOUT": "soon"})
    assert [error["loc"] for error in refused.value.errors()] == [("timeout",)]
    with pytest.raises(ValidationError):
        load_settings(environ={"JOBMOJITO_LOG_LEVEL": "loud"})


def test_settings_made_directly_read_no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only load_settings reads the environment: code (and tests) building a Settings get exactly
    what they pass, whatever the shell exported."""
    monkeypatch.setenv("JOBMOJITO_TOKEN", "exported-in-the-shell-2")
    monkeypatch.setenv("JOBMOJITO_TIMEOUT", "1")
    settings = Settings(base_url="http://127.0.0.1:9")
    assert settings.token is None and settings.timeout == DEFAULT_READ_TIMEOUT
    assert load_settings().token is not None  # the process's environment, by default


def test_environment_values_takes_only_the_fields_named() -> None:
    found = environment_values({"JOBMOJITO_A": "1", "JOBMOJITO_B": None, "jobmojito_c": "3"}, {"a", "b", "c"})
    assert found == {"a": "1", "c": "3"}
