// A flow's document (React Flow's format): validated on every save, with the
// path of the offending place in the 422 (`nodes[3].data.buttons`,
// `edges[1].target`). Unreachable nodes are only a warning.
import { ValidationFailed } from "../errors";
import { msg } from "../i18n/message";
import { validateFields } from "./fields";
import { requireNodeType } from "./registry";
import type { FlowEdge, FlowGraph, FlowNode } from "../models/flows";

export type { FlowEdge, FlowGraph, FlowNode };

const MAX_NODES = 500;
const MAX_EDGES = 2000;
const ID = /^[\w-]{1,100}$/;

const isObject = (value: unknown): value is Record<string, unknown> => Boolean(value) && typeof value === "object" && !Array.isArray(value);

/** The exit an edge leaves by: no handle (or "next") is the default exit. */
export const handleOf = (edge: Pick<FlowEdge, "sourceHandle">): string => edge.sourceHandle || "next";

export function validateGraph(input: unknown, base = ""): { graph: FlowGraph; warnings: string[] } {
  const at = (path: string) => (base ? `${base}.${path}` : path);
  if (!isObject(input)) throw new ValidationFailed(base || "nodes", msg("graph.notObject"));
  const { nodes, edges, viewport } = input;
  if (!Array.isArray(nodes) || nodes.length === 0 || nodes.length > MAX_NODES) throw new ValidationFailed(at("nodes"), msg("graph.nodes", { max: MAX_NODES }));
  if (edges !== undefined && (!Array.isArray(edges) || edges.length > MAX_EDGES))
    throw new ValidationFailed(at("edges"), msg("graph.edges", { max: MAX_EDGES }));

  const byId = new Map<string, FlowNode>();
  const handles = new Map<string, string[]>();
  const cleanNodes = nodes.map((raw: unknown, i): FlowNode => {
    const path = at(`nodes[${i}]`);
    if (!isObject(raw)) throw new ValidationFailed(path, msg("common.mustBeObject", { field: path }));
    if (typeof raw.id !== "string" || !ID.test(raw.id)) throw new ValidationFailed(`${path}.id`, msg("graph.nodeId", { field: `${path}.id` }));
    if (byId.has(raw.id)) throw new ValidationFailed(`${path}.id`, msg("graph.nodeIdTwice", { id: raw.id }));
    if (typeof raw.type !== "string") throw new ValidationFailed(`${path}.type`, msg("common.required", { field: `${path}.type` }));
    const type = requireNodeType(raw.type, `${path}.type`);
    const data = raw.data === undefined || raw.data === null ? {} : raw.data;
    if (!isObject(data)) throw new ValidationFailed(`${path}.data`, msg("common.mustBeObject", { field: `${path}.data` }));
    validateFields(type.fields, data, `${path}.data`);
    type.validate?.(data, `${path}.data`);
    const node: FlowNode = { id: raw.id, type: raw.type, data, ...(isObject(raw.position) ? { position: raw.position as FlowNode["position"] } : {}) };
    byId.set(node.id, node);
    handles.set(node.id, type.handles(data));
    return node;
  });
  const starts = cleanNodes.filter((node) => node.type === "start");
  if (starts.length !== 1) throw new ValidationFailed(at("nodes"), msg("graph.oneStart", { count: starts.length }));

  const taken = new Set<string>();
  const cleanEdges = ((edges ?? []) as unknown[]).map((raw, i): FlowEdge => {
    const path = at(`edges[${i}]`);
    if (!isObject(raw)) throw new ValidationFailed(path, msg("common.mustBeObject", { field: path }));
    const id = typeof raw.id === "string" && raw.id ? raw.id : `e${i}`;
    for (const end of ["source", "target"] as const) {
      if (typeof raw[end] !== "string" || !byId.has(raw[end]))
        throw new ValidationFailed(`${path}.${end}`, msg("graph.noSuchNode", { field: `${path}.${end}` }));
    }
    if (raw.sourceHandle !== undefined && raw.sourceHandle !== null && typeof raw.sourceHandle !== "string") {
      throw new ValidationFailed(`${path}.sourceHandle`, msg("common.mustBeText", { field: `${path}.sourceHandle` }));
    }
    const edge: FlowEdge = { id, source: raw.source as string, target: raw.target as string, sourceHandle: raw.sourceHandle ?? null };
    const handle = handleOf(edge);
    const exits = handles.get(edge.source)!;
    if (!exits.includes(handle)) {
      throw new ValidationFailed(`${path}.sourceHandle`, msg("graph.noSuchExit", { node: edge.source, handle, exits }));
    }
    const key = `${edge.source}\u0000${handle}`;
    if (taken.has(key)) throw new ValidationFailed(`${path}.sourceHandle`, msg("graph.exitTaken", { node: edge.source, handle }));
    taken.add(key);
    return edge;
  });

  // Reachability from start, for the builder's warnings.
  const seen = new Set([starts[0]!.id]);
  const queue = [starts[0]!.id];
  while (queue.length) {
    const id = queue.shift()!;
    for (const edge of cleanEdges)
      if (edge.source === id && !seen.has(edge.target)) {
        seen.add(edge.target);
        queue.push(edge.target);
      }
  }
  const warnings = cleanNodes
    .map((node, i) => (seen.has(node.id) || node.type === "start" ? null : `${at(`nodes[${i}]`)} ("${node.id}") cannot be reached from start`))
    .filter((warning): warning is string => warning !== null);
  return { graph: { nodes: cleanNodes, edges: cleanEdges, ...(isObject(viewport) ? { viewport } : {}) }, warnings };
}
