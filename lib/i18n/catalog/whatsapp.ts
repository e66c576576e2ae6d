// WhatsApp numbers and their sessions, the simulator, and messages on their way out.
import type { Templates, Translation } from "./types";

export const en = {
  "whatsapp.simulatorDisabled": "The simulator is disabled on this installation (SIMULATOR_ENABLED)",
  "whatsapp.noQr": (p: { status: string }) => `There is no QR code to scan: the account is ${p.status}`,
  "whatsapp.notShowingQr": "The account is not showing a QR code",
  "whatsapp.notConnected": "The account is not connected",
  "whatsapp.noConnection": "The account has no open connection",
  "whatsapp.sessionMoved": "This account has no live session right now; try again in a moment",
  "whatsapp.notSimulated": "This account does not use the simulator provider",
  "whatsapp.simulatedNeeds": (p: { type: string; field: string }) => `A ${p.type} message needs ${p.field}`,

  "outbound.notAUrl": (p: { field: string }) => `${p.field} is not a valid URL`,
  "outbound.tooLong": (p: { field: string; max: number }) => `${p.field} is longer than ${p.max} characters`,
  "outbound.idTwice": (p: { id: string }) => `The id "${p.id}" is used twice`,
  "outbound.latitude": "latitude must be between -90 and 90",
  "outbound.longitude": "longitude must be between -180 and 180",
  "outbound.reaction": "content (the emoji, or empty to remove) is required",
  "outbound.buttons": "buttons needs 1 to 3 buttons",
  "outbound.sections": "sections needs at least one section",
  "outbound.sectionRows": "each section needs rows",
} satisfies Templates;

export const es: Translation<typeof en> = {
  "whatsapp.simulatorDisabled": "El simulador está deshabilitado en esta instalación (SIMULATOR_ENABLED)",
  "whatsapp.noQr": (p) => `No hay código QR para escanear: la cuenta está en estado ${p.status}`,
  "whatsapp.notShowingQr": "La cuenta no está mostrando un código QR",
  "whatsapp.notConnected": "La cuenta no está conectada",
  "whatsapp.noConnection": "La cuenta no tiene una conexión abierta",
  "whatsapp.sessionMoved": "Esta cuenta no tiene una sesión activa ahora mismo; inténtelo de nuevo en un momento",
  "whatsapp.notSimulated": "Esta cuenta no usa el proveedor simulator",
  "whatsapp.simulatedNeeds": (p) => `Un mensaje de tipo ${p.type} necesita ${p.field}`,

  "outbound.notAUrl": (p) => `${p.field} no es una URL válida`,
  "outbound.tooLong": (p) => `${p.field} supera los ${p.max} caracteres`,
  "outbound.idTwice": (p) => `El id "${p.id}" se usa dos veces`,
  "outbound.latitude": "latitude debe estar entre -90 y 90",
  "outbound.longitude": "longitude debe estar entre -180 y 180",
  "outbound.reaction": "content (el emoji, o vacío para quitarlo) es obligatorio",
  "outbound.buttons": "buttons necesita de 1 a 3 botones",
  "outbound.sections": "sections necesita al menos una sección",
  "outbound.sectionRows": "cada sección necesita filas",
};
