// Exits named after configured options (buttons, rows, cases, branches) must be unique and not reserved.
import { ValidationFailed } from "../../errors";

export const OPTION_ID = { type: "string", required: true, min: 1, max: 64, pattern: /^[\w-]+$/ } as const;

export function assertUniqueIds(ids: string[], field: string, what: string, reserved: readonly string[] = []): void {
  const taken = ids.find((id) => reserved.includes(id));
  if (taken) throw new ValidationFailed(field, `The ${what} id "${taken}" is reserved (${reserved.join(", ")})`);
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice) throw new ValidationFailed(field, `The ${what} id "${twice}" is used twice`);
}
