// Odoo: its settings, contact syncs, lookups, and its own failures.
import type { Templates, Translation } from "./types";

/** The kinds of failure the Odoo client tells apart (lib/odoo/client.ts), each worded below. */
export type OdooErrorKind =
  | "credentials" // AccessDenied, bad or expired key, login cooldown
  | "permission" // AccessError: ACLs or record rules
  | "bad_data" // ValidationError / UserError / invalid field
  | "not_found" // MissingError, unknown model
  | "database" // the database does not exist
  | "unreachable" // DNS, refused, reset, 502/503/504
  | "timeout"
  | "circuit_open"
  | "upstream"; // anything else Odoo raised

// Odoo's own text (or our client's account of what went wrong) follows, as it came: it may be in
// any language, so the Spanish message leads with what kind of failure it is.
const FAILURE_ES: Record<OdooErrorKind, string> = {
  credentials: "Odoo rechazó el usuario o la clave de API",
  permission: "Odoo no permite esta operación al usuario configurado",
  bad_data: "Odoo rechazó los datos enviados",
  not_found: "Odoo no encontró lo solicitado",
  database: "Odoo no encontró la base de datos",
  unreachable: "No se puede contactar a Odoo",
  timeout: "Odoo no respondió a tiempo",
  circuit_open: "Las llamadas a Odoo están en pausa tras varios fallos seguidos",
  upstream: "Odoo respondió con un error",
};

export const en = {
  "odoo.notConfigured": "Odoo is not configured: set ODOO_URL, ODOO_DATABASE, ODOO_USERNAME and ODOO_API_KEY, or PUT /api/odoo/settings",
  "odoo.keyUnreadable": "The stored Odoo API key cannot be decrypted (SECRETS_KEY changed); save the key again",
  "odoo.keyForNewUrl": "Give the API key again when the URL changes",
  "odoo.keyFirstTime": "api_key is required the first time",
  "odoo.keyToTest": "Give the API key to test a server other than the saved one",
  "odoo.syncRunning": "A contact sync is already running; follow it with GET /api/odoo/sync-contacts/{job_id}",
  "odoo.searchBy": "Give a phone, an email or a name to search by",
  "odoo.failure": (p: { kind: OdooErrorKind; detail: string }) => `Odoo: ${p.detail}`,
} satisfies Templates;

export const es: Translation<typeof en> = {
  "odoo.notConfigured": "Odoo no está configurado: defina ODOO_URL, ODOO_DATABASE, ODOO_USERNAME y ODOO_API_KEY, o use PUT /api/odoo/settings",
  "odoo.keyUnreadable": "No se puede descifrar la clave de API de Odoo guardada (SECRETS_KEY cambió); guarde la clave de nuevo",
  "odoo.keyForNewUrl": "Indique de nuevo la clave de API cuando cambie la URL",
  "odoo.keyFirstTime": "api_key es obligatorio la primera vez",
  "odoo.keyToTest": "Indique la clave de API para probar un servidor distinto del guardado",
  "odoo.syncRunning": "Ya hay una sincronización de contactos en curso; sígala con GET /api/odoo/sync-contacts/{job_id}",
  "odoo.searchBy": "Indique un teléfono, un correo electrónico o un nombre para buscar",
  "odoo.failure": (p) => `${FAILURE_ES[p.kind]}: ${p.detail}`,
};
