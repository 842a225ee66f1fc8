// ReachBackUser end to end through the real pulumi CLI, against the emulator with Entra Connect
// syncing a real AD (Samba) and a delta-sync hook run as a shell command (curl to the emulator's
// sync-cycle endpoint, as an operator's command would call Start-ADSyncSyncCycle). Users of a
// cloud and of an on-premises license group are enabled (each attribute read by LDAP, the groups
// and the invitation read from the emulator); a second up and a lost state write nothing; drift is
// reported in words and put back; a refused invitation and scrubbing after sync leave the user
// with the original primary SMTP and name the step, and the next up continues from where the
// systems are; a failed precondition writes nothing; a redemption pending the first sign-in is
// reported as such; rollbackOnDelete restores from the journal; destroy leaves the user enabled.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import type { EntraConnectSync } from "../../emulator/entraConnect";
import { primarySmtp } from "../../lib/addresses/proxyAddresses";
import type { DirectoryClient } from "../../lib/directory/client";
import { declaredLive } from "../../lib/reachBack/userState";
import { createScratchOu, type ScratchOu } from "../support/directoryFixtures";
import type { PulumiStack } from "../support/pulumi";
import {
  declareUsers,
  deltaSyncHook,
  E5,
  licensedBy as licensedIn,
  reachBackConfig,
  reachBackEstate,
  reachBackStack,
  reachBackTestUser,
  SCRUBBING_PLANS,
  stackJournal,
  TARGET_DOMAIN,
  type ReachBackTestUser as TestUser,
} from "../support/reachBack";
import { type SambaUnderTest, sambaOrSkip } from "../support/samba";
import { asEstate, emulatorAdmin, type TenantPairUnderTest } from "../support/tenantPairs";

// biome-ignore lint/suspicious/noExplicitAny: assertions walk Graph's JSON freely
type GraphJson = any;
const PROJECT = "reachback-test";

