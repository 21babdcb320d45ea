"""The commands for humans: `check`, `call` and `tools`.

Each runs the real server in-process and talks to it through an in-memory MCP client, so what
a person sees from the shell is exactly what an agent would get.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import sys
from typing import Any

from mcp import Client
from mcp_types import CallToolResult

from jobmojito_mcp import terminal
from jobmojito_mcp.config import Settings
from jobmojito_mcp.server import build_server, exposed_tools, open_upstream
from jobmojito_mcp.tooling.files import FileAccess
from jobmojito_mcp.tooling.listing import ToolCard
from jobmojito_mcp.tooling.spec import ToolSpec
from jobmojito_mcp.tooling.upstream import Credential, Upstream
from jobmojito_mcp.toolsets import cards_by_name, spec_named

OK, FAIL = "ok  ", "FAIL"


def _print(line: str = "") -> None:
    try:
        print(line, flush=True)  # these commands' whole job is to print
    except BrokenPipeError:
        # The reader stopped early (`| head`) and has what it wanted: the rest goes nowhere, quietly,
        # and the command still ends with its own exit status.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def parse_arguments(
    pairs: list[str], json_args: str | None, spec: ToolSpec[Any, Any] | None = None
) -> dict[str, Any]:
    """`--args '{...}'` and/or `key=value` pairs (values parsed as JSON when they parse: 5, true, [..])."""
    arguments: dict[str, Any] = {}
    if json_args:
        try:
            loaded = json.loads(json_args)
        except json.JSONDecodeError as exc:
            raise ValueError(
                f"--args is not valid JSON ({exc.msg} at character {exc.pos + 1}); "
                """e.g. --args '{"limit": 3}' (keys in double quotes)"""
            ) from None
        if not isinstance(loaded, dict):
            raise ValueError("--args must be a JSON object")
        arguments |= loaded
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ValueError(f"expected KEY=VALUE, got {pair!r}" + _did_you_mean_pair(pair, spec))
        try:
            arguments[key] = json.loads(value)
        except json.JSONDecodeError:
            arguments[key] = value
    return arguments


def _did_you_mean_pair(word: str, spec: ToolSpec[Any, Any] | None) -> str:
    if spec is None:
        return ""
    close = difflib.get_close_matches(word.lstrip("-"), spec.arguments.model_fields, n=1, cutoff=0.6)
    return f"; did you mean {close[0]}=...?" if close else ""


async def call(settings: Settings, args: argparse.Namespace) -> int:
    """Run one tool; print its content as a person reads it (the whole result with --json), asking
    first where the tool asks. Exit status 1 when the tool answered an error, 2 for a refusal here."""
    known = [spec.name for spec in exposed_tools(settings)]
    if args.tool not in known:
        if args.tool in cards_by_name():
            problem = f"tool {args.tool!r} is not exposed with --read-only / --tools / --toolsets."
        else:
            close = difflib.get_close_matches(args.tool, cards_by_name(), n=1)
            problem = f"unknown tool {args.tool!r}." + (f" Did you mean {close[0]}?" if close else "")
        _print(f"jobmojito-mcp call: {problem} Tools: {', '.join(known)}.")
        return 2
    spec = spec_named(args.tool)  # its toolset's module only
    try:
        arguments = parse_arguments(args.pairs, args.json_args, spec)
    except ValueError as exc:
        _print(f"jobmojito-mcp call: {exc}")
        return 2
    interactive = terminal.in_a_terminal()
    question = terminal.question_for(spec, arguments)
    if question is not None and not interactive and not args.yes:
        _print(terminal.refusal(spec, question))  # before anything connects: nothing can be sent
        return 2
    if settings.sandbox and settings.sandbox_db is None:
        settings = settings.model_copy(update={"sandbox_db": cached_sandbox_db(reset=args.reset_sandbox)})
    answering = terminal.answering_for(ask=interactive and not args.yes)
    async with open_upstream(settings) as (upstream, credential):
        result = await _call_with(upstream, credential, settings, args.tool, arguments, answering)
        if args.json:
            _print(json.dumps(result.model_dump(mode="json", by_alias=True, exclude_none=True), indent=2))
        documents = []
        for block in result.content:
            shown = terminal.show(block, for_the_user=True)
            if not args.json and shown.text:
                _print(shown.text)
            if shown.document is not None:
                documents.append(shown.document)
        if result.is_error:
            return 1  # the error says what to fix; there is nothing to save
        saved = await _save_documents(upstream, documents, args.out, quiet=args.json)
    return 0 if saved else 1


async def _save_documents(
    upstream: Upstream, documents: list[terminal.Document], out: str | None, quiet: bool
) -> bool:
    """Save what the result linked or attached: to --out, else into the working directory (a link
    from the sandbox built into `call` dies with this process). False when one could not be saved."""
    import httpx2

    from jobmojito_mcp.tooling.errors import BadResponse

    if out is not None and len(documents) != 1:
        say = "no document to save" if not documents else f"{len(documents)} documents: --out takes one"
        _print(f"jobmojito-mcp call: --out {out}: {say}.")
        return not documents
    for document in documents:
        try:
            body = (
                document.body if document.body is not None else await upstream.download(document.link or "")
            )
            path = terminal.save(body, out, document.name)
        except (BadResponse, httpx2.HTTPError) as exc:
            _print(f"jobmojito-mcp call: could not fetch {document.name}: {exc}")
            return False
        except OSError as exc:
            _print(
                f"jobmojito-mcp call: could not save {document.name} to {out or 'this directory'}: {exc.strerror or exc}"
            )
            return False
        if not quiet:
            _print(f"Saved {document.name} to {path} ({len(body) / 1024:.1f} KB).")
    return True


def cached_sandbox_db(reset: bool = False) -> str:
    """Where `call --sandbox` keeps the sandbox between runs, so that one run's create is found by the
    next run's get (the hint a create prints is meant to be followed). `reset` starts it empty."""
    from platformdirs import user_cache_path

    path = user_cache_path("jobmojito-mcp") / "sandbox.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    if reset:
        path.unlink(missing_ok=True)
    return str(path)


