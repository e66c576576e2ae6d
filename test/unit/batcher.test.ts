import { Batcher, type Outcome } from "../../lib/db/batcher";

/** A batch runner that records its batches and answers when told to. */
function recorder<O>(answer: (item: number) => Outcome<O>) {
  const batches: number[][] = [];
  const pending: Array<() => void> = [];
  const run = (items: number[]) =>
    new Promise<Array<Outcome<O>>>((resolve) => {
      batches.push(items);
      pending.push(() => resolve(items.map(answer)));
    });
  const finishNext = async () => {
    await new Promise((resolve) => setImmediate(resolve));
    pending.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { batches, run, finishNext, inFlight: () => pending.length };
}

describe("batcher", () => {
  it("sends a lone item at once, and what arrives meanwhile together in the next batch, in order", async () => {
    const r = recorder((n) => ({ value: n * 10 }));
    const group = new Batcher(r.run, { maxBatch: 100 });
    const first = group.submit(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(r.batches).toEqual([[1]]);
    const later = [2, 3, 4].map((n) => group.submit(n));
    await new Promise((resolve) => setImmediate(resolve));
    expect(r.batches).toHaveLength(1); // the first is still in flight
    await r.finishNext();
    expect(await first).toBe(10);
    expect(r.batches).toEqual([[1], [2, 3, 4]]);
    await r.finishNext();
    expect(await Promise.all(later)).toEqual([20, 30, 40]);
  });

  it("caps a batch and keeps as many in flight as allowed", async () => {
    const r = recorder((n) => ({ value: n }));
    const group = new Batcher(r.run, { maxBatch: 2, concurrency: 2 });
    const all = [1, 2, 3, 4, 5].map((n) => group.submit(n));
    await new Promise((resolve) => setImmediate(resolve));
    expect(r.batches).toEqual([
      [1, 2],
      [3, 4],
    ]);
    await r.finishNext();
    expect(r.batches).toEqual([[1, 2], [3, 4], [5]]);
    await r.finishNext();
    await r.finishNext();
    expect(await Promise.all(all)).toEqual([1, 2, 3, 4, 5]);
  });

  it("fails only the items that failed, or the whole batch when the statement failed", async () => {
    const r = recorder<number>((n) => (n % 2 ? { value: n } : { error: new Error(`no ${n}`) }));
    const group = new Batcher(r.run, { maxBatch: 10 });
    const results = [1, 2, 3].map((n) => group.submit(n).catch((err: Error) => err.message));
    await r.finishNext();
    expect(await Promise.all(results)).toEqual([1, "no 2", 3]);

    const broken = new Batcher<number, number>(
      async () => {
        throw new Error("connection lost");
      },
      { maxBatch: 10 },
    );
    const failed = await Promise.allSettled([broken.submit(1), broken.submit(2)]);
    expect(failed.map((f) => f.status === "rejected" && (f.reason as Error).message)).toEqual(["connection lost", "connection lost"]);
    // It goes on afterwards.
    const fine = new Batcher<number, number>(async (items) => items.map((value) => ({ value })), { maxBatch: 10 });
    expect(await fine.submit(7)).toBe(7);
  });
});
