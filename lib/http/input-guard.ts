// Checks any JSON that arrives from outside (REST bodies and queries, Socket.IO
// payloads) before anything else walks it. The walk is iterative, so no input
// can overflow the stack, and it refuses what no client needs: very deep or very
// large structures, NUL characters (PostgreSQL cannot store them in text) in
// values or keys, and `__proto__` keys (they would replace an object's
// prototype when copied with Object.assign or spread).
import { msg, type Message } from "../i18n/message";

export interface InputLimits {
  /** Nesting levels below the top value: `{"a": [1]}` is 2. */
  maxDepth: number;
  /** Strings, numbers, booleans, nulls, arrays and objects in the whole value. */
  maxValues: number;
}

// Far above any real request (a 300-node flow document is ~10 000 values, 7 levels deep).
export const INPUT_LIMITS: InputLimits = { maxDepth: 32, maxValues: 50_000 };

export interface InputProblem {
  field: string;
  message: Message;
}

const PLAIN_KEY = /^[A-Za-z_$][\w$]*$/;
const join = (path: string, key: string | number): string =>
  typeof key === "number" ? `${path}[${key}]` : PLAIN_KEY.test(key) ? (path ? `${path}.${key}` : key) : `${path}[${JSON.stringify(key)}]`;

/** The first thing wrong with `value`, naming where it is (`root` names the value itself). */
export function findInputProblem(value: unknown, root: string, limits: InputLimits = INPUT_LIMITS): InputProblem | undefined {
  const pending: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: "", depth: 0 }];
  let seen = 0;
  const at = (path: string) => path || root;
  while (pending.length > 0) {
    const item = pending.pop()!;
    seen += 1;
    if (seen > limits.maxValues) return { field: at(item.path), message: msg("input.tooManyValues", { max: limits.maxValues }) };
    const current = item.value;
    if (typeof current === "string") {
      if (current.includes("\u0000")) return { field: at(item.path), message: msg("input.nulInText") };
      continue;
    }
    if (current === null || typeof current !== "object") continue;
    if (item.depth >= limits.maxDepth) return { field: at(item.path), message: msg("input.tooDeep", { max: limits.maxDepth }) };
    if (Array.isArray(current)) {
      for (let index = current.length - 1; index >= 0; index -= 1) {
        pending.push({ value: current[index], path: join(item.path, index), depth: item.depth + 1 });
      }
      continue;
    }
    // Pushed last to first, so the first problem in document order is the one reported.
    for (const key of Object.keys(current).reverse()) {
      const path = join(item.path, key);
      if (key.includes("\u0000")) return { field: at(path), message: msg("input.nulInName") };
      if (key === "__proto__") return { field: at(path), message: msg("input.protoKey") };
      pending.push({ value: (current as Record<string, unknown>)[key], path, depth: item.depth + 1 });
    }
  }
  return undefined;
}
