// The pure parts of reach-back for a directly licensed user (lib/reachBack/directLicense.ts):
// which plans one assignLicense disables, what verification and drift say, and what a rollback
// writes back (no network). The SKUs are the emulator's fixtures of Microsoft's reference.
import assert from "node:assert/strict";
import { SKU_FIXTURES } from "../../emulator/skus";
import type { SubscribedSku } from "../../lib/licensing/licenseGroupApi";
import { scrubbingPlansOf } from "../../lib/licensing/servicePlans";
import {
  directAssignments,
  directLicenseProblems,
  restoreWrites,
  scrubbingPlanChanges,
  unknownSkus,
} from "../../lib/reachBack/directLicense";
import { declaredLive, describeLive } from "../../lib/reachBack/userState";

const E5 = SKU_FIXTURES.SPE_E5 as unknown as SubscribedSku;
const E3 = SKU_FIXTURES.SPE_E3 as unknown as SubscribedSku;
const SKUS = [E5, E3];
const planId = (sku: SubscribedSku, name: string) => {
  const p = sku.servicePlans.find((x) => x.servicePlanName === name);
  assert.ok(p, `${sku.skuPartNumber} has ${name}`);
  return p.servicePlanId.toLowerCase();
};
const EXCHANGE = planId(E5, "EXCHANGE_S_ENTERPRISE");
const TEAMS = planId(E5, "TEAMS1");
const E5_SCRUBBING = scrubbingPlansOf(E5.servicePlans)
  .map((p) => p.servicePlanId.toLowerCase())
  .sort();
const UNKNOWN_SKU = "0b1c2d3e-4f50-4617-8283-94a5b6c7d8e9";
const GROUP = "11111111-1111-4111-8111-111111111111";

const state = (skuId: string, disabledPlans: string[], assignedByGroup: string | null = null) => ({
  skuId,
  assignedByGroup,
  state: "Active",
  error: null,
  disabledPlans,
});

describe("direct license: the plans one assignLicense disables", () => {
  it("reads only the licenses without an assigning group, ids lower-case and sorted", () => {
    const a = directAssignments({
      licenseAssignmentStates: [
        state(E5.skuId.toUpperCase(), [TEAMS.toUpperCase(), EXCHANGE]),
        state(E3.skuId, [], GROUP),
      ],
    });
    assert.deepEqual(a, [{ skuId: E5.skuId.toLowerCase(), disabledPlans: [EXCHANGE, TEAMS].sort() }]);
  });

  it("adds every scrubbing plan of the SKU to the plans the user had disabled, keeping those", () => {
    const [change, ...rest] = scrubbingPlanChanges([{ skuId: E5.skuId, disabledPlans: [TEAMS] }], SKUS);
    assert.deepEqual(rest, []);
    assert.ok(E5_SCRUBBING.includes(EXCHANGE), "Exchange Online (Plan 2) triggers scrubbing");
    assert.ok(!E5_SCRUBBING.includes(TEAMS), "Teams does not");
    assert.deepEqual(change.disabledPlans, [...E5_SCRUBBING, TEAMS].sort(), "union of both, sorted");
    assert.equal(change.skuPartNumber, "SPE_E5");
    assert.deepEqual(change.enabled.map((p) => p.servicePlanId).sort(), E5_SCRUBBING);
  });

  it("adds only what is missing, and nothing when every scrubbing plan is disabled", () => {
    const [change] = scrubbingPlanChanges(
      [{ skuId: E5.skuId, disabledPlans: E5_SCRUBBING.filter((p) => p !== EXCHANGE) }],
      SKUS,
    );
    assert.deepEqual(
      change.enabled.map((p) => p.servicePlanName),
      ["EXCHANGE_S_ENTERPRISE"],
    );
    assert.deepEqual(scrubbingPlanChanges([{ skuId: E5.skuId, disabledPlans: E5_SCRUBBING }], SKUS), []);
  });

  it("changes each SKU held directly, in one list (one assignLicense)", () => {
    const changes = scrubbingPlanChanges(
      [
        { skuId: E5.skuId, disabledPlans: [] },
        { skuId: E3.skuId, disabledPlans: [] },
      ],
      SKUS,
    );
    assert.deepEqual(
      changes.map((c) => c.skuPartNumber),
      ["SPE_E5", "SPE_E3"],
    );
  });

  it("a SKU the tenant does not list is named, never guessed at", () => {
    const a = [{ skuId: UNKNOWN_SKU, disabledPlans: [] }];
    assert.deepEqual(unknownSkus(a, SKUS), [UNKNOWN_SKU]);
    assert.deepEqual(scrubbingPlanChanges(a, SKUS), []);
    assert.match(
      directLicenseProblems(a, SKUS)[0],
      new RegExp(`${UNKNOWN_SKU} is not among the tenant's subscriptions`),
    );
  });
});

