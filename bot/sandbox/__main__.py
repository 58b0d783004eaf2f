"""`python -m bot.sandbox [--port 8081]`: the Bot API look-alike and its chat page."""

from __future__ import annotations

import argparse
import ipaddress

from .server import main


def cli(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bot.sandbox",
        description="本地 Telegram Bot API 沙盒与聊天页面 / local Bot API look-alike and chat page",
    )
    parser.add_argument("--host", default="127.0.0.1", help="默认只监听本机 / loopback only")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", help="只接受此令牌 / accept only this bot token")
    parser.add_argument(
        "--token-check", action="store_true", help="检查令牌 / refuse other tokens (401)"
    )
    parser.add_argument("--personas", help="身份 JSON 文件 / JSON file of personas")
    args = parser.parse_args(argv)
    if args.host not in ("localhost",) and not ipaddress.ip_address(args.host).is_loopback:
        print(f"注意：监听 {args.host}，本机以外也能访问 / warning: reachable beyond this machine")
    main(
        args.host,
        args.port,
        token_check=args.token_check or bool(args.token),
        personas_file=args.personas,
        token=args.token,
    )


if __name__ == "__main__":
    cli()
