"""Deterministic seed data: projects, users and issues derived from `random.Random(seed)`.

Timestamps are spread over the ~180 days before the state's `anchor` (the time the state
was built), so the same seed and anchor always give identical data. Issue ids grow with
`created`, like in a real site. Description nodes come from a shared pool so that 50,000
issues stay small in memory (nodes are never mutated; edits replace the whole document).
"""

from __future__ import annotations

import random
import uuid
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from . import catalog
from .adf_text import document_text
from .models import Issue, Project, User

if TYPE_CHECKING:
    from .state import EmulatorState

PROJECT_SPECS = (
    ("ENG", "Engineering", "software"),
    ("OPS", "Operations", "business"),
    ("SUP", "Customer Support", "service_desk"),
    ("WEB", "Web Platform", "software"),
    ("MKT", "Marketing", "business"),
    ("HELP", "Help Center", "service_desk"),
    ("DATA", "Data Platform", "software"),
    ("FIN", "Finance", "business"),
    ("SEC", "Security", "software"),
)

FIRST = [
    "Mia",
    "Liam",
    "Ava",
    "Noah",
    "Zoe",
    "Omar",
    "Lena",
    "Ivan",
    "Sara",
    "Yuki",
    "Ana",
    "Paul",
    "Nina",
    "Hugo",
    "Ines",
    "Raj",
    "Emma",
    "Tom",
]
LAST = [
    "Krystof",
    "Garcia",
    "Chen",
    "Okafor",
    "Novak",
    "Larsen",
    "Rossi",
    "Tanaka",
    "Dubois",
    "Singh",
    "Weber",
    "Silva",
    "Kim",
]
ZONES = ("Europe/Paris", "America/New_York", "Australia/Sydney", "Asia/Tokyo", "UTC")
WORDS = [
    "login",
    "page",
    "fails",
    "timeout",
    "export",
    "report",
    "invoice",
    "sync",
    "dashboard",
    "latency",
    "checkout",
    "mobile",
    "search",
    "filter",
    "webhook",
    "email",
    "password",
    "reset",
    "billing",
    "upload",
    "crash",
    "slow",
    "api",
    "permission",
    "import",
    "audit",
    "backup",
    "release",
    "deploy",
    "cache",
    "queue",
    "notification",
    "customer",
]
LABELS = ("backend", "frontend", "customer", "urgent", "tech-debt", "security", "ux", "infra")
APP_USER_ID = "557058:f58131cb-b67d-43c7-b30d-6b58d40bd077"


def _account_id(rng: random.Random, index: int) -> str:
    if index % 2:
        return "712020:" + str(uuid.UUID(int=rng.getrandbits(128), version=4))
    return f"{rng.getrandbits(96):024x}"


def seed_users(state: EmulatorState, rng: random.Random) -> None:
    params = state.params
    caller = User(
        _account_id(rng, 0), "Sandbox Admin", params.email, True, True, "atlassian", "UTC"
    )
    state.users[caller.account_id] = caller
    state.caller_account_id = caller.account_id
    app = User(APP_USER_ID, "Automation for Jira", "", False, True, "app", "UTC")
    state.users[app.account_id] = app
    for i in range(2, max(params.users, 2)):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        name = f"{first} {last}"
        user = User(
            account_id=_account_id(rng, i),
            display_name=name,
            email=f"{first}.{last}{i}@example.com".lower(),
            email_visible=i % 5 != 3,  # every fifth user hides their email
            active=i % 7 != 5,  # every seventh user is deactivated
            account_type="atlassian",
            time_zone=rng.choice(ZONES),
        )
        state.users[user.account_id] = user


def seed_projects(state: EmulatorState, rng: random.Random) -> None:
    leads = [u for u in state.users.values() if u.assignable]
    for i in range(state.params.projects):
        if i < len(PROJECT_SPECS):
            key, name, type_key = PROJECT_SPECS[i]
        else:
            type_key = ("software", "business", "service_desk")[i % 3]
            key, name = f"PRJ{i + 1}", f"Project {i + 1}"
        required: dict[str, tuple[str, ...]] = {}
        if key == "ENG" and state.params.require_bug_customer_impact:
            required[catalog.BUG] = (catalog.CUSTOMER_IMPACT,)
        project = Project(
            id=str(10000 + i),
            key=key,
            name=name,
            type_key=type_key,
            description=f"{name} work tracked in Jira.",
            lead_account_id=leads[i % len(leads)].account_id,
            workflow=catalog.WORKFLOWS[type_key],
            issue_type_ids=catalog.PROJECT_ISSUE_TYPES[type_key],
            custom_field_ids=catalog.PROJECT_CUSTOM_FIELDS[type_key],
            required_custom_fields=required,
            uuid=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        )
        state.projects[project.id] = project


