// Flows: saving a graph (its shape, its nodes' configuration, its triggers),
// and what a run reports when it stops with an error (shown by the flow test).
import type { Templates, Translation } from "./types";

/** The options whose ids name a node's exits. */
export type OptionKind = "button" | "branch" | "case" | "row";
const OPTION_ES: Record<OptionKind, string> = { button: "botón", branch: "rama", case: "caso", row: "fila" };

export const en = {
  "flows.keywordsNeeded": "A keyword trigger needs its keywords, comma-separated",
  "flows.tooManyKeywords": (p: { max: number }) => `At most ${p.max} keywords`,

  "graph.notObject": "The flow must be an object with nodes and edges",
  "graph.nodes": (p: { max: number }) => `nodes must be a list of 1 to ${p.max} nodes`,
  "graph.edges": (p: { max: number }) => `edges must be a list of at most ${p.max} edges`,
  "graph.nodeId": (p: { field: string }) => `${p.field} must be 1 to 100 letters, digits, _ or -`,
  "graph.nodeIdTwice": (p: { id: string }) => `The node id "${p.id}" is used twice`,
  "graph.oneStart": (p: { count: number }) => `A flow has exactly one start node (this one has ${p.count})`,
  "graph.noSuchNode": (p: { field: string }) => `${p.field} names no node of this flow`,
  "graph.noSuchExit": (p: { node: string; handle: string; exits: readonly string[] }) =>
    `Node "${p.node}" has no exit "${p.handle}"${p.exits.length ? ` (it has: ${p.exits.join(", ")})` : " (it has none)"}`,
  "graph.exitTaken": (p: { node: string; handle: string }) => `The exit "${p.handle}" of node "${p.node}" already has an edge`,
  "graph.unknownType": (p: { type: string }) => `Unknown node type "${p.type}"`,

  // A node's configuration (lib/flows/fields.ts); `field` is the path, as in nodes[3].data.text.
  "fields.notEmpty": (p: { field: string }) => `${p.field} must not be empty`,
  "fields.minLength": (p: { field: string; min: number }) => `${p.field} needs at least ${p.min} characters`,
  "fields.maxLength": (p: { field: string; max: number }) => `${p.field} must be at most ${p.max} characters`,
  "fields.format": (p: { field: string }) => `${p.field} is not in the expected format`,
  "fields.number": (p: { field: string }) => `${p.field} must be a number`,
  "fields.integer": (p: { field: string }) => `${p.field} must be a whole number`,
  "fields.min": (p: { field: string; min: number }) => `${p.field} must be at least ${p.min}`,
  "fields.max": (p: { field: string; max: number }) => `${p.field} must be at most ${p.max}`,
  "fields.oneOf": (p: { field: string; values: readonly string[] }) => `${p.field} must be one of ${p.values.join(", ")}`,
  "fields.url": (p: { field: string }) => `${p.field} must be a URL`,
  "fields.list": (p: { field: string }) => `${p.field} must be a list`,
  "fields.minItems": (p: { field: string; min: number }) => `${p.field} needs at least ${p.min} item${p.min === 1 ? "" : "s"}`,
  "fields.maxItems": (p: { field: string; max: number }) => `${p.field} takes at most ${p.max} items`,

  "nodes.optionReserved": (p: { kind: OptionKind; id: string; reserved: readonly string[] }) =>
    `The ${p.kind} id "${p.id}" is reserved (${p.reserved.join(", ")})`,
  "nodes.optionTwice": (p: { kind: OptionKind; id: string }) => `The ${p.kind} id "${p.id}" is used twice`,
  "nodes.weightsAllZero": "At least one branch needs a weight above 0",
  "nodes.scheduleSource": "Give a queue_id, or a schedule and a timezone",
  "nodes.patternTooLong": (p: { max: number }) => `The pattern may have at most ${p.max} characters`,
  "nodes.patternInvalid": (p: { detail: string }) => `The pattern is not a valid regular expression (RE2 syntax: no backreferences or lookaround): ${p.detail}`,
  "nodes.patternTooComplex": "The pattern is too complex (use smaller repetition counts)",

  "run.stepLimit": (p: { limit: number; node: string }) => `Step limit of ${p.limit} nodes reached at "${p.node}"; the flow was stopped`,
  "run.nodeMissing": (p: { node: string; version: string }) => `Node "${p.node}" is missing from flow version ${p.version}`,
  "run.nodeFailed": (p: { node: string; type: string; cause: string }) => `Node "${p.node}" (${p.type}) failed: ${p.cause}`,
  "run.goToMissing": (p: { flow: string }) => `go_to_flow: flow ${p.flow} does not exist or has no version`,
  "run.noOdooInTest": "Odoo is not called from a flow test",
} satisfies Templates;

