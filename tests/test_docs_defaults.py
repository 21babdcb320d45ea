"""Every flag default the docs quote is the one `--help` gives, and every flag and setting has its row.

The docs quote defaults in one place and one format: the "default" column of the tables in
docs/configuration.md. A table headed `variable | flag | default | meaning` is the server's (its flags
are `jobmojito-mcp --help`'s, its variables the settings'); a table headed `flag | default | meaning`
belongs to the command named in the heading above it ("`jobmojito-mcp login`": `jobmojito-mcp login
--help`). The default a row must show is the one `--help` states; where `--help` states none, the
setting's own default (through the `[JOBMOJITO_...]` variable `--help` names), written "unset" for
nothing and "off" for a switch. Defaults quoted anywhere else, as "`--flag` (default X)" or
"`--flag` (X)", fail: the docs link to the table instead.
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from jobmojito_mcp.config import Settings

ROOT = Path(__file__).resolve().parent.parent
CONFIGURATION = ROOT / "docs" / "configuration.md"
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SERVER_HEADER = ["variable", "flag", "default", "meaning"]
COMMAND_HEADER = ["flag", "default", "meaning"]


@dataclass(frozen=True)
class HelpFlag:
    """One option as `--help` shows it."""

    flag: str
    takes_value: bool
    optional_value: bool  # `--metrics [WHERE]`: its help's "default" is the value given bare
    env: str | None
    default: str | None  # as the help text states it, if it does


@dataclass(frozen=True)
class Row:
    """One row of a configuration table."""

    command: str  # "" for the server itself
    env: str | None
    flag: str | None
    default: str
    line: int


@functools.cache
def help_text(command: str = "") -> str:
    """`jobmojito-mcp [COMMAND] --help`, one line per option (no wrapping), as a person runs it."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("JOBMOJITO_")}
    done = subprocess.run(
        [sys.executable, "-m", "jobmojito_mcp", *command.split(), "--help"],
        capture_output=True,
        text=True,
        env=environment | {"COLUMNS": "2000"},
        cwd=ROOT,
        timeout=60,
        check=True,
    )
    return done.stdout


def help_flags(command: str = "") -> dict[str, HelpFlag]:
    """The options of `jobmojito-mcp [COMMAND] --help`, by long flag (not --help and --version)."""
    entries: list[list[str]] = []
    current: list[str] | None = None
    for line in help_text(command).splitlines():
        if line.startswith("  -"):
            current = [line.strip()]
            entries.append(current)
        elif not line.startswith("   "):  # a section heading, a positional, a blank line
            current = None
        elif current is not None:
            current.append(line.strip())
    found = {}
    for first, *rest in entries:
        invocation, *start = re.split(r"\s{2,}", first, maxsplit=1)  # the help starts beside it, or below
        flag = re.findall(r"--[\w-]+", invocation)[-1]
        if flag in ("--help", "--version"):
            continue
        value = invocation.split(flag, 1)[1].strip()
        help_line = " ".join([*start, *rest])
        env = re.search(r"\[(JOBMOJITO_[A-Z_]+)\]", help_line)
        stated = re.search(r"(\S+) \(default\)", help_line) or re.search(
            r"\bdefault:?\s+([^;()\[\]]+)", help_line
        )
        found[flag] = HelpFlag(
            flag=flag,
            takes_value=bool(value),
            optional_value=value.startswith("["),
            env=env.group(1) if env else None,
            default=stated.group(1).strip().rstrip(",.") if stated else None,
        )
    return found


def commands() -> list[str]:
    """The subcommands `jobmojito-mcp --help` lists."""
    return re.findall(r"^    (\w+) ", help_text(), flags=re.MULTILINE)


def setting_default(env: str) -> str:
    """A setting's default as the docs write it."""
    field = env.removeprefix("JOBMOJITO_").lower()
    value = Settings.model_fields[field].default
    if value is None or value == "":
        return "unset"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def expected_default(option: HelpFlag) -> str:
    if option.default is not None and not option.optional_value:
        return option.default
    if option.env is not None:
        return setting_default(option.env)
    return "unset" if option.takes_value else "off"


def cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def plain(text: str) -> str:
    return " ".join(text.replace("`", "").split())


def tables(path: Path) -> list[tuple[str, int, list[str], list[tuple[int, list[str]]]]]:
    """(heading above, line number, header cells, rows) of every markdown table in a document."""
    found: list[tuple[str, int, list[str], list[tuple[int, list[str]]]]] = []
    heading = ""
    lines = path.read_text("utf-8").splitlines()
    number = 0
    while number < len(lines):
        line = lines[number]
        if line.startswith("#"):
            heading = line
        is_table = (
            line.startswith("|") and number + 1 < len(lines) and re.match(r"^\|[-| :]+\|$", lines[number + 1])
        )
        if is_table:
            header, rows, start = [plain(cell).lower() for cell in cells(line)], [], number + 1
            number += 2
            while number < len(lines) and lines[number].startswith("|"):
                rows.append((number + 1, cells(lines[number])))
                number += 1
            found.append((heading, start, header, rows))
            continue
        number += 1
    return found


