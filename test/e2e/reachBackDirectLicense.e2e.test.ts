// ReachBackUser for directly licensed users, end to end through the real pulumi CLI against the
// emulator with Entra Connect syncing a real AD (Samba). A user licensed directly with E5 (some
// plans disabled by an administrator before) and one with a direct license beside a mapped license
// group are enabled: the plans that trigger proxy scrubbing are added to the direct assignment's
// disabled plans in one assignLicense (the request log), the plans disabled before stay disabled,
// the target address survives the sync (no scrubbing: the procedure would stop otherwise); a
// second up writes nothing; a scrubbing plan enabled again by hand is drift in words, which up
// puts right; rollbackOnDelete puts the disabled plans back exactly as the journal found them.
import assert from "node:assert/strict";
import { primarySmtp } from "../../lib/addresses/proxyAddresses";
import type { DirectoryClient } from "../../lib/directory/client";
import { createScratchOu, type ScratchOu } from "../support/directoryFixtures";
import type { PulumiStack } from "../support/pulumi";
import {
  declareUsers,
  deltaSyncHook,
  E5,
  licensedBy,
  type ReachBackEstate,
  reachBackConfig,
  reachBackEstate,
  reachBackStack,
  reachBackTestUser,
  SCRUBBING_PLANS,
  stackJournal,
  type ReachBackTestUser as TestUser,
} from "../support/reachBack";
import { type SambaUnderTest, sambaOrSkip } from "../support/samba";
import { asEstate, type TenantPairUnderTest } from "../support/tenantPairs";

// biome-ignore lint/suspicious/noExplicitAny: assertions walk Graph's JSON freely
type GraphJson = any;
const PROJECT = "reachback-direct-test";
const planOf = (name: string) => {
  const p = E5.servicePlans.find((x) => x.servicePlanName === name);
  assert.ok(p, `E5 has ${name}`);
  return p.servicePlanId.toLowerCase();
};
/** A plan an administrator disabled before reach-back (it does not trigger scrubbing). */
const TEAMS = planOf("TEAMS1");
const EXCHANGE = planOf("EXCHANGE_S_ENTERPRISE");
const sorted = (xs: readonly string[]) => [...xs].map((x) => x.toLowerCase()).sort();

