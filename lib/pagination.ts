import type { QueryBuilder, Model } from "objection";

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  limit: number;
}

/** fastest-validator rules for the `page` and `limit` query parameters every list accepts. */
export const pageParams = {
  page: { type: "number", integer: true, min: 1, max: 1_000_000, default: 1, convert: true },
  limit: { type: "number", integer: true, min: 1, max: MAX_LIMIT, default: DEFAULT_LIMIT, convert: true },
} as const;

export async function paginate<M extends Model, T>(
  query: QueryBuilder<M, M[]>,
  page: number,
  limit: number,
  present: (row: M) => T,
): Promise<Page<T>> {
  const { results, total } = await query.page(page - 1, limit);
  return { items: results.map(present), total, page, limit };
}