async def _call_with(
    upstream: Upstream,
    credential: Credential,
    settings: Settings,
    name: str,
    arguments: dict[str, Any],
    answering: terminal.Elicitation | None = None,
) -> CallToolResult:
    """One call through the whole server (middleware, validation, confirmation, summary), over an
    in-memory client; `answering` answers the server's questions (None: a client that cannot)."""
    server = build_server(
        upstream,
        lambda _ctx: credential,
        tools=exposed_tools(settings),
        sandbox=settings.sandbox,
        files=FileAccess.local(settings.file_roots, settings.max_file_bytes),  # a person at a shell, as stdio
        confirm_without_asking=settings.confirm_without_asking,
    )
    async with Client(server, elicitation_callback=answering) as client:
        result = await client.call_tool(name, arguments)
    assert isinstance(result, CallToolResult)
    return result


async def list_tools(settings: Settings, args: argparse.Namespace) -> int:
    """The tools exposed (`--json`: as tools/list gives them to agents); with NAME, its arguments."""
    exposed = exposed_tools(settings)
    chosen = exposed
    if args.name is not None:
        chosen = tuple(spec for spec in exposed if spec.name == args.name)
        if not chosen:
            if args.name in cards_by_name():
                problem = f"tool {args.name!r} is not exposed with --read-only / --tools / --toolsets."
            else:
                close = difflib.get_close_matches(args.name, cards_by_name(), n=1)
                problem = f"unknown tool {args.name!r}." + (f" Did you mean {close[0]}?" if close else "")
            _print(f"jobmojito-mcp tools: {problem} Tools: {', '.join(spec.name for spec in exposed)}.")
            return 2
    if args.json:
        listed = await _listing(settings, {spec.name for spec in chosen})
        _print(json.dumps(listed if args.name is None else listed[0], indent=2, ensure_ascii=False))
        return 0
    if args.name is not None:
        for line in describe_tool(chosen[0]):
            _print(line)
        return 0
    for spec in chosen:
        _print(f"{spec.name:34} {_kind(spec):12} {spec.title}")
    if sys.stdout.isatty():  # a person reading, not a script parsing the lines
        _print()
        _print("Arguments of one: jobmojito-mcp tools NAME; as agents see them: jobmojito-mcp tools --json")
    return 0


def _kind(tool: ToolCard) -> str:
    hints = tool.annotations
    return "read" if hints.read_only_hint else "destructive" if hints.destructive_hint else "creates"


async def _listing(settings: Settings, names: set[str]) -> list[dict[str, Any]]:
    """tools/list as an agent gets it from this configuration (through the real server), for `names`."""
    async with open_upstream(settings) as (upstream, credential):
        server = build_server(
            upstream,
            lambda _ctx: credential,
            tools=exposed_tools(settings),
            sandbox=settings.sandbox,
            files=FileAccess.local(settings.file_roots, settings.max_file_bytes),  # as `call` and stdio
        )
        async with Client(server) as client:
            listed = await client.list_tools()
    return [
        tool.model_dump(mode="json", by_alias=True, exclude_none=True)
        for tool in listed.tools
        if tool.name in names
    ]


