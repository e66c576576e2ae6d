// The catalog's Spanish is typed against its English, so a missing entry does not compile;
// these check what the types cannot.
import FastestValidator from "fastest-validator";
import { AREAS, CATALOG } from "../../lib/i18n/catalog";
import { describeError, msg, render } from "../../lib/i18n/message";
import { OWN_VALIDATION_MESSAGES, SPANISH_VALIDATION_MESSAGES } from "../../lib/i18n/validation";
import { NotFound, ValidationFailed } from "../../lib/errors";

describe("the message catalog", () => {
  it("has every message in both languages, each key defined by one area only", () => {
    expect(Object.keys(CATALOG.es).sort()).toEqual(Object.keys(CATALOG.en).sort());
    const keys = Object.values(AREAS).flatMap((area) => Object.keys(area.en));
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.length).toBe(Object.keys(CATALOG.en).length);
    // Each area names its keys after itself, so where a message lives is plain.
    for (const area of Object.values(AREAS)) expect(Object.keys(area.es).sort()).toEqual(Object.keys(area.en).sort());
  });

  it("has no English text copied as its Spanish", () => {
    const untranslated = Object.entries(CATALOG.en).filter(
      ([key, english]) => typeof english === "string" && CATALOG.es[key as keyof typeof CATALOG.es] === english,
    );
    expect(untranslated).toEqual([]);
  });

  it("gives the same wording for the same message every time, and keeps English as the error's own message", () => {
    const err = new ValidationFailed("business_hours.monday", msg("hours.notWeekday", { key: "lunes" }));
    expect(err.message).toBe("lunes is not a weekday (monday … sunday)");
    expect(err.data.i18n).toEqual({ key: "hours.notWeekday", params: { key: "lunes" } });
    expect(render(err.data.i18n, "es")).toBe("lunes no es un día de la semana (monday … sunday)");
    expect(new NotFound("user", "u1").message).toBe("user u1 not found");
    expect(render(new NotFound("quickReply").data.i18n, "es")).toBe("No se encontró la respuesta rápida");
  });

  it("words what it cannot render as the error's own message", () => {
    expect(render({ key: "no.such.key" }, "es")).toBeUndefined();
    expect(render({ key: "toString" }, "es")).toBeUndefined();
    expect(render(undefined, "es")).toBeUndefined();
    // A template whose parameters did not arrive (a node on older code) does not throw.
    expect(render({ key: "gateway.notReadyChecks" }, "es")).toBeUndefined();
    expect(describeError(new Error("socket hang up"), "es")).toBe("socket hang up");
    expect(describeError(new NotFound("flow", "f1"), "es")).toBe("No se encontró el flujo f1");
  });
});

describe("validation messages", () => {
  const english: Record<string, string> = { ...new FastestValidator().messages, ...OWN_VALIDATION_MESSAGES };

  it("have a Spanish template for every failure type the validator knows, and none for types it does not", () => {
    expect(Object.keys(english).filter((type) => !(type in SPANISH_VALIDATION_MESSAGES))).toEqual([]);
    expect(Object.keys(SPANISH_VALIDATION_MESSAGES).filter((type) => !(type in english))).toEqual([]);
  });

  it("say in Spanish everything the English says: the same placeholders", () => {
    // arrayUnique's {actual} is the whole list; its repeated values ({expected}) say what is wrong.
    const leftOut: Record<string, string[]> = { arrayUnique: ["actual"] };
    const placeholders = (template: string) => [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();
    for (const [type, template] of Object.entries(SPANISH_VALIDATION_MESSAGES)) {
      const expected = placeholders(english[type]!).filter((name) => !leftOut[type]?.includes(name));
      expect([type, placeholders(template)]).toEqual([type, expected]);
    }
  });
});
