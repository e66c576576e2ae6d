// A queue's opening hours in its own time zone: validation of what people
// write, whether it is open at an instant, and deadlines that count only open
// time (an SLA of one hour asked for at 17:30 on a 09:00–18:00 day ends at
// 09:30 the next open day).
import { ValidationFailed } from "../errors";
import { msg } from "../i18n/message";
import { WEEKDAYS, type Interval, type Schedule, type Weekday } from "../models/queues";

export interface Calendar {
  /** null: always open. */
  schedule: Schedule | null;
  timezone: string;
  /** Local dates ("2026-12-25") on which no range starts. */
  holidays: readonly string[];
}

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const MAX_RANGES_PER_DAY = 6;
const DAY_MINUTES = 24 * 60;

const minutesOf = (time: string): number => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

function parseTime(value: unknown, field: string, allowMidnightEnd: boolean): string {
  if (typeof value !== "string" || !(TIME.test(value) || (allowMidnightEnd && value === "24:00"))) {
    throw new ValidationFailed(field, msg("hours.timeOfDay", { field, midnightEnd: allowMidnightEnd }));
  }
  return value;
}

function parseInterval(value: unknown, field: string): Interval {
  if (!value || typeof value !== "object" || Array.isArray(value)) throw new ValidationFailed(field, msg("hours.range", { field }));
  const raw = value as Record<string, unknown>;
  const overnight = raw.overnight ?? false;
  if (typeof overnight !== "boolean") throw new ValidationFailed(`${field}.overnight`, msg("common.mustBeBoolean", { field: `${field}.overnight` }));
  const start = parseTime(raw.start, `${field}.start`, false);
  const end = parseTime(raw.end, `${field}.end`, !overnight);
  if (overnight && minutesOf(end) >= minutesOf(start)) {
    throw new ValidationFailed(`${field}.end`, msg("hours.overnightOrder", { start, end }));
  }
  if (!overnight && minutesOf(end) <= minutesOf(start)) {
    throw new ValidationFailed(`${field}.end`, msg("hours.endAfterStart", { field: `${field}.end` }));
  }
  return overnight ? { start, end, overnight } : { start, end };
}

/**
 * The seed's `business_hours` (a weekday → `{start, end}` or null), also
 * accepting a list of ranges per day and overnight ranges. Missing days are
 * closed; null or absent business hours mean always open.
 */
export function parseBusinessHours(input: unknown, field = "business_hours"): Schedule | null {
  if (input === null || input === undefined) return null;
  if (typeof input !== "object" || Array.isArray(input)) throw new ValidationFailed(field, msg("hours.week", { field }));
  const schedule = Object.fromEntries(WEEKDAYS.map((day) => [day, [] as Interval[]])) as Schedule;
  for (const [key, value] of Object.entries(input as Record<string, unknown>)) {
    const day = key.toLowerCase() as Weekday;
    if (!WEEKDAYS.includes(day)) throw new ValidationFailed(`${field}.${key}`, msg("hours.notWeekday", { key }));
    if (value === null) continue;
    const list = Array.isArray(value) ? value : [value];
    if (list.length > MAX_RANGES_PER_DAY) throw new ValidationFailed(`${field}.${key}`, msg("hours.tooManyRanges", { max: MAX_RANGES_PER_DAY }));
    const ranges = list.map((item, i) => parseInterval(item, Array.isArray(value) ? `${field}.${key}[${i}]` : `${field}.${key}`));
    ranges.sort((a, b) => minutesOf(a.start) - minutesOf(b.start));
    ranges.forEach((range, i) => {
      const next = ranges[i + 1];
      const end = range.overnight ? DAY_MINUTES : minutesOf(range.end);
      if (next && minutesOf(next.start) < end)
        throw new ValidationFailed(`${field}.${key}`, msg("hours.overlap", { first: `${range.start}–${range.end}`, second: `${next.start}–${next.end}` }));
    });
    schedule[day] = ranges;
  }
  return schedule;
}

