// The flow document (docs/flow-builder.md, React Flow's own format) and the
// canvas's nodes and edges, converted both ways; the exits a node has with its
// configuration; where a save's validation error points; the path a sandbox run took.
import type { Edge, Node, Viewport } from "@xyflow/react";
import type { components } from "../../api/rest.gen";

type Schemas = components["schemas"];
export type Flow = Schemas["Flow"];
export type FlowSummary = Schemas["FlowPage"]["items"][number];
export type FlowDocument = NonNullable<Flow["nodes"]>;
export type DocumentNode = FlowDocument["nodes"][number];
export type NodeType = Schemas["NodeTypeList"]["items"][number];
export type SandboxRun = Schemas["SandboxRun"];
export type TriggerType = Flow["trigger_type"];
export const TRIGGER_TYPES: readonly TriggerType[] = ["welcome", "keyword", "default", "manual"];

export type Config = Record<string, unknown>;
/** A canvas node keeps the flow node's type as `kind`: React Flow's own `type` picks the component, one for all. */
export type StepData = { kind: string; config: Config };
export type StepNode = Node<StepData, "step">;
export type Canvas = { nodes: StepNode[]; edges: Edge[]; viewport: Viewport };

/** The default exit: an edge without a handle leaves by it. */
export const NEXT = "next";
export const START = "start";

const isNumber = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value);

export function toCanvas(doc: FlowDocument): Canvas {
  const nodes = doc.nodes.map((node): StepNode => ({
    id: node.id,
    type: "step",
    position: node.position ?? { x: 0, y: 0 },
    data: { kind: node.type, config: node.data },
    // The engine wants exactly one start: it is not deleted from the canvas.
    deletable: node.type !== START,
  }));
  const edges = doc.edges.map((edge): Edge => ({ id: edge.id, source: edge.source, target: edge.target, sourceHandle: edge.sourceHandle || NEXT }));
  const { x, y, zoom } = doc.viewport ?? {};
  return { nodes, edges, viewport: isNumber(x) && isNumber(y) && isNumber(zoom) ? { x, y, zoom } : { x: 0, y: 0, zoom: 1 } };
}

export function toDocument({ nodes, edges, viewport }: Canvas): FlowDocument {
  return {
    nodes: nodes.map((node) => ({
      id: node.id,
      type: node.data.kind,
      position: { x: Math.round(node.position.x), y: Math.round(node.position.y) },
      data: node.data.config,
    })),
    edges: edges.map((edge) => ({
      id: edge.id,
      source: edge.source,
      target: edge.target,
      ...(edge.sourceHandle && edge.sourceHandle !== NEXT ? { sourceHandle: edge.sourceHandle } : {}),
    })),
    viewport: { x: Math.round(viewport.x), y: Math.round(viewport.y), zoom: viewport.zoom },
  };
}

/** A new flow: only its start. */
export const EMPTY_DOCUMENT: FlowDocument = {
  nodes: [{ id: START, type: START, position: { x: 0, y: 0 }, data: {} }],
  edges: [],
  viewport: { x: 80, y: 80, zoom: 1 },
};

/** The ids of the options in a configuration (buttons, list rows, cases, branches), wherever they are nested. */
function optionIds(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap((item: unknown) => optionIds(item));
  if (!value || typeof value !== "object") return [];
  const { id, ...rest } = value as Config;
  return [...(typeof id === "string" && id ? [id] : []), ...Object.values(rest).flatMap(optionIds)];
}

/**
 * The exits of a node with this configuration. The catalogue writes an exit that
 * depends on it as a placeholder ("<button id>"): one exit per option id then.
 */
export function exitsOf(type: NodeType | undefined, config: Config): string[] {
  if (!type) return [NEXT];
  const exits = type.handles.flatMap((handle) => (/^<.+>$/.test(handle) ? Object.values(config).flatMap(optionIds) : [handle]));
  return [...new Set(exits)];
}

/** An id for a new node of `kind` that the flow does not use yet (the engine takes letters, digits, _ and -). */
export function freshId(kind: string, taken: ReadonlySet<string>): string {
  for (let n = 1; ; n++) if (!taken.has(`${kind}_${n}`)) return `${kind}_${n}`;
}

/** Where a 422 of a save points, read against the document that was sent. */
export type Problem = { message: string; nodeId?: string; edgeId?: string; field?: string; flowField?: string };

export function locateProblem(field: string | null, message: string, sent: FlowDocument): Problem {
  const node = /^nodes\[(\d+)\](?:\.data\.?(.*))?/.exec(field ?? "");
  if (node) return { message, nodeId: sent.nodes[Number(node[1])]?.id, field: node[2] || undefined };
  const edge = /^edges\[(\d+)\]/.exec(field ?? "");
  if (edge) return { message, edgeId: sent.edges[Number(edge[1])]?.id };
  // `nodes` itself (not exactly one start) is about the whole graph; other fields are the flow's own (name, trigger_value…).
  return { message, flowField: field && field !== "nodes" ? field : undefined };
}

/** The nodes a sandbox run went through, and the edges it took between them. */
export function pathOf(trace: SandboxRun["trace"], edges: readonly Edge[]): { nodes: Set<string>; edges: Set<string> } {
  const taken = new Set(trace.filter((step) => step.handle !== null).map((step) => `${step.node_id}\0${step.handle}`));
  return {
    nodes: new Set(trace.map((step) => step.node_id)),
    edges: new Set(edges.filter((edge) => taken.has(`${edge.source}\0${edge.sourceHandle || NEXT}`)).map((edge) => edge.id)),
  };
}

/** The variables the flow's nodes store (question answers, save_to), for the template hints. */
export function variablesOf(nodes: readonly StepNode[]): string[] {
  const names = nodes.flatMap(({ data: { config } }) =>
    [config.variable, config.save_to].filter((name): name is string => typeof name === "string" && name !== ""),
  );
  return [...new Set(names)].sort();
}
