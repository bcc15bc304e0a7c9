"""Seed a province's ten years of awards (issue 21, "Data over years"), loaded with COPY.

    python bench/seed.py [--quick] [--database-url URL] [--data-dir DIR] [--jobs N]

The target data set: 100 programmes (copies of the five definitions under distinct codes,
written as definition files into ``DIR/programmes``: programmes are data, a server sees them
with ``QAWARD_PROGRAMME_DIRS=DIR/programmes``), 10 years of rounds (2017-2026, one per programme
and year), 1,000,000 applications over a realistic mix of states (finished rounds end in their
final states; the current year's are in progress), 10,000,000 history entries forming a valid
hash chain per application (``qaward audit verify`` passes on them), 200,000 objections on the
rounds' qualification notices, 2,000,000 material records (metadata only: no files) and the
organisations applying (统一社会信用代码 valid per GB 32100 and python-stdnum). ``--quick``: 1/100
of it (10 programmes, 10,000 applications, ...).

Without ``--database-url`` it starts its own embedded PostgreSQL (pgserver) under
``DIR/pgdata`` (default ``DIR`` = ``.qaward-seed``, or ``.qaward-seed-quick``) and leaves it
there, so ``bench/scale.py`` and ``qaward serve`` (``QAWARD_DATA_DIR=DIR``) find it. The schema
is migrated first; a database that already holds applications is left alone. The rows are made
in ``--jobs`` processes (default 2), each over its share of the rounds, deterministic (the same
rows every run), and sent with ``COPY ... FROM STDIN``; foreign keys are not re-checked row by
row where the role may skip them (``session_replication_role = replica``): the seeder makes
them consistent. ``DIR/seed.json`` records the counts and the time each step took.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import multiprocessing
import os
import random
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg2
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.db.repositories.workflow import HISTORY_COLUMNS  # noqa: E402
from app.db.runtime import migrate  # noqa: E402
from app.domain import history  # noqa: E402
from app.domain.identifiers import credit_check_character  # noqa: E402
from app.domain.programmes.registry import DEFINITIONS_DIR  # noqa: E402

FULL = {"programmes": 100, "applications": 1_000_000, "events": 10_000_000, "objections": 200_000, "materials": 2}
YEARS = list(range(2017, 2027))
CURRENT_YEAR = YEARS[-1]
# the round the export bench reads: ten times an ordinary round (10,000 applications in the full set)
BIG_ROUND_WEIGHT = 10

# --- what the rows say ----------------------------------------------------------------------------

# the main line every programme's pipeline follows (names of states as the database spells them)
MAIN_LINE = [
    "draft",
    "awaiting_recommendation",
    "preliminary_review",
    "qualification_review",
    "qualification_notice",
    "material_review",
    "onsite_notice",
    "onsite_review",
    "defence",
    "comprehensive_evaluation",
    "committee_review",
    "award_notice",
    "government_approval",
    "awarded",
]
EVENT_INTO = {
    "awaiting_recommendation": ("submit", "applicant"),
    "preliminary_review": ("recommend", "recommender"),
    "qualification_review": ("pass_preliminary", "office"),
    "qualification_notice": ("publish_qualification_notice", "office"),
    "material_review": ("close_notice", "system"),
    "onsite_notice": ("shortlist", "office"),
    "onsite_review": ("close_notice", "system"),
    "defence": ("finish_onsite_review", "office"),
    "comprehensive_evaluation": ("finish_defence", "office"),
    "committee_review": ("evaluate", "office"),
    "award_notice": ("decide", "committee"),
    "government_approval": ("close_notice", "system"),
    "awarded": ("approve", "office"),
    "withdrawn": ("withdraw", "applicant"),
    "ineligible": ("fail_qualification", "office"),
    "not_shortlisted": ("not_shortlist", "office"),
    "not_selected": ("not_select", "committee"),
    "disqualified": ("disqualify", "office"),
    "revoked": ("revoke", "office"),
}
# a final state and the main-line state it leaves from
ENDS = {
    "ineligible": "qualification_review",
    "not_shortlisted": "material_review",
    "disqualified": "onsite_review",
    "not_selected": "committee_review",
    "revoked": "awarded",
}
PAST_MIX = [
    ("awarded", 0.03),
    ("revoked", 0.002),
    ("not_selected", 0.10),
    ("disqualified", 0.018),
    ("not_shortlisted", 0.45),
    ("ineligible", 0.25),
    ("withdrawn", 0.15),
]
CURRENT_MIX = [
    ("draft", 0.08),
    ("awaiting_recommendation", 0.05),
    ("preliminary_review", 0.05),
    ("qualification_review", 0.17),
    ("qualification_notice", 0.10),
    ("material_review", 0.25),
    ("ineligible", 0.22),
    ("withdrawn", 0.08),
]
# hangzhou-3.3.7c's target as an objection records it (app/workflow/notices/objections.py)
VERIFICATION_RULE = json.dumps(
    {"unit": "working_day", "length": 5, "count_start_day": False, "stated": True, "clause": None, "from": "receipt"}
)
# an event the office records without moving the state (a note, a refused attempt): pads the history
INTERNAL_EVENTS = [("pass_qualification", "office", True, None), ("submit", "applicant", False, "guard_failed")]

REGIONS = [
    "华东",
    "华南",
    "华北",
    "华中",
    "西南",
    "东方",
    "海天",
    "长江",
    "黄浦",
    "松江",
    "金山",
    "钱塘",
    "之江",
    "临沂",
    "天宁",
    "沂蒙",
    "长宁",
    "滨江",
    "太湖",
    "申城",
]
WORDS = [
    "精密",
    "智能",
    "新材料",
    "电子",
    "机械",
    "生物",
    "医药",
    "环保",
    "能源",
    "汽车",
    "纺织",
    "食品",
    "化工",
    "光电",
    "仪器",
    "软件",
    "数据",
    "物流",
    "建设",
    "建材",
    "通信",
    "航空",
    "船舶",
    "半导体",
    "装备",
    "检测",
    "质量",
    "标准",
    "家居",
    "服装",
    "印刷",
    "包装",
    "模具",
    "轴承",
    "阀门",
    "电缆",
    "照明",
    "制药",
    "农业",
    "茶叶",
]
TRADES = ["科技", "实业", "制造", "工业", "技术", "集团", "发展", "控股", "电器", "设备"]
SUFFIXES = ["有限公司", "股份有限公司", "有限责任公司"]
SURNAMES = [
    "王",
    "李",
    "张",
    "刘",
    "陈",
    "杨",
    "黄",
    "赵",
    "吴",
    "周",
    "徐",
    "孙",
    "马",
    "朱",
    "胡",
    "郭",
    "何",
    "高",
    "林",
    "罗",
]
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀",
    "霞",
    "平",
    "刚",
    "桂",
    "华",
    "建",
    "国",
    "红",
    "文",
    "斌",
]
MATERIAL_KINDS = [("self_assessment_report", "自我评价报告.pdf"), ("evidence", "证实性材料.pdf")]


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def organisation_name(i: int) -> str:
    r, w1, w2, t, s = (
        i % len(REGIONS),
        (i // 20) % len(WORDS),
        (i // 800) % len(WORDS),
        (i // 32000) % len(TRADES),
        (i // 320000) % len(SUFFIXES),
    )
    second = "" if w1 == w2 else WORDS[w2]
    return f"{REGIONS[r]}{WORDS[w1]}{second}{TRADES[t]}{SUFFIXES[s]}"


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")


def credit_code(division: str, i: int) -> str:
    """A 统一社会信用代码: 9 (工商) 1 (企业), the division, a nine-character organisation code, the check."""
    first17 = f"91{division}{i:09d}"
    return first17 + credit_check_character(first17)


# --- programmes (data files) ------------------------------------------------------------------------


@dataclass(frozen=True)
class Programme:
    code: str
    version: str
    division: str
    categories: tuple[tuple[str, str, str], ...]  # (code, name_zh, applicant_kind)
    tiers: tuple[tuple[str, str], ...]


def write_programmes(n: int, folder: Path | None) -> list[Programme]:
    """``n`` programmes, copies of the shipped definitions in turn, each a file named by its code.

    ``folder`` None: the shipped programmes themselves, under their own codes (at most five; the
    tests, whose app reads no programme folder).
    """
    sources = sorted(DEFINITIONS_DIR.glob("*.yaml"))
    if folder is None:
        n = min(n, len(sources))
    else:
        folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        src = sources[i % len(sources)]
        raw = yaml.safe_load(src.read_text(encoding="utf-8"))
        code = raw["code"]
        if folder is not None:
            code = f"{raw['code']}_{i // len(sources) + 1:02d}"
            raw["code"] = code
            raw["name_zh"] = f"{raw['name_zh']}（{i // len(sources) + 1:02d}）"
            path = folder / f"{code}.yaml"
            text = f"# bench/seed.py: a copy of {src.name} under its own code\n" + yaml.safe_dump(
                raw, allow_unicode=True, sort_keys=False
            )
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                path.write_text(text, encoding="utf-8")
        v = raw["versions"][-1]
        out.append(
            Programme(
                code,
                str(v["id"]),
                str(raw["jurisdiction"]["division"]),
                tuple((c["code"], c["name_zh"], c["applicant_kind"]) for c in v["categories"]),
                tuple((t["code"], t["name_zh"]) for t in v.get("tiers") or []),
            )
        )
    return out


# --- COPY text ----------------------------------------------------------------------------------------

N = "\\N"


def _t(v) -> str:
    if v is None:
        return N
    if isinstance(v, bool):
        return "t" if v else "f"
    if isinstance(v, datetime):
        return v.isoformat()
    return str(v).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


class Copier:
    """Rows buffered per table as COPY text, sent when a buffer grows, tables in foreign-key order."""

    ORDER = ("applicants", "rounds", "applications", "notices", "application_events", "application_materials")
    ORDER += ("notice_entries", "objections")

    def __init__(self, conn, columns: dict[str, tuple[str, ...]], flush_rows: int = 50_000) -> None:
        self.conn = conn
        self.columns = columns
        self.buffers = {t: io.StringIO() for t in columns}
        self.counts = dict.fromkeys(columns, 0)
        self.pending = 0
        self.flush_rows = flush_rows

    def add(self, table: str, row: tuple) -> None:
        self.buffers[table].write("\t".join(_t(v) for v in row))
        self.buffers[table].write("\n")
        self.counts[table] += 1
        self.pending += 1

    def add_raw(self, table: str, line: str) -> None:
        self.buffers[table].write(line)
        self.counts[table] += 1
        self.pending += 1

    def maybe_flush(self) -> None:
        if self.pending >= self.flush_rows:
            self.flush()

    def flush(self) -> None:
        with self.conn.cursor() as cur:
            for table in self.ORDER:
                buf = self.buffers.get(table)
                if buf is None or buf.tell() == 0:
                    continue
                buf.seek(0)
                cols = ", ".join(self.columns[table])
                cur.copy_expert(f"COPY {table} ({cols}) FROM STDIN", buf)
                self.buffers[table] = io.StringIO()
        self.conn.commit()
        self.pending = 0


COLUMNS = {
    "applicants": (
        "id",
        "kind",
        "name",
        "registered_by_programme",
        "credit_code",
        "legal_form",
        "industry",
        "size",
        "registered_jurisdiction",
        "records",
        "other_level_applications",
        "version",
        "created_by",
        "created_at",
        "updated_at",
    ),
    "rounds": (
        "id",
        "programme",
        "programme_version",
        "label",
        "state",
        "call_title",
        "call_published_on",
        "opens_at",
        "closes_at",
        "overrides",
        "override_log",
        "version",
        "created_by",
        "created_at",
        "updated_at",
    ),
    "applications": (
        "id",
        "round_id",
        "programme",
        "programme_version",
        "category",
        "tier_sought",
        "tier",
        "applicant_kind",
        "applicant_name",
        "credit_code",
        "id_number_hash",
        "id_number_masked",
        "applicant_ref",
        "applicant_id",
        "recommending_unit",
        "state",
        "outcome",
        "version",
        "history_seq",
        "history_head",
        "created_by",
        "created_at",
        "updated_at",
    ),
    "application_events": HISTORY_COLUMNS,
    "application_materials": (
        "id",
        "application_id",
        "kind",
        "filename",
        "content_type",
        "size",
        "sha256",
        "storage_key",
        "key_version",
        "uploaded_by",
        "created_at",
    ),
    "notices": (
        "id",
        "round_id",
        "programme",
        "programme_version",
        "round_label",
        "stage",
        "point",
        "name_zh",
        "title_zh",
        "audiences",
        "objections_allowed",
        "published_at",
        "published_on",
        "first_day_on",
        "last_day_on",
        "ends_at",
        "period_zh",
        "rule",
        "calendar_revision",
        "objection_channel_zh",
        "verification",
        "published_by",
        "closed_at",
        "created_at",
    ),
    "notice_entries": (
        "id",
        "notice_id",
        "application_id",
        "position",
        "applicant_kind",
        "name",
        "credit_code",
        "category",
        "category_name_zh",
        "unit_posting_required",
        "unit_posting_status",
        "outcome",
        "outcome_at",
        "version",
    ),
    "objections": (
        "id",
        "receipt_no",
        "secret_hash",
        "notice_id",
        "entry_id",
        "application_id",
        "programme",
        "objector_kind",
        "objector_name",
        "objector_phone",
        "objector_key",
        "facts",
        "reasons",
        "status",
        "received_at",
        "received_on",
        "verification_rule",
        "verification_due_at",
        "verification_due_on",
        "verification_calendar_revision",
        "decision_reasons",
        "result_zh",
        "decided_by",
        "decided_at",
        "version",
        "created_at",
    ),
}


# --- the hash chain, fast ----------------------------------------------------------------------------

_EMPTY = history.digest({})


def _s(v: str | None) -> str:
    return "null" if v is None else json.dumps(v, ensure_ascii=False)


def entry_hash(
    app_id: str,
    seq: int,
    at: datetime,
    actor: str,
    role: str | None,
    event: str,
    from_state: str,
    to_state: str | None,
    accepted: bool,
    refusal: str | None,
    prev: str,
) -> str:
    """``app.domain.history``'s scheme-2 hash of an entry with empty data, no reason and no request id.

    RFC 8785 of these fields is the compact JSON of their keys in sorted order (ASCII keys, no
    numbers but small integers), written here directly: the general path costs ~60 µs an entry,
    ten minutes for ten million. ``check_hash_matches_the_application`` proves them equal.
    """
    text = (
        f'{{"accepted":{"true" if accepted else "false"},"actor":{_s(actor)},"application_id":"{app_id}",'
        f'"data_digest":"{_EMPTY}","event":{_s(event)},"from_state":{_s(from_state)},"hash_scheme":2,'
        f'"occurred_at":"{at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")}","prev_hash":"{prev}","reason":null,'
        f'"refusal":{_s(refusal)},"request_id":null,"role":{_s(role)},"seq":{seq},"to_state":{_s(to_state)}}}'
    )
    return hashlib.sha256(text.encode()).hexdigest()


def check_hash_matches_the_application() -> None:
    app_id = uuid.UUID(int=7, version=4)
    at = datetime(2019, 3, 4, 5, 6, 7, tzinfo=UTC)
    for accepted, refusal, to_state, role in (
        (True, None, "awaiting_recommendation", "applicant"),
        (False, "x", None, None),
    ):
        values = history.next_entry(
            app_id,
            1,
            "",
            history.Actor("applicant-1", role, None),
            "submit",
            "draft",
            to_state,
            accepted,
            None,
            {},
            refusal,
            at,
        )
        mine = entry_hash(
            str(app_id), 1, at, "applicant-1", role, "submit", "draft", to_state, accepted, refusal, history.GENESIS
        )
        if mine != values["hash"]:
            raise SystemExit("bench/seed.py's entry hash no longer matches app/domain/history.py: update entry_hash")


# --- the plan -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundPlan:
    index: int
    id: str
    programme: Programme
    year: int
    applications: int
    first_applicant: int


def plan(size: dict, programmes: list[Programme]) -> tuple[list[RoundPlan], int]:
    rounds = [(p, y) for p in programmes for y in YEARS]
    weights = [BIG_ROUND_WEIGHT if i == len(rounds) - 1 else 1 for i in range(len(rounds))]
    total_weight = sum(weights)
    counts = [size["applications"] * w // total_weight for w in weights]
    counts[-1] += size["applications"] - sum(counts)
    applicants = max(max(counts) * 2, size["applications"] // 3)
    out, start = [], 0
    for i, ((p, y), n) in enumerate(zip(rounds, counts, strict=True)):
        rid = str(uuid.UUID(int=random.Random(f"round-{i}").getrandbits(128), version=4))
        out.append(RoundPlan(i, rid, p, y, n, start % applicants))
        start += n
    return out, applicants


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _pick(rng: random.Random, mix: list[tuple[str, float]]) -> str:
    x = rng.random()
    for state, p in mix:
        x -= p
        if x < 0:
            return state
    return mix[-1][0]


def path_to(state: str, rng: random.Random) -> list[str]:
    """The states an application passed through to ``state`` (the first is draft)."""
    if state in MAIN_LINE:
        return MAIN_LINE[: MAIN_LINE.index(state) + 1]
    if state == "withdrawn":
        leave = rng.randrange(0, MAIN_LINE.index("committee_review"))
        return MAIN_LINE[: leave + 1] + ["withdrawn"]
    return MAIN_LINE[: MAIN_LINE.index(ENDS[state]) + 1] + [state]


def seed_rounds(url: str, rounds: list[RoundPlan], applicant_count: int, size: dict, job: int) -> dict[str, int]:
    """One job: the applications of ``rounds`` with their history, materials, notice and objections."""
    conn = psycopg2.connect(url)
    with conn.cursor() as cur:
        try:
            cur.execute("SET session_replication_role = replica")
        except psycopg2.Error:
            conn.rollback()  # not a superuser: foreign keys are checked, slower but the same rows
    conn.commit()
    copier = Copier(conn, COLUMNS)
    target_events = size["events"] / size["applications"]
    objection_rate = size["objections"] / size["applications"]
    for r in rounds:
        rng = random.Random(f"apps-{r.index}")
        p = r.programme
        current = r.year == CURRENT_YEAR
        opens = datetime(r.year, 3, 1, 1, 0, tzinfo=UTC)
        notice_id = _uuid(rng)
        published = datetime(r.year, 6, 15, 2, 0, tzinfo=UTC)
        notice_rows: list[tuple] = []
        for k in range(r.applications):
            app_id = _uuid(rng)
            state = _pick(rng, CURRENT_MIX if current else PAST_MIX)
            states = path_to(state, rng)
            # one in ten an individual, where the programme has such a category
            cat_code, cat_name, kind = p.categories[1 if (k % 10 == 9 and len(p.categories) > 1) else 0]
            a_index = (r.first_applicant + k) % applicant_count
            if kind == "organisation":
                name, code, id_hash, masked, applicant_id = (
                    organisation_name(a_index),
                    credit_code(p.division, a_index),
                    None,
                    None,
                    str(uuid.UUID(int=a_index + 1, version=4)),
                )
            else:
                name, code, applicant_id = person_name(rng), None, None
                id_hash = hashlib.sha256(f"person-{a_index}".encode()).hexdigest()
                masked = f"{p.division}********{rng.randrange(1000):03d}X"
            created = opens + timedelta(days=rng.randrange(0, 60), seconds=rng.randrange(0, 86400))
            at = created
            seq, prev = 0, history.GENESIS
            internal = max(0, round(target_events - len(states) + 1 + rng.uniform(-2, 2)))
            steps: list[tuple[str, str | None, str, str, bool, str | None]] = []
            for s_from, s_to in zip(states, states[1:], strict=False):
                event, role = EVENT_INTO[s_to]
                steps.append((event, role, s_from, s_to, True, None))
            for _ in range(internal):
                pos = rng.randrange(0, len(steps) + 1)
                holder = states[min(pos, len(states) - 1)]
                event, role, accepted, refusal = rng.choice(INTERNAL_EVENTS)
                steps.insert(pos, (event, role, holder, holder if accepted else None, accepted, refusal))
            # the inserted ones sit in the state they were inserted at: rebuild from_state along the way
            state_now = "draft"
            for event, role, _from, s_to, accepted, refusal in steps:
                seq += 1
                at += timedelta(days=rng.randrange(0, 9), seconds=rng.randrange(60, 20000))
                to = (s_to if s_to != _from else state_now) if accepted else None
                actor = "system" if role == "system" else f"{role}-{p.code}"
                prev_next = entry_hash(app_id, seq, at, actor, role, event, state_now, to, accepted, refusal, prev)
                copier.add_raw(
                    "application_events",
                    f"{app_id}\t{seq}\t{at.isoformat()}\t{actor}\t{role}\t\\N\t{event}\t{state_now}\t"
                    f"{to if to is not None else N}\t{'t' if accepted else 'f'}\t{refusal if refusal else N}\t\\N\t"
                    f"{{}}\t{_EMPTY}\t{prev}\t{prev_next}\t2\n",
                )
                prev = prev_next
                if accepted and to is not None:
                    state_now = to
            updated = at
            awarded = state in ("awarded", "revoked")
            tier = p.tiers[-1][0] if (awarded and p.tiers) else None
            outcome = '{"decision": "awarded"}' if awarded else "{}"
            copier.add(
                "applications",
                (
                    app_id,
                    r.id,
                    p.code,
                    p.version,
                    cat_code,
                    tier,
                    tier,
                    kind,
                    name,
                    code,
                    id_hash,
                    masked,
                    f"acct-{a_index}",
                    applicant_id,
                    f"unit-{k % 12 + 1}",
                    state_now,
                    outcome,
                    seq + 1,
                    seq,
                    prev if seq else "",
                    f"applicant-{p.code}",
                    created,
                    updated,
                ),
            )
            for m, (mkind, filename) in enumerate(MATERIAL_KINDS[: size["materials"]]):
                digest = hashlib.sha256(f"{app_id}-{m}".encode()).hexdigest()
                copier.add(
                    "application_materials",
                    (
                        _uuid(rng),
                        app_id,
                        mkind,
                        filename,
                        "application/pdf",
                        rng.randrange(50_000, 20_000_000),
                        digest,
                        f"seed/{digest[:2]}/{digest}",
                        0,
                        f"applicant-{p.code}",
                        created + timedelta(hours=m + 1),
                    ),
                )
            if "qualification_notice" in states:
                notice_rows.append((app_id, kind, name, code, cat_code, cat_name))
        if notice_rows:
            ends = published + timedelta(days=7)
            copier.add(
                "notices",
                (
                    notice_id,
                    r.id,
                    p.code,
                    p.version,
                    str(r.year),
                    "qualification_notice",
                    "qualification",
                    "资格审查结果公示",
                    f"{r.year}年度资格审查结果公示",
                    '["public"]',
                    True,
                    published,
                    published.date(),
                    published.date(),
                    ends.date(),
                    ends,
                    f"公示期：{published.date()}至{ends.date()}24时",
                    "{}",
                    1,
                    "书面异议寄送评审办公室",
                    "{}",
                    f"office-{p.code}",
                    ends if not current else None,
                    published,
                ),
            )
            entry_ids = []
            for pos, (app_id, kind, name, code, cat_code, cat_name) in enumerate(notice_rows, start=1):
                entry_id = _uuid(rng)
                entry_ids.append((entry_id, app_id))
                copier.add(
                    "notice_entries",
                    (
                        entry_id,
                        notice_id,
                        app_id,
                        pos,
                        kind,
                        name,
                        code,
                        cat_code,
                        cat_name,
                        False,
                        "not_required",
                        "passed" if not current else None,
                        ends if not current else None,
                        1,
                    ),
                )
            for o in range(round(r.applications * objection_rate)):
                entry_id, app_id = entry_ids[o % len(entry_ids)]
                oid = _uuid(rng)
                received = published + timedelta(days=rng.randrange(0, 7), seconds=rng.randrange(0, 86400))
                decided = not current or rng.random() < 0.5
                copier.add(
                    "objections",
                    (
                        oid,
                        f"YY{r.year}{r.index:05d}{o:06d}",
                        hashlib.sha256(oid.encode()).hexdigest(),
                        notice_id,
                        entry_id,
                        app_id,
                        p.code,
                        "person",
                        person_name(rng),
                        f"138{rng.randrange(10**8):08d}",
                        hashlib.sha256(f"objector-{o % 997}".encode()).hexdigest(),
                        "申报材料中的质量管理成效数据与实际情况不符",
                        "请核查相关证明材料",
                        ("dismissed" if rng.random() < 0.9 else "upheld") if decided else "received",
                        received,
                        received.date(),
                        VERIFICATION_RULE,
                        received + timedelta(days=7),
                        (received + timedelta(days=7)).date(),
                        1,
                        "经核查，异议不成立" if decided else None,
                        "经核查，异议不成立" if decided else None,
                        f"office-{p.code}" if decided else None,
                        received + timedelta(days=3) if decided else None,
                        1,
                        received,
                    ),
                )
        copier.maybe_flush()
    copier.flush()
    conn.close()
    return copier.counts


def _job(args) -> dict[str, int]:
    return seed_rounds(*args)


# --- main -------------------------------------------------------------------------------------------------


def sizes(quick: bool, scale: float | None) -> dict:
    factor = scale if scale is not None else (0.01 if quick else 1.0)
    return {
        "programmes": max(5, round(FULL["programmes"] * min(1.0, factor * 10))),
        "applications": max(100, round(FULL["applications"] * factor)),
        "events": max(1000, round(FULL["events"] * factor)),
        "objections": round(FULL["objections"] * factor),
        "materials": FULL["materials"],
    }


def start_embedded(data_dir: Path):
    from app.db.embedded import start_embedded as start

    return start(data_dir)


def seed(url: str, data_dir: Path | None, size: dict, jobs: int) -> dict:
    """Seed ``url`` (migrated here, empty) and return the record written to ``seed.json``.

    ``data_dir`` None: the shipped programmes under their own codes, no files written.
    """
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    migrate(url)
    timings["migrate_s"] = round(time.perf_counter() - t0, 2)
    programmes = write_programmes(size["programmes"], None if data_dir is None else data_dir / "programmes")
    conn = psycopg2.connect(url)
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM applications")
        if cur.fetchone()[0]:
            conn.close()
            raise SystemExit(f"the database already holds applications: nothing seeded ({url.split('@')[-1]})")
    check_hash_matches_the_application()
    rounds, applicant_count = plan(size, programmes)
    t = time.perf_counter()
    copier = Copier(conn, COLUMNS)
    for i in range(applicant_count):
        division = programmes[i % len(programmes)].division
        when = datetime(2016, 1, 1, tzinfo=UTC) + timedelta(minutes=i)
        copier.add(
            "applicants",
            (
                str(uuid.UUID(int=i + 1, version=4)),
                "organisation",
                organisation_name(i),
                programmes[i % len(programmes)].code,
                credit_code(division, i),
                "有限责任公司",
                WORDS[i % len(WORDS)],
                ("large", "medium", "small", "micro")[i % 4],
                division,
                "{}",
                "[]",
                1,
                "seed",
                when,
                when,
            ),
        )
        copier.maybe_flush()
    for r in rounds:
        opens = datetime(r.year, 3, 1, 1, 0, tzinfo=UTC)
        copier.add(
            "rounds",
            (
                r.id,
                r.programme.code,
                r.programme.version,
                str(r.year),
                "under_review" if r.year == CURRENT_YEAR else "archived",
                f"{r.year}年度政府质量奖申报通知",
                opens.date(),
                opens,
                opens + timedelta(days=60),
                "{}",
                "[]",
                1,
                f"office-{r.programme.code}",
                opens,
                opens,
            ),
        )
    copier.flush()
    conn.close()
    timings["applicants_and_rounds_s"] = round(time.perf_counter() - t, 2)
    log(f"{applicant_count:,} applicants, {len(rounds):,} rounds of {len(programmes)} programmes")

    t = time.perf_counter()
    shares = [(url, rounds[j::jobs], applicant_count, size, j) for j in range(jobs)]
    counts: dict[str, int] = {}
    if jobs == 1:
        results = [_job(shares[0])]
    else:
        with multiprocessing.get_context("spawn").Pool(jobs) as pool:
            results = pool.map(_job, shares)
    for res in results:
        for k, v in res.items():
            counts[k] = counts.get(k, 0) + v
    timings["copy_s"] = round(time.perf_counter() - t, 2)
    log(f"copied in {timings['copy_s']} s: " + ", ".join(f"{k} {v:,}" for k, v in counts.items() if v))

    t = time.perf_counter()
    conn = psycopg2.connect(url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("VACUUM (ANALYZE)")
    conn.close()
    timings["vacuum_analyze_s"] = round(time.perf_counter() - t, 2)
    counts["applicants"] = applicant_count
    counts["rounds"] = len(rounds)
    timings["total_s"] = round(time.perf_counter() - t0, 2)
    return {
        "size": size,
        "programmes": len(programmes),
        "counts": counts,
        "timings": timings,
        "jobs": jobs,
        "big_round": rounds[-1].id,
        "big_round_programme": rounds[-1].programme.code,
        "programme_dirs": None if data_dir is None else str((data_dir / "programmes").resolve()),
        "cpus": os.cpu_count(),
        "seeded_at": datetime.now(UTC).isoformat(),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="1/100 of the data set")
    ap.add_argument("--scale", type=float, help="another fraction of the data set (tests)")
    ap.add_argument("--database-url", help="seed this (migrated first); default: an embedded PostgreSQL")
    ap.add_argument("--data-dir", type=Path, help="embedded database, programme files, seed.json")
    ap.add_argument("--jobs", type=int, default=2, help="processes making rows (default 2)")
    args = ap.parse_args(argv)
    data_dir = (args.data_dir or ROOT / (".qaward-seed-quick" if args.quick else ".qaward-seed")).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    size = sizes(args.quick, args.scale)
    log(f"seeding {size} into {data_dir}")
    server = None
    url = args.database_url
    if url is None:
        server = start_embedded(data_dir)
        url = server.get_uri()
    url = url.replace("postgresql+asyncpg://", "postgresql://")
    record = seed(url, data_dir, size, max(1, args.jobs))
    (data_dir / "seed.json").write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    log(f"done in {record['timings']['total_s']} s; QAWARD_PROGRAMME_DIRS={record['programme_dirs']}")
    if server is not None:
        server.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
