"""Property-based fuzzing of every tool, from the input schemas the server publishes.

Arguments are drawn from what each tool accepts (its full argument schema, unpublished arguments
and nulls included) and, for valid ones, also from its published `inputSchema`; valid and broken in one place
(wrong types, missing fields, out-of-range numbers, unknown enum values, nulls, extra fields,
deeply nested junk, huge and unicode strings), plus junk objects. The real server runs in-process
(same code path as stdio: `build_server` over a real `Upstream`) against the sandbox over loopback.

Invariants, for every example:
- a refusal (`isError`, "nothing was sent") names a field in backticks and sends ZERO requests;
  broken arguments are always refused, and the refusal names the broken field;
- anything else sends EXACTLY ONE request, which the contract (contract.json + the sandbox's
  cross-field rules) accepts, carrying exactly the contract fields the caller gave; it ends in
  success (structuredContent valid against the outputSchema: the client checks) or in an error
  worded by the product (an upstream 4xx/5xx), never the SDK's bare "Error executing tool";
- the token never appears in a result; no call hangs (each is bounded).

A second property feeds every tool arbitrary 200 answers (anything the contract allows, or any
JSON at all): the result is usable or a product error, never a crash, and a create that cannot be
confirmed says the interview may exist.

Profiles: the default run draws FUZZ_DEFAULT_EXAMPLES (11) per tool and flavour (valid, broken,
junk), ~430 argument sets in all, plus 22 answers per tool, derandomized so CI is repeatable. The
long profile (`-m slow`, or RELIABILITY_SLOW=1) draws FUZZ_EXAMPLES (11,700) argument sets across
the thirteen tools, plus as many answers per tool as per tool and flavour (300), under the loaded
Hypothesis profile (conftest.py): derandomized by default and in CI, a fresh seed and the example
database with HYPOTHESIS_PROFILE=explore; a failure prints the example and a @reproduce_failure blob.
"""

from __future__ import annotations

import base64
import copy
import json
import math
import os
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy
from mcp_types import CallToolResult

from jobmojito_mcp.sandbox import (
    ARCHIVED_TEMPLATE_ID,
    DEFAULT_TEMPLATE_ID,
    DELETED_TEMPLATE_ID,
    DEMO_POSITION_ID,
    DRAFT_TEMPLATE_ID,
    KNOWLEDGE_BASE_ID,
    LEGACY_TEMPLATE_ID,
    OFFLINE_TEMPLATE_ID,
    PLATFORM_TEMPLATE_ID,
    SANDBOX_MERCHANT_ID,
    VOICE_TEMPLATE_ID,
    RecordedRequest,
    RunningSandbox,
    run_sandbox,
)
from jobmojito_mcp.sandbox.spec import to_json_schema
from jobmojito_mcp.tooling.schemas import accepted_schema
from jobmojito_mcp.toolsets import TOOLS_BY_NAME
from tests.reliability.harness import (
    CREATES,
    ENDPOINT_OF,
    REFUSED,
    STORES,
    InProcess,
    backticked,
    contract_fields,
    contract_of,
    contract_problems,
    in_process,
    is_multipart,
    is_product_error,
    no_secret,
)
from tests.reliability.harness import (
    settings as server_settings,
)
from tests.reliability.reporting import record
from tests.reliability.schema_strategies import Mutation, SchemaStrategies, any_json
from tests.support import COOKBOOK, TOOL_NAMES, multipart_parts, text_of

TOOLS = TOOL_NAMES
FLAVOURS = ("valid", "broken", "junk")
DEFAULT_EXAMPLES = int(os.environ.get("FUZZ_DEFAULT_EXAMPLES", "11"))  # x 13 tools x 3 flavours ~ 430
LONG_TOTAL = int(os.environ.get("FUZZ_EXAMPLES", "11700"))
LONG_EXAMPLES = math.ceil(LONG_TOTAL / (len(TOOLS) * len(FLAVOURS)))
TEMPLATES = (
    DEFAULT_TEMPLATE_ID,
    VOICE_TEMPLATE_ID,
    OFFLINE_TEMPLATE_ID,
    LEGACY_TEMPLATE_ID,
    ARCHIVED_TEMPLATE_ID,
    DRAFT_TEMPLATE_ID,
    PLATFORM_TEMPLATE_ID,
    DELETED_TEMPLATE_ID,
)

pytestmark = [pytest.mark.timeout(900)]


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with run_sandbox() as running:
        yield running


@pytest.fixture(scope="module")
def server(sandbox: RunningSandbox) -> Iterator[InProcess]:
    with in_process(server_settings(sandbox.base_url)) as running:
        yield running


@pytest.fixture(scope="module")
def known_interviews(server: InProcess) -> list[str]:
    """A few real interviews, so id fields sometimes name one that exists."""
    return [create_one(server) for _ in range(6)]


