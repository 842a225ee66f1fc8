// coex discover's pure parts: the merge of a discovery into the configured mappings (nothing is
// dropped without --prune-stale on a reviewed stale mark), the classification's refusal of a SKU
// the tenant does not list, and the reports on direct assignments and SKUs not Enabled.
import assert from "node:assert/strict";
import {
  classifyGroups,
  type DiscoveredSku,
  describeChanges,
  directAssignmentReport,
  mergeMappings,
  skuStatusReport,
} from "../../cli/discover";
import {
  type LicenseGroupMapping,
  licenseGroupMappingSchema,
  licenseGroupsConfigSchema,
} from "../../lib/config/licenseGroups";

const SKU = "06ebc4ee-1bb5-47dd-8120-11324bc54e06";
const EXCHANGE = "efb87545-963c-4e0d-99df-69c6916d9eb0";
const TEAMS = "57ff2da0-773e-42df-b2af-ffb7a2317929";
const A = "3f0c5a1e-0000-4000-8000-00000000000a";
const B = "3f0c5a1e-0000-4000-8000-00000000000b";
const C = "3f0c5a1e-0000-4000-8000-00000000000c";

function mapping(id: string, name: string, extra: Partial<LicenseGroupMapping> = {}): LicenseGroupMapping {
  return {
    originalGroupId: id,
    originalGroupName: name,
    source: "cloud",
    reachBackGroupName: `${name}-ReachBack`,
    licenses: [
      { skuId: SKU, skuPartNumber: "SPE_E5", originalDisabledPlans: [], scrubbingPlans: [EXCHANGE] },
    ],
    ...extra,
  };
}

const TODAY = "2025-03-04";

