// Flows: named chatbot graphs with a trigger. Every change of the graph makes
// a new immutable version; conversations keep the version they started on.
import type { Knex } from "knex";
import { single, type Row } from "../db/tables";
import type { Caller } from "../auth/caller";
import { NotFound, ValidationFailed } from "../errors";
import { msg } from "../i18n/message";
import type { Flow, TriggerType } from "../models/flows";
import { paginate, type Page } from "../pagination";
import { validateGraph, type FlowGraph } from "./graph";
import type { LoadedFlow } from "./runtime";
import type { Static } from "@sinclair/typebox";
import type { Flow as FlowSchema } from "../contract/resources";

export interface FlowDefinition {
  name: string;
  description?: string | null;
  trigger_type: TriggerType;
  trigger_value?: string | null;
  whatsapp_account_id?: string | null;
  nodes: unknown;
  is_active?: boolean;
}

export interface FlowFilter {
  trigger_type?: TriggerType;
  is_active?: boolean;
  page: number;
  limit: number;
}

export type PublicFlow = Static<typeof FlowSchema>;

const MAX_KEYWORDS = 50;
const VERSIONS_KEPT = 500;
const VERSIONS = new Map<string, LoadedFlow>();

/** JSON with sorted keys: PostgreSQL's jsonb does not keep the order it was given. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** A keyword trigger's comma-separated keywords, trimmed; `~` marks a whole-word match. */
export function keywordsOf(value: string | null): string[] {
  return (value ?? "")
    .split(",")
    .map((keyword) => keyword.trim())
    .filter(Boolean);
}

function checkTrigger(type: TriggerType, value: string | null | undefined): string | null {
  if (type !== "keyword") return null;
  const keywords = keywordsOf(value ?? null);
  if (keywords.length === 0) throw new ValidationFailed("trigger_value", msg("flows.keywordsNeeded"));
  if (keywords.length > MAX_KEYWORDS) throw new ValidationFailed("trigger_value", msg("flows.tooManyKeywords", { max: MAX_KEYWORDS }));
  return keywords.join(",");
}

/** A flow row with its current version's number. */
type Listed = Row<Flow> & { version: number | null };

export class Flows {
  constructor(private readonly knex: Knex) {}

  async list(filter: FlowFilter): Promise<Page<PublicFlow>> {
    const query = this.knex("flows as f")
      .leftJoin("flow_versions as v", "v.id", "f.current_version_id")
      .whereNull("f.deleted_at")
      .select<Listed[]>("f.*", "v.version")
      .orderBy([{ column: "f.name" }, { column: "f.id" }]);
    if (filter.trigger_type) query.where("f.trigger_type", filter.trigger_type);
    if (filter.is_active !== undefined) query.where("f.is_active", filter.is_active);
    return paginate(query, filter.page, filter.limit, (row) => this.present(row));
  }

  async get(id: string): Promise<PublicFlow> {
    const flow = await this.find(id);
    const version = flow.current_version_id ? await this.knex("flow_versions").where({ id: flow.current_version_id }).first("version", "graph") : undefined;
    const graph = version?.graph;
    return { ...this.present({ ...flow, version: version?.version ?? null }), nodes: graph, warnings: graph ? validateGraph(graph).warnings : [] };
  }

  async create(caller: Caller, input: FlowDefinition): Promise<PublicFlow> {
    const { graph } = validateGraph(input.nodes);
    const triggerValue = checkTrigger(input.trigger_type, input.trigger_value);
    await this.checkAccount(input.whatsapp_account_id);
    const id = await this.knex.transaction(async (trx) => {
      const flow = single(
        await trx("flows")
          .insert({
            name: input.name,
            description: input.description ?? null,
            trigger_type: input.trigger_type,
            trigger_value: triggerValue,
            whatsapp_account_id: input.whatsapp_account_id ?? null,
            is_active: input.is_active ?? false,
            created_by: caller.id,
          })
          .returning("id"),
        "new flow",
      );
      await this.addVersion(trx, flow.id, graph, caller.id);
      return flow.id;
    });
    return this.get(id);
  }