def flag_in(cell: str) -> str | None:
    found = re.search(r"--[\w-]+", cell)
    return found.group(0) if found else None


def configuration_rows() -> list[Row]:
    rows = []
    for heading, _, header, body in tables(CONFIGURATION):
        if header == SERVER_HEADER:
            command = ""
            for line, (env, flag, default, _) in body:
                named = re.search(r"JOBMOJITO_[A-Z_]+", env)
                rows.append(Row(command, named.group(0) if named else None, flag_in(flag), default, line))
        elif header == COMMAND_HEADER:
            named = re.search(r"`jobmojito-mcp (\w+(?: \w+)?)`", heading)  # e.g. `sandbox take`
            assert named, f"docs/configuration.md: a flag table under {heading!r}, which names no command"
            for line, (flag, default, _) in body:
                rows.append(Row(named.group(1), None, flag_in(flag), default, line))
        else:
            assert "default" not in header, (
                f"docs/configuration.md: a table with defaults in another layout: {header}"
            )
    return rows


def matches(quoted: str, expected: str) -> bool:
    """The docs may quote the head of a longer phrase: `4096` for "4096, and below the file limit"."""
    quoted, expected = plain(quoted), plain(expected)
    return quoted == expected or expected.startswith(quoted + ",")


def test_every_quoted_default_is_the_one_help_gives() -> None:
    rows = configuration_rows()
    assert rows, "docs/configuration.md has no configuration table: the format the test reads changed"
    wrong = []
    for row in rows:
        where = f"docs/configuration.md:{row.line}"
        if row.flag is None:
            assert row.env is not None, f"{where}: a row with neither a variable nor a flag"
            expected = setting_default(row.env)
        else:
            options = help_flags(row.command)
            assert row.flag in options, f"{where}: {row.flag} is not in `jobmojito-mcp {row.command} --help`"
            option = options[row.flag]
            if row.env is not None:
                assert option.env == row.env, f"{where}: {row.flag} is {option.env} in --help, not {row.env}"
            expected = expected_default(option)
        if not matches(row.default, expected):
            wrong.append(f"{where}: {row.flag or row.env} default quoted {row.default!r}, not {expected!r}")
    assert not wrong, "\n".join(wrong)


def test_every_flag_and_setting_has_its_row() -> None:
    rows = configuration_rows()
    server_flags = {row.flag for row in rows if row.command == ""} - {None}
    assert set(help_flags()) - server_flags == set(), "flags of `jobmojito-mcp --help` without a row"
    variables = {row.env for row in rows if row.command == ""} - {None}
    settings = {f"JOBMOJITO_{field.upper()}" for field in Settings.model_fields}
    assert settings - variables == set(), "settings without a row in docs/configuration.md"
    assert variables - settings == set(), "rows for variables the server does not read"
    for command in commands():
        own = {flag for flag, option in help_flags(command).items() if option.env is None}
        documented = {row.flag for row in rows if row.command == command}
        assert own - documented == set(), f"flags of `jobmojito-mcp {command} --help` without a row"


def test_help_states_the_defaults_the_server_uses() -> None:
    """Where `--help` states a default and the setting has a value of its own, they agree."""
    wrong = []
    for option in help_flags().values():
        if option.env is None or option.default is None or option.optional_value:
            continue
        actual = setting_default(option.env)
        if actual not in ("unset", "off") and not matches(actual, option.default):
            wrong.append(f"{option.flag}: --help says {option.default!r}, the server uses {actual!r}")
    assert not wrong, "\n".join(wrong)


def test_defaults_are_quoted_only_in_the_configuration_tables() -> None:
    inline = re.compile(r"`((?:--|JOBMOJITO_)[\w-]+)(?: [^`]*)?`,?\s*\((?:default\b|\d)[^)]*\)?")
    strays = []
    for path in DOCUMENTS:
        name = path.relative_to(ROOT)
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            strays += [f"{name}:{number}: {found.group(0)}" for found in inline.finditer(line)]
        if path != CONFIGURATION:
            for _, number, header, body in tables(path):
                quoting = "default" in header and any(
                    re.search(r"`(--|JOBMOJITO_)", cell) for _, row in body for cell in row
                )
                if quoting:
                    strays.append(f"{name}:{number}: a table of flags with a default column")
    assert not strays, "quote defaults in docs/configuration.md only, and link to it:\n" + "\n".join(strays)
