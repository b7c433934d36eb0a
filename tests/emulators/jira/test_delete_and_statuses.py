"""DELETE issue (with the sub-task rule) and project statuses, as Jira answers them."""

from __future__ import annotations

import httpx
import pytest

from ticketbridge.emulators.jira.server import EmulatorServer

pytestmark = pytest.mark.store_independent


@pytest.fixture(scope="module")
def emu():
    with EmulatorServer(issues=60, users=8, seed=3) as server:
        yield server


def client(emu: EmulatorServer) -> httpx.Client:
    return httpx.Client(
        base_url=emu.base_url + "/rest/api/3", auth=(emu.config.email, emu.config.api_token)
    )


def test_delete_issue_then_404(emu: EmulatorServer) -> None:
    victim = next(i for i in emu.state.issues.values() if not emu.state.children.get(i.id))
    with client(emu) as c:
        assert c.delete(f"/issue/{victim.key}").status_code == 204
        gone = c.get(f"/issue/{victim.key}")
        assert gone.status_code == 404
        found = c.post("/search/jql", json={"jql": f"key = {victim.key}"})
        assert found.status_code in (200, 400)
        if found.status_code == 200:
            assert found.json()["issues"] == []


def test_delete_with_subtasks_needs_the_flag(emu: EmulatorServer) -> None:
    parent = next(i for i in emu.state.issues.values() if emu.state.children.get(i.id))
    children = [c.key for c in emu.state.children[parent.id]]
    with client(emu) as c:
        refused = c.delete(f"/issue/{parent.key}")
        assert refused.status_code == 400 and "subtasks" in refused.text
        assert (
            c.delete(f"/issue/{parent.key}", params={"deleteSubtasks": "true"}).status_code == 204
        )
        assert all(c.get(f"/issue/{k}").status_code == 404 for k in children)


def test_project_statuses_lists_the_workflow_per_issue_type(emu: EmulatorServer) -> None:
    with client(emu) as c:
        body = c.get("/project/ENG/statuses").json()
        assert {t["name"] for t in body} >= {"Bug", "Task"}
        names = [s["name"] for s in body[0]["statuses"]]
        assert names == ["To Do", "In Progress", "In Review", "Done"]
        assert c.get("/project/NOPE/statuses").status_code == 404
