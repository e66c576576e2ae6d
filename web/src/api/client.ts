// The console's API client: every call names an operation of the OpenAPI
// document by its path template (`/api/users/{id}`), and its inputs and its
// success body are typed from rest.gen.ts. It sends the session's access token,
// and when the engine answers 401 for an expired (or no longer valid) token it
// refreshes once, whoever else is waiting, and retries the request once.
import type { Session } from "../auth/session";
import { ApiError, send } from "./http";
import type { paths } from "./rest.gen";

type Method = "get" | "post" | "put" | "delete";
type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;
/** The path templates that have an operation for the method. */
export type PathWith<M extends Method> = { [P in keyof paths]: paths[P][M] extends undefined ? never : P }[keyof paths];

type Json<R> = R extends { content: { "application/json": infer Body } } ? Body : undefined;
type SuccessStatus = 200 | 201 | 202 | 204;
/** The body of the operation's success answer (`undefined` for 204). */
export type Success<O> = O extends { responses: infer R } ? { [S in keyof R & SuccessStatus]: Json<R[S]> }[keyof R & SuccessStatus] : never;

type Defined<T> = Exclude<T, undefined>;
type ParametersOf<O> = O extends { parameters: infer P } ? P : never;
type PathPart<O> = [Defined<ParametersOf<O>[keyof ParametersOf<O> & "path"]>] extends [never]
  ? object
  : { path: Defined<ParametersOf<O>[keyof ParametersOf<O> & "path"]> };
type QueryPart<O> = [Defined<ParametersOf<O>[keyof ParametersOf<O> & "query"]>] extends [never]
  ? object
  : { query?: Defined<ParametersOf<O>[keyof ParametersOf<O> & "query"]> };
type BodyPart<O> = O extends { requestBody?: never }
  ? object
  : O extends { requestBody: { content: { "application/json": infer Body } } }
    ? { body: Body }
    : O extends { requestBody?: { content: { "application/json": infer Body } } }
      ? { body?: Body }
      : object;
/** What a call takes: path parameters, query and body where the operation has them, and a signal to cancel it. */
export type Input<O> = PathPart<O> & QueryPart<O> & BodyPart<O> & { signal?: AbortSignal };
/** The input may be left out when nothing in it is required. */
type Args<O> = object extends Input<O> ? [input?: Input<O>] : [input: Input<O>];

/** What the contract's query parameters hold. */
type QueryValue = string | number | boolean | readonly (string | number)[] | null | undefined;

interface AnyInput {
  path?: Record<string, string>;
  query?: Record<string, QueryValue>;
  body?: unknown;
  signal?: AbortSignal;
}

/** `/api/users/{id}` with `{id}` filled in, and the query appended (lists as `a,b`, as the engine reads them). */
export function urlOf(template: string, path: Record<string, string> = {}, query: Record<string, QueryValue> = {}): string {
  const url = template.replace(/\{(\w+)\}/g, (_whole, name: string) => {
    const value = path[name];
    if (value === undefined) throw new Error(`${template}: no value for {${name}}`);
    return encodeURIComponent(value);
  });
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    search.set(name, Array.isArray(value) ? value.join(",") : String(value));
  }
  return search.size ? `${url}?${search.toString()}` : url;
}

/** The codes that mean the session itself is over: no refresh can help. */
const SESSION_OVER = new Set(["SESSION_REVOKED", "USER_DISABLED"]);
/** The codes a fresh access token may cure. */
const TOKEN_STALE = new Set(["TOKEN_EXPIRED", "TOKEN_INVALID"]);

export class ApiClient {
  constructor(private readonly session: Session) {}

  get<P extends PathWith<"get">>(template: P, ...[input]: Args<Operation<P, "get">>): Promise<Success<Operation<P, "get">>> {
    return this.call("GET", template, input) as Promise<Success<Operation<P, "get">>>;
  }

  post<P extends PathWith<"post">>(template: P, ...[input]: Args<Operation<P, "post">>): Promise<Success<Operation<P, "post">>> {
    return this.call("POST", template, input) as Promise<Success<Operation<P, "post">>>;
  }

  put<P extends PathWith<"put">>(template: P, ...[input]: Args<Operation<P, "put">>): Promise<Success<Operation<P, "put">>> {
    return this.call("PUT", template, input) as Promise<Success<Operation<P, "put">>>;
  }

  delete<P extends PathWith<"delete">>(template: P, ...[input]: Args<Operation<P, "delete">>): Promise<Success<Operation<P, "delete">>> {
    return this.call("DELETE", template, input) as Promise<Success<Operation<P, "delete">>>;
  }

  private async call(method: string, template: string, input: AnyInput = {}): Promise<unknown> {
    const url = urlOf(template, input.path, input.query);
    const attempt = (token: string | null) => send(method, url, { token, body: input.body, signal: input.signal });
    const token = await this.session.token();
    try {
      return await attempt(token);
    } catch (err) {
      if (!token || !this.sessionProblem(err)) throw err;
      const fresh = await this.session.renew(token);
      if (!fresh) throw err;
      try {
        return await attempt(fresh);
      } catch (again) {
        this.sessionProblem(again);
        throw again;
      }
    }
  }

  /** Whether a fresh token may cure the error; ends the session when the engine says it is over. */
  private sessionProblem(err: unknown): boolean {
    if (!(err instanceof ApiError) || err.status !== 401) return false;
    if (SESSION_OVER.has(err.code)) this.session.end();
    return TOKEN_STALE.has(err.code);
  }
}
