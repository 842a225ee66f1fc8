// The command `coex wave new` prints for a wave's up: the users at once, and for a big wave the
// environment that keeps the run's cost in line with its size (lib/waves/upCommand.ts).
import assert from "node:assert/strict";
import { BIG_WAVE_USERS, heapMiB, upCommand, upEnvironment } from "../../lib/waves/upCommand";

describe("a wave's up command", () => {
  it("a small wave: every user at once, nothing else", () => {
    assert.deepEqual(upEnvironment(BIG_WAVE_USERS), {});
    assert.equal(upCommand("wave-01", 50), "pulumi up --stack wave-01 --parallel 50");
    assert.equal(
      upCommand("wave-01", 3),
      "pulumi up --stack wave-01 --parallel 8",
      "never below the default",
    );
  });

  it("a big wave: checkpoints skipped and the provider's heap capped, growing with the wave", () => {
    assert.deepEqual(upEnvironment(1000), {
      PULUMI_SKIP_CHECKPOINTS: "true",
      NODE_OPTIONS: "--max-old-space-size=381",
    });
    assert.equal(
      upCommand("wave-02", 1000, " --config-file c.yaml"),
      "PULUMI_SKIP_CHECKPOINTS=true NODE_OPTIONS=--max-old-space-size=381 pulumi up --stack wave-02 --config-file c.yaml --parallel 1000",
    );
    assert.ok(heapMiB(2000) > heapMiB(1000) && heapMiB(1000) >= 256);
  });
});
