// The automation's access end to end (seed 000, "Provision Access for B2B Reach-Back Automation"
// and its test "Verify Automation Access"), through the real pulumi CLI against the emulator with
// Entra Connect syncing the real AD (Samba): preview shows every right and writes nothing, bad
// input is refused at preview, up grants exactly the declared rights, coex verify-access passes
// as the automation itself, drift of each kind is reported and repaired, the certificate rotates
// without a gap, and destroy takes every right away again.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { createClientCertificate, writeCredentialPem } from "../../emulator/pki";
import { SKU_FIXTURES } from "../../emulator/skus";
import { DELEGATED_USER_ATTRIBUTES } from "../../lib/config/automation";
import { DirectoryClient } from "../../lib/directory/client";
import { inspectDelegation } from "../../lib/directory/delegation";
import {
  ACE_TYPE_ACCESS_ALLOWED,
  type Ace,
  ADS_RIGHT_WRITE_PROP,
  type SecurityDescriptor,
} from "../../lib/directory/securityDescriptor";
import { createScratchOu, type ScratchOu } from "../support/directoryFixtures";
import { PulumiStack, repoRoot, stackConfigFor } from "../support/pulumi";
import { type SambaUnderTest, sambaUnderTest } from "../support/samba";
import { asEstate, emulatedPair, type TenantPairUnderTest, workDir } from "../support/tenantPairs";

// biome-ignore lint/suspicious/noExplicitAny: assertions walk Graph's JSON freely
type GraphJson = any;
const E5 = SKU_FIXTURES.SPE_E5;
const GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";
const SIX = DELEGATED_USER_ATTRIBUTES;

