"""Crossref's `/works/{doi}` on this machine, answering one recorded body to every DOI:
for the lookup tests and bench/scale.py, since the machines cannot reach Crossref."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def serve(body):
    """Start a server that answers `body` (JSON bytes) to every GET, on a free local port.
    Returns the server (`shutdown()` it) and the list of (client address, path) it saw."""
    seen = []

    class RecordedCrossref(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as Crossref
        # Headers and body go out as two writes: with Nagle's algorithm on, each answer
        # would wait for the client's delayed ACK (40 ms), which Crossref does not add.
        disable_nagle_algorithm = True

        def do_GET(self):
            seen.append((self.client_address, self.path))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), RecordedCrossref)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, seen
