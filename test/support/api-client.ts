// The tests' typed client: every call names an operation of the OpenAPI
// document by its path template, and the types of its parameters, body and
// answers (one per declared status) come from test/support/api-types.ts, which
// test/openapi.test.ts keeps equal to what the engine serves. The tests are
// the first client of the contract.
import type { paths } from "./api-types";
import type { HttpResult, RequestOptions } from "./harness";

type Method = "get" | "post" | "put" | "delete";
type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;
/** The templates that have an operation for the method. */
export type PathWith<M extends Method> = { [P in keyof paths]: paths[P][M] extends undefined ? never : P }[keyof paths];

type BodyOf<R> = R extends { content: { "application/json": infer Body } } ? Body : null;
/** One answer per declared status: narrowing on `status` gives its body's type. */
export type Answer<O> = O extends { responses: infer R }
  ? { [S in keyof R]: Omit<HttpResult, "status" | "body"> & { status: S; body: BodyOf<R[S]> } }[keyof R]
  : never;

type Parameters<O> = O extends { parameters: infer Params } ? Params : never;
type Field<T, K extends string> = K extends keyof T ? Exclude<T[K], undefined> : never;
type RequestBody<O> = O extends { requestBody?: { content: { "application/json": infer Body } } } ? Body : never;
/** What a call gives: path parameters, query and body, each only where the operation has them. */
type Input<O> = ([Field<Parameters<O>, "path">] extends [never] ? { path?: never } : { path: Field<Parameters<O>, "path"> }) &
  ([Field<Parameters<O>, "query">] extends [never] ? { query?: never } : { query?: Field<Parameters<O>, "query"> }) &
  ([RequestBody<O>] extends [never] ? { body?: never } : { body?: RequestBody<O> });

type Send = (method: string, url: string, opts?: RequestOptions) => Promise<HttpResult>;

/** `/api/users/{id}` with `{id}` filled in, and the query appended. */
export function urlOf(template: string, path: Record<string, string> = {}, query: Record<string, unknown> = {}): string {
  const url = template.replace(/\{(\w+)\}/g, (_match, name: string) => {
    if (path[name] === undefined) throw new Error(`${template}: no value for {${name}}`);
    return encodeURIComponent(path[name]);
  });
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) search.set(name, Array.isArray(value) ? value.join(",") : String(value));
  return search.size ? `${url}?${search}` : url;
}

export interface TypedApi {
  get<P extends PathWith<"get">>(template: P, input?: Input<Operation<P, "get">>): Promise<Answer<Operation<P, "get">>>;
  post<P extends PathWith<"post">>(template: P, input?: Input<Operation<P, "post">>): Promise<Answer<Operation<P, "post">>>;
  put<P extends PathWith<"put">>(template: P, input?: Input<Operation<P, "put">>): Promise<Answer<Operation<P, "put">>>;
  delete<P extends PathWith<"delete">>(template: P, input?: Input<Operation<P, "delete">>): Promise<Answer<Operation<P, "delete">>>;
}

/** A typed client over the harness's request function (with the caller's token, if any). */
export function typedApi(send: Send, token?: string): TypedApi {
  const call =
    (method: string) =>
    async (template: string, input: { path?: Record<string, string>; query?: Record<string, unknown>; body?: unknown } = {}) =>
      send(method, urlOf(template, input.path, input.query), { token, body: input.body ?? (method === "POST" || method === "PUT" ? {} : undefined) });
  // The answer's type is the operation's; the harness has already checked the answer against the same document.
  return { get: call("GET"), post: call("POST"), put: call("PUT"), delete: call("DELETE") } as unknown as TypedApi;
}
