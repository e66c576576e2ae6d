import { addBusinessSeconds, isOpen, parseBusinessHours, parseHolidays, parseTimezone, type Calendar } from "../../lib/queues/business-hours";

const weekdays = (start: string, end: string) => Object.fromEntries(["monday", "tuesday", "wednesday", "thursday", "friday"].map((d) => [d, { start, end }]));
// Mexico City is UTC-6 all year (no daylight saving time since 2022).
const mx = (hours: Record<string, unknown> | null, holidays: string[] = []): Calendar => ({
  schedule: parseBusinessHours(hours),
  timezone: "America/Mexico_City",
  holidays,
});
const at = (local: string) => new Date(`${local}-06:00`);
const due = (calendar: Calendar, from: string, seconds: number) => addBusinessSeconds(calendar, at(from), seconds)?.toISOString();

describe("deadlines in business hours", () => {
  const office = mx({ ...weekdays("09:00", "18:00"), saturday: { start: "10:00", end: "14:00" }, sunday: null });

  it("counts straight through when the queue has no hours", () => {
    expect(due(mx(null), "2026-11-27T17:30:00", 3600)).toBe(at("2026-11-27T18:30:00").toISOString());
  });

  it("stops the clock overnight", () => {
    // Thursday 17:30 + 1 h: 30 min today, 30 min from Friday 09:00.
    expect(due(office, "2026-11-26T17:30:00", 3600)).toBe(at("2026-11-27T09:30:00").toISOString());
  });

  it("skips a closed Sunday and counts Saturday's short day", () => {
    // Friday 17:00 + 6 h: 1 h Friday, 4 h Saturday (10–14), 1 h Monday.
    expect(due(office, "2026-11-27T17:00:00", 6 * 3600)).toBe(at("2026-11-30T10:00:00").toISOString());
  });

  it("starts the clock at the next opening when asked while closed", () => {
    expect(due(office, "2026-11-29T12:00:00", 180)).toBe(at("2026-11-30T09:03:00").toISOString());
  });

  it("follows overnight shifts and several ranges a day", () => {
    const nights = mx({
      monday: [
        { start: "08:00", end: "12:00" },
        { start: "22:00", end: "06:00", overnight: true },
      ],
      tuesday: null,
    });
    // Monday 11:00 + 3 h: 1 h until noon, 2 h from 22:00 → Tuesday 00:00.
    expect(due(nights, "2026-11-30T11:00:00", 3 * 3600)).toBe(at("2026-12-01T00:00:00").toISOString());
    expect(isOpen(nights, at("2026-12-01T05:59:00"))).toBe(true);
    expect(isOpen(nights, at("2026-12-01T06:00:00"))).toBe(false);
    expect(isOpen(nights, at("2026-11-30T12:30:00"))).toBe(false);
  });

  it("skips holidays", () => {
    const withHoliday = mx(weekdays("09:00", "18:00"), ["2026-12-25"]);
    // Thursday 24th 17:00 + 2 h: 1 h Thursday, Friday 25th closed, weekend closed, 1 h Monday 28th.
    expect(due(withHoliday, "2026-12-24T17:00:00", 7200)).toBe(at("2026-12-28T10:00:00").toISOString());
  });

  it("counts in the queue's zone across a daylight-saving change", () => {
    const ny: Calendar = { schedule: parseBusinessHours(weekdays("09:00", "17:00")), timezone: "America/New_York", holidays: [] };
    // Clocks go forward on Sunday 2026-03-08: Friday is EST (-05:00), Monday EDT (-04:00).
    const from = new Date("2026-03-06T16:00:00-05:00");
    // 2 h: 1 h Friday, 1 h Monday 2026-03-09 from 09:00 EDT (-04:00).
    expect(addBusinessSeconds(ny, from, 7200)?.toISOString()).toBe(new Date("2026-03-09T10:00:00-04:00").toISOString());
  });

  it("has no deadline when the queue never opens", () => {
    expect(addBusinessSeconds(mx({ sunday: null }), at("2026-11-27T10:00:00"), 60)).toBeNull();
  });
});

describe("what people write", () => {
  const fieldOf = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      return (err as { data?: { field?: string } }).data?.field;
    }
    return "accepted";
  };

  it("accepts the seed's shape, lists of ranges, overnight ranges and 24:00", () => {
    const schedule = parseBusinessHours({
      monday: { start: "09:00", end: "18:00" },
      tuesday: [
        { start: "13:00", end: "24:00" },
        { start: "08:00", end: "12:00" },
      ],
      friday: { start: "22:00", end: "06:00", overnight: true },
      sunday: null,
    });
    expect(schedule?.tuesday.map((r) => r.start)).toEqual(["08:00", "13:00"]);
    expect(schedule?.sunday).toEqual([]);
    expect(schedule?.wednesday).toEqual([]);
  });

  it("names the offending field", () => {
    expect(fieldOf(() => parseBusinessHours({ funday: null }))).toBe("business_hours.funday");
    expect(fieldOf(() => parseBusinessHours({ monday: { start: "25:00", end: "26:00" } }))).toBe("business_hours.monday.start");
    expect(fieldOf(() => parseBusinessHours({ monday: { start: "18:00", end: "09:00" } }))).toBe("business_hours.monday.end");
    expect(fieldOf(() => parseBusinessHours({ monday: { start: "09:00", end: "09:00" } }))).toBe("business_hours.monday.end");
    expect(fieldOf(() => parseBusinessHours({ monday: { start: "09:00", end: "18:00", overnight: true } }))).toBe("business_hours.monday.end");
    expect(
      fieldOf(() =>
        parseBusinessHours({
          monday: [
            { start: "09:00", end: "12:00" },
            { start: "11:00", end: "13:00" },
          ],
        }),
      ),
    ).toBe("business_hours.monday");
    expect(
      fieldOf(() =>
        parseBusinessHours({
          monday: [
            { start: "09:00", end: "12:00" },
            { start: "9", end: "13:00" },
          ],
        }),
      ),
    ).toBe("business_hours.monday[1].start");
    expect(fieldOf(() => parseBusinessHours({ monday: "9-18" }))).toBe("business_hours.monday");
    expect(fieldOf(() => parseBusinessHours([]))).toBe("business_hours");
    expect(fieldOf(() => parseTimezone("Mars/Olympus"))).toBe("timezone");
    expect(parseTimezone("america/mexico_city")).toBe("America/Mexico_City");
    expect(fieldOf(() => parseHolidays(["2026-02-30"]))).toBe("holidays[0]");
    expect(fieldOf(() => parseHolidays(["2026-01-01", "2026-13-01"]))).toBe("holidays[1]");
    expect(parseHolidays(["2026-12-25", "2026-01-01", "2026-12-25"])).toEqual(["2026-01-01", "2026-12-25"]);
  });
});
