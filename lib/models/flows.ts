import { BaseModel } from "./base";

export const TRIGGER_TYPES = ["welcome", "keyword", "default", "manual"] as const;
export type TriggerType = (typeof TRIGGER_TYPES)[number];

/** A flow's drawing as stored (and as the builder sends it): nodes, the edges between their exits, the view. */
export interface FlowNode {
  id: string;
  type: string;
  position?: { x: number; y: number };
  data: Record<string, unknown>;
}

export interface FlowEdge {
  id: string;
  source: string;
  target: string;
  sourceHandle?: string | null;
}

export interface FlowGraph {
  nodes: FlowNode[];
  edges: FlowEdge[];
  viewport?: Record<string, unknown>;
}

export class Flow extends BaseModel {
  static override tableName = "flows";
  id!: string;
  name!: string;
  description!: string | null;
  trigger_type!: TriggerType;
  trigger_value!: string | null;
  whatsapp_account_id!: string | null;
  is_active!: boolean;
  current_version_id!: string | null;
  created_by!: string | null;
  created_at!: Date;
  updated_at!: Date;
  deleted_at!: Date | null;
}

/** An immutable snapshot of a flow's graph; the database refuses updates. */
export class FlowVersion extends BaseModel {
  static override tableName = "flow_versions";
  id!: string;
  flow_id!: string;
  version!: number;
  graph!: FlowGraph;
  created_by!: string | null;
  created_at!: Date;
}
