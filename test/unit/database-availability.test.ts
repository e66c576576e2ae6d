import { isDatabaseUnavailable, noteDatabaseFailure, noteDatabaseSuccess, reportOutagesTo, unlessDatabaseDown } from "../../lib/db/availability";

describe("isDatabaseUnavailable", () => {
  it("recognises a database that cannot be reached, however the error is wrapped", () => {
    expect(isDatabaseUnavailable(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }))).toBe(true);
    expect(isDatabaseUnavailable({ name: "KnexTimeoutError", message: "Knex: Timeout acquiring a connection." })).toBe(true);
    expect(isDatabaseUnavailable({ name: "DBError", nativeError: { code: "57P01", message: "terminating connection due to administrator command" } })).toBe(
      true,
    );
    expect(isDatabaseUnavailable(new Error("Connection terminated unexpectedly"))).toBe(true);
    expect(isDatabaseUnavailable({ code: "08006" })).toBe(true);
  });

  it("leaves query mistakes and other failures alone", () => {
    expect(isDatabaseUnavailable({ code: "23505" })).toBe(false);
    expect(isDatabaseUnavailable(new TypeError("x is undefined"))).toBe(false);
    expect(isDatabaseUnavailable(null)).toBe(false);
  });
});

it("reports an outage once when it starts and once when it ends", () => {
  const lines: string[] = [];
  reportOutagesTo({ info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`) });
  const down = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
  const reported: unknown[] = [];
  const handler = unlessDatabaseDown((err) => reported.push(err));
  for (let i = 0; i < 5; i += 1) handler(down);
  expect(noteDatabaseFailure(new Error("a bug"))).toBe(false);
  handler(new Error("a bug"));
  noteDatabaseSuccess();
  noteDatabaseSuccess();
  expect(lines).toHaveLength(2);
  expect(lines[0]).toMatch(/^warn PostgreSQL is unreachable/);
  expect(lines[1]).toMatch(/^info PostgreSQL is reachable again after .* s \(5 operation\(s\) failed meanwhile\)/);
  expect(reported).toHaveLength(1);
});
