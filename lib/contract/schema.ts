// Building blocks of the wire contract. Each schema is JSON Schema (what the
// OpenAPI and AsyncAPI documents publish) and a TypeScript type at once
// (Static<…>, what the code that shapes a response must return), so the two
// cannot disagree.
import { Type, type TSchema, type TObject, type TProperties, type ObjectOptions } from "@sinclair/typebox";

/**
 * An object of exactly these fields: a field the code adds or renames without
 * the schema fails the contract test of the suite.
 */
export const Strict = <T extends TProperties>(properties: T, options: ObjectOptions = {}): TObject<T> =>
  Type.Object(properties, { additionalProperties: false, ...options });

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** A timestamp: a Date in the code, an ISO 8601 string on the wire. */
export const DateTime = () => Type.Unsafe<Date>({ type: "string", format: "date-time" });

export const Uuid = () => Type.String({ format: "uuid" });

/** One of a fixed list of strings (the same constant the database and the validator use). */
export const OneOf = <T extends string>(values: readonly T[], options: { description?: string } = {}) =>
  Type.Unsafe<T>({ type: "string", enum: [...values], ...options });

/** A free-form object (metadata, variables): its fields are the caller's. */
export const Bag = (description?: string) => Type.Record(Type.String(), Type.Unknown(), description ? { description } : {});

/** `{"id", "name"}` of a related record, or null. */
export const Ref = () => Nullable(Strict({ id: Uuid(), name: Type.String() }));

/** The envelope of every paged list: `{items, total, page, limit}`. */
export const Page = <T extends TSchema>(item: T) =>
  Strict({
    items: Type.Array(item),
    total: Type.Integer({ minimum: 0, description: "How many match, over all pages" }),
    page: Type.Integer({ minimum: 1 }),
    limit: Type.Integer({ minimum: 1 }),
  });

/** A list without pages (a search, the node types): `{items}`. */
export const Items = <T extends TSchema>(item: T) => Strict({ items: Type.Array(item) });
