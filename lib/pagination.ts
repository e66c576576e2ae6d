import type { Knex } from "knex";

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

/**
 * One page of a query's rows and how many there are in all (the same query,
 * counted without its order). Both run at once.
 */
export async function paginate<Q extends Knex.QueryBuilder, T>(
  query: Q,
  page: number,
  limit: number,
  present: (row: Awaited<Q>[number]) => T,
): Promise<Page<T>> {
  // Q is any table's builder, so its methods are typed loosely; the results are typed below.
  /* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call */
  const [rows, counted] = await Promise.all([
    query
      .clone()
      .offset((page - 1) * limit)
      .limit(limit) as Promise<Awaited<Q>>,
    query.clone().clearSelect().clearOrder().count({ total: "*" }).first() as Promise<{ total: string | number } | undefined>,
  ]);
  return { items: rows.map(present), total: Number(counted?.total ?? 0), page, limit };
  /* eslint-enable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call */
}
