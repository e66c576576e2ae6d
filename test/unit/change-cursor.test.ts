// Cursors of the change feed and how a page is cut from its sources.
import { comparePositions, formatCursor, pageOf, parseCursor, parseSnapshot, type Cursor, type Position } from "../../lib/inbox/change-cursor";

const ID_A = "00000000-0000-4000-8000-00000000000a";
const ID_B = "0000000a-0000-4000-8000-000000000000";
const at = (xid: number, id: string): Position => ({ xid: BigInt(xid), id });
const snapshot = (xmin: number, xmax: number, xip: number[] = []) => ({ xmin: BigInt(xmin), xmax: BigInt(xmax), xip: xip.map(BigInt) });

describe("change feed cursors", () => {
  it("read PostgreSQL's snapshots, and only those it would read back", () => {
    expect(parseSnapshot("10:14:")).toEqual(snapshot(10, 14));
    expect(parseSnapshot("10:14:10,12")).toEqual(snapshot(10, 14, [10, 12]));
    for (const text of ["0:14:", "14:10:", "10:14:12,11", "10:14:12,12", "10:14:9", "10:14:14"]) expect(parseSnapshot(text)).toBeUndefined();
  });

  it("round-trip, at a batch's end and inside one", () => {
    const end: Cursor = { since: snapshot(10, 14, [11]) };
    expect(formatCursor(end)).toBe("10:14:11");
    expect(parseCursor("10:14:11")).toEqual(end);
    const inside: Cursor = { since: snapshot(10, 14, [11]), batch: { upTo: snapshot(11, 20, [11, 17]), after: at(15, ID_A) } };
    expect(formatCursor(inside)).toBe(`10:14:11~11:20:11,17~15.${ID_A}`);
    expect(parseCursor(formatCursor(inside))).toEqual(inside);
  });

  it.each([
    "",
    "abc",
    "-1:2:",
    "10:14",
    "10:14:11~",
    `10:14:~11:20:~15.${ID_A.toUpperCase()}`,
    "14:10:",
    "10:14:12,11",
    "9223372036854775808:9223372036854775808:",
    "1:12345678901234567890:",
    // A batch ending before it begins, or a position outside it.
    `10:14:~9:20:~15.${ID_A}`,
    `10:14:~11:13:~12.${ID_A}`,
    `10:14:~11:20:~20.${ID_A}`,
    `10:14:~11:20:~9.${ID_A}`,
  ])("refuses %p as since, naming the field", (text) => {
    expect(() => parseCursor(text)).toThrow(
      expect.objectContaining({ code: 422, type: "VALIDATION_ERROR", data: expect.objectContaining({ field: "since" }) }),
    );
  });

  it("orders positions by transaction, then row id as PostgreSQL orders uuids", () => {
    expect(comparePositions(at(1, ID_B), at(2, ID_A))).toBeLessThan(0);
    expect(comparePositions(at(2, ID_A), at(2, ID_B))).toBeLessThan(0);
    expect(comparePositions(at(2, ID_B), at(2, ID_B))).toBe(0);
  });
});

describe("a page of the feed", () => {
  const ids = Array.from({ length: 9 }, (_, i) => `00000000-0000-4000-8000-00000000000${i}`);

  it("merges its sources in order and, when more wait, names the last row handed out", () => {
    const page = pageOf(
      [
        [at(3, ids[1]!), at(5, ids[2]!)],
        [at(3, ids[0]!), at(4, ids[3]!)],
      ],
      3,
    );
    expect(page).toEqual({ items: [at(3, ids[0]!), at(3, ids[1]!), at(4, ids[3]!)], last: at(4, ids[3]!) });
  });

  it("ends the batch when everything fits", () => {
    expect(pageOf([[at(5, ids[0]!)], [at(7, ids[1]!)]], 2)).toEqual({ items: [at(5, ids[0]!), at(7, ids[1]!)] });
    expect(pageOf([[], []], 5)).toEqual({ items: [] });
  });
});
