"""Files both ways: the bot's multipart uploads (direct parts and aiogram's attach://), file_id
reuse, getFile and download; a persona's uploads reaching the bot."""

from __future__ import annotations

import json
from typing import Any

import httpx
from sandbox_helpers import BotApi, tiny_png

from bot.sandbox.client import SandboxClient


async def download(tg: BotApi, sandbox_url: str, file_id: str) -> bytes:
    file = await tg.ok("getFile", file_id=file_id)
    assert file["file_size"] > 0
    response = await tg.http.get(
        f"{sandbox_url}/file/bot{tg.base.split('/bot')[1]}{file['file_path']}"
    )
    assert response.status_code == 200
    return response.content


async def test_send_document_multipart_then_get_file_and_download(
    sandbox: Any, tg: BotApi, user: dict[str, Any]
) -> None:
    data = "单位,姓名,等次\n城管局,张三,合格\n".encode()
    status, body = await tg.form(
        "sendDocument",
        {"chat_id": str(user["id"]), "caption": "考核结果"},
        files={"document": ("结果.csv", data, "text/csv")},
    )
    assert status == 200, body
    document = body["result"]["document"]
    assert document["file_name"] == "结果.csv"
    assert document["file_size"] == len(data)
    assert body["result"]["caption"] == "考核结果"
    assert await download(tg, sandbox.url, document["file_id"]) == data


async def test_attach_form_part_and_file_id_reuse(
    sandbox: Any, tg: BotApi, user: dict[str, Any]
) -> None:
    status, body = await tg.form(
        "sendDocument",
        {"chat_id": str(user["id"]), "document": "attach://part1"},
        files={"part1": ("回执.pdf", b"%PDF-1.4 receipt", "application/pdf")},
    )
    assert status == 200, body
    first = body["result"]["document"]
    again = await tg.ok("sendDocument", chat_id=user["id"], document=first["file_id"])
    assert again["document"]["file_id"] == first["file_id"]
    status, body = await tg("sendPhoto", chat_id=user["id"], photo=first["file_id"])
    assert (status, body["description"]) == (400, "Bad Request: type of file mismatch")
    status, body = await tg("sendDocument", chat_id=user["id"], document="no-such-id")
    assert status == 400 and "wrong file identifier" in body["description"]
    status, body = await tg(
        "sendDocument", chat_id=user["id"], document="https://example.com/x.pdf"
    )
    assert status == 400  # the sandbox fetches nothing from the network


async def test_send_photo_checks_it_is_an_image(
    sandbox: Any, tg: BotApi, user: dict[str, Any]
) -> None:
    status, body = await tg.form(
        "sendPhoto",
        {"chat_id": str(user["id"])},
        files={"photo": ("chart.png", tiny_png(), "image/png")},
    )
    assert status == 200, body
    sizes = body["result"]["photo"]
    assert (sizes[-1]["width"], sizes[-1]["height"]) == (3, 2)
    assert await download(tg, sandbox.url, sizes[-1]["file_id"]) == tiny_png()
    status, body = await tg.form(
        "sendPhoto",
        {"chat_id": str(user["id"])},
        files={"photo": ("x.png", b"not an image", "image/png")},
    )
    assert (status, body["description"]) == (400, "Bad Request: IMAGE_PROCESS_FAILED")


async def test_upload_size_limit_is_413(
    tg: BotApi, sb: SandboxClient, user: dict[str, Any]
) -> None:
    await sb.set_limits(max_upload_bytes=10)
    status, body = await tg.form(
        "sendDocument", {"chat_id": str(user["id"])}, files={"document": ("big.bin", b"x" * 11)}
    )
    assert status == 413 and body["description"] == "Request Entity Too Large"


async def test_persona_upload_reaches_the_bot_as_a_downloadable_file(
    sandbox: Any, tg: BotApi, sb: SandboxClient, user: dict[str, Any]
) -> None:
    await sb.send_file(user, "evidence.jpg.png", tiny_png(), "photo", caption="现场")
    await sb.send_file(user, "说明.txt", "不在岗".encode(), "document")
    photo_update, document_update = await tg.ok("getUpdates")
    photo = photo_update["message"]["photo"][-1]
    assert photo_update["message"]["caption"] == "现场"
    assert await download(tg, sandbox.url, photo["file_id"]) == tiny_png()
    document = document_update["message"]["document"]
    assert document["file_name"] == "说明.txt" and document["mime_type"] == "text/plain"
    assert await download(tg, sandbox.url, document["file_id"]) == "不在岗".encode()
    assert await sb.download(document["file_id"]) == "不在岗".encode()


async def test_page_upload_is_multipart(sandbox: Any, tg: BotApi, user: dict[str, Any]) -> None:
    async with httpx.AsyncClient() as http:
        response = await http.post(
            f"{sandbox.url}/_control/inject/file",
            data={"user_id": str(user["id"]), "kind": "document"},
            files={"file": ("a.xlsx", b"PK\x03\x04 fake xlsx")},
            headers={"Origin": sandbox.url},  # what the page's browser sends
        )
    assert response.status_code == 200, response.text
    update = (await tg.ok("getUpdates"))[0]
    assert update["update_id"] == response.json()["update_id"]
    assert update["message"]["document"]["file_name"] == "a.xlsx"
    assert json.dumps(update)  # plain JSON, nothing the clients could not parse


async def test_unknown_file_path_is_404(sandbox: Any, tg: BotApi) -> None:
    response = await tg.http.get(f"{sandbox.url}/file/bot1:x/documents/nothing.pdf")
    assert response.status_code == 404