  async update(caller: Caller, id: string, input: Partial<FlowDefinition>): Promise<PublicFlow> {
    const flow = await this.find(id);
    const graph = input.nodes != null ? validateGraph(input.nodes).graph : undefined;
    const triggerType = input.trigger_type ?? flow.trigger_type;
    const triggerValue = checkTrigger(triggerType, input.trigger_value === undefined ? flow.trigger_value : input.trigger_value);
    if (input.whatsapp_account_id !== undefined) await this.checkAccount(input.whatsapp_account_id);
    await this.knex.transaction(async (trx) => {
      await trx("flows")
        .where({ id })
        .update({
          ...(input.name != null ? { name: input.name } : {}),
          ...(input.description !== undefined ? { description: input.description } : {}),
          ...(input.whatsapp_account_id !== undefined ? { whatsapp_account_id: input.whatsapp_account_id } : {}),
          ...(input.is_active != null ? { is_active: input.is_active } : {}),
          trigger_type: triggerType,
          trigger_value: triggerValue,
          updated_at: trx.fn.now(),
        });
      if (graph) {
        const current = flow.current_version_id ? await trx("flow_versions").where({ id: flow.current_version_id }).first("graph") : undefined;
        // Only a changed graph makes a version: saving the same drawing twice keeps the number.
        if (canonical(current?.graph) !== canonical(graph)) await this.addVersion(trx, id, graph, caller.id);
      }
    });
    return this.get(id);
  }

  async remove(id: string): Promise<void> {
    await this.find(id);
    await this.knex("flows").where({ id }).update({ deleted_at: this.knex.fn.now(), is_active: false, updated_at: this.knex.fn.now() });
  }

  async duplicate(caller: Caller, id: string): Promise<PublicFlow> {
    const flow = await this.get(id);
    return this.create(caller, {
      name: `${flow.name} (copia)`.slice(0, 200),
      description: flow.description,
      trigger_type: flow.trigger_type,
      trigger_value: flow.trigger_value,
      whatsapp_account_id: flow.whatsapp_account_id,
      nodes: flow.nodes,
      is_active: false,
    });
  }

  async toggle(id: string, active?: boolean): Promise<PublicFlow> {
    const flow = await this.find(id);
    await this.knex("flows")
      .where({ id })
      .update({ is_active: active ?? !flow.is_active, updated_at: this.knex.fn.now() });
    return this.get(id);
  }

  /** The flow with its current version, ready to run; undefined when deleted or never saved. */
  async loadCurrent(flowId: string): Promise<LoadedFlow | undefined> {
    const row = await this.knex("flows as f")
      .join("flow_versions as v", "v.id", "f.current_version_id")
      .where("f.id", flowId)
      .whereNull("f.deleted_at")
      .first<{ id: string; version_id: string; graph: FlowGraph } | undefined>("f.id", "v.id as version_id", "v.graph");
    return row && { flow_id: row.id, flow_version_id: row.version_id, graph: row.graph };
  }

  /** A version's graph; versions never change, so they are kept in memory once read. */
  async loadVersion(flowVersionId: string): Promise<LoadedFlow | undefined> {
    const cached = VERSIONS.get(flowVersionId);
    if (cached) return cached;
    const row = await this.knex("flow_versions").where({ id: flowVersionId }).first("id", "flow_id", "graph");
    if (!row) return undefined;
    const loaded: LoadedFlow = { flow_id: row.flow_id, flow_version_id: row.id, graph: row.graph };
    if (VERSIONS.size >= VERSIONS_KEPT) VERSIONS.delete(VERSIONS.keys().next().value!);
    VERSIONS.set(flowVersionId, loaded);
    return loaded;
  }

  private async addVersion(trx: Knex.Transaction, flowId: string, graph: FlowGraph, userId: string): Promise<void> {
    // The flow row is locked by the caller's update (or new): version numbers do not collide.
    await trx.raw("SELECT 1 FROM flows WHERE id = ? FOR UPDATE", [flowId]);
    const latest = await trx("flow_versions").where({ flow_id: flowId }).max({ max: "version" }).first<{ max: number | null } | undefined>();
    const version = single(
      await trx("flow_versions")
        .insert({ flow_id: flowId, version: (latest?.max ?? 0) + 1, graph, created_by: userId })
        .returning("id"),
      `flow ${flowId} version`,
    );
    await trx("flows").where({ id: flowId }).update({ current_version_id: version.id });
  }

  private async checkAccount(accountId: string | null | undefined): Promise<void> {
    if (!accountId) return;
    if (!(await this.knex("whatsapp_accounts").where({ id: accountId }).whereNull("deleted_at").first("id"))) {
      throw new ValidationFailed("whatsapp_account_id", msg("common.noSuchAccount", { id: accountId }));
    }
  }

  private async find(id: string): Promise<Row<Flow>> {
    const flow = await this.knex("flows").where({ id }).whereNull("deleted_at").first();
    if (!flow) throw new NotFound("flow", id);
    return flow;
  }

  private present(flow: Listed): PublicFlow {
    return {
      id: flow.id,
      name: flow.name,
      description: flow.description,
      trigger_type: flow.trigger_type,
      trigger_value: flow.trigger_value,
      whatsapp_account_id: flow.whatsapp_account_id,
      is_active: flow.is_active,
      version: flow.version,
      current_version_id: flow.current_version_id,
      created_by: flow.created_by,
      created_at: flow.created_at,
      updated_at: flow.updated_at,
    };
  }
}
