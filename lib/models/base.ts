import { Model } from "objection";

export class BaseModel extends Model {
  /** Set by models whose table has an `updated_at` column, stamped on every update. */
  static hasUpdatedAt = false;

  override $beforeUpdate(): void {
    if ((this.constructor as typeof BaseModel).hasUpdatedAt) {
      Object.assign(this, { updated_at: new Date() });
    }
  }
}
