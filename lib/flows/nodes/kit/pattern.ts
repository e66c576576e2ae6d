// The `matches` operator's regular expressions. A pattern is stored by an admin
// but runs on text any customer sends, so it runs on a linear-time engine (RE2
// syntax: no backreferences or lookaround) and every cost is bounded: the
// pattern's length and compiled size at save time, the text's length at match
// time. The worst pattern within the limits takes tens of milliseconds on the
// longest text (docs/security.md).
import { RE2JS } from "re2js";
import { ValidationFailed } from "../../../errors";
import { msg, type Message } from "../../../i18n/message";

export const PATTERN_LIMITS = {
  /** Characters of the pattern as written. */
  maxLength: 200,
  /** RE2 program size: counted repetitions (`[a-z]{1,1000}`) grow it, real patterns stay under 60. */
  maxProgramSize: 250,
  /** Longer text never matches (a WhatsApp text is at most 4 096 characters). */
  maxText: 4096,
};

// Flows reuse a handful of patterns; compiling is the expensive part.
const CACHE_SIZE = 500;
const cache = new Map<string, RE2JS>();

/** Compiles the pattern, or says why it cannot be used. */
function compile(pattern: string): RE2JS | Message {
  const cached = cache.get(pattern);
  if (cached) return cached;
  if (pattern.length > PATTERN_LIMITS.maxLength) return msg("nodes.patternTooLong", { max: PATTERN_LIMITS.maxLength });
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(pattern, RE2JS.CASE_INSENSITIVE);
  } catch (err) {
    return msg("nodes.patternInvalid", { detail: (err as Error).message });
  }
  if (compiled.programSize() > PATTERN_LIMITS.maxProgramSize) return msg("nodes.patternTooComplex");
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(pattern, compiled);
  return compiled;
}

/** Whether `text` contains a match of `pattern` (case-insensitive); an unusable pattern never matches. */
export function matchesPattern(text: string, pattern: string): boolean {
  if (text.length > PATTERN_LIMITS.maxText) return false;
  const compiled = compile(pattern);
  return compiled instanceof RE2JS && compiled.matcher(text).find();
}

/** At save time: a literal pattern must compile within the limits (a templated one is checked when it runs). */
export function assertUsablePattern(pattern: string, field: string): void {
  if (pattern.includes("{{")) {
    if (pattern.length > PATTERN_LIMITS.maxLength) throw new ValidationFailed(field, msg("nodes.patternTooLong", { max: PATTERN_LIMITS.maxLength }));
    return;
  }
  const compiled = compile(pattern);
  if (!(compiled instanceof RE2JS)) throw new ValidationFailed(field, compiled);
}