def describe_tool(tool: ToolCard) -> list[str]:
    """A tool for a person: what it does, whether it asks first, then each argument (name, type,
    required, meaning, allowed values), nested ones as `users[].email`."""
    input_schema = tool.input_schema
    lines = [f"{tool.name}: {tool.title} ({_kind(tool)})", tool.description]
    if tool.asks_first:
        lines.append(
            "Asks first when the call is harmful (see `call --help`: y/N in a terminal, else --yes)."
        )
    lines += ["", "Arguments:"]
    lines += _argument_lines(input_schema, input_schema.get("$defs", {}), prefix="")
    lines += ["", f"e.g. jobmojito-mcp call {tool.name} KEY=VALUE ... (or --args JSON)"]
    return lines


def _argument_lines(schema: dict[str, Any], defs: dict[str, Any], prefix: str) -> list[str]:
    lines: list[str] = []
    required = set(schema.get("required", ()))
    for name, prop in schema.get("properties", {}).items():
        prop = _resolved(prop, defs)
        facts = [_type_of(prop, defs), "required" if name in required else "optional"]
        if "default" in prop:
            facts.append(f"default {json.dumps(prop['default'])}")
        lines.append(f"  {prefix}{name} ({', '.join(facts)}): {prop.get('description', '')}".rstrip(": "))
        allowed = _resolved(prop.get("items", {}), defs).get("enum") or prop.get("enum")
        if allowed:
            lines.append(f"      one of: {', '.join(json.dumps(v) if v == '' else str(v) for v in allowed)}")
        items = _resolved(prop.get("items", {}), defs)
        if items.get("type") == "object" and items.get("properties"):
            lines += _argument_lines(items, defs, prefix=f"{prefix}{name}[].")
        elif prop.get("type") == "object" and prop.get("properties"):
            lines += _argument_lines(prop, defs, prefix=f"{prefix}{name}.")
    return lines


