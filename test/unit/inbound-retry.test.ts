import { InboundRetry } from "../../lib/whatsapp/inbound-retry";
import type { InboundMessage } from "../../lib/whatsapp/inbound";

const message = (id: string) => ({ waMessageId: id }) as InboundMessage;
const unreachable = () => Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

function setup(failures: number, error: () => Error = unreachable) {
  const stored: string[] = [];
  const logged: string[] = [];
  let left = failures;
  const retry = new InboundRetry(
    async (_account, messages) => {
      if (left > 0) {
        left -= 1;
        throw error();
      }
      for (const m of messages) if (!stored.includes(m.waMessageId)) stored.push(m.waMessageId);
    },
    (level, text) => void logged.push(`${level}: ${text}`),
    () => tick(),
  );
  return { retry, stored, logged };
}

it("stores at once when the database answers", async () => {
  const { retry, stored, logged } = setup(0);
  await retry.receive("a", [message("1"), message("2")]);
  expect(stored).toEqual(["1", "2"]);
  expect(logged).toEqual([]);
});

it("keeps messages while the database is away and stores them, in order, once it is back", async () => {
  const { retry, stored, logged } = setup(3);
  await retry.receive("a", [message("1")]);
  await retry.receive("a", [message("2")]);
  await retry.receive("a", [message("3")]);
  for (let i = 0; i < 20; i += 1) await tick();
  expect(stored).toEqual(["1", "2", "3"]);
  expect(logged).toEqual(["warn: Incoming messages of a wait until the database is back"]);
  // Afterwards, straight through again.
  await retry.receive("a", [message("4")]);
  expect(stored).toEqual(["1", "2", "3", "4"]);
});

it("does not hold messages back for an error retrying cannot cure", async () => {
  const { retry, stored } = setup(1, () => new Error("a bug"));
  await expect(retry.receive("a", [message("1")])).rejects.toThrow("a bug");
  await retry.receive("a", [message("2")]);
  expect(stored).toEqual(["2"]);
});
