import { Conflict, NotFound, TooManyRequests } from "../../lib/errors";
import { toErrorResponse } from "../../lib/http/error-response";

describe("error responses", () => {
  it("renders domain errors with their status, code and field", () => {
    expect(toErrorResponse(new Conflict("email", "taken"))).toMatchObject({
      status: 409,
      body: { detail: { code: "CONFLICT", message: "taken", field: "email" } },
    });
    expect(toErrorResponse(new NotFound("user", "u1")).body.detail).toEqual({ code: "NOT_FOUND", message: "user u1 not found", field: null });
  });

  it("turns the validator's first issue into VALIDATION_ERROR with the field", () => {
    const err = { code: 422, type: "VALIDATION_ERROR", message: "Parameters validation error!", data: [{ type: "required", field: "email", message: "The 'email' field is required." }] };
    expect(toErrorResponse(err)).toMatchObject({ status: 422, body: { detail: { code: "VALIDATION_ERROR", field: "email", message: "The email field is required." } } });
  });

  it("sets Retry-After on 429", () => {
    const res = toErrorResponse(new TooManyRequests(42.2));
    expect(res.status).toBe(429);
    expect(res.headers["Retry-After"]).toBe("43");
  });

  it("maps body-parser failures", () => {
    expect(toErrorResponse({ status: 400, type: "entity.parse.failed", message: "Unexpected token" }).body.detail.code).toBe("MALFORMED_JSON");
    expect(toErrorResponse({ status: 413, type: "entity.too.large" }).status).toBe(413);
  });

  it("hides everything about unexpected failures", () => {
    const res = toErrorResponse(new TypeError("Cannot read properties of undefined (reading 'x')"));
    expect(res).toMatchObject({ status: 500, internal: true, body: { detail: { code: "INTERNAL_ERROR", message: "Internal server error", field: null } } });
    expect(toErrorResponse("a string").status).toBe(500);
    expect(toErrorResponse(null).status).toBe(500);
  });

  it("reports a service that is down as 503", () => {
    expect(toErrorResponse({ code: 404, type: "SERVICE_NOT_FOUND", message: "Service 'x' is not found." }).status).toBe(503);
  });

  it("answers a call whose node went away, or a node cut off from the cluster, with one 503 and Retry-After", async () => {
    const { Errors } = await import("moleculer");
    const { RequestRejectedError } = Errors;
    // Thrown by moleculer's transit but missing from its type declarations.
    const { BrokerDisconnectedError } = Errors as unknown as { BrokerDisconnectedError: new () => Error };
    for (const err of [new RequestRejectedError({ action: "whatsapp.send", nodeID: "gone" }), new BrokerDisconnectedError()]) {
      const res = toErrorResponse(err);
      expect(res).toMatchObject({ status: 503, internal: false, body: { detail: { code: "SERVICE_UNAVAILABLE", field: null } } });
      expect(res.headers["Retry-After"]).toBe("2");
    }
  });
});
