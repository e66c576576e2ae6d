// Parameter validation messages. fastest-validator writes each failure in
// English from a template per failure type; moleculer's ValidationError then
// carries the failures (type, field, expected, actual) between nodes. The
// gateway words the first failure again from the Spanish template of its type.
import type { BuiltInMessages } from "fastest-validator";
import { CATALOG } from "./catalog";
import type { Language } from "./language";

/** Failure types of our own validator (lib/http/validator.ts), with their English templates. */
export const OWN_VALIDATION_MESSAGES = {
  notNullable: "The '{field}' field must not be null.",
  nulCharacter: "The '{field}' field must not contain NUL characters.",
  // fastest-validator's own puts the allowed list where the rejected value belongs ("The 'role' field value
  // 'admin, supervisor, agent' does not match …"); this one reads as a person would write it.
  enumValue: "The '{field}' field must be one of: {expected}.",
} as const;

type FailureType = keyof BuiltInMessages | keyof typeof OWN_VALIDATION_MESSAGES;

// Every type fastest-validator knows (its typings lag its code a little: the extra ones are checked by
// a unit test against the validator itself). The field goes unquoted, as in the English answers.
export const SPANISH_VALIDATION_MESSAGES: Readonly<Record<FailureType, string> & Record<string, string>> = {
  required: "El campo {field} es obligatorio.",
  notNullable: "El campo {field} no puede ser nulo.",
  nulCharacter: "El campo {field} no puede contener caracteres NUL.",
  forbidden: "El campo {field} no está permitido.",

  string: "El campo {field} debe ser texto.",
  stringEmpty: "El campo {field} no debe estar vacío.",
  stringMin: "El campo {field} debe tener al menos {expected} caracteres.",
  stringMax: "El campo {field} debe tener como máximo {expected} caracteres.",
  stringLength: "El campo {field} debe tener exactamente {expected} caracteres.",
  stringPattern: "El campo {field} no tiene el formato requerido.",
  stringContains: "El campo {field} debe contener el texto {expected}.",
  stringEnum: "El campo {field} no coincide con ninguno de los valores permitidos.",
  stringNumeric: "El campo {field} debe ser un texto numérico.",
  stringAlpha: "El campo {field} debe contener solo letras.",
  stringAlphanum: "El campo {field} debe contener solo letras y números.",
  stringAlphadash: "El campo {field} debe contener solo letras, números, guiones y guiones bajos.",
  stringHex: "El campo {field} debe ser un texto hexadecimal.",
  stringSingleLine: "El campo {field} debe ser una sola línea de texto.",
  stringBase64: "El campo {field} debe estar codificado en base64.",

  number: "El campo {field} debe ser un número.",
  numberMin: "El campo {field} debe ser mayor o igual que {expected}.",
  numberMax: "El campo {field} debe ser menor o igual que {expected}.",
  numberEqual: "El campo {field} debe ser igual a {expected}.",
  numberNotEqual: "El campo {field} no puede ser igual a {expected}.",
  numberInteger: "El campo {field} debe ser un número entero.",
  numberPositive: "El campo {field} debe ser un número positivo.",
  numberNegative: "El campo {field} debe ser un número negativo.",

  array: "El campo {field} debe ser una lista.",
  arrayEmpty: "El campo {field} no debe ser una lista vacía.",
  arrayMin: "El campo {field} debe contener al menos {expected} elementos.",
  arrayMax: "El campo {field} debe contener como máximo {expected} elementos.",
  arrayLength: "El campo {field} debe contener exactamente {expected} elementos.",
  arrayContains: "El campo {field} debe contener el elemento {expected}.",
  arrayUnique: "El campo {field} tiene valores repetidos: {expected}.",
  arrayEnum: "El valor {actual} del campo {field} no es ninguno de los permitidos: {expected}.",
  tuple: "El campo {field} debe ser una lista.",
  tupleEmpty: "El campo {field} no debe ser una lista vacía.",
  tupleLength: "El campo {field} debe contener {expected} elementos.",

  boolean: "El campo {field} debe ser verdadero o falso.",
  currency: "El campo {field} debe tener un formato de moneda válido.",
  date: "El campo {field} debe ser una fecha.",
  dateMin: "El campo {field} debe ser igual o posterior a {expected}.",
  dateMax: "El campo {field} debe ser igual o anterior a {expected}.",
  enumValue: "El campo {field} debe ser uno de: {expected}.",
  equalValue: "El campo {field} debe ser igual a {expected}.",
  equalField: "El campo {field} debe ser igual al campo {expected}.",
  function: "El campo {field} debe ser una función.",

  email: "El campo {field} debe ser un correo electrónico válido.",
  emailEmpty: "El campo {field} no debe estar vacío.",
  emailMin: "El campo {field} debe tener al menos {expected} caracteres.",
  emailMax: "El campo {field} debe tener como máximo {expected} caracteres.",
  luhn: "El campo {field} debe tener un dígito verificador Luhn válido.",
  mac: "El campo {field} debe ser una dirección MAC válida.",
  url: "El campo {field} debe ser una URL válida.",
  urlEmpty: "El campo {field} no debe estar vacío.",
  uuid: "El campo {field} debe ser un UUID válido.",
  uuidVersion: "El campo {field} debe ser un UUID de la versión indicada.",

  object: "El campo {field} debe ser un objeto.",
  objectStrict: "El objeto {field} contiene claves no permitidas: {actual}.",
  objectMinProps: "El objeto {field} debe tener al menos {expected} propiedades.",
  objectMaxProps: "El objeto {field} debe tener como máximo {expected} propiedades.",
  record: "El campo {field} debe ser un objeto.",
  classInstanceOf: "El campo {field} debe ser una instancia de la clase {expected}.",
  objectID: "El campo {field} debe ser un ObjectID válido.",
};

