// Phone numbers in one form, E.164 ("+525512345678"), however people type them.
import { parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js";
import { ValidationFailed } from "./errors";
import { msg } from "./i18n/message";

/** "+52 55 1234 5678", "+525512345678" and (region MX) "5512345678" all become "+525512345678". */
export function toE164(input: string, defaultRegion: string, field = "phone_number"): string {
  const parsed = parsePhoneNumberFromString(input.trim(), defaultRegion as CountryCode);
  if (!parsed || !parsed.isPossible()) throw new ValidationFailed(field, msg("contacts.notAPhone", { input }));
  return parsed.number;
}