def _resolved(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return {
            **defs.get(ref.removeprefix("#/$defs/"), {}),
            **{k: v for k, v in schema.items() if k != "$ref"},
        }
    return schema


def _type_of(prop: dict[str, Any], defs: dict[str, Any]) -> str:
    kind = prop.get("type")
    if kind == "array":
        return f"list of {_type_of(_resolved(prop.get('items', {}), defs), defs)}"
    if kind is None and "anyOf" in prop:
        return " or ".join(_type_of(_resolved(option, defs), defs) for option in prop["anyOf"])
    if kind == "string" and "format" in prop:
        return f"string ({prop['format']})"
    if kind == "integer" and "minimum" in prop and "maximum" in prop:
        return f"integer {prop['minimum']}-{prop['maximum']}"
    if kind == "integer" and "minimum" in prop:
        return f"integer >= {prop['minimum']}"
    return str(kind or "any")


async def check(settings: Settings, args: argparse.Namespace) -> int:
    """Verify configuration, sign-in, reachability and access; print each step with the fix for a failure."""
    failed = False

    def report(ok: bool, what: str, fix: str = "") -> None:
        nonlocal failed
        failed |= not ok
        _print(f"[{OK if ok else FAIL}] {what}")
        if fix and not ok:
            _print(f"       fix: {fix}")

    target = "the built-in sandbox" if settings.sandbox else settings.base_url
    _print(f"jobmojito-mcp check: {target}")
    report(
        True,
        f"configuration read (read timeout {settings.timeout:g} s, connect {settings.connect_timeout:g} s)",
    )
    if settings.sandbox:
        report(True, "the built-in sandbox needs no sign-in")
    else:
        signed_in, where, fix = _sign_in_status(settings)
        report(signed_in, where, fix)
        if settings.token is None:
            from jobmojito_mcp.signin.store import CredentialStore

            exposed = CredentialStore(settings.credentials_file).exposed()
            if exposed is not None:  # a warning: the sign-in works, but others may copy it
                _print(f"[warn] the sign-in may be read by others: {exposed}")
    # One upstream (one pool, one sandbox) for both the reachability probe and the real call.
    async with open_upstream(settings) as (upstream, credential):
        reachable = await upstream.reachable()
        report(
            reachable,
            f"{target} is reachable" if reachable else f"cannot reach {target}",
            f"check --base-url (JOBMOJITO_BASE_URL, now {settings.base_url}), your network and proxy "
            "(HTTPS_PROXY / NO_PROXY), and SSL_CERT_FILE; then run `jobmojito-mcp "
            f"{'--sandbox ' if settings.sandbox else ''}check{_options_that_matter(settings)}` again",
        )
        if reachable and not failed:
            every_tool = settings.model_copy(update={"tools": None, "toolsets": None, "read_only": False})
            result = await _call_with(upstream, credential, every_tool, "list_avatars", {"limit": 1})
            text = "\n".join(getattr(block, "text", "") for block in result.content)
            if result.is_error:
                report(
                    False, "JobMojito refused the call" if "401" in text else "listing templates failed", text
                )
            else:
                data = result.structured_content or {}
                first = (data.get("data") or [{}])[0]
                total = (data.get("pagination") or {}).get("total")
                if not settings.sandbox:
                    report(True, f"JobMojito accepts this sign-in{_validity(settings)}")
                report(
                    bool(first),
                    f"templates listed: {total if total is not None else '?'} in all; first: {first.get('name')} ({first.get('id')})"
                    if first
                    else "no templates listed",
                    "create an avatar template in JobMojito first: interviews need one",
                )
    _print("all good" if not failed else "some checks failed")
    return 1 if failed else 0


def _options_that_matter(settings: Settings) -> str:
    """The options that pick which JobMojito (and which sign-in), when not the defaults: a fix that
    drops them would sign in to, or check, production instead."""
    import shlex

    from jobmojito_mcp.config import DEFAULT_BASE_URL

    options = []
    if settings.base_url != DEFAULT_BASE_URL:
        options += ["--base-url", settings.base_url]
    if settings.auth_url:
        options += ["--auth-url", settings.auth_url]
    if settings.credentials_file:
        options += ["--credentials-file", settings.credentials_file]
    return "".join(f" {shlex.quote(option)}" for option in options)


def _validity(settings: Settings) -> str:
    """ "; access token valid until ..." for a stored sign-in, read after the call (which may have renewed it)."""
    from jobmojito_mcp.signin.credentials import SignIn, server_credential
    from jobmojito_mcp.signin.login import describe_validity
    from jobmojito_mcp.signin.store import CorruptCredentials

    credential = server_credential(settings)
    if not isinstance(credential, SignIn):
        return ""
    try:
        account = credential.store.account(credential.key)
    except CorruptCredentials:
        return ""
    return f"; {describe_validity(account)}" if account else ""


def _sign_in_status(settings: Settings) -> tuple[bool, str, str]:
    """(usable, who is signed in, until when, and where the credentials live; the fix when unusable)."""
    import time

    from jobmojito_mcp.config import url_origin
    from jobmojito_mcp.signin.credentials import SignIn, server_credential
    from jobmojito_mcp.signin.login import describe_account
    from jobmojito_mcp.signin.store import CorruptCredentials

    login = f"jobmojito-mcp login{_options_that_matter(settings)}"
    login_fix = f"run `{login}` (or try --sandbox)"
    if settings.token is not None:
        from jobmojito_mcp.signin.oauth import unverified_claims

        expires = unverified_claims(settings.token.get_secret_value()).get("exp")
        if isinstance(expires, int | float) and expires < time.time():
            return (
                False,
                "JOBMOJITO_TOKEN (a fixed access token) has expired",
                f"set a fresh JOBMOJITO_TOKEN, or unset it and run `{login}`",
            )
        return True, "using JOBMOJITO_TOKEN, a fixed access token that cannot renew itself", ""
    credential = server_credential(settings)
    assert isinstance(credential, SignIn)
    store = credential.store
    try:
        account = store.account(credential.key)
    except CorruptCredentials as corrupt:
        return False, str(corrupt), login_fix
    if account is None:
        if settings.refresh_token is not None:
            return (
                True,
                f"headless sign-in from JOBMOJITO_REFRESH_TOKEN (client {settings.client_id}); not used yet",
                "",
            )
        return (
            False,
            f"not signed in to {settings.resolved_auth_url} (credentials file: {store.path})",
            login_fix,
        )
    configured = url_origin(settings.base_url)
    if account.made_for() != configured:
        # Calls refuse it (SignInMadeElsewhere) without sending anything; say so here, where a person
        # looks first, rather than as a failed call further down.
        return (
            False,
            f"the stored sign-in was made for {account.made_for()}, but JOBMOJITO_BASE_URL points at "
            f"{configured}: it is never sent there; credentials in {store.path}",
            f"if {settings.base_url} is the JobMojito API you mean, sign in for it: `{login}`; "
            f"otherwise point JOBMOJITO_BASE_URL (environment, --base-url or --env-file) back at {account.made_for()}",
        )
    if account.ended:
        return False, f"the sign-in has ended ({account.ended}); credentials in {store.path}", login_fix
    return True, f"{describe_account(account)}; credentials in {store.path}", ""
