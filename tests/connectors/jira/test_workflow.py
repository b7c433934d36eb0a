"""Property tests for walking a workflow one transition at a time (pure, no I/O)."""

from __future__ import annotations

from collections import deque

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ticketbridge.connectors.jira.workflow import Edge, WorkflowGraph, next_step

pytestmark = pytest.mark.store_independent

STATUSES = [f"S{i}" for i in range(7)]


@st.composite
def workflows(draw: st.DrawFn) -> dict[str, list[str]]:
    n = draw(st.integers(2, len(STATUSES)))
    names = STATUSES[:n]
    return {
        s: sorted(draw(st.sets(st.sampled_from([t for t in names if t != s]), max_size=3)))
        for s in names
    }


def bfs_distance(graph: dict[str, list[str]], start: str, goal: str) -> int | None:
    queue, seen = deque([(start, 0)]), {start}
    while queue:
        node, d = queue.popleft()
        if node == goal:
            return d
        for nxt in graph[node]:
            if nxt not in seen:
                seen.add(nxt)
                queue.append((nxt, d + 1))
    return None


def edges(graph: dict[str, list[str]], status: str) -> list[Edge]:
    return [Edge(f"{status}->{t}", t, None) for t in graph[status]]


def walk(graph: dict[str, list[str]], start: str, goal: str, learned: WorkflowGraph) -> int | None:
    """The connector's loop: look at the transitions offered here, step, repeat."""
    current, visited = start, {start}
    for steps in range(1, 4 * len(graph) + 1):
        learned.learn(current, edges(graph, current))
        step = next_step(learned, current, lambda e: e.to_status == goal, visited)
        if step is None:
            return None
        current = step.to_status
        visited.add(current)
        if current == goal:
            return steps
    return None


@st.composite
def reversible_workflows(draw: st.DrawFn) -> dict[str, list[str]]:
    """Workflows where every status can be left and reached again (a cycle through all of
    them plus random shortcuts), as Jira workflows with back transitions are. Exploring
    blindly cannot promise arrival when a dead end may swallow the issue."""
    graph = draw(workflows())
    names = sorted(graph)
    for a, b in zip(names, names[1:] + names[:1], strict=True):
        if b not in graph[a]:
            graph[a] = sorted([*graph[a], b])
    return graph


@settings(max_examples=300, deadline=None)
@given(reversible_workflows(), st.data())
def test_reaches_any_status_of_a_reversible_workflow(graph, data) -> None:
    start = data.draw(st.sampled_from(sorted(graph)))
    goal = data.draw(st.sampled_from([s for s in sorted(graph) if s != start]))
    steps = walk(graph, start, goal, WorkflowGraph())
    distance = bfs_distance(graph, start, goal)
    assert distance is not None
    assert steps is not None and steps >= distance


@settings(max_examples=300, deadline=None)
@given(workflows(), st.data())
def test_never_claims_an_unreachable_status(graph, data) -> None:
    start = data.draw(st.sampled_from(sorted(graph)))
    goal = data.draw(st.sampled_from([s for s in sorted(graph) if s != start]))
    steps = walk(graph, start, goal, WorkflowGraph())
    if bfs_distance(graph, start, goal) is None:
        assert steps is None


@settings(max_examples=300, deadline=None)
@given(workflows(), st.data())
def test_once_learned_the_path_is_shortest(graph, data) -> None:
    learned = WorkflowGraph()
    for status in graph:
        learned.learn(status, edges(graph, status))
    start = data.draw(st.sampled_from(sorted(graph)))
    goal = data.draw(st.sampled_from([s for s in sorted(graph) if s != start]))
    path = learned.shortest_path(start, lambda e: e.to_status == goal)
    distance = bfs_distance(graph, start, goal)
    assert (path is None) == (distance is None)
    if path is not None:
        assert len(path) == distance
        assert path[-1].to_status == goal
        node = start
        for edge in path:  # every step is a transition offered where it is taken
            assert edge in edges(graph, node)
            node = edge.to_status
