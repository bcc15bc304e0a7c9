"""Issue 18: the README's walkthrough of a whole changning round with `curl` is run, line by line,
against the app, so what it shows stays true (changning-21c's and changning-25c's notices included).

The README block (after ``<!-- walkthrough -->``) is shell a reader can paste; here it is read by a
small interpreter of the subset it uses, with no shell, curl or jq needed:

- ``NAME=value`` (quoted as the shell quotes it) keeps a value;
- ``NAME=$(qaward token ARGS | tail -1)`` a development token, made by the CLI's own parser;
- ``curl -sf [-X METHOD] [-H 'Header: value']... [-d BODY] URL [| jq -r PATH]`` one request
  (through the ASGI client; ``-f``: it must answer 2xx), ``NAME=$(curl ... | jq -r PATH)`` keeps
  what ``jq`` would print (paths such as ``.id``, ``.[0].id``, ``.deadlines[0].ends_at``);
- ``# → VALUE`` after a command: the value it prints.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from app.cli import build_parser
from app.identity import issue_dev_token
from tests.intake.completing import PDF

README = Path(__file__).resolve().parents[2] / "README.md"
MARKER = "<!-- walkthrough -->"
SERVER = "http://127.0.0.1:8000"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_EXPECT = re.compile(r"\s+#\s*→\s*(.*)$")


def walkthrough() -> list[str]:
    """The block's commands, continuation lines joined, comments and blank lines dropped."""
    text = README.read_text(encoding="utf-8")
    assert MARKER in text, "the README's walkthrough block is marked <!-- walkthrough -->"
    block = re.search(r"```bash\n(.*?)```", text[text.index(MARKER) :], re.S)
    assert block is not None
    joined = block.group(1).replace("\\\n", " ")
    return [line.strip() for line in joined.splitlines() if line.strip() and not line.strip().startswith("#")]


def words(text: str, env: dict[str, str]) -> list[str]:
    """Split as the shell does: '...' literal, "..." with $NAME expanded and \\" \\\\ \\$ escapes, $NAME bare."""
    out: list[str] = []
    word: list[str] | None = None
    i = 0

    def expand(j: int) -> tuple[str, int]:
        braced = text[j] == "{"
        m = _NAME.match(text, j + braced)
        assert m is not None, f"a bare $ at {j}: {text}"
        end = m.end() + braced
        assert m.group(0) in env, f"${m.group(0)} is used before it is set"
        return env[m.group(0)], end

    while i < len(text):
        c = text[i]
        if c.isspace():
            if word is not None:
                out.append("".join(word))
                word = None
            i += 1
            continue
        word = word if word is not None else []
        if c == "'":
            end = text.index("'", i + 1)
            word.append(text[i + 1 : end])
            i = end + 1
        elif c == '"':
            i += 1
            while text[i] != '"':
                if text[i] == "\\" and text[i + 1] in '"\\$':
                    word.append(text[i + 1])
                    i += 2
                elif text[i] == "$":
                    value, i = expand(i + 1)
                    word.append(value)
                else:
                    word.append(text[i])
                    i += 1
            i += 1
        elif c == "$":
            value, i = expand(i + 1)
            word.append(value)
        else:
            word.append(c)
            i += 1
    if word is not None:
        out.append("".join(word))
    return out


def jq(value: Any, path: str) -> str:
    """What ``jq -r PATH`` prints for ``value`` (the paths the walkthrough uses)."""
    assert re.fullmatch(r"(\.[A-Za-z_]\w*|\.?\[\d+\])+", path), f"unsupported jq path {path}"
    for name, index in re.findall(r"\.([A-Za-z_]\w*)|\[(\d+)\]", path):
        if name:
            assert isinstance(value, dict), f"{path}: not an object: {value}"
            value = value.get(name)
        else:
            assert isinstance(value, list), f"{path}: not an array: {value}"
            value = value[int(index)] if int(index) < len(value) else None
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


