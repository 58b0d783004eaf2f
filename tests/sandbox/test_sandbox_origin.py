"""The control API takes orders only from its own page: a request another web page could make
(another origin, a form post, a body that is not JSON, a DNS-rebound host name) is refused and
changes nothing, while the page's own requests and programs' JSON work as before."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from bot.sandbox import RunningSandbox
from bot.sandbox.client import SandboxClient


@pytest.fixture
async def http(sandbox: RunningSandbox):
    async with httpx.AsyncClient(base_url=sandbox.url) as opened:
        yield opened


async def persona_names(sb: SandboxClient) -> list[str]:
    return [p["first_name"] for p in await sb.personas()]


FOREIGN = [
    ({"Origin": "http://evil.example"}, 403),
    ({"Origin": "null"}, 403),
    ({"Sec-Fetch-Site": "cross-site"}, 403),
    # Another port on 127.0.0.1 is the same site but not the same origin.
    ({"Sec-Fetch-Site": "same-site"}, 403),
]


@pytest.mark.parametrize(("headers", "status"), FOREIGN, ids=["origin", "null", "cross", "site"])
async def test_another_page_cannot_create_a_persona(http, sb, headers, status):
    response = await http.post("/_control/personas", json={"first_name": "入侵"}, headers=headers)
    assert response.status_code == status
    assert "入侵" not in await persona_names(sb)


async def test_another_page_cannot_read_the_chats(http, user):
    response = await http.get(
        f"/_control/chats/{user['id']}", headers={"Origin": "http://evil.example"}
    )
    assert response.status_code == 403
    assert "张三" not in response.text


@pytest.mark.parametrize(
    "body",
    [
        {"content": '{"first_name": "入侵"}'.encode(), "headers": {"Content-Type": "text/plain"}},
        {"data": {"first_name": "入侵"}},  # an HTML form's urlencoded post
        {"files": {"first_name": (None, "入侵")}},  # a form's multipart post
    ],
    ids=["text-plain", "form", "multipart"],
)
async def test_a_body_that_is_not_json_is_refused(http, sb, body: dict[str, Any]):
    response = await http.post("/_control/personas", **body)
    assert response.status_code == 415
    assert "入侵" not in await persona_names(sb)


async def test_a_reset_without_json_is_refused(http, sb, user):
    await sb.send_text(user, "留着")
    response = await http.post("/_control/reset")
    assert response.status_code == 415
    assert [m["text"] for m in await sb.messages(user)] == ["留着"]
    await sb.reset()  # the client's reset is JSON
    assert await sb.messages(user) == []


async def test_a_dns_rebound_name_is_refused(http, sb, sandbox):
    """evil.example re-pointed to 127.0.0.1: its page is 'same-origin' with itself."""
    host = f"evil.example:{sandbox.port}"
    response = await http.post(
        "/_control/personas",
        json={"first_name": "入侵"},
        headers={"Host": host, "Origin": f"http://{host}"},
    )
    assert response.status_code == 403
    assert "入侵" not in await persona_names(sb)


async def test_the_pages_own_requests_work(http, sb, sandbox, user):
    own = {"Origin": sandbox.url, "Sec-Fetch-Site": "same-origin"}
    created = await http.post("/_control/personas", json={"first_name": "本页"}, headers=own)
    assert created.status_code == 201, created.text
    on_localhost = await http.get(
        "/_control/state",
        headers={"Host": f"localhost:{sandbox.port}", "Origin": f"http://localhost:{sandbox.port}"},
    )
    assert on_localhost.status_code == 200
    upload = await http.post(
        "/_control/inject/file",
        data={"user_id": str(user["id"]), "kind": "document"},
        files={"file": ("a.txt", b"hello")},
        headers=own,
    )
    assert upload.status_code == 200, upload.text
    # The same upload from a program that names no origin, or from another page, is refused.
    for headers in ({}, {"Origin": "http://evil.example"}):
        refused = await http.post(
            "/_control/inject/file",
            data={"user_id": str(user["id"]), "kind": "document"},
            files={"file": ("b.txt", b"hello")},
            headers=headers,
        )
        assert refused.status_code in (403, 415)
    names = [m.get("document", {}).get("file_name") for m in await sb.messages(user)]
    assert names == ["a.txt"]
