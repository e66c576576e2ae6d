// Conversations, their messages and contacts, and catching up on changes.
import type { ConversationStatus } from "../../models/conversations";
import type { Templates, Translation } from "./types";

/** The steps of a conversation's lifecycle (lib/inbox/lifecycle.machine.ts builds its events from them). */
export type LifecycleStep = "HANDOFF" | "ASSIGN" | "UNASSIGN" | "TRANSFER" | "RESOLVE" | "REOPEN";

const STATE_EN: Record<ConversationStatus, string> = { bot: "held by the bot", waiting: "waiting", active: "active", resolved: "resolved" };
const DONE_EN: Record<LifecycleStep, string> = {
  HANDOFF: "handed off",
  ASSIGN: "assigned",
  UNASSIGN: "unassigned",
  TRANSFER: "transferred",
  RESOLVE: "resolved",
  REOPEN: "reopened",
};
// "Una conversación resuelta no se puede reabrir": the state as an adjective, the step as an infinitive.
const STATE_ES: Record<ConversationStatus, string> = { bot: "en manos del bot", waiting: "en espera", active: "activa", resolved: "resuelta" };
const DO_ES: Record<LifecycleStep, string> = {
  HANDOFF: "derivar",
  ASSIGN: "asignar",
  UNASSIGN: "desasignar",
  TRANSFER: "transferir",
  RESOLVE: "resolver",
  REOPEN: "reabrir",
};

export const en = {
  "conversations.notVisible": "This conversation is not in your queues nor assigned to you",
  "conversations.agentsSelfOnly": "Agents can only assign conversations to themselves",
  "conversations.assignedElsewhere": "This conversation is assigned to someone else; a supervisor can reassign it",
  "conversations.notResolved": (p: { status: ConversationStatus }) => `The conversation is ${p.status}, not resolved`,
  "conversations.openExists": (p: { id: string }) => `The contact already has an open conversation on this account (${p.id})`,
  "conversations.transition": (p: { status: ConversationStatus; step: LifecycleStep }) =>
    `A conversation that is ${STATE_EN[p.status]} cannot be ${DONE_EN[p.step]}`,
  "conversations.resolvedNoWriting": "The conversation is resolved; reopen it before writing",
  "conversations.accountNotConnected": (p: { status: string }) => `The WhatsApp account of this conversation is ${p.status}; connect it first`,
  "messages.beforeCursor": "before must be the id of a message of this conversation",
  "changes.cursor": (p: { field: string }) => `${p.field} must be a cursor returned by GET /api/changes`,
  "changes.sinceUnknown": "since is not a cursor this server returned; start again without it",
  "contacts.phoneTaken": (p: { phone: string; id: string }) => `A contact with the number ${p.phone} already exists (${p.id})`,
  "contacts.notAPhone": (p: { input: string }) => `"${p.input}" is not a phone number`,
} satisfies Templates;

export const es: Translation<typeof en> = {
  "conversations.notVisible": "Esta conversación no está en sus colas ni asignada a usted",
  "conversations.agentsSelfOnly": "Los agentes solo pueden asignarse conversaciones a sí mismos",
  "conversations.assignedElsewhere": "Esta conversación está asignada a otra persona; un supervisor puede reasignarla",
  "conversations.notResolved": (p) => `La conversación está ${STATE_ES[p.status]}, no resuelta`,
  "conversations.openExists": (p) => `El contacto ya tiene una conversación abierta en esta cuenta (${p.id})`,
  "conversations.transition": (p) => `Una conversación ${STATE_ES[p.status]} no se puede ${DO_ES[p.step]}`,
  "conversations.resolvedNoWriting": "La conversación está resuelta; reábrala antes de escribir",
  "conversations.accountNotConnected": (p) => `La cuenta de WhatsApp de esta conversación no está conectada (estado: ${p.status}); conéctela primero`,
  "messages.beforeCursor": "before debe ser el id de un mensaje de esta conversación",
  "changes.cursor": (p) => `${p.field} debe ser un cursor devuelto por GET /api/changes`,
  "changes.sinceUnknown": "since no es un cursor devuelto por este servidor; vuelva a empezar sin él",
  "contacts.phoneTaken": (p) => `Ya existe un contacto con el número ${p.phone} (${p.id})`,
  "contacts.notAPhone": (p) => `"${p.input}" no es un número de teléfono`,
};
