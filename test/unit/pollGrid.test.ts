// The procedure's polls end their sleeps on a grid shared by every user of the process, so that
// concurrent waits read at the same instants (and are coalesced into one request), while two reads
// of one wait stay at least the interval apart.
import assert from "node:assert/strict";
import type { Clock } from "../../lib/graph/consistency";
import { onPollGrid } from "../../lib/reachBack/procedure";

function fakeClock(start: number): Clock & { slept: number[] } {
  let now = start;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

describe("onPollGrid", () => {
  it("wakes users that started at different moments at the same instants, never sooner than asked", async () => {
    const a = fakeClock(10_300);
    const b = fakeClock(12_900);
    const wakes = async (clock: ReturnType<typeof fakeClock>) => {
      const grid = onPollGrid(clock, 5000);
      const out: number[] = [];
      for (let i = 0; i < 3; i++) {
        await grid.sleep(5000);
        out.push(clock.now());
      }
      return out;
    };
    assert.deepEqual(await wakes(a), [20_000, 25_000, 30_000]);
    assert.deepEqual(await wakes(b), [20_000, 25_000, 30_000]);
    for (const ms of [...a.slept, ...b.slept]) assert.ok(ms >= 5000, `slept ${ms}`);
  });

  it("leaves the clock as it is without a grid", () => {
    const c = fakeClock(0);
    assert.equal(onPollGrid(c, 0), c);
  });
});
