"""The console as `crm serve` runs it, each answer saying how long the server took.

`python bench/console_server.py DATABASE_URL PORT`: the same app (`web.app.create_app`)
in the same uvicorn configuration as `web.serve.run`, wrapped in one middleware that adds
`Server-Timing: app;dur=MS`. The time runs from the request's arrival to the start of
the answer; the pages are rendered whole before that start, so it is the server's time
without the loopback's.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class ServerTiming:
    """ASGI middleware: the server's time for each HTTP request, in a response header."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()

        async def timed(message):
            if message["type"] == "http.response.start":
                took = f"app;dur={(time.perf_counter() - started) * 1000:.2f}"
                headers = [*message.get("headers", []), (b"server-timing", took.encode())]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, timed)


def main(url: str, port: int) -> None:
    import uvicorn

    from crm.app import App
    from crm.config import load_settings
    from web.app import create_app

    console = create_app(App(settings=load_settings(None), database_url=url))
    config = uvicorn.Config(
        ServerTiming(console), host="127.0.0.1", port=port, log_level="warning", access_log=False
    )
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
