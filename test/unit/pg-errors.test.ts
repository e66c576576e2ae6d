import { AppError } from "../../lib/errors";
import { translatePgError } from "../../lib/db/pg-errors";

describe("database error translation", () => {
  it("turns unique violations into 409 on the field named by the index", () => {
    const err = translatePgError({ code: "23505", constraint: "users_email_unique" }) as AppError;
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 409, type: "CONFLICT", data: { field: "email" } });
  });

  it("reads the driver error that objection wraps", () => {
    const err = translatePgError({ name: "UniqueViolationError", nativeError: { code: "23505", constraint: "queues_name_unique" } });
    expect(err).toMatchObject({ code: 409, data: { field: "name" } });
  });

  it("turns bad references and formats into 422", () => {
    expect(translatePgError({ code: "23503" })).toMatchObject({ code: 422, type: "VALIDATION_ERROR" });
    expect(translatePgError({ code: "22P02" })).toMatchObject({ code: 422 });
  });

  it("leaves other errors alone", () => {
    const err = new Error("connection refused");
    expect(translatePgError(err)).toBe(err);
  });
});
