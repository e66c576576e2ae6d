import { BaseModel } from "./base";

/** A queue's opening hours, as stored: per weekday, its ranges in the queue's zone. */
export const WEEKDAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** One open range of a day. `overnight` ranges end the next day (22:00–06:00). */
export interface Interval {
  start: string;
  end: string;
  overnight?: boolean;
}

/** Per weekday, its open ranges (empty: closed). */
export type Schedule = Record<Weekday, Interval[]>;

export const ASSIGNMENT_METHODS = ["least_busy", "round_robin", "manual"] as const;
export type AssignmentMethod = (typeof ASSIGNMENT_METHODS)[number];

export class Queue extends BaseModel {
  static override tableName = "queues";
  id!: string;
  name!: string;
  description!: string | null;
  assignment_method!: AssignmentMethod;
  max_per_agent!: number;
  sla_first_response!: number | null;
  sla_resolution!: number | null;
  /** Normalised by lib/queues/business-hours.ts: every weekday with its list of ranges. */
  business_hours!: Schedule | null;
  timezone!: string;
  holidays!: string[];
  fallback_flow_id!: string | null;
  round_robin_cursor!: string;
  created_at!: Date;
  updated_at!: Date;
  deleted_at!: Date | null;
}

export class QueueAgent extends BaseModel {
  static override tableName = "queue_agents";
  static override get idColumn(): string[] {
    return ["queue_id", "user_id"];
  }
  queue_id!: string;
  user_id!: string;
  is_supervisor!: boolean;
  skills!: string[];
  last_assigned_at!: Date | null;
  created_at!: Date;
}