export const es: Translation<typeof en> = {
  "flows.keywordsNeeded": "Un disparador por palabra clave necesita sus palabras clave, separadas por comas",
  "flows.tooManyKeywords": (p) => `Como máximo ${p.max} palabras clave`,

  "graph.notObject": "El flujo debe ser un objeto con nodes y edges",
  "graph.nodes": (p) => `nodes debe ser una lista de 1 a ${p.max} nodos`,
  "graph.edges": (p) => `edges debe ser una lista de como máximo ${p.max} conexiones`,
  "graph.nodeId": (p) => `${p.field} debe tener de 1 a 100 letras, dígitos, _ o -`,
  "graph.nodeIdTwice": (p) => `El id de nodo "${p.id}" se usa dos veces`,
  "graph.oneStart": (p) => `Un flujo tiene exactamente un nodo start (este tiene ${p.count})`,
  "graph.noSuchNode": (p) => `${p.field} no corresponde a ningún nodo de este flujo`,
  "graph.noSuchExit": (p) =>
    `El nodo "${p.node}" no tiene la salida "${p.handle}"${p.exits.length ? ` (tiene: ${p.exits.join(", ")})` : " (no tiene ninguna)"}`,
  "graph.exitTaken": (p) => `La salida "${p.handle}" del nodo "${p.node}" ya tiene una conexión`,
  "graph.unknownType": (p) => `Tipo de nodo desconocido: "${p.type}"`,

  "fields.notEmpty": (p) => `${p.field} no debe estar vacío`,
  "fields.minLength": (p) => `${p.field} necesita al menos ${p.min} caracteres`,
  "fields.maxLength": (p) => `${p.field} debe tener como máximo ${p.max} caracteres`,
  "fields.format": (p) => `${p.field} no tiene el formato esperado`,
  "fields.number": (p) => `${p.field} debe ser un número`,
  "fields.integer": (p) => `${p.field} debe ser un número entero`,
  "fields.min": (p) => `${p.field} debe ser como mínimo ${p.min}`,
  "fields.max": (p) => `${p.field} debe ser como máximo ${p.max}`,
  "fields.oneOf": (p) => `${p.field} debe ser uno de: ${p.values.join(", ")}`,
  "fields.url": (p) => `${p.field} debe ser una URL`,
  "fields.list": (p) => `${p.field} debe ser una lista`,
  "fields.minItems": (p) => `${p.field} necesita al menos ${p.min} elemento${p.min === 1 ? "" : "s"}`,
  "fields.maxItems": (p) => `${p.field} admite como máximo ${p.max} elementos`,

  "nodes.optionReserved": (p) => `El id de ${OPTION_ES[p.kind]} "${p.id}" está reservado (${p.reserved.join(", ")})`,
  "nodes.optionTwice": (p) => `El id de ${OPTION_ES[p.kind]} "${p.id}" se usa dos veces`,
  "nodes.weightsAllZero": "Al menos una rama necesita un peso mayor que 0",
  "nodes.scheduleSource": "Indique un queue_id, o un schedule y un timezone",
  "nodes.patternTooLong": (p) => `El patrón puede tener como máximo ${p.max} caracteres`,
  "nodes.patternInvalid": (p) => `El patrón no es una expresión regular válida (sintaxis RE2: sin referencias inversas ni aserciones lookaround): ${p.detail}`,
  "nodes.patternTooComplex": "El patrón es demasiado complejo (use conteos de repetición más pequeños)",

  "run.stepLimit": (p) => `Se alcanzó el límite de ${p.limit} nodos seguidos en "${p.node}"; el flujo se detuvo`,
  "run.nodeMissing": (p) => `El nodo "${p.node}" no existe en la versión ${p.version} del flujo`,
  "run.nodeFailed": (p) => `El nodo "${p.node}" (${p.type}) falló: ${p.cause}`,
  "run.goToMissing": (p) => `go_to_flow: el flujo ${p.flow} no existe o no tiene versión`,
  "run.noOdooInTest": "En una prueba de flujo no se llama a Odoo",
};
