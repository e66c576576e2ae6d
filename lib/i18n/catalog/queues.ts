// Queues, their members and their business hours.
import type { Templates, Translation } from "./types";

export const en = {
  "queues.notEmpty": "The queue still has open conversations; transfer or resolve them first",
  "queues.onlyAdminsChangeSupervisors": "Only admins change or remove another supervisor's membership",
  "queues.onlyAdminsMakeSupervisors": "Only admins make someone a supervisor of a queue",
  "queues.adminsAndSupervisorsOnly": "Only admins and this queue's supervisors may do this",

  "hours.timeOfDay": (p: { field: string; midnightEnd: boolean }) =>
    `${p.field} must be a time of day as HH:MM (00:00 to 23:59${p.midnightEnd ? ", or 24:00 for the end" : ""})`,
  "hours.range": (p: { field: string }) => `${p.field} must be {"start": "HH:MM", "end": "HH:MM"}`,
  "hours.overnightOrder": (p: { start: string; end: string }) => `An overnight range ends the next day, before its start time (${p.start}–${p.end} does not)`,
  "hours.endAfterStart": (p: { field: string }) => `${p.field} must be after the start; for a range past midnight (22:00–06:00) add "overnight": true`,
  "hours.week": (p: { field: string }) => `${p.field} must be an object keyed by weekday, or null`,
  "hours.notWeekday": (p: { key: string }) => `${p.key} is not a weekday (monday … sunday)`,
  "hours.tooManyRanges": (p: { max: number }) => `At most ${p.max} ranges a day`,
  "hours.overlap": (p: { first: string; second: string }) => `The ranges ${p.first} and ${p.second} overlap`,
  "hours.timezone": (p: { field: string }) => `${p.field} must be an IANA time zone such as America/Mexico_City`,
  "hours.unknownTimezone": (p: { input: string }) => `${p.input} is not a known time zone (use an IANA name such as America/Mexico_City)`,
  "hours.holidays": (p: { field: string }) => `${p.field} must be a list of at most 366 dates (YYYY-MM-DD)`,
  "hours.holiday": (p: { field: string }) => `${p.field} must be a date as YYYY-MM-DD`,
} satisfies Templates;

export const es: Translation<typeof en> = {
  "queues.notEmpty": "La cola todavía tiene conversaciones abiertas; transfiéralas o resuélvalas primero",
  "queues.onlyAdminsChangeSupervisors": "Solo los administradores pueden cambiar o quitar la membresía de otro supervisor",
  "queues.onlyAdminsMakeSupervisors": "Solo los administradores pueden hacer a alguien supervisor de una cola",
  "queues.adminsAndSupervisorsOnly": "Solo los administradores y los supervisores de esta cola pueden hacer esto",

  "hours.timeOfDay": (p) => `${p.field} debe ser una hora del día en formato HH:MM (de 00:00 a 23:59${p.midnightEnd ? ", o 24:00 para el final" : ""})`,
  "hours.range": (p) => `${p.field} debe ser {"start": "HH:MM", "end": "HH:MM"}`,
  "hours.overnightOrder": (p) => `Un rango nocturno termina al día siguiente, antes de su hora de inicio (${p.start}–${p.end} no lo hace)`,
  "hours.endAfterStart": (p) => `${p.field} debe ser posterior al inicio; para un rango que pasa la medianoche (22:00–06:00) agregue "overnight": true`,
  "hours.week": (p) => `${p.field} debe ser un objeto con los días de la semana como claves, o null`,
  "hours.notWeekday": (p) => `${p.key} no es un día de la semana (monday … sunday)`,
  "hours.tooManyRanges": (p) => `Como máximo ${p.max} rangos por día`,
  "hours.overlap": (p) => `Los rangos ${p.first} y ${p.second} se superponen`,
  "hours.timezone": (p) => `${p.field} debe ser una zona horaria IANA, como America/Mexico_City`,
  "hours.unknownTimezone": (p) => `${p.input} no es una zona horaria conocida (use un nombre IANA, como America/Mexico_City)`,
  "hours.holidays": (p) => `${p.field} debe ser una lista de como máximo 366 fechas (YYYY-MM-DD)`,
  "hours.holiday": (p) => `${p.field} debe ser una fecha en formato YYYY-MM-DD`,
};