describe("e2e: ReachBackUser through the pulumi CLI (emulator, Samba, Entra Connect)", function () {
  this.timeout(600_000);
  let samba: SambaUnderTest;
  let pair: TenantPairUnderTest;
  let engine: EntraConnectSync;
  let scratch: ScratchOu;
  let scratch2: ScratchOu;
  let scratch3: ScratchOu;
  let scratch4: ScratchOu;
  let stack: PulumiStack;
  let stateDir: string;
  let ad: DirectoryClient;
  let config: Record<string, unknown>;
  let originalGroup: string;
  let reachBackGroup: string;
  let adele: TestUser;
  let refused: TestUser;
  let holderId: string;
  let blocked: TestUser;
  let scrubbed: TestUser;
  let pending: TestUser;

  const graph = () => pair.graph("source");
  const declare = (users: Array<Record<string, unknown>>) => declareUsers(stack, config, users);
  const declared = (u: TestUser, extra: Record<string, unknown> = {}) => ({
    name: u.name,
    sourceUserPrincipalName: u.upn,
    targetEmailAddress: u.target,
    coexRoutingAddress: u.routing,
    licenseGroupMapping: { [originalGroup]: reachBackGroup },
    ...extra,
  });
  const cloudUser = (id: string): Promise<GraphJson> =>
    graph().get(
      `/users/${id}?$select=id,mail,proxyAddresses,externalUserState,identities,userType,licenseAssignmentStates`,
    );
  const groupIds = async (id: string) =>
    (await graph().list<{ id: string }>(`/users/${id}/memberOf?$select=id`)).map((g) => g.id);
  const writesSince = (since: number) =>
    (pair.emulator?.http.log ?? []).slice(since).filter((r) => r.method !== "GET");
  const logLength = () => pair.emulator?.http.log.length ?? 0;
  const adUser = async (dn: string) => {
    const u = await ad.getUser(dn);
    assert.ok(u, `${dn} is readable`);
    return u;
  };
  const journal = () => stackJournal(stateDir, PROJECT, stack);

  /** A synced remote-mailbox user of a scratch OU with its target identity; in the original cloud
   * group unless `join` puts it elsewhere. */
  const testUser = (name: string, dn: string, join?: (cloudId: string) => Promise<unknown>) =>
    reachBackTestUser({ pair, engine, ad, originalGroup, reachBackGroup }, name, dn, join);
  const licensedBy = (id: string, group: string) => licensedIn(pair, id, group);

  before(async function () {
    samba = sambaOrSkip(this);
    // The users exist in AD before Entra Connect's first cycle, as in an estate.
    scratch = await createScratchOu(samba.admin(), "rbu");
    scratch2 = await createScratchOu(samba.admin(), "rbu2");
    scratch3 = await createScratchOu(samba.admin(), "rbu3");
    scratch4 = await createScratchOu(samba.admin(), "rbu4");
    ({ pair, engine, ad, originalGroup, reachBackGroup } = await reachBackEstate(samba));
    adele = await testUser("adele", scratch.userDn);
    refused = await testUser("refused", scratch.outsideUserDn);
    blocked = await testUser("blocked", scratch2.userDn);
    scrubbed = await testUser("scrubbed", scratch2.outsideUserDn);
    pending = await testUser("pending", scratch3.userDn);
    ({ stack, stateDir } = await reachBackStack(PROJECT, "rbu"));
    config = reachBackConfig(samba, pair, deltaSyncHook(pair));
  });

  after(async () => {
    await ad?.close();
    await scratch?.cleanup().catch(() => undefined);
    await scratch2?.cleanup().catch(() => undefined);
    await scratch3?.cleanup().catch(() => undefined);
    await scratch4?.cleanup().catch(() => undefined);
    await pair?.close();
  });

  it("enables a user of a cloud license group: groups moved, AD converted, invited, primary reverted", async () => {
    declare([declared(adele)]);
    const up = await stack.expect(["up", "--yes"]);
    // The display shows the steps while the user is processed.
    assert.match(up.output, /adding to the reach-back group LIC-RB-E5-ReachBack/);
    assert.match(up.output, /invited to B2B collaboration/);

    const u = await adUser(adele.dn);
    assert.equal(u.targetAddress, `SMTP:${adele.routing}`);
    assert.equal(u.msExchRecipientDisplayType, 6);
    assert.equal(u.msExchRecipientTypeDetails, 128);
    assert.equal(u.msExchRemoteRecipientType, undefined);
    assert.equal(u.mail, adele.before.mail, "mail is the original again");
    assert.equal(primarySmtp(u.proxyAddresses), primarySmtp(adele.before.proxyAddresses), "original primary");
    assert.deepEqual(
      u.proxyAddresses,
      [...adele.before.proxyAddresses, `smtp:${adele.target}`],
      "the addresses as found, and the target address as a secondary",
    );

    const groups = await groupIds(adele.cloudId);
    assert.ok(groups.includes(reachBackGroup), "in the reach-back group");
    assert.ok(!groups.includes(originalGroup), "out of the original group");
    const cloud = await cloudUser(adele.cloudId);
    assert.equal(cloud.externalUserState, "Accepted");
    assert.equal(cloud.userType, "Member");
    assert.ok(cloud.identities.some((i: GraphJson) => i.signInType === "federated"));
    assert.equal(
      cloud.mail.toLowerCase(),
      adele.before.mail?.toLowerCase(),
      "Entra ID has the original mail",
    );
    const invitations = (await emulatorAdmin(pair, "source", "GET", "/invitations")) as GraphJson;
    const inv = invitations.byUser[adele.cloudId];
    assert.equal(inv.invitedUserEmailAddress, adele.target);
    assert.equal(inv.sendInvitationMessage, false);
    assert.equal(inv.status, "Completed");
    assert.ok(
      !invitations.messages.some((m: GraphJson) => m.kind === "invitation"),
      "no invitation email was sent",
    );

    const outputs = JSON.parse((await stack.expect(["stack", "output", "--json"])).stdout);
    assert.equal(outputs.enabled.adele.step, "verified");
    assert.match(outputs.enabled.adele.state, /^enabled: linked and redeemed/);
    assert.equal(outputs.enabled.adele.sourceUserId, adele.cloudId, "the class's sourceUserId is the id");
    const report = await (await journal()).report(adele.upn);
    assert.equal(report.state, "completed");
    assert.deepEqual(report.found?.original.ad.attributes.proxyAddresses, adele.before.proxyAddresses);
    assert.deepEqual(
      report.found?.original.groups.map((g) => g.id),
      [originalGroup],
      "the original group membership is in the journal",
    );
  });

  it("enables a user of an on-premises license group: the groups change in AD, then sync", async () => {
    const groupNamed = async (name: string) =>
      (await graph().list<{ id: string }>(`/groups?$filter=displayName eq '${name}'&$select=id`))[0].id;
    const original = await ad.findGroupByName("LIC-M365-E5");
    const reachBack = await ad.findGroupByName("LIC-M365-E5-ReachBack");
    assert.ok(original && reachBack);
    // The user is in the AD license group as found; the synced groups assign E5 (the reach-back
    // one without the plans that trigger scrubbing), as the coexistence stack leaves them.
    const onPrem = await testUser("onprem", scratch4.userDn, async () => {
      await ad.addGroupMember(original.dn, scratch4.userDn);
      await engine.requestCycle();
    });
    const originalId = await groupNamed("LIC-M365-E5");
    const reachBackId = await groupNamed("LIC-M365-E5-ReachBack");
    await asEstate(pair, async () => {
      await graph().post(`/groups/${originalId}/assignLicense`, {
        addLicenses: [{ skuId: E5.skuId, disabledPlans: [] }],
        removeLicenses: [],
      });
      await graph().post(`/groups/${reachBackId}/assignLicense`, {
        addLicenses: [{ skuId: E5.skuId, disabledPlans: SCRUBBING_PLANS }],
        removeLicenses: [],
      });
    });
    await licensedBy(onPrem.cloudId, originalId);
    declare([declared(adele), { ...declared(onPrem), licenseGroupMapping: { [originalId]: reachBackId } }]);
    await stack.expect(["up", "--yes"]);
    const dn = scratch4.userDn.toLowerCase();
    const inAd = async (name: string) =>
      ((await ad.findGroupByName(name))?.memberDns ?? []).some((m) => m.toLowerCase() === dn);
    assert.equal(await inAd("LIC-M365-E5-ReachBack"), true, "added to the reach-back group in AD");
    assert.equal(await inAd("LIC-M365-E5"), false, "removed from the original group in AD");
    const groups = await groupIds(onPrem.cloudId);
    assert.ok(groups.includes(reachBackId) && !groups.includes(originalId), "and synced");
    const u = await adUser(onPrem.dn);
    assert.equal(primarySmtp(u.proxyAddresses), primarySmtp(onPrem.before.proxyAddresses));
    assert.equal((await cloudUser(onPrem.cloudId)).externalUserState, "Accepted");
    const report = await (await journal()).report(onPrem.upn);
    assert.deepEqual(
      report.found?.original.groups.map((g) => [g.source, g.distinguishedName]),
      [["onPremises", original.dn]],
      "the journal has the AD group, with its DN",
    );
  });

  it("a second up, with a refresh, writes nothing (request log and LDAP)", async () => {
    const since = logLength();
    const usn = (await adUser(adele.dn)).usnChanged;
    await stack.expect(["refresh", "--preview-only", "--expect-no-changes"]);
    const up = await stack.expect(["up", "--yes", "--refresh"]);
    assert.doesNotMatch(up.output, /updated|created/);
    assert.deepEqual(writesSince(since), []);
    assert.equal((await adUser(adele.dn)).usnChanged, usn, "nothing written to AD");
  });

  it("reads a state the previous version wrote as its own: no change, nothing written, and a refresh makes it smaller", async () => {
    // What the version before issue 11's state diet stored: the defaults, sourceUserId (the id
    // again), the SDK's call sites and a longer __provider text.
    const previousProvider = (module: string) =>
      `exports.handler=()=>{try{return require(require.resolve('./${module}',{paths:module.paths.flatMap(n=>[require('path').dirname(n),n+'/entra-coexistence'])})).provider}` +
      "catch(e){e.message+=' from '+process.cwd()+' up: build the project (npm run build)';throw e}}";
    const defaults = { mailboxMigration: "crossTenant", licenseGroupMapping: {}, rollbackOnDelete: false };
    const state = await stack.exportState();
    const users = (state.deployment.resources as GraphJson[]).filter((r) =>
      r.type.endsWith(":ReachBackUser"),
    );
    assert.ok(users.length >= 2, "the users enabled so far");
    for (const r of users) {
      assert.equal(r.sourcePosition, undefined, `${r.urn}: no call site kept`);
      assert.equal(r.stackTrace, undefined, `${r.urn}: no stack trace kept`);
      for (const bag of [r.inputs, r.outputs]) {
        for (const k of ["mailboxMigration", "rollbackOnDelete"])
          assert.ok(!(k in bag), `${r.urn}: ${k} kept`);
      }
      assert.ok(!("sourceUserId" in r.outputs), `${r.urn}: sourceUserId kept besides the id`);
      const text = previousProvider("dist/providers/reachBackUser");
      r.inputs = { ...defaults, ...r.inputs, __provider: text };
      // It kept the six live values even when they were the declared ones.
      const live = declaredLive(r.inputs.coexRoutingAddress);
      r.outputs = { ...defaults, ...live, ...r.outputs, sourceUserId: r.id, __provider: text };
      r.propertyDependencies = { ...r.propertyDependencies, mailboxMigration: [] };
      r.sourcePosition = "project:///providers/reachBackUser.ts#257,5";
      r.stackTrace = [{ sourcePosition: "project:///providers/reachBackUser.ts#257,5" }, {}];
    }
    const file = path.join(stateDir, "..", "previous-version.json");
    writeFileSync(file, JSON.stringify(state));
    await stack.expect(["stack", "import", "--file", file]);

    const since = logLength();
    const usn = (await adUser(adele.dn)).usnChanged;
    await stack.expect(["preview", "--expect-no-changes"]);
    await stack.expect(["refresh", "--preview-only", "--expect-no-changes"]);
    const up = await stack.expect(["up", "--yes", "--refresh"]);
    assert.doesNotMatch(up.output, /updated|created|replaced/);
    await stack.expect(["refresh", "--yes", "--expect-no-changes"]);
    assert.deepEqual(writesSince(since), []);
    assert.equal((await adUser(adele.dn)).usnChanged, usn, "nothing written to AD");
    const after = (await stack.exportState()).deployment.resources as GraphJson[];
    for (const r of after.filter((x) => x.type.endsWith(":ReachBackUser"))) {
      for (const k of ["mailboxMigration", "rollbackOnDelete"]) {
        assert.ok(!(k in r.inputs) && !(k in r.outputs), `${r.urn}: ${k} no longer kept`);
      }
      assert.ok(!("sourceUserId" in r.outputs), `${r.urn}: the refresh wrote the shorter outputs`);
      for (const k of Object.keys(declaredLive(r.inputs.coexRoutingAddress))) {
        assert.ok(!(k in r.outputs), `${r.urn}: ${k}, as declared, no longer kept`);
      }
      assert.equal(r.outputs.step, "verified", r.urn);
      assert.equal(r.outputs.ownership.kind, "created", r.urn);
    }
    const outputs = JSON.parse((await stack.expect(["stack", "output", "--json"])).stdout);
    assert.equal(outputs.enabled.adele.sourceUserId, adele.cloudId);
  });

  it("takes back a user found enabled (its state lost) without writing anything", async () => {
    // The resource leaves the stack's state (as a lost or hand-edited state would), the user stays.
    const state = await stack.exportState();
    const urn = state.deployment.resources.find((r) => String(r.urn).endsWith("::adele"))?.urn as string;
    assert.ok(urn);
    state.deployment.resources = state.deployment.resources.filter((r) => r.urn !== urn);
    const file = path.join(stateDir, "..", "without-adele.json");
    writeFileSync(file, JSON.stringify(state));
    await stack.expect(["stack", "import", "--file", file]);
    const since = logLength();
    const usn = (await adUser(adele.dn)).usnChanged;
    await stack.expect(["up", "--yes"]);
    assert.deepEqual(writesSince(since), []);
    assert.equal((await adUser(adele.dn)).usnChanged, usn);
    const after = await stack.exportState();
    const r = after.deployment.resources.find((x) => x.urn === urn) as GraphJson;
    // The journal shows that this stack enabled the user: it is its own again, not one found.
    assert.equal(r.outputs.ownership.kind, "created");
    assert.equal(r.outputs.step, "verified");
  });

  it("reports a user put back in the original group as drift in words, and up moves it again", async () => {
    await graph().post(`/groups/${originalGroup}/members/$ref`, {
      "@odata.id": `${graph().baseUrl}v1.0/directoryObjects/${adele.cloudId}`,
    });
    const drift = await stack.run(["refresh", "--preview-only", "--expect-no-changes", "--diff"]);
    assert.equal(drift.code, 7, drift.output);
    // The state keeps no live value that is the declared one, so the drifted one appears (+), and
    // the user's state says what is not as enabled.
    assert.match(drift.output, /\+ licenseGroups\s*: "back in the original group LIC-RB-E5"/);
    assert.match(
      drift.output,
      /~ state\s*: "enabled: .*" => "not as enabled: licenseGroups back in the original group LIC-RB-E5"/,
    );
    await stack.expect(["up", "--yes", "--refresh"]);
    const groups = await groupIds(adele.cloudId);
    assert.ok(!groups.includes(originalGroup) && groups.includes(reachBackGroup));
    await stack.expect(["refresh", "--preview-only", "--expect-no-changes"]);
    const state = (await stack.exportState()).deployment.resources as GraphJson[];
    const outputs = state.find((r) => String(r.urn).endsWith("::adele"))?.outputs;
    assert.equal(outputs?.step, "verified");
    assert.ok(
      !("licenseGroups" in outputs),
      `as declared again: the live value is left out again (${JSON.stringify(outputs)})`,
    );
  });

  it("an invitation Graph refuses: the user ends with the original primary SMTP, and the error names the step", async () => {
    // Another object of the source tenant holds the target address: Graph refuses the invitation.
    const holder = (await emulatorAdmin(pair, "source", "POST", "/users", {
      userPrincipalName: `holder-${refused.alias}@fabrikam.example`,
      mail: refused.target,
    })) as GraphJson;
    holderId = holder.id;
    declare([declared(adele), declared(refused)]);
    const up = await stack.run(["up", "--yes"]);
    assert.notEqual(up.code, 0, up.output);
    assert.match(up.output, new RegExp(`${refused.upn}: step "invited" failed`));
    assert.match(up.output, /already exists in the directory/);
    assert.match(up.output, /the user now: AD: primary SMTP \S+ \(not the target address\)/);
    const u = await adUser(refused.dn);
    assert.equal(u.mail, refused.before.mail);
    assert.equal(primarySmtp(u.proxyAddresses), primarySmtp(refused.before.proxyAddresses));
    assert.ok(u.proxyAddresses.includes(`smtp:${refused.target}`));
    const cloud = await cloudUser(refused.cloudId);
    assert.equal(cloud.externalUserState, null, "not invited");
    assert.equal(cloud.mail.toLowerCase(), refused.before.mail?.toLowerCase(), "the revert is synced");
    const report = await (await journal()).report(refused.upn);
    assert.equal(report.state, "in-progress");
    assert.equal(report.failure?.step, "invite.sent");
    assert.equal(report.restore.primaryAtRisk, false, "the journal shows the revert done");
  });

  it("the next up continues the refused user from where AD and Entra ID are, and finishes", async () => {
    await graph().delete(`/users/${holderId}`);
    const up = await stack.expect(["up", "--yes"]);
    assert.match(up.output, new RegExp(`${refused.upn}: continuing from where AD and Entra ID are`));
    assert.doesNotMatch(
      up.output,
      new RegExp(`${refused.upn}: adding to the reach-back group`),
      "the groups were moved before",
    );
    assert.equal((await cloudUser(refused.cloudId)).externalUserState, "Accepted");
    const u = await adUser(refused.dn);
    assert.deepEqual(u.proxyAddresses, [...refused.before.proxyAddresses, `smtp:${refused.target}`]);
    const report = await (await journal()).report(refused.upn);
    assert.equal(report.state, "completed");
    assert.equal(
      report.records.filter((r) => r.kind === "found").length,
      1,
      "the originals were recorded once",
    );
  });

  it("refuses a user carrying onPremisesUserPrincipalName before writing anything, naming the fix", async () => {
    await emulatorAdmin(pair, "source", "PATCH", "/entraConnect/settings", {
      writeOnPremisesUserPrincipalName: true,
    });
    await engine.requestCycle();
    try {
      const since = logLength();
      const usn = (await adUser(blocked.dn)).usnChanged;
      declare([declared(adele), declared(blocked)]);
      const up = await stack.run(["up", "--yes"]);
      assert.notEqual(up.code, 0);
      assert.match(
        up.output,
        new RegExp(`${blocked.upn}: not enabled for B2B reach-back; nothing was written`),
      );
      assert.match(up.output, /carries onPremisesUserPrincipalName/);
      assert.match(up.output, /change the Entra Connect sync rule/);
      assert.deepEqual(writesSince(since), []);
      assert.equal((await adUser(blocked.dn)).usnChanged, usn);
      assert.equal((await (await journal()).report(blocked.upn)).state, "not-started");
    } finally {
      await emulatorAdmin(pair, "source", "PATCH", "/entraConnect/settings", {
        writeOnPremisesUserPrincipalName: false,
      });
      await engine.requestCycle();
    }
  });

  it("scrubbing after sync: the procedure stops with the reason, reverts, and names the step", async () => {
    // A mailbox in Exchange Online: proxy scrubbing drops the unverified target address on sync.
    await emulatorAdmin(pair, "source", "PUT", `/users/${scrubbed.cloudId}/mailbox`);
    declare([declared(adele), declared(scrubbed)]);
    const up = await stack.run(["up", "--yes"]);
    assert.notEqual(up.code, 0, up.output);
    assert.match(up.output, new RegExp(`${scrubbed.upn}: step "synced" failed: .*proxy scrubbing`));
    assert.match(up.output, /a mailbox in Exchange Online/);
    const u = await adUser(scrubbed.dn);
    assert.equal(u.mail, scrubbed.before.mail);
    assert.equal(primarySmtp(u.proxyAddresses), primarySmtp(scrubbed.before.proxyAddresses));
    const cloud = await cloudUser(scrubbed.cloudId);
    assert.equal(cloud.externalUserState, null, "never invited");
    const report = await (await journal()).report(scrubbed.upn);
    assert.equal(report.failure?.step, "sync.swapArrived");
    assert.equal(report.restore.primaryAtRisk, false);
  });

  it("reports a redemption pending the user's first sign-in as such, and the sign-in is no drift", async () => {
    await emulatorAdmin(pair, "source", "PATCH", "/invitations", { automaticRedemption: "firstSignIn" });
    try {
      declare([declared(adele), declared(pending)]);
      await stack.expect(["up", "--yes"]);
      const outputs = JSON.parse((await stack.expect(["stack", "output", "--json"])).stdout);
      assert.equal(outputs.enabled.pending.step, "verified");
      assert.match(
        outputs.enabled.pending.state,
        /^enabled: invited; redemption pending the user's first sign-in/,
      );
      assert.equal((await cloudUser(pending.cloudId)).externalUserState, "PendingAcceptance");
      const signIn = (await emulatorAdmin(
        pair,
        "source",
        "POST",
        `/users/${pending.cloudId}/signIn`,
        {},
      )) as GraphJson;
      assert.equal(signIn.redeemed, true);
      assert.equal((await cloudUser(pending.cloudId)).externalUserState, "Accepted");
      await stack.expect(["refresh", "--preview-only", "--expect-no-changes"]);
    } finally {
      await emulatorAdmin(pair, "source", "PATCH", "/invitations", { automaticRedemption: "immediate" });
    }
  });

  it("a new target address resets the B2B link to the new identity (resetRedemption); the old address leaves", async () => {
    const moved = await testUser("moved", scratch3.outsideUserDn);
    declare([declared(adele), declared(pending), declared(moved)]);
    await stack.expect(["up", "--yes"]);
    assert.equal((await cloudUser(moved.cloudId)).externalUserState, "Accepted");
    // The user's identity in the target turned out to be another one.
    const newTarget = `${moved.alias}.new@${TARGET_DOMAIN}`;
    await emulatorAdmin(pair, "target", "POST", "/users", { userPrincipalName: newTarget, mail: newTarget });
    declare([declared(adele), declared(pending), { ...declared(moved), targetEmailAddress: newTarget }]);
    const preview = await stack.expect(["preview", "--diff"]);
    assert.match(preview.output, /targetEmailAddress/);
    const since = logLength();
    const up = await stack.expect(["up", "--yes"]);
    assert.match(up.output, /invitation reset and sent again as/);
    const invitations = writesSince(since).filter((r) => r.path.startsWith("/v1.0/invitations"));
    assert.equal(invitations.length, 1, "one invitation");
    const inv = ((await emulatorAdmin(pair, "source", "GET", "/invitations")) as GraphJson).byUser[
      moved.cloudId
    ];
    assert.equal(inv.invitedUserEmailAddress, newTarget);
    assert.equal(inv.resetRedemption, true);
    const cloud = await cloudUser(moved.cloudId);
    assert.equal(cloud.externalUserState, "Accepted", "redeemed again, as the new identity");
    const u = await adUser(moved.dn);
    assert.equal(u.mail, moved.before.mail);
    assert.deepEqual(
      u.proxyAddresses,
      [...moved.before.proxyAddresses, `smtp:${newTarget}`],
      "the original addresses, the new target as a secondary, the old target gone",
    );
    const report = await (await journal()).report(moved.upn);
    assert.equal(report.state, "completed");
    assert.equal(
      report.found?.original.ad.attributes.mail,
      moved.before.mail,
      "the originals are still the ones found before the first run",
    );
    const again = logLength();
    await stack.expect(["up", "--yes", "--refresh"]);
    assert.deepEqual(writesSince(again), [], "a second up writes nothing");
  });

  it("rollbackOnDelete puts AD attributes and license groups back from the journal; the B2B link stays", async () => {
    declare([declared(adele), declared(pending, { rollbackOnDelete: true })]);
    const since = logLength();
    await stack.expect(["up", "--yes"]);
    assert.deepEqual(writesSince(since), [], "changing rollbackOnDelete writes nothing");
    declare([declared(adele)]);
    const r = await stack.expect(["up", "--yes"]);
    assert.match(r.output, /rolled back: .*convertExternalToInternalMemberUser is beta only/);
    const u = await adUser(pending.dn);
    for (const a of [
      "mail",
      "proxyAddresses",
      "targetAddress",
      "msExchRecipientDisplayType",
      "msExchRecipientTypeDetails",
      "msExchRemoteRecipientType",
    ] as const) {
      assert.deepEqual(u[a], pending.before[a], `${a} as found`);
    }
    const groups = await groupIds(pending.cloudId);
    assert.ok(groups.includes(originalGroup), "back in the original group");
    assert.ok(!groups.includes(reachBackGroup), "out of the reach-back group");
    await licensedBy(pending.cloudId, originalGroup);
    assert.equal((await cloudUser(pending.cloudId)).externalUserState, "Accepted", "the B2B link stays");
    assert.equal((await (await journal()).report(pending.upn)).state, "reverted");
  });

  it("destroy leaves the user enabled and says so", async () => {
    declare([declared(adele)]);
    const since = logLength();
    const usnBefore = (await adUser(adele.dn)).usnChanged;
    const r = await stack.expect(["destroy", "--yes"]);
    assert.match(r.output, /left enabled for B2B reach-back/);
    assert.deepEqual(writesSince(since), []);
    assert.equal((await adUser(adele.dn)).usnChanged, usnBefore);
    assert.equal((await cloudUser(adele.cloudId)).externalUserState, "Accepted");
    assert.ok((await groupIds(adele.cloudId)).includes(reachBackGroup));
  });
});
