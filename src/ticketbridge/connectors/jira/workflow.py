"""Reaching a status through a Jira workflow, one transition at a time.

Jira only reveals the transitions out of an issue's *current* status, so the connector
learns the workflow graph as it walks (cached per project and issue type) and takes the
shortest known path; unknown parts are explored, preferring statuses not yet visited.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Edge:
    transition_id: str
    to_status: str
    to_category: str | None


@dataclass
class WorkflowGraph:
    edges: dict[str, list[Edge]] = field(default_factory=dict)

    def learn(self, status: str, edges: list[Edge]) -> None:
        self.edges[status] = edges

    def shortest_path(self, start: str, goal: Callable[[Edge], bool]) -> list[Edge] | None:
        """BFS over what is known: the fewest transitions from ``start`` to a goal edge."""
        queue: deque[tuple[str, list[Edge]]] = deque([(start, [])])
        seen = {start}
        while queue:
            status, path = queue.popleft()
            for edge in self.edges.get(status, []):
                if goal(edge):
                    return [*path, edge]
                if edge.to_status not in seen:
                    seen.add(edge.to_status)
                    queue.append((edge.to_status, [*path, edge]))
        return None

    def reachable(self, start: str) -> set[str]:
        seen = {start}
        queue = deque([start])
        while queue:
            for edge in self.edges.get(queue.popleft(), []):
                if edge.to_status not in seen:
                    seen.add(edge.to_status)
                    queue.append(edge.to_status)
        return seen

    def categories(self) -> dict[str, str | None]:
        return {e.to_status: e.to_category for edges in self.edges.values() for e in edges}

    def is_explored_from(self, start: str) -> bool:
        return all(status in self.edges for status in self.reachable(start))


def next_step(
    graph: WorkflowGraph, current: str, goal: Callable[[Edge], bool], visited: set[str]
) -> Edge | None:
    """The next transition to take: along a known shortest path, else toward the unknown."""
    path = graph.shortest_path(current, goal)
    if path:
        return path[0]
    options = graph.edges.get(current, [])
    unexplored = [e for e in options if e.to_status not in graph.edges]
    unvisited = [e for e in options if e.to_status not in visited]
    for candidates in (unexplored, unvisited):
        if candidates:
            return candidates[0]
    # Unexplored statuses may lie beyond visited ones: head for the nearest.
    frontier = graph.shortest_path(current, lambda e: e.to_status not in graph.edges)
    return frontier[0] if frontier else None