@pytest.fixture(scope="module")
def known_results(server: InProcess, sandbox: RunningSandbox, known_interviews: list[str]) -> list[str]:
    """Finished results of real candidates, so result ids sometimes name one that exists."""
    users = [{"email": f"fuzz{index}@example.com"} for index in range(3)]
    registered = server.call(
        "register_users_for_interview",
        {"interview_id": known_interviews[0], "users": users, "send_email": False},
    )
    assert isinstance(registered.structured_content, dict), text_of(registered)
    links = [user["interview_url"] for user in registered.structured_content["users"]]
    return [sandbox.take_interview(link)["interview_result_id"] for link in links]


@pytest.fixture(autouse=True)
def replace_deleted(request: pytest.FixtureRequest, sandbox: RunningSandbox) -> None:
    """Fuzzing set_interview_state deletes interviews: replace them, so later tools still find some."""
    if "known_interviews" not in request.fixturenames:
        return
    known: list[str] = request.getfixturevalue("known_interviews")
    server: InProcess = request.getfixturevalue("server")
    for index, interview_id in enumerate(known):
        if sandbox.state.interviews.get(interview_id) is None:
            known[index] = create_one(server)


def create_one(server: InProcess) -> str:
    created = server.call("create_interview", cookbook("create_interview"))
    assert not created.is_error, text_of(created)
    assert isinstance(created.structured_content, dict)
    return str(created.structured_content["interview_def_set_id"])


@pytest.fixture(scope="module")
def outcomes() -> Iterator[Counter[tuple[str, str, str]]]:
    seen: Counter[tuple[str, str, str]] = Counter()
    yield seen
    if seen:
        lines = [
            f"{tool:34} {flavour:7} {outcome:15} {count:6}"
            for (tool, flavour, outcome), count in sorted(seen.items())
        ]
        record("fuzz", f"{sum(seen.values())} examples (tool, flavour, outcome, count):\n" + "\n".join(lines))


def cookbook(tool: str) -> dict[str, Any]:
    body = copy.deepcopy(COOKBOOK[tool])
    if body.get("interview_template_id") == "TEMPLATE_UUID":
        body["interview_template_id"] = DEFAULT_TEMPLATE_ID
    return body


# ---------------------------------------------------------------------------------------------
# Strategies: the published schema, with real ids offered where a field names one, and a helping
# hand with the cross-field rules half of the time, so successes are explored too.


# Nested fields the contract types without null: the server accepts a null there as "not given" and
# drops it (test_null_in_a_nested_field_is_not_sent_upstream), so "the body carries exactly the
# fields given" does not hold for them by design. Valid arguments are drawn without those nulls.
NULL_DIVERGENCES = {
    "PdfExportConfig": None,
    "Expectations": None,
    "Question": ("id",),
    "ReportFeatures": None,
    "AssessmentRule": None,
    "FormField": None,
    "LanguageNeed": None,
    "ScreeningForm": None,
    "LanguageSpoken": None,
}


def without_divergent_nulls(schema: dict[str, Any]) -> dict[str, Any]:
    tightened = copy.deepcopy(schema)
    for name, fields in NULL_DIVERGENCES.items():
        definition = tightened.get("$defs", {}).get(name)
        if definition is None:
            continue
        for field, node in definition.get("properties", {}).items():
            if not (fields is None or field in fields):
                continue
            if "anyOf" in node:
                node["anyOf"] = [branch for branch in node["anyOf"] if branch.get("type") != "null"]
            if isinstance(node.get("type"), list):  # the published form: "type": [T, "null"]
                node["type"] = [kind for kind in node["type"] if kind != "null"]
                if "enum" in node:
                    node["enum"] = [value for value in node["enum"] if value is not None]
    return tightened


def closed_like(published: Any, accepted: Any, root: dict[str, Any]) -> Any:
    """The published schema, closed ("no other fields") wherever the server refuses other fields: a
    schema that leaves fields out cannot say so itself, nested objects included."""
    if not isinstance(published, dict) or not isinstance(accepted, dict):
        return published
    if "$ref" in accepted:
        accepted = root["$defs"][accepted["$ref"].rsplit("/", 1)[-1]]
    branches = [branch for branch in accepted.get("anyOf", []) if branch.get("type") != "null"]
    if len(branches) == 1:
        accepted = branches[0]
        if "$ref" in accepted:
            accepted = root["$defs"][accepted["$ref"].rsplit("/", 1)[-1]]
    closed = dict(published)
    if "properties" in published:
        inner = accepted.get("properties", {})
        closed["properties"] = {
            name: closed_like(node, inner.get(name, {}), root)
            for name, node in published["properties"].items()
        }
        if accepted.get("additionalProperties") is False:
            closed["additionalProperties"] = False
    if "items" in published:
        closed["items"] = closed_like(published["items"], accepted.get("items", {}), root)
    return closed


