"""The demo's kept chats (bot.sandbox.snapshot) and `gongshi demo --reset`'s files
(bot.demo_files): what is kept comes back as it was, a damaged snapshot is set aside, and
reset removes the demo's own files only."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.demo_files import CannotReset, reset_files, snapshot_path
from bot.sandbox import snapshot
from bot.sandbox.state import DEFAULT_CHANNEL_ID, SandboxState
from bot.settings import load_settings

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + (3).to_bytes(4, "big") + (2).to_bytes(4, "big")


def lived_in_state() -> SandboxState:
    state = SandboxState()
    citizen = state.add_persona(id=5000000001, first_name="张伟", role="citizen")
    citizen.started = True
    chat = state.private_chat(citizen)
    state.add_message(chat, {"text": "/start"}, sender=citizen.user_json(), from_bot=False)
    keyboard = {"inline_keyboard": [[{"text": "我要投诉", "callback_data": "m:c"}]]}
    state.add_message(chat, {"text": "欢迎"}, sender=None, from_bot=True, markup=keyboard)
    channel = state.chats[DEFAULT_CHANNEL_ID]
    state.add_message(channel, {"text": "公示 第1页", "has_protected_content": True},
                      sender=None, from_bot=True)  # fmt: skip
    state.files.add(kind="photo", data=PNG, file_name="chart.png")
    state.commands[state.command_key(None, "zh")] = [{"command": "help", "description": "帮助"}]
    state.add_update("message", {"text": "pending"})
    return state


def test_a_snapshot_brings_back_chats_channel_files_menus_and_numbering(tmp_path):
    before = lived_in_state()
    path = tmp_path / "var" / "demo-sandbox.json"
    snapshot.save(before, path)

    after = SandboxState()
    after.add_persona(id=5000000001, first_name="张伟", role="citizen")
    assert snapshot.load(after, path)
    for chat_id in (5000000001, DEFAULT_CHANNEL_ID):
        assert [m.to_json()["text"] for m in after.chats[chat_id].messages] == [
            m.to_json()["text"] for m in before.chats[chat_id].messages
        ]
    [[button]] = after.chats[5000000001].messages[-1].markup["inline_keyboard"]
    assert button["text"] == "我要投诉"
    assert after.personas[5000000001].started
    [kept_file] = after.files.all()
    assert kept_file.data == PNG and after.files.get(kept_file.file_id) is not None
    assert after.commands == before.commands
    assert after.add_update("message", {"text": "next"}) == before.next_update_id
    # New messages number on after the kept ones.
    chat = after.chats[5000000001]
    assert after.add_message(chat, {"text": "再次"}, sender=None, from_bot=True).message_id == 3
    assert after.files.add(kind="document", data=b"x", file_name="a.txt").file_id not in {
        kept_file.file_id
    }


def test_a_damaged_snapshot_is_set_aside_and_the_chats_start_empty(tmp_path):
    path = tmp_path / "demo-sandbox.json"
    path.write_text('{"format": 1, "chats": [', encoding="utf-8")
    state = SandboxState()
    assert not snapshot.load(state, path)
    assert not path.exists() and (tmp_path / "demo-sandbox.json.damaged").exists()
    assert state.chats[DEFAULT_CHANNEL_ID].messages == []


def test_reset_removes_the_demo_database_its_journal_snapshot_and_evidence(tmp_path):
    var = tmp_path / "var"
    var.mkdir()
    settings = load_settings(
        database_url=f"sqlite+aiosqlite:///{var / 'gongshi.db'}", evidence_dir=var / "evidence"
    )
    kept_elsewhere = tmp_path / "notes.txt"
    for name in ("gongshi.db", "gongshi.db-wal", "demo-sandbox.json", "evidence/ab/cd.pdf"):
        (var / name).parent.mkdir(parents=True, exist_ok=True)
        (var / name).write_bytes(b"x")
    kept_elsewhere.write_text("mine")
    assert snapshot_path(settings) == var / "demo-sandbox.json"

    removed = reset_files(settings)

    assert {Path(p).name for p in removed} == {
        "gongshi.db", "gongshi.db-wal", "demo-sandbox.json", "evidence",
    }  # fmt: skip
    assert list(var.iterdir()) == [] and kept_elsewhere.read_text() == "mine"
    assert reset_files(settings) == []


def test_reset_refuses_a_server_database():
    settings = load_settings(database_url="postgresql+asyncpg://u:p@db.example/gongshi")
    with pytest.raises(CannotReset):
        reset_files(settings)


def test_reset_refuses_while_a_demo_holds_its_database(tmp_path):
    """A reset from another terminal must not delete files under a demo still answering."""
    from bot.demo_files import DemoRunning, demo_lock

    database = tmp_path / "gongshi.db"
    settings = load_settings(database_url=f"sqlite+aiosqlite:///{database}")
    with demo_lock(settings):
        assert database.is_file()  # an empty file: a valid new SQLite database
        with pytest.raises(DemoRunning) as refused:
            reset_files(settings)
        assert str(database) in str(refused.value)
        with pytest.raises(DemoRunning), demo_lock(settings):  # nor does a second demo start
            pass
        assert database.is_file()
    assert reset_files(settings) == [database]  # once it has stopped
