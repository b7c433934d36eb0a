"""Issue pieces rendered by both the issue and the search routes (`expand=transitions`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import catalog
from . import service as svc
from .http import Ctx
from .models import Issue, Transition
from .serializers import status_json


def transition_json(ctx: Ctx, transition: Transition) -> dict[str, Any]:
    return {
        "id": transition.id,
        "name": transition.name,
        "to": status_json(ctx.state, ctx.api, catalog.STATUSES[transition.to_status_id]),
        "hasScreen": False,
        "isGlobal": not transition.sources,
        "isInitial": False,
        "isAvailable": True,
        "isConditional": False,
        "looped": False,
    }


def transitions_of(ctx: Ctx) -> Callable[[Issue], list[dict[str, Any]]]:
    def build(issue: Issue) -> list[dict[str, Any]]:
        return [transition_json(ctx, t) for t in svc.available_transitions(ctx.state, issue)]

    return build
