// The comparisons of `condition` and `switch`. Values come from templates, so
// they are text; numeric comparisons parse them, text ones ignore case.
import { assertUsablePattern, matchesPattern } from "./pattern";

export const OPERATORS = [
  "equals",
  "not_equals",
  "contains",
  "not_contains",
  "starts_with",
  "ends_with",
  "matches",
  "gt",
  "gte",
  "lt",
  "lte",
  "is_empty",
  "is_not_empty",
] as const;
export type Operator = (typeof OPERATORS)[number];

const fold = (value: string) => value.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().trim();

export function compare(left: string, op: Operator, right: string): boolean {
  const [a, b] = [fold(left), fold(right)];
  const [x, y] = [Number(left.trim().replace(",", ".")), Number(right.trim().replace(",", "."))];
  const numeric = left.trim() !== "" && right.trim() !== "" && Number.isFinite(x) && Number.isFinite(y);
  switch (op) {
    case "equals":
      return numeric ? x === y : a === b;
    case "not_equals":
      return !(numeric ? x === y : a === b);
    case "contains":
      return a.includes(b);
    case "not_contains":
      return !a.includes(b);
    case "starts_with":
      return a.startsWith(b);
    case "ends_with":
      return a.endsWith(b);
    case "matches":
      return matchesPattern(left, right);
    case "gt":
      return numeric && x > y;
    case "gte":
      return numeric && x >= y;
    case "lt":
      return numeric && x < y;
    case "lte":
      return numeric && x <= y;
    case "is_empty":
      return a === "";
    case "is_not_empty":
      return a !== "";
  }
}

/** Save-time check of the comparisons whose right side is a pattern. */
export function assertUsableComparisons(comparisons: ReadonlyArray<{ op: Operator; right?: string }>, field: (index: number) => string): void {
  comparisons.forEach((comparison, index) => {
    if (comparison.op === "matches") assertUsablePattern(comparison.right ?? "", field(index));
  });
}
