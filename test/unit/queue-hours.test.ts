// The console's business-hours editor: its conversions to and from the
// contract's shape (docs/queues.md, "Business hours"), and the fields the
// engine names for what it refuses.
import { dayField, hoursFromApi, hoursToApi, officeWeek, rangeField, type ApiBusinessHours } from "../../web/src/pages/queues/business-hours";

/** Every day closed, to spread a few open days over. */
const CLOSED = { monday: null, tuesday: null, wednesday: null, thursday: null, friday: null, saturday: null, sunday: null };

const CONTRACT: ApiBusinessHours = {
  monday: [
    { start: "09:00", end: "13:00" },
    { start: "15:00", end: "19:00" },
  ],
  tuesday: { start: "09:00", end: "18:00" },
  wednesday: null,
  thursday: null,
  friday: { start: "22:00", end: "06:00", overnight: true },
  saturday: { start: "10:00", end: "24:00" },
  sunday: null,
};

describe("the business-hours editor's conversions", () => {
  it("reads split, overnight and closed days, and writes them back as the engine answers them", () => {
    const draft = hoursFromApi(CONTRACT);
    expect(draft.alwaysOpen).toBe(false);
    expect(draft.week.monday).toEqual([
      { start: "09:00", end: "13:00", overnight: false },
      { start: "15:00", end: "19:00", overnight: false },
    ]);
    expect(draft.week.friday).toEqual([{ start: "22:00", end: "06:00", overnight: true }]);
    expect(draft.week.sunday).toEqual([]);
    expect(hoursToApi(draft)).toEqual(CONTRACT);
  });

  it("takes days left out as closed, and null as always open (starting the editor from an office week)", () => {
    expect(hoursToApi(hoursFromApi({ monday: { start: "08:00", end: "12:00" } }))).toEqual({ ...CLOSED, monday: { start: "08:00", end: "12:00" } });
    const always = hoursFromApi(null);
    expect(always).toEqual({ alwaysOpen: true, week: officeWeek() });
    expect(hoursToApi(always)).toBeNull();
    expect(hoursToApi({ alwaysOpen: false, week: officeWeek() })).toEqual({
      ...CLOSED,
      ...Object.fromEntries(["monday", "tuesday", "wednesday", "thursday", "friday"].map((day) => [day, { start: "09:00", end: "18:00" }])),
    });
  });

  it("names a range's fields as the engine does for the shape it was sent", () => {
    expect(rangeField("monday", 0, 1, "start")).toBe("business_hours.monday.start");
    expect(rangeField("monday", 1, 2, "end")).toBe("business_hours.monday[1].end");
    expect(rangeField("friday", 0, 3)).toBe("business_hours.friday[0]");
    expect(dayField("sunday")).toBe("business_hours.sunday");
  });
});
