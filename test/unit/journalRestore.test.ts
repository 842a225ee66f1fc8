// What a user's journal says: the state of the user's run and what putting the user back writes,
// computed from the records alone (no store, no network).
import assert from "node:assert/strict";
import type { JournalRecord, OriginalValues, StepName, StepWrites } from "../../lib/journal/records";
import { summarize } from "../../lib/journal/restore";
import { cycleSteps, originalOf, userName } from "../support/journalWriter";

const USER = userName(1);

/** A history built record by record, numbered and stamped as the writer does. */
class History {
  readonly records: JournalRecord[] = [];
  private add(r: Record<string, unknown>): this {
    const seq = this.records.length + 1;
    this.records.push({
      schema: 1,
      seq,
      user: USER,
      at: `2025-03-01T10:00:${String(seq).padStart(2, "0")}.000Z`,
      runId: "run-1",
      ...r,
    } as JournalRecord);
    return this;
  }
  found(original: OriginalValues = originalOf(1)): this {
    return this.add({ kind: "found", original });
  }
  step(step: StepName, writes?: StepWrites): this {
    return this.add({ kind: "step", step, ...(writes ? { writes } : {}) });
  }
  /** The first `n` steps of a normal cycle of user `i`. */
  steps(n: number, i = 1): this {
    for (const s of cycleSteps(i).slice(0, n)) this.step(s.step, s.writes);
    return this;
  }
  failed(step: StepName, error: string): this {
    return this.add({ kind: "failed", step, error });
  }
  completed(): this {
    return this.add({ kind: "completed" });
  }
  reverted(): this {
    return this.add({ kind: "reverted" });
  }
  summary() {
    return summarize(USER, this.records);
  }
}

/** The index (from 1) of a step in cycleSteps. */
const upTo = (step: StepName) => cycleSteps(1).findIndex((s) => s.step === step) + 1;

