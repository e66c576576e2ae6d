// The language people read our answers in (error messages, the flow test's
// texts): Spanish or English, chosen from the request's Accept-Language
// (RFC 9110 §12.5.4), else the installation's default (DEFAULT_LANGUAGE).
// Only the primary subtag counts: es-CO and es-419 read our one Spanish.

export const LANGUAGES = ["es", "en"] as const;
export type Language = (typeof LANGUAGES)[number];

export function isLanguage(value: unknown): value is Language {
  return typeof value === "string" && (LANGUAGES as readonly string[]).includes(value);
}

// Far more ranges than any browser sends; a longer list is read only this far.
const MAX_RANGES = 32;
// RFC 4647's language-range (es, es-CO, es-419, *) and RFC 9110's qvalue (0 to 1, three decimals at most).
const RANGE = /^(?:\*|[a-z]{1,8}(?:-[a-z\d]{1,8})*)$/i;
const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

interface Range {
  /** The primary subtag, lower case, or "*". */
  language: string;
  q: number;
  position: number;
}

function parseRanges(header: string): Range[] {
  const ranges: Range[] = [];
  for (const [position, item] of header.split(",").slice(0, MAX_RANGES).entries()) {
    const [tag = "", ...parameters] = item.split(";").map((part) => part.trim());
    if (!RANGE.test(tag)) continue;
    const language = tag.toLowerCase().split("-")[0]!;
    let q = 1;
    const weight = parameters.find((parameter) => /^q\s*=/i.test(parameter));
    if (weight !== undefined) {
      const value = weight.replace(/^q\s*=\s*/i, "");
      // A malformed weight makes the whole range unreadable: skip it rather than guess.
      if (!QVALUE.test(value)) continue;
      q = Number(value);
    }
    ranges.push({ language, q, position });
  }
  return ranges;
}

/**
 * The language to answer in. Each of ours gets the highest weight of the ranges
 * naming it (any region), else the weight of `*`; a weight of 0 rules it out.
 * The heaviest wins; on a tie, a language named beats one `*` covers, then the
 * one listed first, then the default. Nothing acceptable, or no header: the default.
 */
export function chooseLanguage(header: string | readonly string[] | undefined, fallback: Language): Language {
  const text = typeof header === "string" ? header : header?.join(",");
  if (!text) return fallback;
  const ranges = parseRanges(text);
  const wildcard = ranges.find((range) => range.language === "*");
  let best: { language: Language; q: number; position: number } | undefined;
  // The default first, so that it wins a tie that only `*` decides.
  for (const language of [fallback, ...LANGUAGES.filter((candidate) => candidate !== fallback)]) {
    const named = ranges.filter((range) => range.language === language);
    const heaviest = named.length > 0 ? named.reduce((a, b) => (b.q > a.q ? b : a)) : undefined;
    // Under `*` a language counts as listed after every named one.
    const weight = heaviest ?? (wildcard && { q: wildcard.q, position: Number.POSITIVE_INFINITY });
    if (!weight || weight.q <= 0) continue;
    if (!best || weight.q > best.q || (weight.q === best.q && weight.position < best.position)) {
      best = { language, q: weight.q, position: weight.position };
    }
  }
  return best?.language ?? fallback;
}
