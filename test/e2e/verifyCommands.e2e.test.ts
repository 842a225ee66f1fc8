// The verify commands must leave the tenant and AD as they found them (issue 9, safety item 6),
// through the real pulumi CLI and `coex`, against the emulator with Entra Connect syncing the real
// AD (Samba). verify-access deletes only a guest its own invitation created (invitedUser.id,
// created after the run started), never one that held the probe address before; with a right
// taken away in the middle it still runs every check and undoes and reports every change.
// verify-license-groups checks every reach-back group even when one fails in the middle (an AD
// group outside Entra Connect's scope, so its membership never syncs), leaves a membership the
// canary had alone, and leaves the canary in no group it was not in, with its addresses as found.
// Each claim is checked by reading the emulator and AD directly, not the command's output alone.
import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { Client } from "ldapts";
import { createClientCertificate, writeCredentialPem } from "../../emulator/pki";
import { DEPLOYER_ROLES } from "../../emulator/tenantPair";
import { DirectoryClient, type DirectoryUser } from "../../lib/directory/client";
import type { Ace } from "../../lib/directory/securityDescriptor";
import { createScratchOu, type ScratchOu } from "../support/directoryFixtures";
import { PulumiStack, repoRoot, stackConfigFor } from "../support/pulumi";
import { type SambaUnderTest, sambaOrSkip } from "../support/samba";
import { asEstate, emulatedPair, type TenantPairUnderTest, workDir } from "../support/tenantPairs";

// biome-ignore lint/suspicious/noExplicitAny: assertions walk Graph's JSON freely
type Json = any;
const SIX = [
  "mail",
  "proxyAddresses",
  "targetAddress",
  "msExchRecipientDisplayType",
  "msExchRecipientTypeDetails",
  "msExchRemoteRecipientType",
] as const;

/** The six attributes the verify commands write, in a form to compare (multi-valued: sorted). */
function sixOf(u: DirectoryUser | undefined): Record<string, unknown> {
  assert.ok(u, "the canary is still in AD");
  return Object.fromEntries(
    SIX.map((a) => [a, Array.isArray(u[a]) ? [...(u[a] as string[])].sort() : (u[a] ?? null)]),
  );
}

