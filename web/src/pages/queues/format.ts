// How the queue figures read: durations as "2 min 22 s" (the units read the same in Spanish and English), shares as percentages.
import type { Language } from "../../i18n";

export function formatDuration(seconds: number | null): string {
  if (seconds === null) return "—";
  const total = Math.round(seconds);
  const [h, m, s] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
  const parts = [h && `${h} h`, m && `${m} min`, (s || total === 0) && !h && `${s} s`].filter(Boolean);
  return parts.join(" ");
}

export function formatShare(share: number | null, language: Language): string {
  return share === null ? "—" : new Intl.NumberFormat(language, { style: "percent", maximumFractionDigits: 1 }).format(share);
}

/** Seconds in the form's minutes field and back; an empty field is no SLA (null). */
export const minutesOf = (seconds: number | null): number | "" => (seconds === null ? "" : Math.round((seconds / 60) * 100) / 100);
export const secondsOf = (minutes: number | string): number | null => (minutes === "" ? null : Math.round(Number(minutes) * 60));