def strategies_for(
    server: InProcess,
    tool: str,
    known: list[str],
    results: list[str],
    *,
    tighten: bool = False,
    published: bool = False,
) -> SchemaStrategies:
    """From what the server accepts (unpublished arguments and nulls included), or what it publishes."""
    if (
        published
    ):  # it leaves some accepted arguments out, so it cannot say "no others"; the server refuses them
        accepted = accepted_schema(TOOLS_BY_NAME[tool].arguments)
        schema = closed_like(server.tools[tool].input_schema, accepted, accepted)
    else:
        schema = accepted_schema(TOOLS_BY_NAME[tool].arguments)
    hints: dict[str, SearchStrategy[Any]] = {
        "interview_template_id": st.sampled_from(TEMPLATES),
        "position_id": st.sampled_from(known),
        "position_def_set_id": st.sampled_from(known),
        "interview_id": st.sampled_from(known),
        "interview_result_id": st.sampled_from(results),
        "interview_result_ids": st.lists(st.sampled_from(results), min_size=1, max_size=3),
        "clear_fields": st.lists(
            st.sampled_from(["recording", "code", "knowledge_base_store_id"]), max_size=2
        ),
        "knowledge_base_store_id": st.just(KNOWLEDGE_BASE_ID),
        "knowledge_base_id": st.just(KNOWLEDGE_BASE_ID),
        "merchant_id": st.just(SANDBOX_MERCHANT_ID),
        "mojito_language_code": st.sampled_from(["en", "de", "ja"]),
    }
    return SchemaStrategies(without_divergent_nulls(schema) if tighten else schema, hints)


def _describe_position(args: dict[str, Any]) -> dict[str, Any]:
    if args.get("position_def_set_id"):
        return args
    defaults = {
        "position_name": "Backend Engineer",
        "position_location": "Remote (EU)",
        "position_country_code": "DE",
        "mojito_language_code": "en",
    }
    return args | {name: value for name, value in defaults.items() if not args.get(name)}


def _change_something(args: dict[str, Any]) -> dict[str, Any]:
    fixed = dict(args)
    if fixed.get("status") == "deleted":
        fixed["status"] = "archived"  # keep the known interviews alive for later examples
    if fixed.get("status") is None and fixed.get("is_embedded") is None:
        fixed["status"] = "active"
    return fixed


def _sensible_length(args: dict[str, Any]) -> dict[str, Any]:
    length = args.get("interview_length")
    if isinstance(length, int) and not 1 <= length <= 40:
        return args | {"interview_length": min(max(length, 1), 40)}
    return args


def _consistent_questions(args: dict[str, Any]) -> dict[str, Any]:
    questions: list[dict[str, Any]] = []
    ids: list[str] = []
    for index, original in enumerate(args["questions"]):
        question = dict(original)
        if not question.get("id") or question["id"] in ids:
            question["id"] = f"q{index}"
        if question.get("is_conditional") or question.get("conditional_question_main_id"):
            if ids:
                question["conditional_question_main_id"] = ids[-1]
            else:
                question.pop("conditional_question_main_id", None)
                question.pop("is_conditional", None)
        if question.get("is_multiple_choice") and len(question.get("question_alternatives") or ()) < 2:
            question["question_alternatives"] = ["Yes", "No"]
        ids.append(question["id"])
        questions.append(question)
    return args | {"questions": questions}


def _a_sensible_update(args: dict[str, Any]) -> dict[str, Any]:
    fixed = _consistent_questions(args) if args.get("questions") else dict(args)
    if fixed.get("status") == "deleted":
        fixed["status"] = "archived"  # keep the known interviews alive for later examples
    for name in fixed.get("clear_fields") or []:
        fixed.pop(name, None)  # a value and a clear for one field: refused, by design
    return fixed | ({"name": "Renamed"} if len(fixed) == 1 else {})


def _one_set_of_results(args: dict[str, Any]) -> dict[str, Any]:
    fixed = dict(args)
    if fixed.get("interview_result_id") and fixed.get("interview_result_ids"):
        del fixed["interview_result_ids"]
    if fixed.get("export_type") != "pdf":
        fixed.pop("store_file", None)
    return fixed


def _unique_emails(args: dict[str, Any]) -> dict[str, Any]:
    users = [
        dict(user) | {"email": f"u{index}@example.com"} for index, user in enumerate(args.get("users") or [])
    ]
    return args | {"users": users or [{"email": "solo@example.com"}]}


def _invitees_as_documented(args: dict[str, Any]) -> dict[str, Any]:
    users = []
    for index, user in enumerate(args.get("users") or []):
        fixed = dict(user) | {"email": f"invitee{index}@example.com"}
        if fixed.get("type") != "candidate":
            fixed.pop("interview_id", None)
        elif not fixed.get("interview_id"):
            fixed["type"] = "user"
        users.append(fixed)
    return args | {"users": users or [{"email": "solo@example.com", "type": "user"}]}


_LINK_IDS = {
    "interview-for-profile": ("interview_profile_id", "interview_id"),
    "results-for-profile": ("interview_profile_id",),
    "interview-result-candidate": ("interview_result_id",),
    "interview-result-talent-seeker": ("interview_result_id",),
    "interview-results-for-position": ("interview_id",),
}