describe("journal: state and what to restore", () => {
  it("a user with no records was never changed: nothing to restore", () => {
    const s = new History().summary();
    assert.equal(s.state, "not-started");
    assert.equal(s.found, undefined);
    assert.deepEqual(s.restore.ad, {});
    assert.equal(s.restore.primaryAtRisk, false);
  });

  it("originals recorded and no step yet: in progress, nothing changed", () => {
    const s = new History().found().summary();
    assert.equal(s.state, "in-progress");
    assert.deepEqual(s.found?.original, originalOf(1));
    assert.deepEqual(s.restore.ad, {});
    assert.deepEqual(s.restore.groups, { rejoin: [], leave: [] });
  });

  it("restores each AD attribute a step announced to its original value, naming the step", () => {
    const s = new History().found().steps(upTo("ad.mailUserSet")).summary();
    const o = originalOf(1).ad.attributes;
    assert.deepEqual(s.restore.ad, {
      targetAddress: o.targetAddress,
      msExchRecipientDisplayType: o.msExchRecipientDisplayType,
      msExchRecipientTypeDetails: o.msExchRecipientTypeDetails,
      msExchRemoteRecipientType: o.msExchRemoteRecipientType,
    });
    assert.equal(s.restore.adChangedBy.targetAddress, "ad.targetAddressSet");
    assert.equal(s.restore.adChangedBy.msExchRemoteRecipientType, "ad.mailUserSet");
    assert.equal(s.lastStep, "ad.mailUserSet");
    assert.equal(s.restore.primaryAtRisk, false);
  });

  it("a step recorded but cut short by a crash still counts: its attributes are restored", () => {
    // The step is recorded before it writes: its record is the last, with nothing after it.
    const s = new History().found().steps(upTo("ad.targetAddressSet")).summary();
    assert.deepEqual(Object.keys(s.restore.ad), ["targetAddress"]);
  });

  it("an attribute the original did not have is cleared (null), not left", () => {
    const o = originalOf(1);
    o.ad.attributes.targetAddress = null;
    const s = new History().found(o).steps(upTo("ad.targetAddressSet")).summary();
    assert.deepEqual(s.restore.ad, { targetAddress: null });
  });

  describe("the primary SMTP address", () => {
    it("is at risk from the swap until the revert", () => {
      for (const last of ["ad.primarySwapped", "sync.swapArrived", "invite.sent"] as const) {
        const s = new History().found().steps(upTo(last)).summary();
        assert.equal(s.restore.primaryAtRisk, true, last);
        assert.equal(s.restore.ad.mail, originalOf(1).ad.attributes.mail);
        assert.deepEqual(s.restore.ad.proxyAddresses, originalOf(1).ad.attributes.proxyAddresses);
      }
    });

    it("is still at risk while the revert is the last record (it may not have finished)", () => {
      const s = new History().found().steps(upTo("ad.primaryReverted")).summary();
      assert.equal(s.restore.primaryAtRisk, true);
    });

    it("is still at risk when the revert itself failed", () => {
      const s = new History()
        .found()
        .steps(upTo("ad.primaryReverted"))
        .failed("ad.primaryReverted", "LDAP connection dropped")
        .summary();
      assert.equal(s.restore.primaryAtRisk, true);
    });

    it("is safe once a record after the revert shows it finished", () => {
      const s = new History().found().steps(upTo("sync.revertArrived")).summary();
      assert.equal(s.restore.primaryAtRisk, false);
      // Putting the user back still restores proxyAddresses: the revert kept the target as a secondary.
      assert.deepEqual(s.restore.ad.proxyAddresses, originalOf(1).ad.attributes.proxyAddresses);
    });

    it("is safe when the failure recorded after the revert is another step's (the revert ran first)", () => {
      const s = new History()
        .found()
        .steps(upTo("ad.primaryReverted"))
        .failed("invite.sent", "invitation refused")
        .summary();
      assert.equal(s.restore.primaryAtRisk, false);
    });

    it("is at risk after a failure between the swap and the revert", () => {
      const s = new History().found().steps(upTo("sync.swapArrived")).failed("invite.sent", "403").summary();
      assert.equal(s.restore.primaryAtRisk, true);
      assert.deepEqual(s.failure && { step: s.failure.step, error: s.failure.error }, {
        step: "invite.sent",
        error: "403",
      });
      assert.equal(s.state, "in-progress");
    });

    it("compares addresses as addresses (case does not move the primary)", () => {
      const o = originalOf(1).ad.attributes;
      const s = new History()
        .found()
        .step("ad.primarySwapped", { ad: { mail: (o.mail ?? "").toUpperCase() } })
        .step("sync.swapArrived")
        .summary();
      assert.equal(s.restore.primaryAtRisk, false);
    });
  });

  it("license groups: the user goes back into the groups left, and out of the groups joined", () => {
    const s = new History().found().steps(upTo("license.originalGroupRemoved")).summary();
    assert.deepEqual(s.restore.groups.rejoin, originalOf(1).groups);
    assert.deepEqual(
      s.restore.groups.leave.map((g) => g.id),
      cycleSteps(1)[0].writes?.groupsAdded?.map((g) => g.id),
    );
  });

  it("a direct assignment goes back to its disabled plans", () => {
    const o = originalOf(2);
    const sku = "06ebc4ee-1bb5-47dd-8120-11324bc54e06";
    o.directLicenses = [{ skuId: sku, disabledPlans: ["57ff2da0-773e-42df-b2af-ffb7a2317929"] }];
    const s = new History()
      .found(o)
      .step("license.directPlansDisabled", {
        directLicenses: [
          {
            skuId: sku,
            disabledPlans: ["57ff2da0-773e-42df-b2af-ffb7a2317929", "efb87545-963c-4e0d-99df-69c6916d9eb0"],
          },
        ],
      })
      .summary();
    assert.deepEqual(s.restore.directLicenses, o.directLicenses);
    assert.deepEqual(s.restore.unknownOriginals, []);
  });

  it("extension attributes (third-party path) go back one by one, unset ones cleared", () => {
    const o = originalOf(3);
    const s = new History()
      .found(o)
      .step("ad.mailUserSet", {
        ad: { extensionAttributes: { extensionAttribute1: null, extensionAttribute9: "x" } },
      })
      .summary();
    assert.deepEqual(s.restore.ad.extensionAttributes, {
      extensionAttribute1: "value 0",
      extensionAttribute9: null,
    });
  });

  it("names what a step wrote without an original in the journal, rather than guess", () => {
    // User 1 is on the cross-tenant path: no extension attributes were recorded.
    const s = new History()
      .found()
      .step("ad.mailUserSet", { ad: { extensionAttributes: { extensionAttribute2: "x" } } })
      .step("license.directPlansDisabled", {
        directLicenses: [{ skuId: "06ebc4ee-1bb5-47dd-8120-11324bc54e06", disabledPlans: [] }],
      })
      .summary();
    assert.equal(s.restore.unknownOriginals.length, 2);
    assert.match(s.restore.unknownOriginals[0], /extensionAttribute2/);
    assert.match(s.restore.unknownOriginals[1], /06ebc4ee/);
  });

  it("completed: done, and a rollback would still restore every attribute the run changed", () => {
    const s = new History().found().steps(cycleSteps(1).length).completed().summary();
    assert.equal(s.state, "completed");
    assert.equal(s.lastStep, "verify.passed");
    assert.equal(s.restore.primaryAtRisk, false);
    assert.deepEqual(
      Object.keys(s.restore.ad).sort(),
      [
        "mail",
        "msExchRecipientDisplayType",
        "msExchRecipientTypeDetails",
        "msExchRemoteRecipientType",
        "proxyAddresses",
        "targetAddress",
      ].sort(),
    );
  });

  it("reverted: nothing to restore; a new run's originals start a new cycle, and the first cycle's no longer count", () => {
    const h = new History().found().steps(upTo("ad.primarySwapped")).step("rollback.ad").reverted();
    const reverted = h.summary();
    assert.equal(reverted.state, "reverted");
    assert.deepEqual(reverted.restore.ad, {});
    assert.equal(reverted.restore.primaryAtRisk, false);
    const changed = originalOf(1, "later");
    const s = h.found(changed).steps(upTo("ad.targetAddressSet")).summary();
    assert.equal(s.state, "in-progress");
    assert.equal(s.found?.seq, 10);
    assert.deepEqual(s.found?.original, changed);
    assert.deepEqual(Object.keys(s.restore.ad), ["targetAddress"]);
  });

  it("reports records out of place instead of acting on them", () => {
    const h = new History().step("invite.sent").found().found(originalOf(1, "second"));
    const s = h.summary();
    assert.equal(s.anomalies.length, 2);
    assert.match(s.anomalies[0], /record 1 \(step\): no original/);
    assert.match(s.anomalies[1], /record 3: a second original .* record 2, holds/);
    assert.deepEqual(s.found?.original, originalOf(1));
  });
});
