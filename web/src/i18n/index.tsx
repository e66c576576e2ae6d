// The console's two languages: chosen in the UI, remembered in this browser,
// first taken from the browser's own preferences. The API client sends the
// same language as Accept-Language, so the engine's error messages match.
import { createContext, useCallback, useContext, useEffect, useMemo, useSyncExternalStore, type ReactNode } from "react";
import { en, type MessageKey } from "./en";
import { es } from "./es";

export const LANGUAGES = ["es", "en"] as const;
export type Language = (typeof LANGUAGES)[number];
export type { MessageKey };

const DICTIONARIES: Record<Language, Record<MessageKey, string>> = { es, en };
const STORAGE_KEY = "charla.language";

const isLanguage = (value: unknown): value is Language => LANGUAGES.includes(value as Language);

/** The first of the browser's languages the console speaks; Spanish, the engine's default, when none. */
export function browserLanguage(preferences: readonly string[] = navigator.languages): Language {
  for (const tag of preferences) {
    const primary = tag.split("-")[0]?.toLowerCase();
    if (isLanguage(primary)) return primary;
  }
  return "es";
}

// The language lives outside React so non-React code (the API client) reads the same value.
let current: Language = (() => {
  const stored = localStorage.getItem(STORAGE_KEY);
  return isLanguage(stored) ? stored : browserLanguage();
})();
const listeners = new Set<() => void>();

export function currentLanguage(): Language {
  return current;
}

function setLanguage(language: Language): void {
  current = language;
  localStorage.setItem(STORAGE_KEY, language);
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

/** The text of `key` in `language`, with each `{name}` replaced by its parameter. */
export function translate(language: Language, key: MessageKey, params: Record<string, string | number> = {}): string {
  return DICTIONARIES[language][key].replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

interface I18n {
  language: Language;
  setLanguage: (language: Language) => void;
  t: Translate;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const language = useSyncExternalStore(subscribe, currentLanguage);
  const t = useCallback<Translate>((key, params) => translate(language, key, params), [language]);
  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);
  const value = useMemo(() => ({ language, setLanguage, t }), [language, t]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const i18n = useContext(I18nContext);
  if (!i18n) throw new Error("useI18n outside I18nProvider");
  return i18n;
}
