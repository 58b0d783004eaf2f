"""`gongshi export subsidy` end to end: a closed cycle written as CSV and XLSX and read back."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import date

import pytest
import typer
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from bot.cli_export import export_app
from bot.runtime_context import open_storage
from storage.migrate import upgrade
from storage.models import Cycle, RenewalPaper, Result, Unit, Verification, Worker

# Mounted as bot/cli.py mounts it: `gongshi export subsidy ...`.
app = typer.Typer()
app.add_typer(export_app, name="export")

UNIT_A = "城关镇人民政府"
UNIT_B = "县人民医院"

WRONG = ["人岗不符"]

# key: (unit, name, full ID number, grade, renew, result status, findings, absent, 2025 grade)
PEOPLE = {
    "pass": (UNIT_A, "张三", "110101199001011234", "合格", True, "final", [], False, None),
    "fail": (UNIT_A, "李四", "110101198502025678", "不合格", False, "final", [], False, "合格"),
    "wrong": (UNIT_B, "王五", "11010119800303901X", "合格", True, "final", WRONG, False, None),
    "absent": (UNIT_B, "赵六", "110101197904040123", "合格", True, "final", [], True, None),
    "held": (UNIT_A, "孙七", "110101199205054321", "基本合格", True, "held", [], False, None),
    "twice": (UNIT_B, "周八", "110101198806068765", "不合格", False, "final", [], False, "不合格"),
}  # fmt: skip

# What the Chinese file says for each key: (subsidies, reason fragment, renewal).
EXPECTED = {
    "pass": ("继续发放", "已签订续签协议", "续签"),
    "fail": ("终止", "考核不合格", "不续签"),
    "wrong": ("停发", "人岗不符", "不续签"),
    "absent": ("停发", "人员核对时未到场", "续签"),
    "held": ("待定", "重大案件", "续签"),
    "twice": ("终止", "连续两年", "不续签"),
}


def env_for(settings) -> dict[str, str]:
    return {
        "GONGSHI_DATABASE_URL": settings.database_url,
        "GONGSHI_SECRET_KEY": settings.secret_key.get_secret_value(),
    }


async def seed(settings) -> None:
    async with open_storage(settings) as storage:
        await upgrade(storage.engine)
        async with storage.sessions() as session, session.begin():
            units = {}
            for name in (UNIT_A, UNIT_B):
                unit = Unit(name=name, quota=10)
                session.add(unit)
                await session.flush()
                units[name] = unit.id
            closed = Cycle(year=2026, state="closed")
            last_year = Cycle(year=2025, state="closed")
            still_open = Cycle(year=2027, state="open")
            session.add_all([closed, last_year, still_open])
            await session.flush()
            for index, person in enumerate(PEOPLE.values()):
                unit, name, id_number, grade, renew, status, findings, absent, before = person
                worker = Worker(
                    name=name,
                    id_hash=f"hash-{index}",
                    id_last4=id_number[-4:],
                    unit_id=units[unit],
                    status="removed" if absent else "on_duty",
                    removed_reason="absent_at_verification" if absent else None,
                )
                session.add(worker)
                await session.flush()
                session.add(
                    Result(
                        cycle_id=closed.id,
                        worker_id=worker.id,
                        unit_id=units[unit],
                        post_title="保洁",
                        grade=grade,
                        renew=renew,
                        status=status,
                        findings=findings,
                    )
                )
                if name == PEOPLE["pass"][1]:
                    # The unit signed the renewed agreement after the 公示 (issue 14, point 5).
                    session.add(
                        RenewalPaper(
                            cycle_id=closed.id,
                            unit_id=units[unit],
                            worker_id=worker.id,
                            outcome="renewed",
                            term_starts_on=date(2027, 1, 1),
                            term_ends_on=date(2027, 12, 31),
                            consent=True,
                            eligible=True,
                        )
                    )
                if absent:
                    session.add(
                        Verification(cycle_id=closed.id, worker_id=worker.id, present=False)
                    )
                if before is not None:
                    session.add(
                        Result(
                            cycle_id=last_year.id,
                            worker_id=worker.id,
                            unit_id=units[unit],
                            post_title="保洁",
                            grade=before,
                            renew=before != "不合格",
                            status="final",
                        )
                    )


@pytest.fixture
def env(settings) -> dict[str, str]:
    asyncio.run(seed(settings))
    return env_for(settings)


def export(env, *args: str):
    return CliRunner().invoke(app, ["export", "subsidy", *args], env=env)


def expected_order() -> list[str]:
    return [key for key, p in sorted(PEOPLE.items(), key=lambda kv: (kv[1][0], kv[1][1]))]


def check_table(lines: list[list[str]]) -> None:
    header, body = lines[0], lines[1:]
    assert header == [
        "用人单位", "姓名", "身份证号（后四位）", "岗位", "考核等次",
        "是否续签", "结果状态", "补贴", "原因", "续签协议期限",
    ]  # fmt: skip
    assert [line[1] for line in body] == [PEOPLE[key][1] for key in expected_order()]
    for line, key in zip(body, expected_order(), strict=True):
        unit, name, id_number, grade, *_ = PEOPLE[key]
        subsidies, reason, renewal = EXPECTED[key]
        assert line[0] == unit and line[1] == name and line[4] == grade
        assert line[2] == "****" + id_number[-4:]
        assert line[5] == renewal
        assert line[7] == subsidies
        assert reason in line[8]
        assert line[6] == ("暂缓：有未办结的重大案件" if key == "held" else "已确定")
        signed = "2027年1月1日（周五）至2027年12月31日（周五）"
        assert line[9] == (signed if key == "pass" else "")


def assert_no_id_digits(text: str) -> None:
    for person in PEOPLE.values():
        id_number = person[2]
        # No run of the number longer than its last 4 characters.
        for start in range(len(id_number) - 4):
            assert id_number[start : start + 5] not in text, id_number


def test_csv_in_utf8_with_bom(env, tmp_path):
    out = tmp_path / "subsidy.csv"
    result = export(env, "--cycle", "2026", "--format", "csv", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "6" in result.output and str(out) in result.output
    assert "继续发放 1 人；停发 2 人；终止 2 人；待定 1 人。" in result.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    check_table(list(csv.reader(io.StringIO(text))))
    assert_no_id_digits(text)
    assert_no_id_digits(result.output)


def test_xlsx_with_chinese_headers_and_summary(env, tmp_path):
    out = tmp_path / "subsidy.xlsx"
    result = export(env, "--cycle", "2026", "--format", "xlsx", "-o", str(out))
    assert result.exit_code == 0, result.output
    book = CalamineWorkbook.from_path(str(out))
    rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    cells = [[str(value) for value in row] for row in rows]
    assert "2026" in cells[0][0]
    assert cells[1][0] == "继续发放 1 人；停发 2 人；终止 2 人；待定 1 人。"
    check_table([row[:10] for row in cells[3:] if any(row)])
    assert_no_id_digits("\n".join("\t".join(row) for row in cells))


def test_default_file_name_follows_the_language(env, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = export(env, "--cycle", "2026", "--format", "xlsx")
    assert result.exit_code == 0, result.output
    assert "补贴名单_2026.xlsx" in result.output
    book = CalamineWorkbook.from_path(str(tmp_path / "补贴名单_2026.xlsx"))
    assert book.sheet_names == ["补贴名单"]
    english = export({**env, "GONGSHI_LANGUAGE": "en"}, "--cycle", "2026", "--format", "csv")
    assert english.exit_code == 0, english.output
    assert "subsidy-2026.csv" in english.output and (tmp_path / "subsidy-2026.csv").exists()


def test_an_open_cycle_is_refused(env, tmp_path):
    out = tmp_path / "x.csv"
    result = export(env, "--cycle", "2027", "--format", "csv", "-o", str(out))
    assert result.exit_code == 1
    assert result.output.strip() == "2027 年度公示尚未结束：考核结果尚未最终确定。"
    assert not out.exists()


def test_an_unknown_cycle_is_refused(env):
    result = export(env, "--cycle", "2030", "--format", "xlsx")
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1 and "2030" in result.output


def test_an_unknown_format_is_refused(env):
    result = export(env, "--cycle", "2026", "--format", "pdf")
    assert result.exit_code == 2
    assert "pdf" in result.output