// A parameter rule may set its own message (`messages: { stringPattern: … }`); the failure then carries
// that text, not the type's. Such texts come from the catalog, and are recognised by their English.
const RULE_MESSAGES = ["quickReplies.shortcutPattern"] as const;
type RuleMessageKey = (typeof RULE_MESSAGES)[number];

/** A rule's own validation message, in the English fastest-validator writes into the failure. */
export function ruleMessage(key: RuleMessageKey): string {
  return CATALOG.en[key];
}

const RULE_MESSAGE_KEYS = new Map<string, RuleMessageKey>(RULE_MESSAGES.map((key) => [CATALOG.en[key], key]));

export interface ValidationIssue {
  type?: unknown;
  field?: unknown;
  label?: unknown;
  message?: unknown;
  expected?: unknown;
  actual?: unknown;
}

/** As fastest-validator puts a value into its message (lib/helpers/replace.js), but never throwing. */
function asText(value: unknown): string {
  if (value === undefined || value === null) return "";
  try {
    // Whatever the client sent, as text: an object's own toString may throw (caught below).
    // eslint-disable-next-line @typescript-eslint/no-base-to-string
    return String(value);
  } catch {
    return typeof value;
  }
}

function fill(template: string, issue: ValidationIssue): string {
  const values: Record<string, unknown> = { field: issue.label || issue.field, expected: issue.expected, actual: issue.actual };
  // One pass, so a value that itself reads "{actual}" stays as it is.
  return template.replace(/\{(field|expected|actual)\}/g, (_match, name: string) => asText(values[name]));
}

/** The failure in words, or undefined when there are none in this language for it. */
export function validationText(issue: ValidationIssue, language: Language): string | undefined {
  const english = typeof issue.message === "string" ? issue.message : undefined;
  const own = english === undefined ? undefined : RULE_MESSAGE_KEYS.get(english);
  if (own) return CATALOG[language][own];
  // The answers have always quoted no field names: "The email field is required.".
  if (language === "en") return english?.replace(/'/g, "");
  const template =
    typeof issue.type === "string" && Object.hasOwn(SPANISH_VALIDATION_MESSAGES, issue.type) ? SPANISH_VALIDATION_MESSAGES[issue.type] : undefined;
  return template === undefined ? undefined : fill(template, issue);
}
