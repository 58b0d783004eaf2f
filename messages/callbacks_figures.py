"""The figures' button data (prefix ``fg``): ``fg:menu`` the period picker, ``fg:month`` the
figures of this month (``gongshi``: this 公示, ``year``: this year)."""

from __future__ import annotations

from typing import Literal

from messages.callbacks import CallbackData

PeriodKey = Literal["menu", "gongshi", "month", "year"]


class FiguresPick(CallbackData, prefix="fg"):
    period: PeriodKey


def pick(period: PeriodKey) -> str:
    return FiguresPick(period=period).pack()