describe("coex discover: merging a discovery into the configured mappings", () => {
  it("keeps a reviewed reach-back group name and updates what discovery owns", () => {
    const current = [mapping(A, "LIC-A", { reachBackGroupName: "RB-Reviewed-Name" })];
    const seen = mapping(A, "LIC-A-renamed", {
      licenses: [
        { skuId: SKU, skuPartNumber: "SPE_E5", originalDisabledPlans: [TEAMS], scrubbingPlans: [EXCHANGE] },
      ],
    });
    const r = mergeMappings(current, [seen], { today: TODAY });
    assert.equal(r.mappings.length, 1);
    assert.equal(r.mappings[0].reachBackGroupName, "RB-Reviewed-Name");
    assert.equal(r.mappings[0].originalGroupName, "LIC-A-renamed");
    assert.deepEqual(r.mappings[0].licenses[0].originalDisabledPlans, [TEAMS]);
    assert.equal(r.changes[0].kind, "updated");
    assert.match(r.changes[0].detail, /renamed LIC-A → LIC-A-renamed, licenses/);
  });

  it("keeps per-mapping settings it does not own", () => {
    const current = [{ ...mapping(A, "LIC-A"), note: "set by a person" } as LicenseGroupMapping];
    const r = mergeMappings(current, [mapping(A, "LIC-A")], { today: TODAY });
    assert.equal((r.mappings[0] as LicenseGroupMapping & { note: string }).note, "set by a person");
    assert.equal(r.changes[0].kind, "unchanged");
  });

  it("treats licenses listed in another order or case as unchanged", () => {
    const current = [
      mapping(A, "LIC-A", {
        licenses: [
          {
            skuId: SKU.toUpperCase(),
            originalDisabledPlans: [],
            scrubbingPlans: [EXCHANGE.toUpperCase(), TEAMS],
          },
        ],
      }),
    ];
    const seen = mapping(A, "LIC-A", {
      licenses: [{ skuId: SKU, originalDisabledPlans: [], scrubbingPlans: [TEAMS, EXCHANGE] }],
    });
    assert.equal(mergeMappings(current, [seen], { today: TODAY }).changes[0].kind, "unchanged");
  });

  it("adds a group discovery sees for the first time, after the configured ones", () => {
    const r = mergeMappings([mapping(A, "LIC-A")], [mapping(B, "LIC-B"), mapping(A, "LIC-A")], {
      today: TODAY,
    });
    assert.deepEqual(
      r.mappings.map((m) => m.originalGroupId),
      [A, B],
    );
    assert.deepEqual(
      r.changes.map((c) => c.kind),
      ["unchanged", "added"],
    );
  });

  it("keeps a mapping it no longer sees, marked stale with today's date and the reason", () => {
    const r = mergeMappings([mapping(A, "LIC-A"), mapping(B, "LIC-B")], [mapping(B, "LIC-B")], {
      today: TODAY,
      missing: new Map([[A, "the group LIC-A assigns no license any more"]]),
    });
    assert.equal(r.mappings.length, 2);
    const a = r.mappings.find((m) => m.originalGroupId === A);
    assert.deepEqual(a?.stale, { since: TODAY, reason: "the group LIC-A assigns no license any more" });
    assert.equal(a?.reachBackGroupName, "LIC-A-ReachBack");
    assert.deepEqual(a?.licenses, mapping(A, "LIC-A").licenses, "the reviewed licenses stay as they were");
    assert.equal(r.changes[0].kind, "stale");
  });

  it("keeps the day a mapping was first missed and updates the reason", () => {
    const current = [mapping(A, "LIC-A", { stale: { since: "2025-01-02", reason: "old reason" } })];
    const r = mergeMappings(current, [], {
      today: TODAY,
      missing: new Map([[A, "the group no longer exists in the tenant"]]),
    });
    assert.deepEqual(r.mappings[0].stale, {
      since: "2025-01-02",
      reason: "the group no longer exists in the tenant",
    });
    assert.equal(r.changes[0].kind, "stillStale");
  });

  it("does not prune without the flag, nor a mapping marked stale only in this run", () => {
    const current = [mapping(A, "LIC-A")];
    for (const prune of [undefined, false, true] as const) {
      const r = mergeMappings(current, [], { today: TODAY, prune });
      assert.equal(r.mappings.length, 1, `prune: ${prune}`);
      assert.equal(r.changes[0].kind, "stale");
    }
    const named = mergeMappings(current, [], { today: TODAY, prune: [A] });
    assert.equal(named.mappings.length, 1);
    assert.match(named.refusedPrunes[0], /marked stale only now; write and review the mark, then prune it/);
  });

  it("prunes mappings already marked stale: all of them, or the ones named", () => {
    const stale = { since: "2025-01-02", reason: "gone" };
    const current = [mapping(A, "LIC-A", { stale }), mapping(B, "LIC-B", { stale }), mapping(C, "LIC-C")];
    const all = mergeMappings(current, [mapping(C, "LIC-C")], { today: TODAY, prune: true });
    assert.deepEqual(
      all.mappings.map((m) => m.originalGroupId),
      [C],
    );
    assert.deepEqual(
      all.changes.map((c) => c.kind),
      ["pruned", "pruned", "unchanged"],
    );
    const one = mergeMappings(current, [mapping(C, "LIC-C")], { today: TODAY, prune: [B.toUpperCase()] });
    assert.deepEqual(
      one.mappings.map((m) => m.originalGroupId),
      [A, C],
    );
    assert.deepEqual(one.refusedPrunes, []);
  });

  it("clears the stale mark of a group seen again, and never prunes it", () => {
    const current = [mapping(A, "LIC-A", { stale: { since: "2025-01-02", reason: "gone" } })];
    const r = mergeMappings(current, [mapping(A, "LIC-A")], { today: TODAY, prune: true });
    assert.equal(r.mappings.length, 1);
    assert.equal(r.mappings[0].stale, undefined);
    assert.equal(r.changes[0].kind, "unstale");
    const named = mergeMappings(current, [mapping(A, "LIC-A")], { today: TODAY, prune: [A] });
    assert.match(named.refusedPrunes[0], /not stale, discover still sees the group/);
  });

  it("refuses to prune an id no mapping has", () => {
    const r = mergeMappings([], [], { today: TODAY, prune: [C] });
    assert.match(r.refusedPrunes[0], /no mapping has this original group id/);
  });

  it("says what each change does to the reach-back group", () => {
    const stale = { since: "2025-01-02", reason: "gone" };
    const r = mergeMappings([mapping(A, "LIC-A", { stale }), mapping(B, "LIC-B")], [], {
      today: TODAY,
      prune: true,
    });
    const text = describeChanges(r.changes).join("\n");
    assert.match(
      text,
      /- LIC-A .*removed \(--prune-stale\).*removes the ReachBackLicenseGroup of LIC-A-ReachBack/,
    );
    assert.match(
      text,
      /! LIC-B .*stale \(not among the tenant's groups that assign licenses\); kept with its reach-back group LIC-B-ReachBack/,
    );
  });
});

describe("licenseGroups configuration: the stale mark", () => {
  it("accepts a mapping marked stale and refuses a malformed mark", () => {
    const ok = licenseGroupMappingSchema.safeParse(
      mapping(A, "LIC-A", { stale: { since: "2025-01-02", reason: "gone" } }),
    );
    assert.ok(ok.success, JSON.stringify(ok.error?.issues));
    const badDate = licenseGroupMappingSchema.safeParse(
      mapping(A, "LIC-A", { stale: { since: "yesterday", reason: "gone" } }),
    );
    assert.equal(badDate.success, false);
    assert.match(JSON.stringify(badDate.error?.issues), /must be a date such as 2025-01-31/);
    const noReason = licenseGroupMappingSchema.safeParse({
      ...mapping(A, "LIC-A"),
      stale: { since: "2025-01-02" },
    });
    assert.equal(noReason.success, false);
    const extra = licenseGroupMappingSchema.safeParse({
      ...mapping(A, "LIC-A"),
      stale: { since: "2025-01-02", reason: "gone", by: "me" },
    });
    assert.equal(extra.success, false);
  });
});

const E5: DiscoveredSku = {
  skuId: SKU,
  skuPartNumber: "SPE_E5",
  capabilityStatus: "Enabled",
  servicePlans: [
    { servicePlanId: EXCHANGE, servicePlanName: "EXCHANGE_S_ENTERPRISE" },
    { servicePlanId: TEAMS, servicePlanName: "TEAMS1" },
  ],
};

describe("coex discover: what no reach-back group covers", () => {
  const config = licenseGroupsConfigSchema.parse({});

  it("is an error, naming the group and the SKU, when a group assigns a SKU the tenant does not list", () => {
    const unknown = "11111111-2222-4333-8444-555555555555";
    const r = classifyGroups(
      [E5],
      [
        {
          id: A,
          displayName: "LIC-A",
          onPremisesSyncEnabled: null,
          processingState: null,
          assignedLicenses: [
            { skuId: SKU, disabledPlans: [] },
            { skuId: unknown, disabledPlans: [] },
          ],
        },
      ],
      config,
    );
    assert.equal(r.errors.length, 1);
    assert.match(
      r.errors[0],
      new RegExp(
        `group LIC-A \\(${A}\\) assigns SKU ${unknown}, which the tenant's subscribedSkus does not list`,
      ),
    );
  });

  it("marks a group that no longer needs a reach-back group, so the merge keeps its mapping stale", () => {
    const r = classifyGroups(
      [E5],
      [
        {
          id: A,
          displayName: "LIC-A",
          onPremisesSyncEnabled: null,
          processingState: null,
          assignedLicenses: [{ skuId: SKU, disabledPlans: [EXCHANGE] }],
        },
      ],
      config,
    );
    assert.deepEqual(r.proposed, []);
    assert.equal(r.notNeeded.get(A), "no plan of its licenses triggers proxy scrubbing any more");
  });

  it("lists users licensed by direct assignment per SKU, with a count and a few UPNs", () => {
    const users = ["d@x.example", "a@x.example", "c@x.example", "b@x.example"].map((upn, i) => ({
      id: String(i),
      userPrincipalName: upn,
      licenseAssignmentStates: [
        { skuId: SKU.toUpperCase(), assignedByGroup: null },
        { skuId: SKU, assignedByGroup: A },
      ],
    }));
    users.push({
      id: "9",
      userPrincipalName: "group-only@x.example",
      licenseAssignmentStates: [{ skuId: SKU, assignedByGroup: A }],
    });
    const lines = directAssignmentReport(users, [E5], { forceDisable: [], neverDisable: [] });
    const text = lines.join("\n");
    assert.match(
      text,
      /SPE_E5 \(06ebc4ee-1bb5-47dd-8120-11324bc54e06\): 4 user\(s\), e\.g\. a@x\.example, b@x\.example, c@x\.example, …; the SKU has 1 plan\(s\) that trigger proxy scrubbing/,
    );
    assert.doesNotMatch(text, /group-only/);
    assert.deepEqual(directAssignmentReport(users.slice(4), [E5], { forceDisable: [], neverDisable: [] }), [
      "no user is licensed by direct assignment",
    ]);
  });

  it("warns about SKUs that are not Enabled with seed 000's warning on licenses in grace", () => {
    assert.deepEqual(skuStatusReport([E5]), []);
    const text = skuStatusReport([{ ...E5, capabilityStatus: "Warning" }]).join("\n");
    assert.match(text, /SPE_E5 \(06ebc4ee-[^)]+\): capabilityStatus Warning/);
    assert.match(text, /volume-licensing \(VL\) remap/);
    assert.match(text, /left in grace/);
  });
});
