"""Alerts tests: calls that match the rules, a local SMTP server and a local webhook receiver
on 127.0.0.1, started by a test.

The SMTP server speaks just enough of RFC 5321 for smtplib (EHLO/HELO, AUTH PLAIN, MAIL,
RCPT, DATA, RSET, NOOP, QUIT, and STARTTLS when given a certificate) and can refuse the first
messages with a temporary error; the webhook receiver answers the statuses it is given, in
turn, then 200.
"""
from __future__ import annotations

import base64
import email
import json
import socket
import socketserver
import ssl
import threading
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Optional

import duckdb

from qa_pipeline.records import Call, CallInfo, CallResult, Finding, Turn
from qa_pipeline.store import database as store


@dataclass
class SmtpServer:
    refuse_first: int = 0  # answer MAIL FROM with 451 this many times
    messages: list[tuple[list[str], Message]] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)
    refused: int = 0
    port: int = 0
    tls: Optional[tuple[str, str]] = None  # (certificate, key) files: offer STARTTLS
    secured: list[bool] = field(default_factory=list)  # per message: whether it came over TLS


    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        owner = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                owner._session(self.request, self.rfile, self.wfile)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _session(self, conn, rfile, wfile) -> None:
        def say(line: str) -> None:
            wfile.write((line + "\r\n").encode())
            wfile.flush()

        say("220 test.local ESMTP")
        to: list[str] = []
        secure = False
        while True:
            raw = rfile.readline()
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            verb = line.split(" ", 1)[0].upper()
            if verb == "EHLO":
                say("250-test.local")
                if self.tls and not secure:
                    say("250-STARTTLS")
                say("250 AUTH PLAIN")
            elif verb == "STARTTLS" and self.tls:
                say("220 ready for TLS")
                context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                context.load_cert_chain(*self.tls)
                conn = context.wrap_socket(conn, server_side=True)
                rfile, wfile, secure = conn.makefile("rb"), conn.makefile("wb"), True
            elif verb == "HELO":
                say("250 test.local")
            elif verb == "AUTH":
                parts = line.split()
                _, user, password = base64.b64decode(parts[2]).decode().split("\0")
                self.logins.append((user, password))
                say("235 2.7.0 Authentication successful")
            elif verb == "MAIL":
                with self._lock:
                    refuse = self.refused < self.refuse_first
                    self.refused += refuse
                if refuse:
                    say("451 4.3.0 try again later")
                else:
                    to = []
                    say("250 OK")
            elif verb == "RCPT":
                to.append(line.split(":", 1)[1].strip().strip("<>"))
                say("250 OK")
            elif verb == "DATA":
                say("354 go ahead")
                body = []
                while True:
                    data = rfile.readline()
                    if data in (b".\r\n", b".\n", b""):
                        break
                    body.append(data[1:] if data.startswith(b"..") else data)
                with self._lock:
                    self.messages.append((to, email.message_from_bytes(b"".join(body))))
                    self.secured.append(secure)
                say("250 OK queued")
            elif verb == "QUIT":
                say("221 bye")
                return
            else:  # RSET, NOOP
                say("250 OK")


@dataclass
class WebhookReceiver:
    statuses: list[int] = field(default_factory=list)  # answered in turn, then 200
    posts: list[dict] = field(default_factory=list)
    headers: list[dict] = field(default_factory=list)
    tries: int = 0
    port: int = 0
    on_post: Optional[Callable[[], None]] = None  # called before answering each POST


    def __post_init__(self) -> None:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                owner.tries += 1
                if owner.on_post is not None:
                    owner.on_post()
                status = owner.statuses.pop(0) if owner.statuses else 200
                if status == 200:
                    owner.posts.append(json.loads(body))
                    owner.headers.append(dict(self.headers))
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args) -> None:  # quiet test output
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/secret-path"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def free_port() -> int:
    """A port nothing listens on (for a receiver that is down)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


RULES = [
    {"id": "critical-item", "title": "A critical item failed", "when": {"critical_failed": True}},
    {"id": "low-score", "title": "Score under 60", "when": {"score_below": 60}, "teams": ["Team B"]},
    {"id": "complaint-no-reply-time", "title": "Complaint without a reply time",
     "when": {"complaint": True, "items_failed": ["D4"]}},
    {"id": "billing-flagged", "when": {"flagged": True}, "queues": ["billing"], "send": ["webhook"]},
]


def make_call(call_id: str, team: str, agent: str, score: float, *, failed=(), critical_failed=False,
              complaint=False, flagged=False, queue=None, version="1") -> tuple[Call, CallResult]:
    """A scored call: ``failed`` items fail, the critical item E1 fails with ``critical_failed``."""
    info = CallInfo(call_id, agent_id=agent, agent_name=f"Agent {agent}", team=team,
                    started_at="2026-12-05T08:00:00+00:00", metadata={"queue": queue} if queue else {})
    call = Call(info, "en", (Turn("agent", 0.0, 2.0, "Hello, Star Bank."), Turn("customer", 2.0, 4.0, "Hi.")))
    findings = [Finding("A1", "fail" if "A1" in failed else "pass", weight=10),
                Finding("D4", "fail" if "D4" in failed else "pass" if complaint else "na", weight=5),
                Finding("E1", "fail" if critical_failed else "pass", critical=True)]
    return call, CallResult(call_id, "standard", version, score, flagged, ("low score",) if flagged else (),
                            tuple(findings), complaint=complaint)


CALLS = [
    dict(call_id="c1", team="Team A", agent="a01", score=0.0, critical_failed=True, flagged=True),
    dict(call_id="c2", team="Team A", agent="a02", score=80.0, failed=("D4",), complaint=True),
    dict(call_id="c3", team="Team B", agent="b01", score=55.0, failed=("A1",), flagged=True, queue="billing"),
    dict(call_id="c4", team="Team B", agent="b02", score=95.0, queue="billing"),
]
EXPECTED = {("c1", "critical-item"), ("c2", "complaint-no-reply-time"), ("c3", "low-score"),
            ("c3", "billing-flagged")}




def save_calls(con: duckdb.DuckDBPyConnection, version: str = "1") -> None:
    """Store :data:`CALLS` with their results, as `qa run` / `qa import` do."""
    for spec in CALLS:
        call, result = make_call(**spec, version=version)
        store.save_call(con, call, [result])