describe("direct license: verification, drift and rollback", () => {
  it("names the SKU and each scrubbing plan enabled on a direct license", () => {
    const problems = directLicenseProblems(
      [{ skuId: E5.skuId, disabledPlans: E5_SCRUBBING.filter((p) => p !== EXCHANGE) }],
      SKUS,
    );
    assert.deepEqual(problems, [
      "the direct license SPE_E5 has plans enabled that trigger proxy scrubbing: EXCHANGE_S_ENTERPRISE",
    ]);
    assert.deepEqual(directLicenseProblems([{ skuId: E5.skuId, disabledPlans: E5_SCRUBBING }], SKUS), []);
  });

  it("drift: a scrubbing plan enabled again reads in licenseGroups, the rest as declared", () => {
    const facts = {
      ad: {
        mail: "a@fabrikam.example",
        proxyAddresses: ["SMTP:a@fabrikam.example", "smtp:a@contoso.example"],
        targetAddress: "SMTP:a@contoso.mail.onmicrosoft.com",
        msExchRecipientDisplayType: 6,
        msExchRecipientTypeDetails: 128,
        msExchRemoteRecipientType: null,
      },
      cloud: { externalUserState: "Accepted" },
      groups: [],
      expectedReachBack: [],
    };
    const spec = {
      targetEmailAddress: "a@contoso.example",
      coexRoutingAddress: "a@contoso.mail.onmicrosoft.com",
      licenseGroupMapping: {},
    };
    const declared = declaredLive(spec.coexRoutingAddress);
    assert.deepEqual(describeLive(spec, { ...facts, directLicenses: [] }), declared);
    const live = describeLive(spec, {
      ...facts,
      directLicenses: directLicenseProblems([{ skuId: E5.skuId, disabledPlans: [TEAMS] }], SKUS),
    });
    assert.match(
      live.licenseGroups,
      /^the direct license SPE_E5 has plans enabled that trigger proxy scrubbing: .*EXCHANGE_S_ENTERPRISE/,
    );
    assert.deepEqual({ ...live, licenseGroups: declared.licenseGroups }, declared);
  });

  it("rollback writes back exactly the journal's disabled plans, only where they differ", () => {
    const found = { skuId: E5.skuId, disabledPlans: [TEAMS] };
    assert.deepEqual(
      restoreWrites(
        [{ skuId: E5.skuId.toLowerCase(), disabledPlans: [...E5_SCRUBBING, TEAMS].sort() }],
        [found],
      ),
      { write: [found], gone: [] },
    );
    assert.deepEqual(
      restoreWrites(
        [{ skuId: E5.skuId.toLowerCase(), disabledPlans: [TEAMS] }],
        [{ ...found, disabledPlans: [TEAMS.toUpperCase()] }],
      ),
      { write: [], gone: [] },
      "as found already (case aside): nothing to write",
    );
    assert.deepEqual(
      restoreWrites([], [found]),
      { write: [], gone: [found] },
      "removed since: left as it is",
    );
  });
});