export function parseTimezone(input: unknown, field = "timezone"): string {
  if (typeof input !== "string" || input.length > 64) throw new ValidationFailed(field, msg("hours.timezone", { field }));
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: input }).resolvedOptions().timeZone;
  } catch {
    throw new ValidationFailed(field, msg("hours.unknownTimezone", { input }));
  }
}

export function parseHolidays(input: unknown, field = "holidays"): string[] {
  if (input === null || input === undefined) return [];
  if (!Array.isArray(input) || input.length > 366) throw new ValidationFailed(field, msg("hours.holidays", { field }));
  const dates = (input as unknown[]).map((value, i) => {
    const time = typeof value === "string" && DATE.test(value) ? new Date(`${value}T00:00:00Z`).getTime() : NaN;
    if (typeof value !== "string" || Number.isNaN(time) || !new Date(time).toISOString().startsWith(value))
      throw new ValidationFailed(`${field}[${i}]`, msg("hours.holiday", { field: `${field}[${i}]` }));
    return value;
  });
  return [...new Set(dates)].sort();
}

// --- Time zones without a library: Intl tells the wall-clock time of an instant. ---

const formatters = new Map<string, Intl.DateTimeFormat>();

function wallClock(timezone: string, at: number): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
  let format = formatters.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: timezone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timezone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(at)).map((part) => [part.type, Number(part.value)]));
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour!, minute: parts.minute!, second: parts.second! };
}

/** How far the zone's wall clock is ahead of UTC at an instant, in ms. */
function offsetAt(timezone: string, at: number): number {
  const wall = wallClock(timezone, at);
  return Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second) - Math.floor(at / 1000) * 1000;
}

/** The instant a local date and minute of day (may exceed 24h: the next day) happen in the zone. */
function instantOf(timezone: string, year: number, month: number, day: number, minutes: number): number {
  const asUtc = Date.UTC(year, month - 1, day, 0, minutes);
  const first = asUtc - offsetAt(timezone, asUtc);
  // Once more with the offset at that instant, for days on which the offset changes.
  return asUtc - offsetAt(timezone, first);
}

const SEARCH_DAYS = 400;

/** Open ranges as [start, end) instants, in start order, from the day before `from` on. */
function* openRanges(calendar: Calendar & { schedule: Schedule }, from: number): Generator<[number, number]> {
  const today = wallClock(calendar.timezone, from);
  const holidays = new Set(calendar.holidays);
  for (let offset = -1; offset <= SEARCH_DAYS; offset += 1) {
    const date = new Date(Date.UTC(today.year, today.month - 1, today.day + offset));
    const [year, month, day] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
    if (holidays.has(date.toISOString().slice(0, 10))) continue;
    for (const range of calendar.schedule[WEEKDAYS[date.getUTCDay()]!]) {
      const start = instantOf(calendar.timezone, year, month, day, minutesOf(range.start));
      const end = instantOf(calendar.timezone, year, month, day, minutesOf(range.end) + (range.overnight ? DAY_MINUTES : 0));
      if (end > from) yield [start, end];
    }
  }
}

export function isOpen(calendar: Calendar, at: Date): boolean {
  const { schedule } = calendar;
  if (!schedule) return true;
  for (const [start, end] of openRanges({ ...calendar, schedule }, at.getTime())) {
    if (start > at.getTime()) return false;
    if (at.getTime() < end) return true;
  }
  return false;
}

/**
 * The instant at which `seconds` of open time have passed since `from`;
 * null when the calendar has no open time in the next year.
 */
export function addBusinessSeconds(calendar: Calendar, from: Date, seconds: number): Date | null {
  const { schedule } = calendar;
  if (!schedule) return new Date(from.getTime() + seconds * 1000);
  let remaining = seconds * 1000;
  let cursor = from.getTime();
  for (const [rangeStart, end] of openRanges({ ...calendar, schedule }, cursor)) {
    const start = Math.max(rangeStart, cursor);
    if (end <= start) continue;
    if (end - start >= remaining) return new Date(start + remaining);
    remaining -= end - start;
    cursor = end;
  }
  return null;
}
