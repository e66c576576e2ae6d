// Exits named after configured options (buttons, rows, cases, branches) must be unique and not reserved.
import { ValidationFailed } from "../../../errors";
import { msg } from "../../../i18n/message";
import type { OptionKind } from "../../../i18n/catalog/flows";

export const OPTION_ID = { type: "string", required: true, min: 1, max: 64, pattern: /^[\w-]+$/ } as const;

export function assertUniqueIds(ids: string[], field: string, kind: OptionKind, reserved: readonly string[] = []): void {
  const taken = ids.find((id) => reserved.includes(id));
  if (taken) throw new ValidationFailed(field, msg("nodes.optionReserved", { kind, id: taken, reserved }));
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice) throw new ValidationFailed(field, msg("nodes.optionTwice", { kind, id: twice }));
}
