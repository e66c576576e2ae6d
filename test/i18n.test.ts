// Error messages (and the flow test's texts) in the language of Accept-Language:
// the code and the field stay, only the message changes. This file's default is
// English (the harness's); i18n-default.test.ts runs on a Spanish default.
import { randomUUID } from "node:crypto";
import { loopFlow } from "./fixtures/flows";
import { harness, type Client } from "./support/harness";

const h = harness();
let admin: Client;

const SPANISH = { "accept-language": "es-CO,es;q=0.9,en;q=0.8" };
const ENGLISH = { "accept-language": "en-US,en;q=0.9" };

beforeAll(async () => {
  admin = await h.admin();
});

describe("error messages in the client's language", () => {
  it("answers a validation failure in Spanish, with the same code and field", async () => {
    const body = { password: "password-123", name: "Sin correo", role: "agent" };
    const es = await h.request("POST", "/api/users", { token: admin.token, body, headers: SPANISH });
    expect(es.status).toBe(422);
    expect(es.body.detail).toEqual({ code: "VALIDATION_ERROR", message: "El campo email es obligatorio.", field: "email" });
    expect(es.headers.get("content-language")).toBe("es");
    expect(es.headers.get("vary")).toMatch(/accept-language/i);

    const en = await h.request("POST", "/api/users", { token: admin.token, body, headers: ENGLISH });
    expect(en.body.detail).toEqual({ code: "VALIDATION_ERROR", message: "The email field is required.", field: "email" });
    expect(en.headers.get("content-language")).toBe("en");
  });

  it("words the checks of the modules in Spanish too, whatever node ran them", async () => {
    const business_hours = {
      monday: [
        { start: "09:00", end: "13:00" },
        { start: "12:00", end: "18:00" },
      ],
    };
    const res = await h.request("POST", "/api/queues", { token: admin.token, body: { name: "Ventas", business_hours }, headers: SPANISH });
    expect(res.status).toBe(422);
    expect(res.body.detail).toEqual({
      code: "VALIDATION_ERROR",
      message: "Los rangos 09:00–13:00 y 12:00–18:00 se superponen",
      field: "business_hours.monday",
    });

    // A parameter rule's own message has its own translation.
    const shortcut = await h.request("POST", "/api/quick-replies", { token: admin.token, body: { shortcut: "saludo", content: "Hola" }, headers: SPANISH });
    expect(shortcut.body.detail).toEqual({
      code: "VALIDATION_ERROR",
      message: "El atajo debe empezar con / seguido de 1 a 40 letras, dígitos, _ o -",
      field: "shortcut",
    });
  });

  it("answers 401 in Spanish", async () => {
    const missing = await h.request("GET", "/api/auth/me", { headers: SPANISH });
    expect(missing.status).toBe(401);
    expect(missing.body.detail).toEqual({ code: "TOKEN_MISSING", message: "Se requiere autenticación", field: null });
    const invalid = await h.request("GET", "/api/auth/me", { token: "not-a-token", headers: SPANISH });
    expect(invalid.body.detail).toEqual({ code: "TOKEN_INVALID", message: "El token de acceso no es válido", field: null });
    const login = await h.request("POST", "/api/auth/login", { body: { email: "nadie@test.local", password: "password-123" }, headers: SPANISH });
    expect(login.body.detail).toEqual({ code: "INVALID_CREDENTIALS", message: "El correo electrónico o la contraseña son incorrectos", field: null });
  });

  it("answers 404 in Spanish, for a record and for a route", async () => {
    const id = randomUUID();
    const user = await h.request("GET", `/api/users/${id}`, { token: admin.token, headers: SPANISH });
    expect(user.status).toBe(404);
    expect(user.body.detail).toEqual({ code: "NOT_FOUND", message: `No se encontró el usuario ${id}`, field: null });
    const route = await h.request("GET", "/api/no-such-thing", { token: admin.token, headers: SPANISH });
    expect(route.status).toBe(404);
    expect(route.body.detail).toEqual({ code: "NOT_FOUND", message: "No encontrado", field: null });
  });

  it("answers 409 LAST_ADMIN in Spanish", async () => {
    const res = await h.request("PUT", `/api/users/${admin.user.id}`, { token: admin.token, body: { role: "agent" }, headers: SPANISH });
    expect(res.status).toBe(409);
    expect(res.body.detail).toEqual({
      code: "LAST_ADMIN",
      message: "Este es el último administrador activo; primero haga administrador a otro usuario",
      field: "role",
    });
  });

  it("answers in English when asked, and in the default when the header names none of ours", async () => {
    const en = await h.request("GET", "/api/auth/me", { headers: ENGLISH });
    expect(en.body.detail.message).toBe("Authentication required");
    const other = await h.request("GET", "/api/auth/me", { headers: { "accept-language": "fr-FR, de;q=0.5" } });
    expect(other.body.detail.message).toBe("Authentication required");
    expect(other.headers.get("content-language")).toBe("en");
  });

  it("tells the flow test's result in the tester's language", async () => {
    const flow = (await admin.post("/api/flows", { name: "Bucle", trigger_type: "manual", nodes: loopFlow() })).body;
    const body = { phone_number: "+525551234567", initial_message: "Hola" };
    const es = await h.request("POST", `/api/flows/${flow.id}/test`, { token: admin.token, body, headers: SPANISH });
    expect(es.body).toMatchObject({ status: "error", error: 'Se alcanzó el límite de 50 nodos seguidos en "b"; el flujo se detuvo' });
    expect(es.headers.get("content-language")).toBe("es");
    const en = await h.request("POST", `/api/flows/${flow.id}/test`, { token: admin.token, body, headers: ENGLISH });
    expect(en.body).toMatchObject({ status: "error", error: 'Step limit of 50 nodes reached at "b"; the flow was stopped' });
  });
});

describe("socket refusals in the language of the handshake", () => {
  it("refuses a socket without a token in Spanish", async () => {
    const refusal = h.socket({}, h.baseUrl, SPANISH);
    await expect(refusal).rejects.toMatchObject({
      message: "Se requiere autenticación",
      data: { detail: { code: "TOKEN_MISSING", message: "Se requiere autenticación", field: null } },
    });
  });

  it("answers a client event's acknowledgement in Spanish", async () => {
    const socket = await h.socket({ token: admin.token }, h.baseUrl, SPANISH);
    expect(await socket.timeout(2_000).emitWithAck("join_conversation", { conversation_id: "nope" })).toEqual({
      ok: false,
      detail: { code: "VALIDATION_ERROR", message: "conversation_id debe ser un UUID", field: "conversation_id" },
    });
    expect(await socket.timeout(2_000).emitWithAck("typing", { conversation_id: randomUUID() })).toEqual({
      ok: false,
      detail: { code: "FORBIDDEN", message: "Únase a la conversación (join_conversation) antes de escribir en ella", field: null },
    });
    expect(await socket.timeout(2_000).emitWithAck("call", "users.list", {})).toEqual({
      ok: false,
      detail: { code: "NOT_FOUND", message: "Evento de socket desconocido", field: null },
    });
  });

  it("keeps English for a socket whose handshake asked for it", async () => {
    const socket = await h.socket({ token: admin.token }, h.baseUrl, ENGLISH);
    const answer = await socket.timeout(2_000).emitWithAck("join_conversation", { conversation_id: "nope" });
    expect(answer.detail.message).toBe("conversation_id must be a UUID");
  });
});
