// Quick replies.
import type { Templates, Translation } from "./types";

export const en = {
  "quickReplies.notYourQueue": "This quick reply belongs to a queue you are not in",
  "quickReplies.onlySupervised": "You can only edit quick replies of queues you supervise",
  "quickReplies.shortcutTaken": (p: { shortcut: string; inQueue: boolean }) =>
    `The shortcut ${p.shortcut} is already used ${p.inQueue ? "in this queue" : "globally"}`,
  // The `shortcut` parameter's own validation message (services/quick-replies.service.ts).
  "quickReplies.shortcutPattern": "The shortcut must start with / followed by 1 to 40 letters, digits, _ or -",
} satisfies Templates;

export const es: Translation<typeof en> = {
  "quickReplies.notYourQueue": "Esta respuesta rápida pertenece a una cola de la que usted no es miembro",
  "quickReplies.onlySupervised": "Solo puede editar respuestas rápidas de las colas que supervisa",
  "quickReplies.shortcutTaken": (p) => `El atajo ${p.shortcut} ya está en uso ${p.inQueue ? "en esta cola" : "de forma global"}`,
  "quickReplies.shortcutPattern": "El atajo debe empezar con / seguido de 1 a 40 letras, dígitos, _ o -",
};
