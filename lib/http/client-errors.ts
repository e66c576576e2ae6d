// Requests Node's HTTP parser refuses before any route sees them (headers or
// a query string too large, a malformed request line) are answered in the
// API's error format instead of Node's bare status line. The request's
// headers are not at hand then, so the answer is in the default language.
import type { Server } from "node:http";
import type { Duplex } from "node:stream";
import type { Language } from "../i18n/language";
import { inWords, msg, type Message } from "../i18n/message";

interface Answer {
  status: number;
  reason: string;
  code: string;
  message: Message;
}

const ANSWERS: Record<string, Answer> = {
  HPE_HEADER_OVERFLOW: { status: 431, reason: "Request Header Fields Too Large", code: "HEADERS_TOO_LARGE", message: msg("gateway.headersTooLarge") },
  HPE_REQUEST_TIMEOUT: { status: 408, reason: "Request Timeout", code: "REQUEST_TIMEOUT", message: msg("gateway.headersTimeout") },
};
const MALFORMED: Answer = { status: 400, reason: "Bad Request", code: "MALFORMED_REQUEST", message: msg("gateway.malformedRequest") };

export function answerClientErrors(server: Server, language: () => Language): void {
  server.on("clientError", (err: NodeJS.ErrnoException, socket: Duplex) => {
    // Nothing can be written to a connection that is gone.
    if (err.code === "ECONNRESET" || !socket.writable) {
      socket.destroy();
      return;
    }
    const answer = (err.code && ANSWERS[err.code]) || MALFORMED;
    const lang = language();
    const body = JSON.stringify({ detail: { code: answer.code, message: inWords(answer.message, lang), field: null } });
    socket.end(
      `HTTP/1.1 ${answer.status} ${answer.reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Language: ${lang}\r\n` +
        `X-Content-Type-Options: nosniff\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
