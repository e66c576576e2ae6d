// Requests Node's HTTP parser refuses before any route sees them (headers or
// a query string too large, a malformed request line) are answered in the
// API's error format instead of Node's bare status line.
import type { Server } from "node:http";
import type { Duplex } from "node:stream";

const ANSWERS: Record<string, { status: number; reason: string; code: string; message: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, reason: "Request Header Fields Too Large", code: "HEADERS_TOO_LARGE", message: "The request headers (or the URL) are too large" },
  HPE_REQUEST_TIMEOUT: { status: 408, reason: "Request Timeout", code: "REQUEST_TIMEOUT", message: "The request took too long to arrive" },
};
const MALFORMED = { status: 400, reason: "Bad Request", code: "MALFORMED_REQUEST", message: "The request is not valid HTTP" };

export function answerClientErrors(server: Server): void {
  server.on("clientError", (err: NodeJS.ErrnoException, socket: Duplex) => {
    // Nothing can be written to a connection that is gone.
    if (err.code === "ECONNRESET" || !socket.writable) {
      socket.destroy();
      return;
    }
    const answer = (err.code && ANSWERS[err.code]) || MALFORMED;
    const body = JSON.stringify({ detail: { code: answer.code, message: answer.message, field: null } });
    socket.end(
      `HTTP/1.1 ${answer.status} ${answer.reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `X-Content-Type-Options: nosniff\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
