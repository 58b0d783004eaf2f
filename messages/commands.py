"""The "/" menu and the bot's description, as data.

Telegram shows a chat the command list of the narrowest scope set for it: everyone sees the
default list, and a bound official or worker sees, in their own chat, the default list with
their roles' commands added. Each list is set once per language: the deployment's language
without a ``language_code`` (what every other client language falls back to), and each other
supported language under its own code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from messages import N_
from messages.i18n import SUPPORTED, normalize_language, translate


@dataclass(frozen=True)
class Command:
    name: str  # without the slash, as the router registers it
    description: str  # a message id
    argument: str = ""  # a message id naming what may follow the command, shown in /help


# What anyone may type, in the order the menu shows it.
EVERYONE: tuple[Command, ...] = (
    Command("start", N_("Open the menu")),
    Command("help", N_("What this bot can do")),
    Command("complain", N_("Report a problem to the hotline")),
    Command("status", N_("Follow your complaint"), argument=N_("CODE")),
    Command("gongshi", N_("The published results (公示)")),
    Command("language", N_("Language: 中文 / English")),
    Command("cancel", N_("Stop what you are doing")),
)

CASES = Command("cases", N_("The case desk"))
INSPECTION = Command("inspection", N_("My inspection group's units"))

# A role's own commands, added after everyone's; a role with none sees the default list.
BY_ROLE: dict[str, tuple[Command, ...]] = {
    "bureau": (CASES,),
    "investigator": (CASES,),
    "inspector": (INSPECTION,),
    "unit": (CASES,),
    "admin": (),
    "worker": (),
}

DESCRIPTION = N_(
    "公示通 is the public notice and hotline of the county's public-welfare posts. "
    "Citizens read the published assessment results and report problems, anonymously if "
    "they wish; workers see their own result; officials follow the cases and the deadlines. "
    "Press Start to begin."
)
SHORT_DESCRIPTION = N_(
    "The county's public-welfare posts: published results (公示), the hotline, and cases."
)


def commands_for(roles: Iterable[str]) -> tuple[Command, ...]:
    """Everyone's commands, then each role's own, once each."""
    chosen = list(EVERYONE)
    for role in roles:
        for command in BY_ROLE.get(role, ()):
            if command not in chosen:
                chosen.append(command)
    return tuple(chosen)


HELP_TITLE = N_("Commands:")
HELP_FOOTER = N_("Your identity is never shown to the unit or the person you report.")


def help_text(roles: Iterable[str], language: str) -> str:
    """/help: the same commands as the person's "/" menu (``commands_for``), so the two never
    disagree, each with its argument where it takes one."""
    lines = [translate(HELP_TITLE, language)]
    for command in commands_for(roles):
        usage = f"/{command.name}"
        if command.argument:
            usage = f"{usage} {translate(command.argument, language)}"
        lines.append(f"{usage} — {translate(command.description, language)}")
    return "\n".join([*lines, "", translate(HELP_FOOTER, language)])


def menu_languages(default_language: str | None) -> tuple[tuple[str | None, str], ...]:
    """(Telegram's ``language_code``, our language) for each list to set: the default language
    without a code first, then every other supported language."""
    default = normalize_language(default_language)
    return ((None, default), *((code, code) for code in SUPPORTED if code != default))


def bot_commands(commands: Iterable[Command], language: str) -> list[dict[str, str]]:
    """Telegram's ``BotCommand`` objects, described in ``language``."""
    return [
        {"command": command.name, "description": translate(command.description, language)}
        for command in commands
    ]
