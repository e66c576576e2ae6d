// The typed client: its URLs, and (checked by the type checker of `npm test`)
// that a call or a read the document does not allow does not compile.
import { typedApi, urlOf } from "../support/api-client";
import type { HttpResult, RequestOptions } from "../support/harness";

describe("the typed client", () => {
  it("fills path parameters, encoded, and appends the query", () => {
    expect(urlOf("/api/users/{id}", { id: "a/b c" })).toBe("/api/users/a%2Fb%20c");
    expect(urlOf("/api/conversations", {}, { status: "waiting", page: 2, tags: ["a", "b"], search: undefined })).toBe(
      "/api/conversations?status=waiting&page=2&tags=a%2Cb",
    );
    expect(() => urlOf("/api/users/{id}")).toThrow("no value for {id}");
  });

  it("sends what the operation takes, with the token, and answers with the operation's types", async () => {
    const sent: Array<[string, string, RequestOptions | undefined]> = [];
    const send = async (method: string, url: string, opts?: RequestOptions): Promise<HttpResult> => {
      sent.push([method, url, opts]);
      return {
        status: 200,
        body: { id: "u1", email: "a@b.c", name: "A", role: "agent", status: "online", is_active: true, last_seen_at: null, created_at: "", updated_at: "" },
        headers: new Headers(),
      };
    };
    const api = typedApi(send, "token-1");
    const res = await api.get("/api/users/{id}", { path: { id: "u1" } });
    if (res.status === 200) expect(res.body.role).toBe("agent");
    await api.put("/api/users/{id}/status", { path: { id: "u1" }, body: { status: "away" } });
    expect(sent).toEqual([
      ["GET", "/api/users/u1", { token: "token-1", body: undefined }],
      ["PUT", "/api/users/u1/status", { token: "token-1", body: { status: "away" } }],
    ]);
  });
});

// Never run: each line must fail to compile, or the type check fails.
export async function wrongCalls(api: ReturnType<typeof typedApi>): Promise<void> {
  // @ts-expect-error no such operation
  await api.get("/api/userz");
  // @ts-expect-error the path parameter is `id`
  await api.get("/api/users/{id}", { path: { user: "x" } });
  // @ts-expect-error `role` takes admin, supervisor or agent
  await api.post("/api/users", { body: { email: "a@b.c", password: "12345678", name: "A", role: "owner" } });
  const res = await api.get("/api/users/{id}", { path: { id: "x" } });
  if (res.status === 200) {
    // @ts-expect-error a user has no `nickname`
    void res.body.nickname;
  }
  if (res.status === 404) {
    // @ts-expect-error an error answer has `detail`, not the user's fields
    void res.body.email;
  }
}