def _ids_for_the_link(args: dict[str, Any]) -> dict[str, Any]:
    needs = _LINK_IDS.get(args.get("type") or "", ())
    fixed = {name: value for name, value in args.items() if not name.endswith("_id") or name in needs}
    fixed |= {name: "9c1b7a52-3f0e-4f2a-9d3e-2b8f1c0de4f2" for name in needs if not fixed.get(name)}
    return fixed | ({"merchant_id": args["merchant_id"]} if args.get("merchant_id") else {})


def _a_forward_range(args: dict[str, Any]) -> dict[str, Any]:
    first, last = sorted([args["date_from"], args["date_to"]])
    return args | {"date_from": first, "date_to": last}


def _a_position(args: dict[str, Any]) -> dict[str, Any]:
    fixed = {name: value for name, value in args.items() if name != "update_position_def_set_id"}
    if fixed.get("type") in ("form", "resume_with_form") and not fixed.get("form_fields"):
        fixed["form_fields"] = [{"id": "form_education", "mandatory": True}]
    return _describe_position(fixed)


def _a_candidate(args: dict[str, Any]) -> dict[str, Any]:
    """The demo position, an e-mail of its own (a repeat is not applicable), a readable file."""
    fixed = dict(args) | {"position_id": DEMO_POSITION_ID}
    tag = zlib.crc32(json.dumps(args, sort_keys=True, default=str).encode())
    fixed["candidate_email"] = f"fuzz{tag}@example.com"
    if fixed.get("candidate_country_code") is not None:
        fixed["candidate_country_code"] = "DE"
    if isinstance(fixed.get("form"), dict):
        fixed["form"] = {
            key: value for key, value in fixed["form"].items() if key not in ("residency", "nationality")
        }
    return (
        _a_file(fixed)
        if "file_path" in TOOLS_BY_NAME["pre_screen_resume_file"].arguments.model_fields
        and ("file_base64" in fixed or "file_path" in fixed or "file_name" in fixed)
        else fixed
    )


def _a_file(args: dict[str, Any]) -> dict[str, Any]:
    fixed = {name: value for name, value in args.items() if name not in ("file_path", "media_type")}
    return fixed | {
        "file_base64": base64.b64encode(b"Python engineer, Django, 4 years.").decode(),
        "file_name": "cv.txt",
    }


HELPERS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "upsert_pre_screening": _a_position,
    "pre_screen_resume_text": _a_candidate,
    "pre_screen_resume_file": lambda args: _a_file(_a_candidate(args)),
    "upload_knowledge_base_document": _a_file,
    "create_interview": _sensible_length,
    "create_interview_from_questions": _consistent_questions,
    "create_interview_for_candidate": _describe_position,
    "set_interview_state": _change_something,
    "update_interview": _a_sensible_update,
    "generate_interview_report": _one_set_of_results,
    "register_users_for_interview": _unique_emails,
    "invite_users": _invitees_as_documented,
    "generate_interview_url": _ids_for_the_link,
    "get_merchant_analytics": _a_forward_range,
}


def valid_arguments(strategies: SchemaStrategies, tool: str) -> SearchStrategy[dict[str, Any]]:
    drawn: SearchStrategy[dict[str, Any]] = strategies.valid()
    helper = HELPERS.get(tool)
    return drawn if helper is None else st.one_of(drawn, drawn.map(helper))


def junk_arguments(strategies: SchemaStrategies) -> SearchStrategy[dict[str, Any]]:
    names = list(strategies.resolve(strategies.root).get("properties", {}))
    keys = st.one_of(st.sampled_from(names), st.text(max_size=16)) if names else st.text(max_size=16)
    return st.dictionaries(keys, any_json(), max_size=6)


# ---------------------------------------------------------------------------------------------
# The oracle


def _query_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # JSON has one number type: 1.0 is the whole number 1, sent as such
    return str(value)


def _same(sent: Any, given: Any) -> bool:
    if isinstance(given, bool) and isinstance(sent, str):  # the API's string booleans (hide_menu)
        return sent == ("true" if given else "false")
    if isinstance(sent, bool) or isinstance(given, bool):
        return sent is given
    if isinstance(sent, int | float) and isinstance(given, int | float):
        return math.isclose(sent, given, rel_tol=1e-12, abs_tol=0.0) or sent == given
    if isinstance(sent, dict) and isinstance(given, dict):
        return sent.keys() == given.keys() and all(_same(sent[k], given[k]) for k in sent)
    if isinstance(sent, list) and isinstance(given, list):
        return len(sent) == len(given) and all(_same(a, b) for a, b in zip(sent, given, strict=True))
    return bool(sent == given)


