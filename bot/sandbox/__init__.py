"""A local Telegram Bot API look-alike with a chat page: for the demo, the tests and the
benchmarks. Nothing leaves 127.0.0.1."""

from .limits import Limits
from .models import BotIdentity, Persona
from .server import RunningSandbox, build_app, main, start_sandbox
from .state import SandboxState

__all__ = [
    "BotIdentity",
    "Limits",
    "Persona",
    "RunningSandbox",
    "SandboxState",
    "build_app",
    "main",
    "start_sandbox",
]
