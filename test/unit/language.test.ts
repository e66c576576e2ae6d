import { chooseLanguage } from "../../lib/i18n/language";

describe("choosing the language of an answer from Accept-Language", () => {
  it.each([
    ["es", "en", "es"],
    ["en", "es", "en"],
    ["es-CO", "en", "es"],
    ["es-419,es;q=0.9", "en", "es"],
    ["EN-us", "es", "en"],
    // Weights decide, wherever a range is listed.
    ["en-US;q=0.8, es-MX", "en", "es"],
    ["fr-FR, en-US;q=0.8, es;q=0.7", "es", "en"],
    ["de, fr;q=0.9, es;q=0.1", "en", "es"],
    // Equal weights: the range listed first.
    ["en, es", "es", "en"],
    ["es;q=0.5, en;q=0.5", "en", "es"],
    // A language's weight is that of its heaviest range.
    ["es;q=0.1, en;q=0.5, es-AR", "en", "es"],
  ])("%j (default %s) → %s", (header, fallback, expected) => {
    expect(chooseLanguage(header, fallback as "es" | "en")).toBe(expected);
  });

  it("falls back to the default when the header is absent, empty or names none of ours", () => {
    expect(chooseLanguage(undefined, "es")).toBe("es");
    expect(chooseLanguage(undefined, "en")).toBe("en");
    expect(chooseLanguage("", "en")).toBe("en");
    expect(chooseLanguage("fr-FR, de;q=0.9", "en")).toBe("en");
    expect(chooseLanguage("fr-FR, de;q=0.9", "es")).toBe("es");
  });

  it("reads * as any language not named, preferring the default among those", () => {
    expect(chooseLanguage("*", "es")).toBe("es");
    expect(chooseLanguage("*", "en")).toBe("en");
    expect(chooseLanguage("fr, *;q=0.5", "en")).toBe("en");
    // Spanish is named with less weight than everything else.
    expect(chooseLanguage("es;q=0.2, *;q=0.5", "es")).toBe("en");
    // Named ones first when they weigh as much as *.
    expect(chooseLanguage("*, en", "es")).toBe("en");
  });

  it("never answers in a language the client refused with q=0", () => {
    expect(chooseLanguage("es;q=0, *", "es")).toBe("en");
    expect(chooseLanguage("en;q=0", "en")).toBe("en"); // nothing acceptable is left: the default
    expect(chooseLanguage("en-GB;q=0, es;q=0.1", "en")).toBe("es");
  });

  it("skips ranges it cannot read instead of guessing", () => {
    expect(chooseLanguage("en;q=2, es;q=0.3", "en")).toBe("es");
    expect(chooseLanguage("en;q=abc, es;q=0.3", "en")).toBe("es");
    expect(chooseLanguage("en;q=0.1234", "es")).toBe("es");
    expect(chooseLanguage(";;,, ,es-, 123, en;q=0.9", "es")).toBe("en");
    expect(chooseLanguage("e\u0000s, en", "es")).toBe("en");
  });

  it("takes the header as a list when a proxy split it", () => {
    expect(chooseLanguage(["fr", "en;q=0.5"], "es")).toBe("en");
  });
});
