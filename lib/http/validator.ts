// The broker's parameter validator: fastest-validator, except that `null` is a
// value, not "not given". Out of the box an optional field lets null through
// as if it were absent (and a field with a default takes its default), so
// `{"provider": null}` silently became the default provider. Here null passes
// only where a rule says `nullable: true` (where null means "clear it");
// anywhere else it is a validation error that names the field. And a string
// with a NUL character is refused wherever it comes from (a body, a query, a
// path segment such as `/tags/%00`): PostgreSQL cannot store it in text.
import FastestValidator from "fastest-validator";
import { Validators } from "moleculer";
import { OWN_VALIDATION_MESSAGES } from "../i18n/validation";

type OwnFailure = keyof typeof OWN_VALIDATION_MESSAGES;
export const NOT_NULLABLE: OwnFailure = "notNullable";
export const NUL_CHARACTER: OwnFailure = "nulCharacter";

interface CompiledRule {
  schema: { type?: unknown; nullable?: unknown };
  messages: Record<string, string>;
}

// fastest-validator builds each rule's check as source text; this step (not in its
// typings) wraps a rule's check with its handling of undefined and null.
interface Internals {
  wrapRequiredCheckSourceCode(rule: CompiledRule, innerSrc: string, context: unknown, resVar: string): string;
  makeError(opts: { type: string; actual?: string; messages: Record<string, string> }): string;
}
type InternalsConstructor = new (opts?: object) => FastestValidator & Internals;

/** fastest-validator with null refused unless the rule is `nullable: true`, and NUL refused in any string. */
export class NullRefusingFastestValidator extends (FastestValidator as unknown as InternalsConstructor) {
  constructor(opts: { messages?: Record<string, string> } = {}) {
    super({ ...opts, messages: { ...OWN_VALIDATION_MESSAGES, ...opts.messages } });
    if (typeof super.wrapRequiredCheckSourceCode !== "function") {
      throw new Error("fastest-validator changed: wrapRequiredCheckSourceCode is gone; null checks cannot be enforced");
    }
  }

  // Its error messages are filled in with String.replace(…, actual), which throws when `actual` is an
  // array holding an object whose own `toString` is not a function (`[{"toString": "x"}]`, valid
  // JSON). The input is wrong either way: its errors are found again on a copy without such keys.
  override compile(schema: object) {
    const check = super.compile(schema) as ((value: unknown, opts?: unknown) => unknown) & { async?: boolean };
    const retried = (err: unknown, value: unknown, opts: unknown) => {
      if (!(err instanceof TypeError)) throw err;
      return check(defanged(value), opts);
    };
    const safe = check.async
      ? async (value: unknown, opts?: unknown) => {
          try {
            return await check(value, opts);
          } catch (err) {
            return retried(err, value, opts);
          }
        }
      : (value: unknown, opts?: unknown) => {
          try {
            return check(value, opts);
          } catch (err) {
            return retried(err, value, opts);
          }
        };
    return Object.assign(safe, { async: check.async }) as unknown as ReturnType<FastestValidator["compile"]>;
  }

  override wrapRequiredCheckSourceCode(rule: CompiledRule, innerSrc: string, context: unknown, resVar: string): string {
    const source = super.wrapRequiredCheckSourceCode(rule, innerSrc, context, resVar);
    if (rule.schema.type === "forbidden") return source;
    const refusals: string[] = [];
    if (rule.schema.nullable !== true)
      refusals.push(`if (value === null) { ${this.makeError({ type: NOT_NULLABLE, actual: "value", messages: rule.messages })} }`);
    refusals.push(`if (typeof value === "string" && value.indexOf("\\u0000") !== -1) { ${this.makeError({ type: NUL_CHARACTER, messages: rule.messages })} }`);
    return `${refusals.join(" else ")} else { ${source} }`;
  }
}

/** A copy of `value` without own `toString`/`valueOf` keys that are not functions (they break string conversion). */
function defanged(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== "object" || depth > 64) return value;
  if (Array.isArray(value)) return value.map((item) => defanged(item, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if ((key === "toString" || key === "valueOf") && typeof item !== "function") continue;
    Object.defineProperty(copy, key, { value: defanged(item, depth + 1), enumerable: true, writable: true, configurable: true });
  }
  return copy;
}

/** moleculer's fastest-validator adapter, on the null-refusing validator; `validator:` in moleculer.config.ts. */
export class ParamsValidator extends Validators.Fastest {
  constructor(opts?: object) {
    super();
    const self = this as unknown as { opts: object; validator: FastestValidator };
    if (opts) Object.assign(self.opts, opts);
    self.validator = new NullRefusingFastestValidator(self.opts);
  }
}