describe("e2e: automation access through the pulumi CLI", function () {
  this.timeout(400_000);
  let samba: SambaUnderTest;
  let pair: TenantPairUnderTest;
  let stack: PulumiStack;
  let scratch: ScratchOu;
  let admin: DirectoryClient;
  let canaryUpn: string;
  let dir: string;
  const certs: Record<"first" | "second", { certOnly: string; withKey: string; thumbprint: string }> =
    {} as never;
  let licenseGroups: unknown;

  const graph = () => pair.graph("source");
  const rel = (file: string) => path.relative(repoRoot, file);
  const configFor = (
    overrides: { certificates?: string[]; credential?: string; automation?: Record<string, unknown> } = {},
  ) => ({
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
      displayName: "Reach-Back Automation (e2e)",
      certificates: (overrides.certificates ?? [certs.first.certOnly]).map(rel),
      serviceAccount: { name: scratch.serviceAccount.bindDn, password: scratch.serviceAccount.password },
      userOus: [scratch.ouDn],
      verify: {
        credentialPath: rel(overrides.credential ?? certs.first.withKey),
        canaryUserPrincipalName: canaryUpn,
        inviteEmailAddress: "reachback.probe@contoso.example",
      },
      ...overrides.automation,
    },
  });
  const appsNamed = async () =>
    graph().list<GraphJson>(
      "/applications?$filter=displayName eq 'Reach-Back Automation (e2e)'&$select=id,appId",
    );
  const servicePrincipalOf = async (appId: string) =>
    (await graph().list<GraphJson>(`/servicePrincipals?$filter=appId eq '${appId}'&$select=id`))[0];
  const grantsOf = async (spId: string): Promise<string[]> => {
    const graphSp = (
      await graph().list<GraphJson>(
        `/servicePrincipals?$filter=appId eq '${GRAPH_APP_ID}'&$select=id,appRoles`,
      )
    )[0];
    const assignments = await graph().list<GraphJson>(`/servicePrincipals/${spId}/appRoleAssignments`);
    return assignments
      .map(
        (a: GraphJson) => graphSp.appRoles.find((r: GraphJson) => r.id === a.appRoleId)?.value ?? a.appRoleId,
      )
      .sort();
  };
  const svcState = async () => {
    const sd = await admin.readSecurityDescriptor(scratch.ouDn);
    const account = await admin.findAccount(scratch.serviceAccount.samAccountName);
    assert.ok(account);
    const guids = await admin.schemaIdGuids([...SIX, "user"]);
    const grants = SIX.map((attribute) => ({
      attribute,
      attributeGuid: guids.get(attribute) as string,
      objectClass: "user",
      objectClassGuid: guids.get("user") as string,
      scope: "descendants" as const,
    }));
    return { sd, sid: account.sid, grants, state: inspectDelegation(sd, account.sid, grants) };
  };
  const writeSd = (sd: SecurityDescriptor) => admin.writeSecurityDescriptor(scratch.ouDn, sd);

  before(async function () {
    const s = sambaUnderTest();
    if (typeof s === "string") {
      console.log(`      skipped: ${s}`);
      this.skip();
    }
    samba = s as SambaUnderTest;
    admin = new DirectoryClient(samba.admin());
    scratch = await createScratchOu(samba.admin(), "automation");
    const canary = await admin.getUser(scratch.userDn);
    assert.ok(canary?.userPrincipalName, "the scratch user has a UPN");
    canaryUpn = canary.userPrincipalName;
    pair = await emulatedPair(undefined, { source: "fabrikam.example", target: "contoso.example" });
    assert.ok(pair.emulator);
    const engine = pair.emulator.attachEntraConnect(
      pair.connections.source.tenantId,
      samba.admin({ baseDn: samba.fabrikamOu }),
      {
        intervalMs: 1000,
      },
    );
    await engine.requestCycle();
    // A cloud license group before reach-back, for the mapping and the ownership.
    await asEstate(pair, async () => {
      const cloud = await graph().post<GraphJson>("/groups", {
        displayName: "LIC-Auto-E5",
        mailEnabled: false,
        mailNickname: "LIC-Auto-E5",
        securityEnabled: true,
      });
      await graph().post(`/groups/${cloud.id}/assignLicense`, {
        addLicenses: [{ skuId: E5.skuId, disabledPlans: [] }],
        removeLicenses: [],
      });
    });
    dir = workDir("automation-certs");
    for (const which of ["first", "second"] as const) {
      const kc = createClientCertificate(`reachback-automation-${which}`);
      const withKey = path.join(dir, `${which}.pem`);
      const certOnly = path.join(dir, `${which}.crt`);
      writeCredentialPem(withKey, kc);
      writeFileSync(certOnly, kc.certPem);
      const { X509Certificate } = await import("node:crypto");
      certs[which] = {
        withKey,
        certOnly,
        thumbprint: new X509Certificate(kc.certPem).fingerprint.replace(/:/g, ""),
      };
    }
    stack = new PulumiStack(`auto${Date.now().toString(36)}`);
    await stack.init();
    stack.writeConfig(configFor());
    const discovered = await stack.coex(["discover", "--write"]);
    assert.equal(discovered.code, 0, discovered.output);
    const r = await stack.run(["config", "--json", "--show-secrets", "--config-file", stack.configFile]);
    licenseGroups = JSON.parse(JSON.parse(r.stdout)["entra-coexistence:licenseGroups"].value);
  });

  after(async () => {
    stack?.dispose();
    await pair?.close();
    await scratch?.cleanup();
    await admin?.close();
  });

  it("refuses bad input at preview, naming the file or key, and writes nothing", async () => {
    stack.writeConfig(configFor({ certificates: [certs.first.withKey] }));
    let r = await stack.run(["preview"]);
    assert.notEqual(r.code, 0);
    assert.match(r.output, /first\.pem: holds a private key; give the certificate alone/);
    stack.writeConfig(configFor({ automation: { userOus: [] } }));
    r = await stack.run(["preview"]);
    assert.notEqual(r.code, 0);
    assert.match(r.output, /automation\.userOus: name the OUs whose users the service account may change/);
    stack.writeConfig(configFor({ certificates: [certs.first.certOnly, certs.first.certOnly] }));
    r = await stack.run(["preview"]);
    assert.notEqual(r.code, 0);
    assert.match(r.output, /is the same certificate as/);
    assert.deepEqual(await appsNamed(), []);
    assert.equal((await svcState()).state.granted.length, 0);
  });

  it("previews every right the automation gets without writing anything", async () => {
    stack.writeConfig(configFor());
    const r = await stack.expect(["preview", "--diff"]);
    assert.match(r.output, /AutomationApp/);
    assert.match(r.output, /User\.Invite\.All/);
    assert.match(r.output, /User\.ReadWrite\.All/);
    assert.match(r.output, /DirectoryDelegation/);
    for (const a of SIX) assert.match(r.output, new RegExp(a));
    assert.ok(r.output.includes(scratch.ouDn), "the OU in scope is shown");
    assert.ok(r.output.includes(certs.first.thumbprint), "the certificate's thumbprint is shown");
    assert.deepEqual(await appsNamed(), []);
    assert.equal((await svcState()).state.granted.length, 0);
  });

  it("up creates the app with exactly the declared grants, owner of the cloud license groups, and the AD delegation", async () => {
    await stack.expect(["up", "--yes"]);
    const [app] = await appsNamed();
    assert.ok(app, "one app registration");
    const keys = await graph().get<GraphJson>(`/applications/${app.id}?$select=keyCredentials`);
    assert.equal(keys.keyCredentials.length, 1);
    const sp = await servicePrincipalOf(app.appId);
    assert.deepEqual(await grantsOf(sp.id), ["User.Invite.All", "User.ReadWrite.All"]);
    const outputs = JSON.parse((await stack.expect(["stack", "output", "--json"])).stdout);
    assert.equal(outputs.automationClientId, app.appId);
    const groupIds = [
      ...(licenseGroups as GraphJson).mappings.map((m: GraphJson) => m.originalGroupId),
      ...Object.values(outputs.licenseGroupMapping as Record<string, string>),
    ];
    assert.equal(groupIds.length, 2);
    for (const id of groupIds) {
      const owners = await graph().list<GraphJson>(`/groups/${id}/owners?$select=id`);
      assert.ok(
        owners.some((o: GraphJson) => o.id === sp.id),
        `owner of ${id}`,
      );
    }
    const { state } = await svcState();
    assert.equal(state.granted.length, 6);
    assert.deepEqual(state.missing, []);
    assert.deepEqual(state.broader, []);
  });

  it("coex verify-access passes every check as the automation itself", async () => {
    const r = await stack.coex(["verify-access"]);
    assert.equal(r.code, 0, r.output);
    assert.match(r.stdout, /sign-in .*pass/);
    assert.match(r.stdout, /permissions .*pass .*exactly User\.Invite\.All, User\.ReadWrite\.All/);
    assert.match(r.stdout, /owner +LIC-Auto-E5 +pass/);
    assert.match(r.stdout, /membership +LIC-Auto-E5-ReachBack +pass/);
    assert.match(r.stdout, /invite .*pass/);
    for (const a of SIX) assert.match(r.stdout, new RegExp(`AD write +${a} +pass`));
    assert.match(r.stdout, /all \d+ access checks passed/);
    const guests = await graph().list<GraphJson>(
      "/users?$filter=mail eq 'reachback.probe@contoso.example'&$select=id",
    );
    assert.deepEqual(guests, [], "the probe guest was deleted");
  });

  it("reports a revoked grant, a removed ownership and a removed access control entry as drift, fails verify-access naming them, and up --refresh repairs them", async () => {
    const [app] = await appsNamed();
    const sp = await servicePrincipalOf(app.appId);
    const graphSp = (
      await graph().list<GraphJson>(
        `/servicePrincipals?$filter=appId eq '${GRAPH_APP_ID}'&$select=id,appRoles`,
      )
    )[0];
    const invite = graphSp.appRoles.find((r: GraphJson) => r.value === "User.Invite.All");
    const assignment = (await graph().list<GraphJson>(`/servicePrincipals/${sp.id}/appRoleAssignments`)).find(
      (a: GraphJson) => a.appRoleId === invite.id,
    );
    await graph().delete(`/servicePrincipals/${sp.id}/appRoleAssignments/${assignment.id}`);
    // Someone takes the original license group away from the automation (Graph keeps one owner).
    const original = (licenseGroups as GraphJson).mappings[0].originalGroupId;
    const person = await graph().get<GraphJson>(`/users/${encodeURIComponent(canaryUpn)}?$select=id`);
    await graph().post(`/groups/${original}/owners/$ref`, {
      "@odata.id": `${graph().baseUrl}v1.0/directoryObjects/${person.id}`,
    });
    await graph().delete(`/groups/${original}/owners/${sp.id}/$ref`);
    const { sd, grants } = await svcState();
    const target = grants.find((g) => g.attribute === "targetAddress");
    assert.ok(sd.dacl && target);
    await writeSd({
      ...sd,
      dacl: {
        ...sd.dacl,
        aces: sd.dacl.aces.filter((a: Ace) => a.objectType?.toLowerCase() !== target.attributeGuid),
      },
    });

    const drift = await stack.coex(["drift"]);
    assert.equal(drift.code, 7, drift.output);
    assert.match(drift.output, /User\.Invite\.All is not granted/);
    assert.match(drift.output, /missing: .*write targetAddress on user objects below/);
    assert.ok(drift.output.includes(`does not own group ${original}`), drift.output);

    const verify = await stack.coex(["verify-access"]);
    assert.equal(verify.code, 1, verify.output);
    assert.match(verify.stdout, /permissions .*fail .*not granted: User\.Invite\.All/);
    // Graph's invitation API also takes User.ReadWrite.All, so the call still succeeds: the token's
    // permissions row is what names the missing grant.
    assert.match(verify.stdout, /invite .*pass/);
    assert.match(
      verify.stdout,
      /AD write +targetAddress +fail .*Write Property on targetAddress for user objects is missing/,
    );
    assert.match(verify.stdout, /AD write +mail +pass/);
    assert.match(
      verify.stdout,
      /owner +LIC-Auto-E5 +fail +ownership of the group .* is missing \(Authorization_RequestDenied/,
    );
    assert.match(verify.stdout, /owner +LIC-Auto-E5-ReachBack +pass/);

    await stack.expect(["up", "--yes", "--refresh"]);
    assert.deepEqual(await grantsOf(sp.id), ["User.Invite.All", "User.ReadWrite.All"]);
    const owners = await graph().list<GraphJson>(`/groups/${original}/owners?$select=id`);
    assert.ok(
      owners.some((o: GraphJson) => o.id === sp.id),
      "owner again",
    );
    assert.equal((await svcState()).state.granted.length, 6);
    assert.equal((await stack.coex(["drift"])).code, 0);
  });

  it("reports a broader right given to the service account by hand and up --refresh removes it", async () => {
    const { sd, sid } = await svcState();
    assert.ok(sd.dacl);
    const broad: Ace = {
      type: ACE_TYPE_ACCESS_ALLOWED,
      flags: 0x02 | 0x08,
      mask: ADS_RIGHT_WRITE_PROP,
      sid,
    } as Ace;
    await writeSd({ ...sd, dacl: { ...sd.dacl, aces: [broad, ...sd.dacl.aces] } });
    assert.equal((await svcState()).state.broader.length, 1);
    const drift = await stack.coex(["drift"]);
    assert.equal(drift.code, 7, drift.output);
    assert.match(drift.output, /broader on /);
    const up = await stack.expect(["up", "--yes", "--refresh"]);
    assert.match(up.output, /removed a broader right/);
    const after = await svcState();
    assert.deepEqual(after.state.broader, []);
    assert.equal(after.state.granted.length, 6);
  });

  it("rotates the certificate without a gap: the new key is added before the old one is removed", async () => {
    const [app] = await appsNamed();
    const log = pair.emulator?.http.log ?? [];
    const mark = log.length;
    stack.writeConfig(configFor({ certificates: [certs.second.certOnly], credential: certs.second.withKey }));
    const preview = await stack.expect(["preview", "--diff"]);
    assert.ok(preview.output.includes(certs.second.thumbprint));
    await stack.expect(["up", "--yes"]);
    const patches = log
      .slice(mark)
      .filter((l) => l.method === "PATCH" && l.path.startsWith(`/v1.0/applications/${app.id}`));
    assert.equal(patches.length, 2, "one PATCH adds the new key, a second removes the old one");
    const keys = await graph().get<GraphJson>(`/applications/${app.id}?$select=keyCredentials`);
    assert.equal(keys.keyCredentials.length, 1);
    const verify = await stack.coex(["verify-access"]);
    assert.equal(verify.code, 0, verify.output);
    // The old certificate no longer signs in.
    stack.writeConfig(configFor({ certificates: [certs.second.certOnly], credential: certs.first.withKey }));
    const old = await stack.coex(["verify-access"]);
    assert.equal(old.code, 1);
    assert.match(old.stdout, /sign-in .*fail .*AADSTS700027/);
  });

  it("destroy deletes the app with its grants and ownerships and takes the AD rights away", async () => {
    stack.writeConfig(configFor({ certificates: [certs.second.certOnly], credential: certs.second.withKey }));
    const [app] = await appsNamed();
    await stack.expect(["destroy", "--yes"]);
    assert.deepEqual(await appsNamed(), []);
    assert.equal(await graph().getOptional(`/applications/${app.id}`), undefined);
    assert.equal(await servicePrincipalOf(app.appId), undefined);
    const { state } = await svcState();
    assert.equal(state.granted.length, 0);
    assert.ok(await admin.findAccount(scratch.serviceAccount.samAccountName), "the account itself stays");
  });
});
