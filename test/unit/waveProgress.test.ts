import assert from "node:assert/strict";
import { WaveProgress } from "../../lib/reachBack/progress";

describe("unit: wave progress (one line per interval, counts per step)", () => {
  it("says nothing for one user, then counts every user per step at most once an interval", () => {
    let now = 1_000_000;
    const said: string[] = [];
    const p = new WaveProgress(
      (l) => said.push(l),
      10_000,
      () => now,
    );
    p.step("a@x", "licensed");
    assert.deepEqual(said, [], "one user: its own lines say enough");
    p.step("B@x", "licensed");
    assert.deepEqual(said, ["reach-back progress: 2 users: 2 at the license step"]);
    now += 5_000;
    p.step("a@x", "synced");
    assert.equal(said.length, 1, "not before the interval");
    now += 5_000;
    p.step("b@x", "verified");
    assert.deepEqual(said.slice(1), [
      "reach-back progress: 2 users: 1 waiting for Entra Connect, 1 verified",
    ]);
    now += 10_000;
    p.step("c@x", "failed");
    assert.equal(said[2], "reach-back progress: 3 users: 1 waiting for Entra Connect, 1 verified, 1 failed");
  });
});
