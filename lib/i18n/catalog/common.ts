// Texts many modules share: a record that is not there, a reference to one that
// does not exist, the commonest field problems.
import type { Templates, Translation } from "./types";

/** Everything a 404 may name, in English as the message says it. */
const RESOURCES_EN = {
  user: "user",
  queue: "queue",
  queueAgent: "agent of the queue",
  flow: "flow",
  quickReply: "quick reply",
  whatsappAccount: "whatsapp account",
  outboundMessage: "outbound message",
  conversation: "conversation",
  contact: "contact",
  message: "message",
  messageMedia: "media of message",
  syncJob: "sync job",
  product: "product (by default_code or id)",
} as const;

export type Resource = keyof typeof RESOURCES_EN;

// With the article, which carries the gender the sentence needs.
const RESOURCES_ES: Record<Resource, string> = {
  user: "el usuario",
  queue: "la cola",
  queueAgent: "el agente de la cola",
  flow: "el flujo",
  quickReply: "la respuesta rápida",
  whatsappAccount: "la cuenta de WhatsApp",
  outboundMessage: "el mensaje saliente",
  conversation: "la conversación",
  contact: "el contacto",
  message: "el mensaje",
  messageMedia: "el archivo del mensaje",
  syncJob: "la sincronización",
  product: "el producto (por default_code o id)",
};

const withId = (text: string, id: string | undefined) => (id ? `${text} ${id}` : text);

export const en = {
  "common.notFound": (p: { resource: Resource; id?: string }) => `${withId(RESOURCES_EN[p.resource], p.id)} not found`,
  "common.noSuchUser": (p: { id: string }) => `There is no user ${p.id}`,
  "common.userDisabled": "That user is disabled",
  "common.noSuchQueue": (p: { id: string }) => `There is no queue ${p.id}`,
  "common.noSuchFlow": (p: { id: string }) => `There is no flow ${p.id}`,
  "common.noSuchAccount": (p: { id: string }) => `There is no WhatsApp account ${p.id}`,
  "common.required": (p: { field: string }) => `${p.field} is required`,
  "common.mustBeText": (p: { field: string }) => `${p.field} must be text`,
  "common.mustBeBoolean": (p: { field: string }) => `${p.field} must be true or false`,
  "common.mustBeUuid": (p: { field: string }) => `${p.field} must be a UUID`,
  "common.mustBeObject": (p: { field: string }) => `${p.field} must be an object`,
  "common.mustBeHttpUrl": (p: { field: string }) => `${p.field} must be an http or https URL`,
  "common.listRows": "A list has at most 10 rows",
} satisfies Templates;

export const es: Translation<typeof en> = {
  "common.notFound": (p) => `No se encontró ${withId(RESOURCES_ES[p.resource], p.id)}`,
  "common.noSuchUser": (p) => `No existe el usuario ${p.id}`,
  "common.userDisabled": "Ese usuario está deshabilitado",
  "common.noSuchQueue": (p) => `No existe la cola ${p.id}`,
  "common.noSuchFlow": (p) => `No existe el flujo ${p.id}`,
  "common.noSuchAccount": (p) => `No existe la cuenta de WhatsApp ${p.id}`,
  "common.required": (p) => `${p.field} es obligatorio`,
  "common.mustBeText": (p) => `${p.field} debe ser texto`,
  "common.mustBeBoolean": (p) => `${p.field} debe ser true o false`,
  "common.mustBeUuid": (p) => `${p.field} debe ser un UUID`,
  "common.mustBeObject": (p) => `${p.field} debe ser un objeto`,
  "common.mustBeHttpUrl": (p) => `${p.field} debe ser una URL http o https`,
  "common.listRows": "Una lista tiene como máximo 10 filas",
};
