import { Model } from "objection";

/**
 * A table's row: its name and columns. Queries go through knex, typed by these
 * classes (lib/db/tables.ts); nothing calls objection's query methods.
 */
export class BaseModel extends Model {}