def check_passthrough(tool: str, arguments: dict[str, Any], request: RecordedRequest, values: bool) -> None:
    """The request carries exactly the contract fields the caller gave (and, if `values`, their values).

    Values are compared only for schema-valid arguments: junk the server accepts by lax coercion
    (`"5"` for 5, `false` for 0) is sent converted, which the contract check has already judged.
    """
    fields = contract_fields(tool)
    given = {name: value for name, value in arguments.items() if name in fields}
    cleared = arguments.get("clear_fields")  # update_interview: named fields are sent as null
    if isinstance(cleared, list):
        given |= {name: None for name in cleared if isinstance(name, str) and name in fields}
    if contract_of(tool)["method"] == "GET":
        expected = {name: _query_text(value) for name, value in given.items() if value is not None}
        assert set(request.query) == set(expected), (request.query, expected)
        assert not values or request.query == expected, (request.query, expected)
        return
    if is_multipart(request):
        # Text parts: objects as JSON strings (the `form` part), the rest as text; the file part comes
        # from the file arguments, checked by the contract (tests/test_screening_tools.py: its bytes).
        parts = multipart_parts(request.headers["content-type"], request.body)
        file_part = TOOLS_BY_NAME[tool].file_part
        texts = {name: value for name, value in parts.items() if name != file_part}
        assert set(texts) == {name for name, value in given.items() if value is not None}, (texts, given)
        for name, value in texts.items():
            expected = given[name]
            decoded = json.loads(value) if isinstance(expected, dict | list) else value
            assert not values or _same(decoded, expected if isinstance(expected, dict | list) else decoded)
        return
    sent = request.json()
    assert set(sent) <= set(given), f"sent fields nobody gave: {set(sent) - set(given)}"
    assert all(given[name] is None for name in set(given) - set(sent)), "a given value was dropped"
    if tool == "update_interview":  # there a null is meaningful (it clears): sent as given
        assert set(sent) == set(given) - {
            name for name, value in given.items() if value is None and name not in sent
        }
    for name, value in sent.items():
        assert not values or _same(value, given[name]), (name, value, given[name])


def names_the_field(names: list[str], mutation: Mutation) -> bool:
    field = mutation.field
    return any(name == field or name.startswith((f"{field}.", f"{field}[")) for name in names)


def check(
    server: InProcess,
    sandbox: RunningSandbox,
    tool: str,
    arguments: dict[str, Any],
    mutation: Mutation | None,
    schema_valid: bool,
) -> str:
    """One call, judged by every invariant; returns the outcome's name for the statistics."""
    sandbox.clear_requests()
    result: CallToolResult = server.call(tool, arguments)
    requests = sandbox.requests()
    text = text_of(result)
    no_secret(result)
    if result.is_error and REFUSED in text:
        assert requests == [], f"refused, yet {len(requests)} request(s) reached JobMojito"
        names = backticked(text)
        assert names, f"a refusal must name a field: {text[:500]}"
        if mutation is not None:
            assert names_the_field(names, mutation), (
                f"{mutation} ({mutation.field}) not named in: {text[:500]}"
            )
        return "refused"
    assert mutation is None, (
        f"broken arguments ({mutation.kind} at {mutation.field}) were not refused: {text[:300]}"
    )
    assert len(requests) == 1, f"{len(requests)} requests for one call: {[r.endpoint for r in requests]}"
    problems = contract_problems(tool, requests[0])
    assert problems == [], f"the request breaks the contract: {problems}"
    check_passthrough(tool, arguments, requests[0], values=schema_valid)
    if result.is_error:
        assert is_product_error(tool, text), f"an unhandled failure, not a product message: {text[:300]}"
        return "upstream-error"
    assert isinstance(result.structured_content, dict), "a success carries structured content"
    return "ok"


def fuzz(
    server: InProcess,
    sandbox: RunningSandbox,
    known: list[str],
    outcomes: Counter[tuple[str, str, str]],
    tool: str,
    flavour: str,
    examples: int,
    repeatable: bool,
    results: list[str],
) -> None:
    strategies = strategies_for(server, tool, known, results, tighten=flavour == "valid")
    drawn: SearchStrategy[tuple[dict[str, Any], Mutation | None]]
    if flavour == "valid":
        # What agents are told (the published schema) and all the server accepts: both must pass.
        told = valid_arguments(strategies_for(server, tool, known, results, published=True), tool)
        drawn = st.one_of(valid_arguments(strategies, tool), told).map(lambda args: (args, None))
    elif flavour == "broken":
        drawn = strategies.invalid()
    else:
        drawn = junk_arguments(strategies).map(lambda args: (args, None))

    @settings(
        max_examples=examples,
        deadline=None,
        # Always repeatable for the default profile; the long one takes the loaded profile (conftest.py).
        **({"derandomize": True, "database": None} if repeatable else {}),
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )
    @given(case=drawn)
    def run(case: tuple[dict[str, Any], Mutation | None]) -> None:
        arguments, mutation = case
        schema_valid = strategies.is_valid(arguments)
        if flavour == "valid":
            assert schema_valid, "the generator drew arguments its schema refuses"
        outcome = check(server, sandbox, tool, arguments, mutation, schema_valid)
        outcomes[(tool, flavour, outcome)] += 1

    run()


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("tool", TOOLS)
def test_fuzz(
    server: InProcess,
    sandbox: RunningSandbox,
    known_interviews: list[str],
    known_results: list[str],
    outcomes: Counter[tuple[str, str, str]],
    tool: str,
    flavour: str,
) -> None:
    fuzz(server, sandbox, known_interviews, outcomes, tool, flavour, DEFAULT_EXAMPLES, True, known_results)


