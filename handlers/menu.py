"""/start, /help, /cancel, the language switch and the menu each role sees.

Steps: ``show_menu`` (from /start or the menu button), ``show_help``, ``cancel``,
``ask_language`` and ``process_language``. The audiences register their rows of the menu
and their ``/start`` deep links with the router (``Router.menu_rows``, ``Router.deep_link``),
so this module knows none of them.
"""

from __future__ import annotations

from sqlalchemy import delete
from sqlmodel import col, select

from handlers.context import Context
from handlers.core import Router
from messages.callbacks_hotline import ComplaintStep
from messages.callbacks_menu import Language, LanguageChoice, MenuAction, SubscriptionChoice
from messages.commands import help_text
from messages.i18n import N_
from messages.replies import Button
from messages.wording import STALE_BUTTON, back_to_menu
from storage.models import Subscription, TelegramUser, Unit

ROLE_NAMES = {
    "admin": N_("administrator (employment bureau)"),
    "bureau": N_("hotline desk (employment bureau)"),
    "investigator": N_("investigator (HR and social security bureau)"),
    "inspector": N_("inspector (city inspection group)"),
    "unit": N_("unit contact"),
    "worker": N_("worker"),
}

WELCOME = N_(
    "Welcome to 公示通, the public notice and hotline of the county's public-welfare posts."
)
CITIZEN_INTRO = N_(
    "You can read the published assessment results, report a problem to the hotline, "
    "and be told when a public notice opens. You stay anonymous unless you choose otherwise."
)

CANCELLED = N_("Cancelled. Nothing was sent.")
NOTHING_TO_CANCEL = N_("There is nothing to cancel.")
CHOOSE_LANGUAGE = N_("Choose your language")
LANGUAGE_SET = N_("Language set to English.")
# Each language is offered in its own name, whatever the current language is.
LANGUAGE_BUTTONS: tuple[tuple[str, Language], ...] = (("简体中文", "zh"), ("English", "en"))


def router() -> Router:
    r = Router()
    r.command("start")(start)
    r.command("menu")(show_menu)
    r.command("help")(show_help)
    r.command("cancel")(cancel)
    r.command("language", "lang")(ask_language)
    r.button(MenuAction.prefix)(process_menu)
    r.button(LanguageChoice.prefix)(process_language)
    r.button(SubscriptionChoice.prefix)(process_subscription)
    r.otherwise(not_understood)
    return r


async def start(ctx: Context) -> None:
    link = ctx.menu.link(ctx.incoming.argument.strip())
    if link is not None:
        handler, rest = link
        await handler(ctx, rest)
        return
    ctx.reset()
    await show_menu(ctx)


async def show_menu(ctx: Context, *, edit: bool = False) -> None:
    t = ctx.t
    lines = [t(WELCOME)]
    if ctx.roles.bindings:
        unit_names = await _unit_names(ctx, [b.unit_id for b in ctx.roles.bindings])
        for binding in ctx.roles.bindings:
            role = t(ROLE_NAMES.get(binding.role, binding.role))
            if binding.unit_id is not None:
                role = f"{role} · {unit_names.get(binding.unit_id, '?')}"
            lines.append(t("You are signed in as: {role}", role=role))
    else:
        lines.append(t(CITIZEN_INTRO))
    ctx.say("\n\n".join(lines), await menu_buttons(ctx), edit=edit)


async def menu_buttons(ctx: Context) -> list[list[Button]]:
    t = ctx.t
    rows = ctx.menu.rows_for(ctx)
    if not ctx.roles.is_official:
        rows.append([Button(t(N_("File a complaint")), ComplaintStep(action="new").pack())])
        rows.append([Button(t(N_("Follow my complaint")), ComplaintStep(action="status").pack())])
        subscribed = await _subscribed(ctx)
        label = t("Stop notice alerts") if subscribed else t("Tell me when a notice opens")
        choice = SubscriptionChoice(choice="off" if subscribed else "on")
        rows.append([Button(label, choice.pack())])
    rows.append(
        [
            Button(t("Help"), MenuAction(action="help").pack()),
            Button("中文 / English", LanguageChoice(choice="ask").pack()),
        ]
    )
    return rows


async def show_help(ctx: Context) -> None:
    # From the menu's button the help takes the menu's place; 「返回菜单」 brings it back.
    text = help_text(ctx.roles.names(), ctx.language)
    ctx.say(text, [[back_to_menu(ctx.t)]], edit=ctx.incoming.button is not None)


async def cancel(ctx: Context) -> None:
    had_something = bool(ctx.state)
    ctx.reset()
    message = CANCELLED if had_something else NOTHING_TO_CANCEL
    ctx.say(ctx.t(message), remove_keyboard=True)
    await show_menu(ctx)


async def process_menu(ctx: Context) -> None:
    pressed = MenuAction.parse(ctx.incoming.button)
    if pressed is None:
        ctx.answer(ctx.t(STALE_BUTTON))
    elif pressed.action == "help":
        await show_help(ctx)
    else:
        ctx.reset()
        await show_menu(ctx, edit=True)


async def ask_language(ctx: Context) -> None:
    ctx.say(
        ctx.t(CHOOSE_LANGUAGE),
        [[Button(label, LanguageChoice(choice=code).pack()) for label, code in LANGUAGE_BUTTONS]],
    )


async def process_language(ctx: Context) -> None:
    pressed = LanguageChoice.parse(ctx.incoming.button)
    if pressed is None:
        ctx.answer(ctx.t(STALE_BUTTON))
        return
    if pressed.choice == "ask":
        await ask_language(ctx)
        return
    choice = pressed.choice
    user = await ctx.session.get(TelegramUser, ctx.user_id)
    if user is not None:
        user.language = choice
        user.language_chosen = True
    ctx.language = choice
    ctx.answer(ctx.t(LANGUAGE_SET))
    await show_menu(ctx, edit=True)


async def process_subscription(ctx: Context) -> None:
    pressed = SubscriptionChoice.parse(ctx.incoming.button)
    choice = pressed.choice if pressed is not None else None
    if choice == "on":
        if not await _subscribed(ctx):
            ctx.session.add(Subscription(user_id=ctx.user_id, topic="gongshi"))
            await ctx.session.flush()
        ctx.answer(ctx.t(N_("You will be told when a public notice opens.")))
    elif choice == "off":
        await ctx.session.execute(
            delete(Subscription).where(
                col(Subscription.user_id) == ctx.user_id, col(Subscription.topic) == "gongshi"
            )
        )
        ctx.answer(ctx.t(N_("You will no longer be told when a public notice opens.")))
    else:
        ctx.answer(ctx.t(STALE_BUTTON))
        return
    await show_menu(ctx, edit=True)


async def not_understood(ctx: Context) -> None:
    ctx.say(
        ctx.t(N_("I did not understand that. Choose from the menu, or send /help.")),
        await menu_buttons(ctx),
    )


async def _subscribed(ctx: Context) -> bool:
    found = await ctx.session.execute(
        select(Subscription.id).where(
            col(Subscription.user_id) == ctx.user_id, col(Subscription.topic) == "gongshi"
        )
    )
    return found.first() is not None


async def _unit_names(ctx: Context, ids: list[int | None]) -> dict[int, str]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    rows = await ctx.session.execute(select(Unit.id, Unit.name).where(col(Unit.id).in_(wanted)))
    return {int(i): str(n) for i, n in rows.all()}
