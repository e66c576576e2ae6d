// A queue's opening hours as the editor holds them (every weekday with its list
// of ranges) and as the contract carries them (docs/queues.md, "Business
// hours": a day is null, one {start, end} or a list of them; a range past
// midnight says `overnight: true`; null for the whole week means always open).
// Plain functions, so the conversions are unit-tested without a browser.
import type { components } from "../../api/rest.gen";

export type ApiBusinessHours = components["schemas"]["Queue"]["business_hours"];

/** Monday first, as people read a week (and as the engine answers). */
export const WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface TimeRange {
  start: string;
  end: string;
  /** Ends the next day (22:00–06:00). */
  overnight: boolean;
}

export type WeekHours = Record<Weekday, TimeRange[]>;

export interface HoursDraft {
  alwaysOpen: boolean;
  week: WeekHours;
}

export const NEW_RANGE: TimeRange = { start: "09:00", end: "18:00", overnight: false };

const emptyWeek = (): WeekHours => Object.fromEntries(WEEKDAYS.map((day) => [day, []])) as unknown as WeekHours;

/** What switching hours on starts from: Monday to Friday, 09:00–18:00. */
export function officeWeek(): WeekHours {
  const week = emptyWeek();
  for (const day of WEEKDAYS.slice(0, 5)) week[day] = [{ ...NEW_RANGE }];
  return week;
}

/** The contract's hours as the editor's draft; days left out are closed. */
export function hoursFromApi(hours: ApiBusinessHours): HoursDraft {
  if (!hours) return { alwaysOpen: true, week: officeWeek() };
  const week = emptyWeek();
  for (const day of WEEKDAYS) {
    const value = hours[day];
    if (!value) continue;
    week[day] = (Array.isArray(value) ? value : [value]).map((range) => ({ start: range.start, end: range.end, overnight: range.overnight === true }));
  }
  return { alwaysOpen: false, week };
}

/** The draft in the contract's shape: a closed day is null, one range an object, a split day a list. */
export function hoursToApi(draft: HoursDraft): ApiBusinessHours {
  if (draft.alwaysOpen) return null;
  return Object.fromEntries(
    WEEKDAYS.map((day) => {
      const ranges = draft.week[day].map(({ start, end, overnight }) => (overnight ? { start, end, overnight } : { start, end }));
      return [day, ranges.length === 0 ? null : ranges.length === 1 ? ranges[0]! : ranges];
    }),
  );
}

/**
 * The field the engine names for a range of a day (or one of its times): it
 * follows the shape hoursToApi sent, `business_hours.monday.start` for a day
 * of one range, `business_hours.monday[1].start` for a split day.
 */
export function rangeField(day: Weekday, index: number, count: number, part?: "start" | "end"): string {
  const range = count === 1 ? `business_hours.${day}` : `business_hours.${day}[${index}]`;
  return part ? `${range}.${part}` : range;
}

export const dayField = (day: Weekday): string => `business_hours.${day}`;