@pytest.mark.slow
@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("tool", TOOLS)
def test_fuzz_long(
    server: InProcess,
    sandbox: RunningSandbox,
    known_interviews: list[str],
    known_results: list[str],
    outcomes: Counter[tuple[str, str, str]],
    tool: str,
    flavour: str,
) -> None:
    fuzz(server, sandbox, known_interviews, outcomes, tool, flavour, LONG_EXAMPLES, False, known_results)


# ---------------------------------------------------------------------------------------------
# Whatever JobMojito answers with 200, the result is usable or a product error: never a crash.

VALID_CALLS: dict[str, Callable[[list[str]], dict[str, Any]]] = {
    "list_avatars": lambda known: {"limit": 3},
    "create_interview": lambda known: cookbook("create_interview"),
    "create_interview_from_questions": lambda known: cookbook("create_interview_from_questions"),
    "create_interview_for_candidate": lambda known: cookbook("create_interview_for_candidate"),
    "set_interview_state": lambda known: {"position_id": known[0], "status": "active"},
    "get_interview_definition": lambda known: {"position_id": known[0]},
    "list_interviews": lambda known: {"limit": 3},
    "update_interview": lambda known: {"position_id": known[0], "interview_salary": "60k"},
    "register_users_for_interview": lambda known: {
        "interview_id": known[0],
        "users": [{"email": "answer@example.com"}],
        "send_email": False,
    },
    "list_interview_results": lambda known: {"interview_id": known[0]},
    "get_interview_result_details": lambda known: {
        "interview_result_id": "9c1b7a52-3f0e-4f2a-9d3e-2b8f1c0de4f2"
    },
    "generate_interview_report": lambda known: {
        "export_type": "json",
        "interview_result_id": "9c1b7a52-3f0e-4f2a-9d3e-2b8f1c0de4f2",
    },
    "get_merchant_status": lambda known: {},
    "list_candidates": lambda known: {"limit": 3},
    "request_another_interview_attempt": lambda known: {
        "interview_result_id": "9c1b7a52-3f0e-4f2a-9d3e-2b8f1c0de4f2"
    },
    "generate_interview_url": lambda known: {
        "type": "interview-results-for-position",
        "interview_id": known[0],
    },
    "list_languages": lambda known: {},
    "get_merchant_analytics": lambda known: {"date_from": "2026-01-01", "date_to": "2026-01-31"},
    "get_merchant_credit_usage": lambda known: {},
    "list_sub_merchants": lambda known: {},
    "invite_users": lambda known: {"users": [{"email": "answer@example.com", "type": "user"}]},
    "upsert_pre_screening": lambda known: {
        "position_name": "Support agent",
        "position_location": "Lisbon",
        "position_country_code": "PT",
        "mojito_language_code": "en",
        "status": "active",
    },
    "pre_screen_resume_text": lambda known: {
        "position_id": DEMO_POSITION_ID,
        "candidate_name": "Ada Answer",
        "candidate_email": "answer@example.com",
        "candidate_resume": "Python engineer, 5 years.",
    },
    "pre_screen_resume_file": lambda known: {
        "position_id": DEMO_POSITION_ID,
        "candidate_name": "Ada Answer",
        "candidate_email": "answer@example.com",
        "file_base64": base64.b64encode(b"Python engineer, 5 years.").decode(),
        "file_name": "cv.txt",
    },
    "upload_knowledge_base_document": lambda known: {
        "knowledge_base_store_id": KNOWLEDGE_BASE_ID,
        "file_base64": base64.b64encode(b"Benefits: 30 days of paid leave.").decode(),
        "file_name": "benefits.txt",
    },
    "create_persona": lambda known: {
        "name": "Fuzz persona", "interview_template_id": DEFAULT_TEMPLATE_ID, "mojito_language_code": "en",
        "status": "draft", "visibility": "merchant_public", "portal": "coaching",
        "persona_role_avatar": "play a customer", "persona_role_user": "help the customer",
    },
    "list_catalogue_directories": lambda known: {"limit": 5},
    "get_catalogue_directory": lambda known: {"id": "start"},
    "create_catalogue_directory": lambda known: {
        "id": "fuzz-directory", "name": "Fuzz", "status": "draft", "visibility": "merchant_public"
    },
    "update_catalogue_directory": lambda known: {"id": "fuzz-directory", "name": "Fuzzed"},
}  # fmt: skip