describe("e2e: the verify commands undo what they change", function () {
  this.timeout(400_000);
  let samba: SambaUnderTest;
  let pair: TenantPairUnderTest;
  let scratch: ScratchOu;
  let admin: DirectoryClient;
  let canaryUpn: string;
  let canaryId: string;
  let e5: Json;

  const graph = () => pair.graph("source");
  const canaryInAd = () => admin.getUser(scratch.userDn);
  const canaryGroups = async () =>
    (await graph().list<Json>(`/users/${canaryId}/memberOf?$select=id`)).map((g: Json) => g.id).sort();
  /** A cloud group with E5; by default every plan disabled, so nothing it licenses can scrub an
   * address. */
  const cloudGroup = (name: string, disableAll = true): Promise<string> =>
    asEstate(pair, async () => {
      const g = await graph().post<Json>("/groups", {
        displayName: name,
        mailEnabled: false,
        mailNickname: name.replace(/[^A-Za-z0-9]/g, ""),
        securityEnabled: true,
      });
      await graph().post(`/groups/${g.id}/assignLicense`, {
        addLicenses: [
          {
            skuId: e5.skuId,
            disabledPlans: disableAll ? e5.servicePlans.map((p: Json) => p.servicePlanId) : [],
          },
        ],
        removeLicenses: [],
      });
      return g.id;
    });

  before(async function () {
    samba = sambaOrSkip(this);
    admin = new DirectoryClient(samba.admin());
    scratch = await createScratchOu(samba.admin(), "verify");
    // The canary: a mail user (seed 000's test needs one), synced from the scratch OU.
    await admin.writeExchangeAttributes(scratch.userDn, {
      msExchRecipientTypeDetails: 128,
      msExchRecipientDisplayType: 6,
      msExchRemoteRecipientType: null,
    });
    const canary = await canaryInAd();
    assert.ok(canary?.userPrincipalName);
    canaryUpn = canary.userPrincipalName;
    // The deployer may also invite and change users here: the tests make a guest by hand with it.
    pair = await emulatedPair([...DEPLOYER_ROLES, "User.Invite.All", "User.ReadWrite.All"], {
      source: "fabrikam.example",
      target: "contoso.example",
    });
    assert.ok(pair.emulator);
    const engine = pair.emulator.attachEntraConnect(
      pair.connections.source.tenantId,
      samba.admin({ baseDn: samba.fabrikamOu }),
      { intervalMs: 1000 },
    );
    await engine.requestCycle();
    canaryId = (await graph().get<Json>(`/users/${encodeURIComponent(canaryUpn)}?$select=id`)).id;
    e5 = (await graph().list<Json>("/subscribedSkus")).find((x: Json) => x.skuPartNumber === "SPE_E5");
    assert.ok(e5);
  });

  after(async () => {
    await pair?.close();
    await scratch?.cleanup();
    await admin?.close();
  });

  describe("coex verify-access", () => {
    let stack: PulumiStack;
    let credential: string;
    let certificate: string;
    let licenseGroups: Json;
    let earlierGuest: string;
    const rel = (file: string) => path.relative(repoRoot, file);
    const configFor = (inviteEmailAddress: string) => ({
      ...stackConfigFor(pair),
      activeDirectory: {
        url: samba.connection.ldapsUrl,
        caCertPath: samba.connection.caCertPath,
        bindDn: samba.connection.adminBindDn,
        password: samba.connection.adminPassword,
        baseDn: samba.fabrikamOu,
      },
      ...(licenseGroups ? { licenseGroups } : {}),
      automation: {
        displayName: "Reach-Back Automation (verify e2e)",
        certificates: [rel(certificate)],
        serviceAccount: { name: scratch.serviceAccount.bindDn, password: scratch.serviceAccount.password },
        userOus: [scratch.ouDn],
        verify: { credentialPath: rel(credential), canaryUserPrincipalName: canaryUpn, inviteEmailAddress },
      },
    });

    before(async () => {
      await cloudGroup("LIC-VA-E5", false);
      const dir = workDir("verify-certs");
      const kc = createClientCertificate("reachback-automation-verify");
      credential = path.join(dir, "automation.pem");
      certificate = path.join(dir, "automation.crt");
      writeCredentialPem(credential, kc);
      writeFileSync(certificate, kc.certPem);
      stack = new PulumiStack(`vacc${Date.now().toString(36)}`);
      await stack.init();
      stack.writeConfig(configFor("va.probe@contoso.example"));
      const discovered = await stack.coex(["discover", "--write"]);
      assert.equal(discovered.code, 0, discovered.output);
      const r = await stack.run(["config", "--json", "--show-secrets", "--config-file", stack.configFile]);
      licenseGroups = JSON.parse(JSON.parse(r.stdout)["entra-coexistence:licenseGroups"].value);
      stack.writeConfig(configFor("va.probe@contoso.example"));
      // A guest invited for the probe address long before the check; someone has since changed
      // its mail, so the address is only in its otherMails: an invitation still answers with it.
      earlierGuest = await asEstate(pair, async () => {
        const invitation = await graph().post<Json>("/invitations", {
          invitedUserEmailAddress: "va.probe@contoso.example",
          inviteRedirectUrl: "https://myapps.microsoft.com",
          sendInvitationMessage: false,
        });
        await graph().patch(`/users/${invitation.invitedUser.id}`, {
          mail: "va.probe.renamed@contoso.example",
        });
        return invitation.invitedUser.id as string;
      });
      await stack.expect(["up", "--yes"]);
    });

    after(() => stack?.dispose());

    it("leaves alone a guest that held the probe address before the run, and says so", async () => {
      const r = await stack.coex(["verify-access"]);
      assert.equal(r.code, 0, r.output);
      const guest = await graph().getOptional<Json>(`/users/${earlierGuest}?$select=id,mail`);
      assert.ok(guest, "the guest that existed before the run was not deleted");
      assert.equal(guest.mail, "va.probe.renamed@contoso.example");
      assert.match(
        r.stdout,
        new RegExp(
          `invite .*pass .*it answered with .*${earlierGuest}.*which this run did not create .*left as it is`,
        ),
      );
      assert.match(r.stdout, /afterwards .*pass .*the canary is in the same groups as before/);
    });

    it("with rights taken away in the middle, runs every check, deletes only its own guest, undoes and reports every change", async () => {
      stack.writeConfig(configFor("va.fresh@contoso.example"));
      // Someone takes away the service account's write on targetAddress (DirectoryDelegation) and
      // the automation's ownership of the original license group.
      const sd = await admin.readSecurityDescriptor(scratch.ouDn);
      const targetGuid = (await admin.schemaIdGuids(["targetAddress"])).get("targetAddress");
      assert.ok(sd.dacl && targetGuid);
      await admin.writeSecurityDescriptor(scratch.ouDn, {
        ...sd,
        dacl: {
          ...sd.dacl,
          aces: sd.dacl.aces.filter((a: Ace) => a.objectType?.toLowerCase() !== targetGuid),
        },
      });
      const original = licenseGroups.mappings[0].originalGroupId;
      const [app] = await graph().list<Json>(
        "/applications?$filter=displayName eq 'Reach-Back Automation (verify e2e)'&$select=appId",
      );
      const [sp] = await graph().list<Json>(`/servicePrincipals?$filter=appId eq '${app.appId}'&$select=id`);
      await graph().post(`/groups/${original}/owners/$ref`, {
        "@odata.id": `${graph().baseUrl}v1.0/directoryObjects/${canaryId}`,
      });
      await graph().delete(`/groups/${original}/owners/${sp.id}/$ref`);
      const adBefore = sixOf(await canaryInAd());
      const groupsBefore = await canaryGroups();

      const r = await stack.coex(["verify-access"]);
      assert.equal(r.code, 1, r.output);
      // Every check ran.
      assert.match(
        r.stdout,
        /AD write +targetAddress +fail .*Write Property on targetAddress for user objects is missing/,
      );
      for (const a of SIX.filter((x) => x !== "targetAddress"))
        assert.match(r.stdout, new RegExp(`AD write +${a} +pass +written and restored`));
      assert.match(r.stdout, /owner +LIC-VA-E5 +fail/);
      assert.match(r.stdout, /membership +LIC-VA-E5-ReachBack +pass/);
      // Every change was undone and reported.
      for (const a of SIX.filter((x) => x !== "targetAddress"))
        assert.match(r.stdout, new RegExp(`undo +wrote ${a} on .* +pass +restored`));
      assert.match(r.stdout, /undo +added the canary to LIC-VA-E5-ReachBack +pass +removed/);
      assert.doesNotMatch(r.stdout, /undo .*targetAddress/, "a write AD refused changed nothing to undo");
      const made = r.stdout.match(/invite .*pass .*the guest it made \(([0-9a-f-]{36})\) was deleted/);
      assert.ok(made, r.stdout);
      assert.match(
        r.stdout,
        new RegExp(
          `undo +guest ${made[1]} made by the invitation of va.fresh@contoso.example +pass +deleted`,
        ),
      );
      assert.match(
        r.stdout,
        /afterwards .*pass .*in AD, the canary has its six attributes and groups as before/,
      );

      // Read back from AD and the emulator, not from the output.
      assert.deepEqual(sixOf(await canaryInAd()), adBefore);
      assert.deepEqual(await canaryGroups(), groupsBefore);
      assert.equal(await graph().getOptional(`/users/${made[1]}`), undefined, "this run's guest is gone");
      assert.ok(await graph().getOptional(`/users/${earlierGuest}`), "the earlier guest is still there");
    });
  });

  describe("coex verify-license-groups", () => {
    let stack: PulumiStack;
    let outsideGroupDn: string;
    const id = randomBytes(3).toString("hex");
    const names = { a: `VER-A-${id}`, b: `VER-B-${id}`, c: `VER-C-${id}`, d: `VER-D-${id}` };
    const mapping = (reachBackGroupName: string, source: "cloud" | "onPremises") => ({
      originalGroupId: randomUUID(),
      originalGroupName: `${reachBackGroupName}-original`,
      source,
      reachBackGroupName,
      licenses: [{ skuId: e5.skuId }],
    });

    /** Creates, as Administrator, a security group outside OU=Fabrikam: Entra Connect does not see it. */
    const outsideSyncScope = async (name: string): Promise<string> => {
      const client = new Client({
        url: samba.connection.ldapsUrl,
        tlsOptions: { ca: [readFileSync(samba.connection.caCertPath)] },
      });
      try {
        await client.bind(samba.connection.adminBindDn, samba.connection.adminPassword);
        const dn = `CN=${name},CN=Users,${samba.connection.baseDn}`;
        await client.add(dn, {
          objectClass: ["top", "group"],
          cn: name,
          sAMAccountName: name,
          groupType: "-2147483646",
        });
        return dn;
      } finally {
        await client.unbind().catch(() => undefined);
      }
    };

    before(async () => {
      await cloudGroup(names.a);
      await cloudGroup(names.c);
      // B: on-premises in the mapping, but its AD group is outside the sync scope, so the canary's
      // membership never reaches the Entra ID group of that name: the check fails in the middle.
      outsideGroupDn = await outsideSyncScope(names.b);
      await cloudGroup(names.b);
      // D: the canary is a member before the run.
      const d = await cloudGroup(names.d);
      await graph().post(`/groups/${d}/members/$ref`, {
        "@odata.id": `${graph().baseUrl}v1.0/directoryObjects/${canaryId}`,
      });
      stack = new PulumiStack(`vlic${Date.now().toString(36)}`);
      await stack.init();
      stack.writeConfig({
        ...stackConfigFor(pair),
        activeDirectory: {
          url: samba.connection.ldapsUrl,
          caCertPath: samba.connection.caCertPath,
          bindDn: samba.connection.adminBindDn,
          password: samba.connection.adminPassword,
          baseDn: samba.connection.baseDn,
        },
        licenseGroups: {
          mappings: [
            mapping(names.a, "cloud"),
            mapping(names.b, "onPremises"),
            mapping(names.c, "cloud"),
            mapping(names.d, "cloud"),
          ],
          canary: { userPrincipalName: canaryUpn, syncTimeoutSeconds: 15, licenseTimeoutSeconds: 30 },
        },
      });
    });

    after(async () => {
      stack?.dispose();
      if (outsideGroupDn) {
        const client = new Client({
          url: samba.connection.ldapsUrl,
          tlsOptions: { ca: [readFileSync(samba.connection.caCertPath)] },
        });
        await client.bind(samba.connection.adminBindDn, samba.connection.adminPassword);
        await client.del(outsideGroupDn).catch(() => undefined);
        await client.unbind().catch(() => undefined);
      }
    });

    it("checks every group when one fails in the middle, undoes every change, and leaves the canary as found", async () => {
      const adBefore = sixOf(await canaryInAd());
      const groupsBefore = await canaryGroups();
      const outsideBefore = await admin.findGroupByName(names.b);
      assert.deepEqual(outsideBefore?.memberDns, []);

      const r = await stack.coex(["verify-license-groups"]);
      assert.equal(r.code, 1, r.output);
      // First, read back from AD and the emulator: no group it was not in, the one it was in
      // kept, and its addresses as found.
      assert.deepEqual((await admin.findGroupByName(names.b))?.memberDns, [], "not left in the AD group");
      assert.deepEqual(await canaryGroups(), groupsBefore);
      assert.deepEqual(sixOf(await canaryInAd()), adBefore);

      // Then the report: every group checked, every change undone.
      assert.match(r.stdout, new RegExp(`${names.a} +pass +\\S+ kept as primary SMTP and mail`));
      assert.match(
        r.stdout,
        new RegExp(
          `${names.b} +fail +timed out .* waiting for Entra Connect to sync the canary into ${names.b}`,
        ),
      );
      assert.match(r.stdout, new RegExp(`${names.c} +pass`), "the group after the failing one was checked");
      assert.match(
        r.stdout,
        new RegExp(`${names.d} +fail +the canary is already a member.*left in the group`),
      );
      assert.match(r.stdout, new RegExp(`undone +added the canary to ${names.b} in AD: removed in AD`));
      assert.match(r.stdout, new RegExp(`undone +added the canary to ${names.a}: removed through Graph`));
      assert.match(r.stdout, /undone +set \S+ as the canary's mail and primary SMTP in AD: restored in AD/);
      assert.match(r.stdout, /afterwards: the canary is as found/);
    });
  });
});