class Shell:
    def __init__(self, client, settings) -> None:
        self.client, self.settings = client, settings
        self.env: dict[str, str] = {}
        self.requests = 0
        self.printed: list[tuple[str, str]] = []

    async def run(self, line: str) -> None:
        expected = None
        if m := _EXPECT.search(line):
            line, expected = line[: m.start()], m.group(1).strip()
        name = None
        if (m := re.match(r"([A-Za-z_]\w*)=(.*)$", line)) is not None:
            name, line = m.group(1), m.group(2)
            if not line.startswith("$("):
                (self.env[name],) = words(line, self.env)
                return
            assert line.endswith(")"), line
            line = line[2:-1]
        stages = [s.strip() for s in line.split(" | ")]
        printed = await self.command(words(stages[0], self.env))
        for stage in stages[1:]:
            argv = words(stage, self.env)
            if argv == ["tail", "-1"]:
                printed = printed.splitlines()[-1]
            else:
                assert argv[:2] == ["jq", "-r"] and len(argv) == 3, stage
                printed = jq(json.loads(printed), argv[2])
        self.printed.append((line, printed))
        if name is not None:
            self.env[name] = printed
        if expected is not None:
            assert printed == expected, f"{line}\nprinted {printed!r}, the README says {expected!r}"

    async def command(self, argv: list[str]) -> str:
        if argv[0] == "qaward":
            args = build_parser().parse_args(argv[1:])
            assert args.func.__name__ == "cmd_token", argv
            return issue_dev_token(
                self.settings,
                sub=args.sub,
                roles=args.role or [],
                programme=args.programme,
                unit=args.unit,
                applicant=args.applicant,
                client=args.client,
                verified_id_number=args.id_number,
                verified_credit_code=args.credit_code,
            )
        assert argv[0] == "curl", argv
        return await self.curl(argv[1:])

    async def curl(self, argv: list[str]) -> str:
        method, headers, body, url, fail = None, {}, None, None, False
        i = 0
        while i < len(argv):
            a = argv[i]
            if a in ("-X", "--request"):
                method, i = argv[i + 1], i + 2
            elif a in ("-H", "--header"):
                key, _, value = argv[i + 1].partition(":")
                headers[key.strip()] = value.strip()
                i += 2
            elif a in ("-d", "--data", "--data-raw"):
                body, i = argv[i + 1].encode(), i + 2
            elif a == "--data-binary" and argv[i + 1].startswith("@"):
                # a file of the reader's own (a scanned form, a report): a small PDF stands in for it
                body, i = PDF, i + 2
            elif re.fullmatch(r"-[sSf]+", a):
                fail = fail or "f" in a
                i += 1
            else:
                assert not a.startswith("-"), f"unsupported curl option {a}"
                url, i = a, i + 1
        assert url is not None and url.startswith(SERVER), url
        method = method or ("POST" if body is not None else "GET")
        r = await self.client.request(method, url[len(SERVER) :], headers=headers, content=body)
        self.requests += 1
        if fail:
            assert r.status_code < 400, f"{method} {url} → {r.status_code}: {r.text}"
        return r.text


async def test_the_readme_walkthrough_runs_a_changning_round_from_the_first_token_to_the_award__changning_25c(
    client, settings
):
    shell = Shell(client, settings)
    for line in walkthrough():
        await shell.run(line)
    assert shell.requests > 30
    got = await client.get(
        f"/api/v1/applications/{shell.env['APP']}", headers={"Authorization": f"Bearer {shell.env['OFFICE']}"}
    )
    assert got.json()["state"] == "awarded" and got.json()["tier"] == "gold"


def test_the_interpreter_splits_and_expands_as_the_shell_does():
    env = {"A": "x y", "B": "z", "J": '{"k": 1}'}
    assert words("""curl -H "If-Match: \\"v$A\\"" '$A' $B/${B}""", env) == [
        "curl",
        "-H",
        'If-Match: "vx y"',
        "$A",
        "z/z",
    ]
    assert words('-d "{\\"s\\": $J}"', env) == ["-d", '{"s": {"k": 1}}']
    assert jq({"a": [{"id": 7}], "b": None}, ".a[0].id") == "7" and jq([{"id": "u"}], ".[0].id") == "u"
    assert jq({"b": None}, ".b") == "null"