def _text_pool(rng: random.Random) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    def sentence() -> str:
        words = [rng.choice(WORDS) for _ in range(rng.randint(6, 12))]
        return " ".join(words).capitalize() + "."

    paragraphs = [
        {
            "type": "paragraph",
            "content": [{"type": "text", "text": " ".join(sentence() for _ in range(3))}],
        }
        for _ in range(120)
    ]
    lists = [
        {
            "type": "bulletList",
            "content": [
                {
                    "type": "listItem",
                    "content": [
                        {"type": "paragraph", "content": [{"type": "text", "text": sentence()}]}
                    ],
                }
                for _ in range(rng.randint(2, 4))
            ],
        }
        for _ in range(30)
    ]
    return paragraphs, lists


def seed_issues(state: EmulatorState, rng: random.Random) -> None:
    """Create `params.issues` issues spread over projects, types, statuses and time."""
    count = state.params.issues
    projects = list(state.projects.values())
    if not projects or count <= 0:
        return
    paragraphs, lists = _text_pool(rng)
    assignable = [u.account_id for u in state.users.values() if u.assignable]
    reporters = [u.account_id for u in state.users.values() if u.active]
    priorities = list(catalog.PRIORITIES.values())
    prio_weights = (5, 15, 50, 20, 10)
    span = int(timedelta(days=180).total_seconds())
    offsets = sorted((rng.randrange(span) for _ in range(count)), reverse=True)
    epics: dict[str, list[Issue]] = {p.id: [] for p in projects}
    standard: dict[str, list[Issue]] = {p.id: [] for p in projects}
    anchor = state.anchor
    # Plain text per pooled node; a document's text is its blocks' texts joined by a blank
    # line, which is how document_text renders consecutive blocks.
    texts = {
        id(n): document_text({"type": "doc", "version": 1, "content": [n]})
        for n in paragraphs + lists
    }
    for offset in offsets:
        project = rng.choice(projects)
        type_ids = project.issue_type_ids
        type_id = rng.choice(type_ids)
        parent: Issue | None = None
        if type_id == catalog.SUBTASK:
            if standard[project.id]:
                parent = rng.choice(standard[project.id][-50:])
            else:
                type_id = catalog.TASK
        elif type_id != catalog.EPIC and epics[project.id] and rng.random() < 0.4:
            parent = rng.choice(epics[project.id][-20:])
        issue_type = catalog.ISSUE_TYPES[type_id]
        created = anchor - timedelta(seconds=offset, milliseconds=rng.randrange(1000))
        updated = created + timedelta(seconds=rng.randrange(offset + 1))
        status = catalog.STATUSES[rng.choice(project.workflow.status_ids)]
        priority = rng.choices(priorities, prio_weights)[0]
        content = [rng.choice(paragraphs)]
        if rng.random() < 0.5:
            content.append(rng.choice(lists))
        content.append(rng.choice(paragraphs))
        doc = {"type": "doc", "version": 1, "content": content}
        text = "\n\n".join(texts[id(node)] for node in content)
        issue_id, key = state.allocate(project)
        reporter = rng.choice(reporters)
        issue = Issue(
            id=issue_id,
            key=key,
            project_id=project.id,
            project_key=project.key,
            project_name=project.name,
            issuetype_id=type_id,
            issuetype_name=issue_type.name,
            status_id=status.id,
            status_name=status.name,
            status_category_key=status.category.key,
            priority_id=priority.id,
            priority_name=priority.name,
            assignee_account_id=rng.choice(assignable) if rng.random() < 0.75 else None,
            reporter_account_id=reporter,
            creator_account_id=reporter,
            labels=rng.sample(LABELS, rng.randint(0, 3)),
            parent_id=str(parent.id) if parent else None,
            parent_key=parent.key if parent else None,
            summary=" ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 8))).capitalize(),
            description=doc,
            description_text=text,
            created=created,
            updated=updated,
            status_changed=updated,
        )
        if status.category.key == "done":
            issue.resolved = updated
            issue.resolution_id = rng.choice(("10000", "10000", "10004", "10001"))
        if rng.random() < 0.3:
            issue.duedate = (created + timedelta(days=rng.randint(7, 60))).date()
        if type_id == catalog.STORY and rng.random() < 0.6:
            issue.custom_fields[catalog.STORY_POINTS] = rng.choice((1, 2, 3, 5, 8))
        if catalog.CUSTOMER_IMPACT in project.custom_field_ids and rng.random() < 0.3:
            issue.custom_fields[catalog.CUSTOMER_IMPACT] = rng.choice(("Low", "Medium", "High"))
        state.add_issue(issue)
        if type_id == catalog.EPIC:
            epics[project.id].append(issue)
        elif not issue_type.subtask:
            standard[project.id].append(issue)


def seed_state(state: EmulatorState) -> None:
    rng = random.Random(state.params.seed)
    seed_users(state, rng)
    seed_projects(state, rng)
    seed_issues(state, rng)
