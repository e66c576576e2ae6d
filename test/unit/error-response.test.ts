import { Errors, type ServiceBroker } from "moleculer";
import { Conflict, NotFound, TooManyRequests, ValidationFailed } from "../../lib/errors";
import { toErrorResponse } from "../../lib/http/error-response";
import { msg } from "../../lib/i18n/message";

describe("error responses", () => {
  it("renders domain errors with their status, code and field", () => {
    expect(toErrorResponse(new Conflict(msg("users.emailTaken"), "CONFLICT", "email"), "en")).toMatchObject({
      status: 409,
      body: { detail: { code: "CONFLICT", message: "A user with this email already exists", field: "email" } },
    });
    expect(toErrorResponse(new NotFound("user", "u1"), "en").body.detail).toEqual({ code: "NOT_FOUND", message: "user u1 not found", field: null });
  });

  it("turns the validator's first issue into VALIDATION_ERROR with the field", () => {
    const err = {
      code: 422,
      type: "VALIDATION_ERROR",
      message: "Parameters validation error!",
      data: [{ type: "required", field: "email", message: "The 'email' field is required." }],
    };
    expect(toErrorResponse(err, "en")).toMatchObject({
      status: 422,
      body: { detail: { code: "VALIDATION_ERROR", field: "email", message: "The email field is required." } },
    });
  });

  it("sets Retry-After on 429", () => {
    const res = toErrorResponse(new TooManyRequests(42.2), "en");
    expect(res.status).toBe(429);
    expect(res.headers["Retry-After"]).toBe("43");
  });

  it("maps body-parser failures", () => {
    expect(toErrorResponse({ status: 400, type: "entity.parse.failed", message: "Unexpected token" }, "en").body.detail.code).toBe("MALFORMED_JSON");
    expect(toErrorResponse({ status: 413, type: "entity.too.large" }, "en").status).toBe(413);
  });

  it("hides everything about unexpected failures", () => {
    const res = toErrorResponse(new TypeError("Cannot read properties of undefined (reading 'x')"), "en");
    expect(res).toMatchObject({ status: 500, internal: true, body: { detail: { code: "INTERNAL_ERROR", message: "Internal server error", field: null } } });
    expect(toErrorResponse("a string", "en").status).toBe(500);
    expect(toErrorResponse(null, "en").status).toBe(500);
  });

  it("reports a service that is down as 503", () => {
    expect(toErrorResponse({ code: 404, type: "SERVICE_NOT_FOUND", message: "Service 'x' is not found." }, "en").status).toBe(503);
  });

  it("answers a call whose node went away, or a node cut off from the cluster, with one 503 and Retry-After", async () => {
    const { Errors } = await import("moleculer");
    const { RequestRejectedError } = Errors;
    // Thrown by moleculer's transit but missing from its type declarations.
    const { BrokerDisconnectedError } = Errors as unknown as { BrokerDisconnectedError: new () => Error };
    for (const err of [new RequestRejectedError({ action: "whatsapp.send", nodeID: "gone" }), new BrokerDisconnectedError()]) {
      const res = toErrorResponse(err, "en");
      expect(res).toMatchObject({ status: 503, internal: false, body: { detail: { code: "SERVICE_UNAVAILABLE", field: null } } });
      expect(res.headers["Retry-After"]).toBe("2");
    }
  });

  describe("in the client's language", () => {
    it("words a domain error in Spanish, keeping its code and field, and says so in Content-Language", () => {
      const res = toErrorResponse(new Conflict(msg("users.lastAdmin"), "LAST_ADMIN", "role"), "es");
      expect(res.body.detail).toEqual({
        code: "LAST_ADMIN",
        message: "Este es el último administrador activo; primero haga administrador a otro usuario",
        field: "role",
      });
      expect(res.headers["Content-Language"]).toBe("es");
      expect(toErrorResponse(new NotFound("queue", "q1"), "es").body.detail.message).toBe("No se encontró la cola q1");
      expect(toErrorResponse(new NotFound("queue", "q1"), "en").headers["Content-Language"]).toBe("en");
    });

    it("words an error that crossed from another node by the key in its data, not by its English message", () => {
      const thrown = new ValidationFailed("business_hours.monday.end", msg("hours.overlap", { first: "09:00–13:00", second: "12:00–18:00" }));
      // As the transporter carries it: moleculer's plain error as JSON, rebuilt on the gateway's node.
      const regenerator = new Errors.Regenerator();
      regenerator.init({ nodeID: "worker" } as ServiceBroker);
      const arrived = regenerator.restore(JSON.parse(JSON.stringify(regenerator.extractPlainError(thrown))), { sender: "worker" });
      expect(arrived).not.toBeInstanceOf(ValidationFailed);
      expect(toErrorResponse(arrived, "es").body.detail).toEqual({
        code: "VALIDATION_ERROR",
        message: "Los rangos 09:00–13:00 y 12:00–18:00 se superponen",
        field: "business_hours.monday.end",
      });
      expect(toErrorResponse(arrived, "en").body.detail.message).toBe("The ranges 09:00–13:00 and 12:00–18:00 overlap");
    });

    it("keeps the English message of an error whose key this node does not know (a newer node sent it)", () => {
      const err = { code: 409, type: "SOMETHING_NEW", message: "Something new happened", data: { i18n: { key: "future.message" } } };
      expect(toErrorResponse(err, "es").body.detail).toEqual({ code: "SOMETHING_NEW", message: "Something new happened", field: null });
    });

    it("words validator failures from the Spanish template of their type", () => {
      const failure = (issue: Record<string, unknown>) =>
        toErrorResponse({ code: 422, type: "VALIDATION_ERROR", message: "Parameters validation error!", data: [issue] }, "es").body.detail;
      expect(failure({ type: "required", field: "email", message: "The 'email' field is required." })).toEqual({
        code: "VALIDATION_ERROR",
        message: "El campo email es obligatorio.",
        field: "email",
      });
      expect(failure({ type: "stringMin", field: "password", expected: 8, actual: 3 }).message).toBe("El campo password debe tener al menos 8 caracteres.");
      expect(failure({ type: "enumValue", field: "role", expected: "admin, supervisor, agent", actual: "boss" }).message).toBe(
        "El campo role debe ser uno de: admin, supervisor, agent.",
      );
      expect(failure({ type: "notNullable", field: "provider" }).message).toBe("El campo provider no puede ser nulo.");
      // A rule's own message (the quick reply shortcut's) has its own translation.
      expect(
        failure({ type: "stringPattern", field: "shortcut", message: "The shortcut must start with / followed by 1 to 40 letters, digits, _ or -" }).message,
      ).toBe("El atajo debe empezar con / seguido de 1 a 40 letras, dígitos, _ o -");
      // A failure type without a Spanish template keeps the validator's English.
      expect(failure({ type: "somePluginType", field: "x", message: "The 'x' field is odd." }).message).toBe("The x field is odd.");
    });

    it("words the gateway's own answers and hides faults in Spanish too", () => {
      expect(toErrorResponse({ status: 400, type: "entity.parse.failed", message: "Unexpected token" }, "es").body.detail).toEqual({
        code: "MALFORMED_JSON",
        message: "El cuerpo de la solicitud no es JSON válido",
        field: null,
      });
      expect(toErrorResponse(new TypeError("boom"), "es").body.detail).toEqual({ code: "INTERNAL_ERROR", message: "Error interno del servidor", field: null });
      expect(toErrorResponse({ code: 404, type: "NOT_FOUND", message: "Not found" }, "es").body.detail.message).toBe("No encontrado");
    });
  });
});