def answers(tool: str) -> SearchStrategy[Any]:
    """Bodies JobMojito may send: anything its contract allows for 200, or any JSON at all."""
    documented = SchemaStrategies(to_json_schema(contract_of(tool)["responses"]["200"])).valid()
    return st.one_of(documented, documented, any_json(max_leaves=12))


def answer_fuzz(
    server: InProcess, sandbox: RunningSandbox, known: list[str], tool: str, examples: int, repeatable: bool
) -> None:
    endpoint = ENDPOINT_OF[tool]
    arguments = VALID_CALLS[tool](known)

    @settings(
        max_examples=examples,
        deadline=None,
        # Always repeatable for the default profile; the long one takes the loaded profile (conftest.py).
        **({"derandomize": True, "database": None} if repeatable else {}),
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(body=answers(tool))
    def run(body: Any) -> None:
        sandbox.clear_requests()
        sandbox.state.faults.clear()
        sandbox.inject(endpoint, "status", status=200, body=json.dumps(body))
        result = server.call(tool, arguments)
        text = text_of(result)
        assert len(sandbox.requests(endpoint)) == 1
        no_secret(result)
        if result.is_error:
            assert is_product_error(tool, text), text[:300]
            if tool in CREATES:
                assert "may have been created" in text or "may have created" in text, text
            if tool == "register_users_for_interview":
                assert "may have registered the candidates" in text, text
            if tool in STORES:
                assert f"may have {TOOLS_BY_NAME[tool].effect}" in text, text
        else:
            assert isinstance(result.structured_content, dict)

    run()


@pytest.mark.parametrize("tool", TOOLS)
def test_any_answer_is_a_result_or_a_product_error(
    server: InProcess, sandbox: RunningSandbox, known_interviews: list[str], tool: str
) -> None:
    answer_fuzz(server, sandbox, known_interviews, tool, DEFAULT_EXAMPLES * 2, repeatable=True)


@pytest.mark.slow
@pytest.mark.parametrize("tool", TOOLS)
def test_any_answer_is_a_result_or_a_product_error_long(
    server: InProcess, sandbox: RunningSandbox, known_interviews: list[str], tool: str
) -> None:
    answer_fuzz(server, sandbox, known_interviews, tool, LONG_EXAMPLES, repeatable=False)


# ---------------------------------------------------------------------------------------------
# Bugs the fuzzing found, fixed in the product; these keep them fixed


def test_published_schemas_use_only_json_schema_keywords(server: InProcess) -> None:
    """An agent (or client) reading inputSchema must learn every constraint the server enforces."""
    vocabulary = {
        "$defs", "$ref", "additionalProperties", "anyOf", "default", "description", "enum",
        "exclusiveMinimum", "format", "items", "maxItems", "maxLength", "maximum", "minItems", "pattern",
        "minLength", "minimum", "properties", "required", "title", "type",
    }  # fmt: skip
    foreign: set[tuple[str, str]] = set()

    def walk(tool: str, node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("properties", "$defs"):
                    for sub in value.values():
                        walk(tool, sub)
                    continue
                if key not in vocabulary:
                    foreign.add((tool, key))
                walk(tool, value)
        elif isinstance(node, list):
            for item in node:
                walk(tool, item)

    for name, tool in server.tools.items():
        walk(name, tool.input_schema)
    assert foreign == set(), f"keywords no JSON Schema validator understands: {sorted(foreign)}"


@pytest.mark.parametrize("filter_text", ["x" * 70_000, "é" * 11_000], ids=["ascii-70k", "unicode-11k"])
def test_a_query_over_the_url_limit_is_refused_not_crashed(
    server: InProcess, sandbox: RunningSandbox, filter_text: str
) -> None:
    sandbox.clear_requests()
    result = server.call("list_avatars", {"filter_text": filter_text})
    text = text_of(result)
    assert result.is_error
    assert is_product_error("list_avatars", text), text
    assert "`filter_text`" in text or "too long" in text, text
    assert sandbox.requests() == []


@pytest.mark.parametrize("name", ["function-name", "lax-mode", "constrained-output", "json-or-python"])
def test_unknown_argument_is_named_whatever_its_name(server: InProcess, name: str) -> None:
    result = server.call("list_avatars", {name: 1})
    assert result.is_error
    assert f"`{name}`" in text_of(result), text_of(result)


@pytest.mark.parametrize(
    ("name", "named"),
    [
        (" ", '" "'),
        ("a  b", '"a  b"'),
        ("tab\there", '"tab\\there"'),
        ("a`b", '"a\\u0060b"'),
        ('say "hi"', '"say \\"hi\\""'),
    ],
    ids=["blank", "double-space", "tab", "backtick", "quotes"],
)
def test_an_unknown_argument_with_an_awkward_name_is_named_exactly(
    server: InProcess, sandbox: RunningSandbox, name: str, named: str
) -> None:
    # Found by the long fuzz: a blank name was reported as `(arguments)`, a doubled space collapsed.
    sandbox.clear_requests()
    result = server.call("list_avatars", {name: 1})
    assert result.is_error
    assert f"- `{named}`: unknown argument" in text_of(result), text_of(result)
    assert json.loads(named) == name
    assert sandbox.requests() == []


@pytest.mark.parametrize("tool", ["list_avatars", "list_interviews"])
def test_a_whole_float_page_size_is_sent_as_a_whole_number(
    server: InProcess, sandbox: RunningSandbox, tool: str
) -> None:
    # Found by the long fuzz (the harness expected "1.0"): JSON's 1.0 is the integer 1, and goes as "1".
    sandbox.clear_requests()
    result = server.call(tool, {"limit": 1.0})
    assert not result.is_error, text_of(result)
    [request] = sandbox.requests()
    assert request.query["limit"] == "1"


def test_a_backtick_in_a_bad_value_does_not_hide_the_next_field(
    server: InProcess, sandbox: RunningSandbox, known_interviews: list[str]
) -> None:
    # Found by the long fuzz: `(got '`')` left the fields after it unreadable to a parser of the list.
    sandbox.clear_requests()
    result = server.call(
        "register_users_for_interview", {"interview_id": known_interviews[0], "users": [{"email": "`"}]}
    )
    assert result.is_error
    assert backticked(text_of(result)) == ["users[0].email", "send_email"], text_of(result)
    assert sandbox.requests() == []


BOUNDLESS_REFUSALS = [
    pytest.param(
        "create_interview_from_questions",
        {"questions": [{"duration": -1}] * 5_000},
        "questions[0].question",
        id="5000-bad-questions",
    ),
    pytest.param("list_avatars", {"k" * 1_000_000: 1}, None, id="1MB-argument-name"),
]


@pytest.mark.parametrize(("tool", "extra", "field"), BOUNDLESS_REFUSALS)
def test_a_refusal_stays_short_however_bad_the_arguments(
    server: InProcess, sandbox: RunningSandbox, tool: str, extra: dict[str, Any], field: str | None
) -> None:
    sandbox.clear_requests()
    result = server.call(tool, (cookbook(tool) if tool in COOKBOOK else {}) | extra)
    text = text_of(result)
    assert result.is_error and REFUSED in text
    assert field is None or f"`{field}`" in text
    assert sandbox.requests() == []
    assert len(text.encode()) <= 32 * 1024, f"{len(text.encode()):,} bytes of error text"


LAX_ANSWERS = [
    pytest.param(
        "create_interview",
        {
            "interview_def_set_id": "3f0c9a52-41d7-4b7e-9e0a-5c1d2e3f4a5b",
            "questions_generated": "8",
            "max_duration": 1200,
        },
        id="create-questions_generated-as-text",
    ),
    pytest.param(
        "create_interview_from_questions",
        {"interview_def_set_id": "3f0c9a52-41d7-4b7e-9e0a-5c1d2e3f4a5b", "max_duration": "1200"},
        id="from-questions-max_duration-as-text",
    ),
    pytest.param("set_interview_state", {"success": "true"}, id="set-state-success-as-text"),
]


@pytest.mark.parametrize(("tool", "body"), LAX_ANSWERS)
def test_a_loosely_typed_answer_still_matches_the_output_schema(
    server: InProcess, sandbox: RunningSandbox, known_interviews: list[str], tool: str, body: dict[str, Any]
) -> None:
    sandbox.state.faults.clear()
    sandbox.inject(ENDPOINT_OF[tool], "status", status=200, body=body)
    result = server.call(tool, VALID_CALLS[tool](known_interviews))  # raises when the client rejects it
    assert not result.is_error, text_of(result)


NULL_IN_NESTED = [
    pytest.param(
        "create_interview",
        {"pdf_export_auto_config": {"template": None}},
        "pdf_export_auto_config.template",
        id="pdf-template",
    ),
    pytest.param(
        "create_interview_from_questions",
        {"candidate_expectations_json": {"strong": None}},
        "candidate_expectations_json.strong",
        id="expectations-strong",
    ),
    pytest.param(
        "create_interview_from_questions",
        {"questions": [{"question": "Why this role?", "id": None}]},
        "questions[0].id",
        id="question-id",
    ),
]


@pytest.mark.parametrize(("tool", "extra", "field"), NULL_IN_NESTED)
def test_null_in_a_nested_field_is_not_sent_upstream(
    server: InProcess, sandbox: RunningSandbox, tool: str, extra: dict[str, Any], field: str
) -> None:
    sandbox.clear_requests()
    result = server.call(tool, cookbook(tool) | extra)
    requests = sandbox.requests()
    if requests:  # sent: then it must be a request the contract accepts (the null dropped)
        assert contract_problems(tool, requests[0]) == []
    else:  # refused: naming the field
        assert result.is_error and f"`{field}`" in text_of(result), text_of(result)
