// The harness's response hook finds what the document does not allow.
import { openApiDocument } from "../../lib/http/openapi";
import { contractProblem, type OpenApiDocument } from "../support/contract";

const doc = JSON.parse(
  JSON.stringify(
    openApiDocument(
      [
        {
          method: "GET",
          path: "/api/users/:id",
          action: "users.get",
          params: { id: "uuid" },
          permissions: "authenticated",
          summary: "Get a user",
          response: { body: "User" },
        },
        {
          method: "GET",
          path: "/api/flows/node-types",
          action: "flows.nodeTypes",
          permissions: "authenticated",
          summary: "Node types",
          response: { body: "NodeTypeList" },
        },
        {
          method: "DELETE",
          path: "/api/users/:id",
          action: "users.remove",
          params: { id: "uuid" },
          summary: "Delete",
          response: { status: 204 },
          errors: { 409: ["LAST_ADMIN"] },
        },
      ],
      "test",
    ),
  ),
) as OpenApiDocument;

const user = {
  id: "6f1c1c3e-3b7a-4f3e-9d7e-2a1b0c9d8e7f",
  email: "ana@example.com",
  name: "Ana",
  role: "agent",
  status: "online",
  is_active: true,
  last_seen_at: null,
  created_at: "2026-12-02T10:00:00.000Z",
  updated_at: "2026-12-02T10:00:00.000Z",
};
const json = "application/json; charset=utf-8";
const get = (body: unknown, status = 200, url = `/api/users/${user.id}`) => contractProblem(doc, { method: "GET", url, status, contentType: json, body });

describe("the response hook", () => {
  it("lets a body of exactly the declared shape through", () => {
    expect(get(user)).toBeUndefined();
    expect(contractProblem(doc, { method: "DELETE", url: `/api/users/${user.id}`, status: 204, contentType: null, body: null })).toBeUndefined();
    expect(
      contractProblem(doc, {
        method: "DELETE",
        url: `/api/users/${user.id}`,
        status: 409,
        contentType: json,
        body: { detail: { code: "LAST_ADMIN", message: "…", field: null } },
      }),
    ).toBeUndefined();
  });

  it("refuses a field added, renamed or of the wrong type", () => {
    expect(get({ ...user, nickname: "A" })).toMatch(/additional properties \(nickname\)/);
    const { email, ...renamed } = user;
    expect(get({ ...renamed, mail: email })).toMatch(/required property 'email'/);
    expect(get({ ...user, created_at: "yesterday" })).toMatch(/created_at must match format "date-time"/);
    expect(get({ ...user, role: "owner" })).toMatch(/role must be equal to one of the allowed values/);
  });

  it("refuses a status the operation does not declare, and errors outside the error format", () => {
    expect(contractProblem(doc, { method: "DELETE", url: `/api/users/${user.id}`, status: 200, contentType: json, body: {} })).toMatch(
      /a status the document does not list/,
    );
    expect(get({ message: "not found" }, 404)).toMatch(/#\/components\/schemas\/Error/);
    expect(contractProblem(doc, { method: "GET", url: "/api/nowhere", status: 404, contentType: "text/html", body: "<html>" })).toMatch(/not JSON/);
    expect(get({ items: [] }, 200, "/api/nowhere")).toMatch(/no such operation/);
  });

  it("matches a literal segment before a parameter", () => {
    expect(get({ items: [] }, 200, "/api/flows/node-types")).toBeUndefined();
  });
});
