"""Faults queued per method, for reliability tests: the next N calls of a method answer 429,
an HTTP error, answer late, or lose the connection."""

from __future__ import annotations

from collections import deque
from dataclasses import asdict, dataclass
from typing import Any

KINDS = ("retry_after", "error", "delay", "reset")


@dataclass
class Fault:
    kind: str
    count: int = 1
    retry_after: int = 1
    status: int = 500
    description: str = "Internal Server Error"
    delay: float = 1.0
    # For "reset": whether the call takes effect before the connection is lost. A reset after
    # the effect is the one failure in which a client cannot know whether its message went
    # out. ("delay" always answers, late.)
    effect: bool = False

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> Fault:
        kind = body.get("kind")
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}")
        fault = cls(kind=kind, effect=bool(body.get("effect", False)))
        for name, cast in (
            ("count", int),
            ("retry_after", int),
            ("status", int),
            ("delay", float),
            ("description", str),
        ):
            if body.get(name) is not None:
                setattr(fault, name, cast(body[name]))
        if fault.count < 1:
            raise ValueError("count must be at least 1")
        if fault.kind == "error" and not 400 <= fault.status <= 599:
            raise ValueError("status must be an HTTP error status")
        return fault

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class FaultQueue:
    """Per method (case-insensitive), plus "*" for any method; a method's own queue goes first."""

    def __init__(self) -> None:
        self._queues: dict[str, deque[Fault]] = {}

    def add(self, method: str, fault: Fault) -> None:
        self._queues.setdefault(method.lower(), deque()).append(fault)

    def take(self, method: str) -> Fault | None:
        for key in (method.lower(), "*"):
            queue = self._queues.get(key)
            if queue:
                fault = queue[0]
                fault.count -= 1
                if fault.count == 0:
                    queue.popleft()
                return Fault(**{**asdict(fault), "count": 1})
        return None

    def clear(self) -> None:
        self._queues.clear()

    def to_json(self) -> dict[str, list[dict[str, Any]]]:
        return {key: [f.to_json() for f in queue] for key, queue in self._queues.items() if queue}
