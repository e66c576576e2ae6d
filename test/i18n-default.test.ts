// An installation whose default language is Spanish (DEFAULT_LANGUAGE=es, the default
// outside tests): clients that name neither es nor en, or send no Accept-Language, read Spanish.
import http from "node:http";
import { harness } from "./support/harness";

const h = harness({ env: { DEFAULT_LANGUAGE: "es" } });

describe("the configured default language", () => {
  it("answers in the default when the client says nothing, or names none of ours", async () => {
    for (const headers of [{}, { "accept-language": "fr-FR, de;q=0.5" }, { "accept-language": "*" }] as Array<Record<string, string>>) {
      const res = await h.request("GET", "/api/auth/me", { headers });
      expect(res.body.detail).toEqual({ code: "TOKEN_MISSING", message: "Se requiere autenticación", field: null });
      expect(res.headers.get("content-language")).toBe("es");
    }
  });

  it("still answers in English a client that asks for it", async () => {
    const res = await h.request("GET", "/api/auth/me", { headers: { "accept-language": "en-GB" } });
    expect(res.body.detail).toEqual({ code: "TOKEN_MISSING", message: "Authentication required", field: null });
    expect(res.headers.get("content-language")).toBe("en");
  });

  it("answers in the default what the HTTP parser refuses before any header is read", async () => {
    const { status, body, language } = await new Promise<{ status: number; body: string; language: string | undefined }>((resolve, reject) => {
      const req = http.request(new URL(`${h.baseUrl}/api/health`), { headers: { "accept-language": "en", "x-filler": "y".repeat(20_000) } }, (res) => {
        let text = "";
        res.on("data", (chunk: Buffer) => (text += chunk.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text, language: res.headers["content-language"] }));
      });
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(431);
    expect(JSON.parse(body).detail).toEqual({
      code: "HEADERS_TOO_LARGE",
      message: "Los encabezados de la solicitud (o la URL) son demasiado grandes",
      field: null,
    });
    expect(language).toBe("es");
  });

  it("refuses a socket in the default language when its handshake names none", async () => {
    await expect(h.socket({})).rejects.toMatchObject({ data: { detail: { code: "TOKEN_MISSING", message: "Se requiere autenticación" } } });
  });
});
