// ReachBackLicenseGroup: each schema rule on its own, the expected view, and diff's table (no network).
import assert from "node:assert/strict";
import {
  desiredLicenses,
  licenseGroupInputsSchema,
  provider,
} from "../../../providers/reachBackLicenseGroup";

const SKU = "06ebc4ee-1bb5-47dd-8120-11324bc54e06";
const EXO = "efb87545-963c-4e0d-99df-69c6916d9eb0";
const TEAMS = "57ff2da0-773e-42df-b2af-ffb7a2317929";
const mapping = {
  originalGroupId: "3f0c2a4e-1b2c-4d3e-8f40-5a6b7c8d9e0f",
  originalGroupName: "LIC-E5",
  source: "cloud",
  reachBackGroupName: "LIC-E5-ReachBack",
  licenses: [{ skuId: SKU, originalDisabledPlans: [TEAMS], scrubbingPlans: [EXO] }],
};
const valid = { tenant: "source", mapping };

describe("ReachBackLicenseGroup inputs", () => {
  it("accepts a reviewed mapping", () => {
    assert.ok(licenseGroupInputsSchema.safeParse(valid).success);
  });
  const rules: Array<[string, Record<string, unknown>]> = [
    [
      "the reach-back group's name differs from the original's",
      { ...valid, mapping: { ...mapping, reachBackGroupName: "lic-e5" } },
    ],
    ["a mapping assigns at least one SKU", { ...valid, mapping: { ...mapping, licenses: [] } }],
    [
      "a SKU is listed once",
      { ...valid, mapping: { ...mapping, licenses: [...mapping.licenses, ...mapping.licenses] } },
    ],
    ["source is cloud or onPremises", { ...valid, mapping: { ...mapping, source: "synced" } }],
    ["the original group id is a GUID", { ...valid, mapping: { ...mapping, originalGroupId: "LIC-E5" } }],
    ["an unknown key is refused", { ...valid, members: [] }],
  ];
  for (const [rule, input] of rules) {
    it(rule, () => assert.equal(licenseGroupInputsSchema.safeParse(input).success, false));
  }

  it("the expected view: the original's disabled plans plus the scrubbing plans, nothing left enabled", async () => {
    const r = await provider.check?.({}, valid);
    const inputs = r?.inputs as Record<string, unknown>;
    assert.deepEqual(inputs.assignedLicenses, [{ skuId: SKU, disabledPlans: [TEAMS, EXO].sort() }]);
    assert.deepEqual(inputs.originalLicenses, [{ skuId: SKU, disabledPlans: [TEAMS] }]);
    assert.deepEqual(inputs.scrubbingPlansLeftEnabled, []);
    assert.deepEqual(desiredLicenses(licenseGroupInputsSchema.parse(valid)), inputs.assignedLicenses);
  });

  it("diff: replaces only for another object; drift of each kind is a change", async () => {
    const checked = (await provider.check?.({}, valid))?.inputs as Record<string, unknown>;
    const m = (over: Record<string, unknown>) => ({ ...checked, mapping: { ...mapping, ...over } });
    const table: Array<[string, Record<string, unknown>, Record<string, unknown>, boolean, string[]]> = [
      ["same", checked, checked, false, []],
      ["cloud group renamed: in place", checked, m({ reachBackGroupName: "RB-E5" }), true, []],
      [
        "another AD group to adopt: replace",
        m({ source: "onPremises" }),
        m({ source: "onPremises", reachBackGroupName: "RB-E5" }),
        true,
        ["mapping.reachBackGroupName"],
      ],
      [
        "another original group: replace",
        checked,
        m({ originalGroupId: "4f0c2a4e-1b2c-4d3e-8f40-5a6b7c8d9e0f" }),
        true,
        ["mapping.originalGroupId"],
      ],
      [
        "licenses edited by hand",
        { ...checked, assignedLicenses: [{ skuId: SKU, disabledPlans: [] }] },
        checked,
        true,
        [],
      ],
      ["the original's SKUs changed", { ...checked, originalLicenses: [] }, checked, true, []],
      [
        "a new plan left enabled",
        { ...checked, scrubbingPlansLeftEnabled: ["SPE_E5: EXCHANGE_S_NEW"] },
        checked,
        true,
        [],
      ],
    ];
    for (const [what, olds, news, changes, replaces] of table) {
      const d = await provider.diff?.("g", olds, news);
      assert.equal(d?.changes, changes, what);
      assert.deepEqual(d?.replaces, replaces, what);
      assert.equal(d?.deleteBeforeReplace, false, `${what}: the new group comes first`);
    }
  });
});
