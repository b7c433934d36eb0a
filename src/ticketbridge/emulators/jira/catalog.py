"""The fixed site-wide catalogue: statuses, workflows, issue types, priorities, custom fields.

Ids follow Jira Cloud conventions (numeric strings; system statuses 1/3/5/6, site-created
ones from 10000). Transition ids are per workflow, like in Jira.
"""

from __future__ import annotations

from .models import (
    CATEGORY_DONE,
    CATEGORY_IN_PROGRESS,
    CATEGORY_NEW,
    CustomField,
    IssueType,
    Priority,
    Resolution,
    Status,
    Transition,
    Workflow,
)

STATUSES: dict[str, Status] = {
    s.id: s
    for s in (
        Status("1", "Open", CATEGORY_NEW, "The issue is open and ready for the assignee to start."),
        Status("3", "In Progress", CATEGORY_IN_PROGRESS, "This issue is being actively worked on."),
        Status("5", "Resolved", CATEGORY_DONE, "A resolution has been taken."),
        Status("6", "Closed", CATEGORY_DONE, "The issue is considered finished."),
        Status("10000", "To Do", CATEGORY_NEW, ""),
        Status("10001", "In Review", CATEGORY_IN_PROGRESS, "Waiting for a code review."),
        Status("10002", "Done", CATEGORY_DONE, ""),
        Status("10003", "Waiting for support", CATEGORY_IN_PROGRESS, "Support must act."),
        Status("10004", "Waiting for customer", CATEGORY_IN_PROGRESS, "The customer must reply."),
    )
}


def _t(tid: str, name: str, to: str, *sources: str) -> Transition:
    return Transition(tid, name, to, frozenset(sources))


# Software: To Do -> In Progress -> In Review -> Done, with back transitions.
SOFTWARE_WORKFLOW = Workflow(
    name="Software Simplified Workflow",
    initial_status_id="10000",
    status_ids=("10000", "3", "10001", "10002"),
    transitions=(
        _t("11", "Start Progress", "3", "10000"),
        _t("21", "Submit for Review", "10001", "3"),
        _t("31", "Done", "10002", "3", "10001"),
        _t("41", "Stop Progress", "10000", "3"),
        _t("51", "Request Changes", "3", "10001"),
        _t("61", "Reopen", "10000", "10002"),
    ),
)

# Business: To Do -> In Progress -> Done.
BUSINESS_WORKFLOW = Workflow(
    name="Business Workflow",
    initial_status_id="10000",
    status_ids=("10000", "3", "10002"),
    transitions=(
        _t("11", "Start Progress", "3", "10000"),
        _t("21", "Done", "10002", "10000", "3"),
        _t("31", "Stop Progress", "10000", "3"),
        _t("41", "Reopen", "10000", "10002"),
    ),
)

# Service desk: Open / Waiting for support / Waiting for customer / Resolved / Closed.
SERVICE_DESK_WORKFLOW = Workflow(
    name="Service Management Workflow",
    initial_status_id="1",
    status_ids=("1", "10003", "10004", "5", "6"),
    transitions=(
        _t("11", "Start Work", "10003", "1"),
        _t("21", "Respond to customer", "10004", "1", "10003"),
        _t("31", "Respond to support", "10003", "10004"),
        _t("41", "Resolve this issue", "5", "1", "10003", "10004"),
        _t("51", "Close", "6", "5"),
        _t("61", "Reopen", "10003", "5", "6"),
    ),
)

WORKFLOWS = {
    "software": SOFTWARE_WORKFLOW,
    "business": BUSINESS_WORKFLOW,
    "service_desk": SERVICE_DESK_WORKFLOW,
}

EPIC, STORY, TASK, BUG, SUBTASK = "10000", "10001", "10002", "10003", "10004"

ISSUE_TYPES: dict[str, IssueType] = {
    t.id: t
    for t in (
        IssueType(EPIC, "Epic", "A big user story that needs to be broken down.", False, 1, 10307),
        IssueType(
            STORY, "Story", "Functionality or a feature expressed as a user goal.", False, 0, 10315
        ),
        IssueType(TASK, "Task", "A small, distinct piece of work.", False, 0, 10318),
        IssueType(BUG, "Bug", "A problem or error.", False, 0, 10303),
        IssueType(
            SUBTASK,
            "Sub-task",
            "A small piece of work that's part of a larger task.",
            True,
            -1,
            10316,
        ),
    )
}

PROJECT_ISSUE_TYPES = {
    "software": (EPIC, STORY, TASK, BUG, SUBTASK),
    "business": (EPIC, TASK, SUBTASK),
    "service_desk": (TASK, BUG, SUBTASK),
}

PRIORITIES: dict[str, Priority] = {
    p.id: p
    for p in (
        Priority("1", "Highest", "This problem will block progress.", "#d04437"),
        Priority("2", "High", "Serious problem that could block progress.", "#f15C75"),
        Priority("3", "Medium", "Has the potential to affect progress.", "#f79232", True),
        Priority("4", "Low", "Minor problem or easily worked around.", "#707070"),
        Priority("5", "Lowest", "Trivial problem with little or no impact on progress.", "#999999"),
    )
}
DEFAULT_PRIORITY_ID = "3"

RESOLUTIONS: dict[str, Resolution] = {
    r.id: r
    for r in (
        Resolution("10000", "Done", "Work has been completed on this issue."),
        Resolution("10001", "Won't Do", "This issue won't be actioned."),
        Resolution("10002", "Duplicate", "The problem is a duplicate of an existing issue."),
        Resolution("10003", "Cannot Reproduce", "This issue couldn't be reproduced."),
        Resolution("10004", "Fixed", "A fix for this issue is checked in."),
    )
}
DEFAULT_RESOLUTION_ID = "10000"

STORY_POINTS = "customfield_10016"
CUSTOMER_IMPACT = "customfield_10030"
TEAM_NAME = "customfield_10031"

CUSTOM_FIELDS: dict[str, CustomField] = {
    f.id: f
    for f in (
        CustomField(STORY_POINTS, "Story point estimate", "number"),
        CustomField(CUSTOMER_IMPACT, "Customer Impact", "string"),
        CustomField(TEAM_NAME, "Team Name", "string"),
    )
}

PROJECT_CUSTOM_FIELDS = {
    "software": (STORY_POINTS, CUSTOMER_IMPACT),
    "business": (TEAM_NAME, CUSTOMER_IMPACT),
    "service_desk": (CUSTOMER_IMPACT, TEAM_NAME),
}