describe("e2e: ReachBackUser direct license through the pulumi CLI (emulator, Samba, Entra Connect)", function () {
  this.timeout(600_000);
  let samba: SambaUnderTest;
  let estate: ReachBackEstate;
  let pair: TenantPairUnderTest;
  let ad: DirectoryClient;
  let scratch: ScratchOu;
  let stack: PulumiStack;
  let stateDir: string;
  let config: Record<string, unknown>;
  let direct: TestUser;
  let mixed: TestUser;
  /** The E5 plans the direct assignment disables once enabled (read after the first up). */
  let enabledPlans: string[];

  const graph = () => pair.graph("source");
  const declare = (users: Array<Record<string, unknown>>) => declareUsers(stack, config, users);
  const declared = (u: TestUser, extra: Record<string, unknown> = {}) => ({
    name: u.name,
    sourceUserPrincipalName: u.upn,
    targetEmailAddress: u.target,
    coexRoutingAddress: u.routing,
    licenseGroupMapping: { [estate.originalGroup]: estate.reachBackGroup },
    ...extra,
  });
  const cloudUser = (id: string): Promise<GraphJson> =>
    graph().get(`/users/${id}?$select=id,mail,proxyAddresses,externalUserState,licenseAssignmentStates`);
  const directPlans = async (id: string): Promise<string[]> => {
    const states = (await cloudUser(id)).licenseAssignmentStates.filter(
      (s: GraphJson) => s.assignedByGroup === null && s.skuId === E5.skuId,
    );
    assert.equal(states.length, 1, "one direct E5 assignment");
    return sorted(states[0].disabledPlans);
  };
  const assignDirect = (id: string, disabledPlans: string[]) =>
    asEstate(pair, () =>
      graph().post(`/users/${id}/assignLicense`, {
        addLicenses: [{ skuId: E5.skuId, disabledPlans }],
        removeLicenses: [],
      }),
    );
  const log = () => pair.emulator?.http.log ?? [];
  const writesSince = (since: number) =>
    log()
      .slice(since)
      .filter((r) => r.method !== "GET");
  const assignLicenseCalls = (since: number, id: string) =>
    writesSince(since).filter(
      (r) => r.method === "POST" && r.path.startsWith(`/v1.0/users/${id}/assignLicense`),
    );
  const groupIds = async (id: string) =>
    (await graph().list<{ id: string }>(`/users/${id}/memberOf?$select=id`)).map((g) => g.id);
  const adUser = async (dn: string) => {
    const u = await ad.getUser(dn);
    assert.ok(u, `${dn} is readable`);
    return u;
  };

  before(async function () {
    samba = sambaOrSkip(this);
    scratch = await createScratchOu(samba.admin(), "rbd");
    estate = await reachBackEstate(samba);
    ({ pair, ad } = estate);
    // Licensed directly with E5, Teams disabled by an administrator before.
    direct = await reachBackTestUser(estate, "direct", scratch.userDn, (id) => assignDirect(id, [TEAMS]));
    // Licensed by the mapped cloud group and directly with E5 (nothing disabled) besides.
    mixed = await reachBackTestUser(estate, "mixed", scratch.outsideUserDn, async (id) => {
      await assignDirect(id, []);
      await asEstate(pair, () =>
        graph().post(`/groups/${estate.originalGroup}/members/$ref`, {
          "@odata.id": `${graph().baseUrl}v1.0/directoryObjects/${id}`,
        }),
      );
      await licensedBy(pair, id, estate.originalGroup);
    });
    ({ stack, stateDir } = await reachBackStack(PROJECT, "rbd"));
    config = reachBackConfig(samba, pair, deltaSyncHook(pair));
  });

  after(async () => {
    await ad?.close();
    await scratch?.cleanup().catch(() => undefined);
    await pair?.close();
  });

  it("preview does not refuse a direct license; up disables the scrubbing plans in one assignLicense each", async () => {
    declare([declared(direct), declared(mixed)]);
    await stack.expect(["preview"]);
    const since = log().length;
    const up = await stack.expect(["up", "--yes"]);
    assert.match(up.output, /disabling the plans that trigger proxy scrubbing in the direct license SPE_E5/);

    for (const u of [direct, mixed]) {
      assert.equal(assignLicenseCalls(since, u.cloudId).length, 1, `${u.name}: one assignLicense`);
      const plans = await directPlans(u.cloudId);
      for (const p of SCRUBBING_PLANS) assert.ok(plans.includes(p.toLowerCase()), `${u.name}: ${p} disabled`);
      // The target address was not scrubbed: Entra ID keeps it as a secondary after the revert.
      const cloud = await cloudUser(u.cloudId);
      assert.equal(cloud.externalUserState, "Accepted");
      assert.equal(cloud.mail.toLowerCase(), u.before.mail?.toLowerCase());
      assert.ok(
        cloud.proxyAddresses.some((p: string) => p.toLowerCase() === `smtp:${u.target.toLowerCase()}`),
        `${u.name}: the target address survives the sync: ${cloud.proxyAddresses}`,
      );
      const a = await adUser(u.dn);
      assert.equal(primarySmtp(a.proxyAddresses), primarySmtp(u.before.proxyAddresses));
    }
    enabledPlans = await directPlans(direct.cloudId);
    assert.ok(enabledPlans.includes(TEAMS), "the plan disabled before stays disabled");
    assert.deepEqual(await directPlans(mixed.cloudId), sorted(enabledPlans.filter((p) => p !== TEAMS)));
    const groups = await groupIds(mixed.cloudId);
    assert.ok(groups.includes(estate.reachBackGroup) && !groups.includes(estate.originalGroup));

    const outputs = JSON.parse((await stack.expect(["stack", "output", "--json"])).stdout);
    assert.equal(outputs.enabled.direct.step, "verified");
    const journal = await stackJournal(stateDir, PROJECT, stack);
    const report = await journal.report(direct.upn);
    assert.equal(report.state, "completed");
    assert.deepEqual(report.found?.original.directLicenses, [{ skuId: E5.skuId, disabledPlans: [TEAMS] }]);
    const step = report.records.find((r) => r.kind === "step" && r.step === "license.directPlansDisabled");
    assert.ok(step && step.kind === "step", "the write is journaled");
    assert.deepEqual(step.writes?.directLicenses, [
      { skuId: E5.skuId, skuPartNumber: "SPE_E5", disabledPlans: enabledPlans },
    ]);
    assert.deepEqual(report.restore.directLicenses, [{ skuId: E5.skuId, disabledPlans: [TEAMS] }]);
  });

  it("a second up, with a refresh, writes nothing", async () => {
    const since = log().length;
    await stack.expect(["refresh", "--preview-only", "--expect-no-changes"]);
    const up = await stack.expect(["up", "--yes", "--refresh"]);
    assert.doesNotMatch(up.output, /updated|created/);
    assert.deepEqual(writesSince(since), []);
  });

  it("a scrubbing plan enabled again by hand is drift in words; up disables it again", async () => {
    await assignDirect(
      direct.cloudId,
      enabledPlans.filter((p) => p !== EXCHANGE),
    );
    const drift = await stack.run(["refresh", "--preview-only", "--expect-no-changes", "--diff"]);
    assert.equal(drift.code, 7, drift.output);
    // The drifted value appears (the state keeps none while it is the declared one).
    assert.match(
      drift.output,
      /\+ licenseGroups\s*: "the direct license SPE_E5 has plans enabled that trigger proxy scrubbing: EXCHANGE_S_ENTERPRISE/,
    );
    const since = log().length;
    await stack.expect(["up", "--yes", "--refresh"]);
    assert.equal(assignLicenseCalls(since, direct.cloudId).length, 1);
    assert.deepEqual(await directPlans(direct.cloudId), enabledPlans);
    await stack.expect(["refresh", "--preview-only", "--expect-no-changes"]);
  });

  it("rollbackOnDelete puts the disabled plans back exactly as found, in one assignLicense", async () => {
    declare([declared(direct, { rollbackOnDelete: true }), declared(mixed, { rollbackOnDelete: true })]);
    await stack.expect(["up", "--yes"]);
    declare([]);
    const since = log().length;
    const r = await stack.expect(["up", "--yes"]);
    assert.match(r.output, /disabled plans put back as found/);
    assert.equal(assignLicenseCalls(since, direct.cloudId).length, 1);
    assert.deepEqual(await directPlans(direct.cloudId), [TEAMS], "exactly the plans disabled before");
    assert.deepEqual(await directPlans(mixed.cloudId), []);
    assert.ok((await groupIds(mixed.cloudId)).includes(estate.originalGroup), "back in the original group");
    for (const u of [direct, mixed]) {
      const a = await adUser(u.dn);
      assert.deepEqual(a.proxyAddresses, u.before.proxyAddresses, `${u.name}: proxyAddresses as found`);
      assert.equal(a.targetAddress, u.before.targetAddress);
      const report = await (await stackJournal(stateDir, PROJECT, stack)).report(u.upn);
      assert.equal(report.state, "reverted");
    }
  });
});
