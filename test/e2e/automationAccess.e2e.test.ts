// The automation's access end to end (seed 000, "Provision Access for B2B Reach-Back Automation"
// and its test "Verify Automation Access"), through the real pulumi CLI against the emulator with
// Entra Connect syncing the real AD (Samba): preview shows every right and writes nothing, bad
// input is refused at preview, up grants exactly the declared rights, coex verify-access passes
// as the automation itself, drift of each kind shows as live values in pulumi refresh and is
// repaired, the certificate rotates without a gap, and destroy takes every right away again and
// gives the service account back the entries it had on the OU before the stack, exactly.
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { createClientCertificate, writeCredentialPem } from "../../emulator/pki";
import { SKU_FIXTURES } from "../../emulator/skus";
import { describeCertificate } from "../../lib/automation/certificates";
import { DELEGATED_USER_ATTRIBUTES } from "../../lib/config/automation";
import { DirectoryClient } from "../../lib/directory/client";
import { inspectDelegation } from "../../lib/directory/delegation";
import {
  ACE_TYPE_ACCESS_ALLOWED,
  ACE_TYPE_ACCESS_ALLOWED_OBJECT,
  type Ace,
  ADS_RIGHT_GENERIC_ALL,
  ADS_RIGHT_READ_PROP,
  ADS_RIGHT_WRITE_PROP,
  aceToBytes,
  CONTAINER_INHERIT_ACE,
  describeAce,
  INHERIT_ONLY_ACE,
  INHERITED_ACE,
  type SecurityDescriptor,
} from "../../lib/directory/securityDescriptor";
import { provider as automationProvider } from "../../providers/automationApp";
import { createScratchOu, type ScratchOu } from "../support/directoryFixtures";
import { driftEntries } from "../support/drift";
import { PulumiStack, repoRoot, stackConfigFor } from "../support/pulumi";
import { type SambaUnderTest, sambaOrSkip } from "../support/samba";
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
  /** The OU's DACL before the stack, each ACE as base64 bytes, in order. */
  let aclBeforeStack: string[];
  /** The two entries the service account had before the stack (broader, then mail), as bytes. */
  let preStack: string[];

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
  const aclOf = (sd: SecurityDescriptor) =>
    (sd.dacl?.aces ?? []).map((a) => aceToBytes(a).toString("base64"));
  const readAcl = async () => aclOf(await admin.readSecurityDescriptor(scratch.ouDn));
  /** `aces` added after the explicit entries, before the inherited ones (canonical order). */
  const withExplicit = (sd: SecurityDescriptor, aces: Ace[]): SecurityDescriptor => {
    assert.ok(sd.dacl);
    const at = sd.dacl.aces.findIndex((a) => (a.flags & INHERITED_ACE) !== 0);
    const end = at === -1 ? sd.dacl.aces.length : at;
    return {
      ...sd,
      dacl: { ...sd.dacl, aces: [...sd.dacl.aces.slice(0, end), ...aces, ...sd.dacl.aces.slice(end)] },
    };
  };

  /**
   * The AutomationApp provider as a new deployment's provider process has it: loaded afresh (the
   * kernel remembers what this process created, as one deployment's process does) and configured
   * with the stack configuration, for tests that drive it directly.
   */
  const deployment = async (): Promise<pulumi.dynamic.ResourceProvider> => {
    for (const m of [
      "../../providers/automationApp",
      "../../providers/kernel",
      "../../providers/connections",
    ]) {
      delete require.cache[require.resolve(m)];
    }
    const fresh: pulumi.dynamic.ResourceProvider = require("../../providers/automationApp").provider;
    const config = stackConfigFor(pair) as Record<string, unknown>;
    await fresh.configure?.({
      config: {
        get: (key: string) => {
          const v = config[key.replace(/^entra-coexistence:/, "")];
          return v === undefined ? undefined : JSON.stringify(v);
        },
      } as never,
    });
    return fresh;
  };
  const probeInputs = async (tenant: string, stackName: string) => {
    const r = await automationProvider.check?.(
      {},
      {
        tenant,
        stack: stackName,
        displayName: "Reach-Back Automation (replace probe)",
        certificates: [describeCertificate(new X509Certificate(readFileSync(certs.second.certOnly)))],
        permissions: ["User.Invite.All"],
      },
    );
    assert.ok(r?.inputs, JSON.stringify(r?.failures));
    return r.inputs;
  };

  before(async function () {
    samba = sambaOrSkip(this);
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
      certs[which] = {
        withKey,
        certOnly,
        thumbprint: new X509Certificate(kc.certPem).fingerprint.replace(/:/g, ""),
      };
    }
    // Before the stack, the service account already has two explicit entries on the OU, given by
    // hand long ago: write every property of the OU (broader than the delegation: up removes it)
    // and write mail on the users below (one of the declared rights). destroy gives both back.
    const before = await svcState();
    const mail = before.grants.find((g) => g.attribute === "mail");
    assert.ok(mail);
    await writeSd(
      withExplicit(before.sd, [
        {
          type: ACE_TYPE_ACCESS_ALLOWED,
          flags: 0,
          mask: ADS_RIGHT_READ_PROP | ADS_RIGHT_WRITE_PROP,
          sid: before.sid,
        },
        {
          type: ACE_TYPE_ACCESS_ALLOWED_OBJECT,
          flags: CONTAINER_INHERIT_ACE | INHERIT_ONLY_ACE,
          mask: ADS_RIGHT_WRITE_PROP,
          objectType: mail.attributeGuid,
          inheritedObjectType: mail.objectClassGuid,
          sid: before.sid,
        },
      ]),
    );
    aclBeforeStack = await readAcl();
    preStack = aclBeforeStack.filter((a) => !aclOf(before.sd).includes(a));
    assert.equal(preStack.length, 2);
    const pre = (await svcState()).state;
    assert.equal(pre.broader.length, 1, "the broader entry is in place before the stack");
    assert.deepEqual(
      pre.granted.map((g) => g.attribute),
      ["mail"],
    );

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
    assert.deepEqual(await readAcl(), aclBeforeStack);
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
    assert.deepEqual(await readAcl(), aclBeforeStack);
  });

  it("up creates the app with exactly the declared grants, owner of the cloud license groups, and the AD delegation, removing and recording the broader entry found", async () => {
    const up = await stack.expect(["up", "--yes"]);
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
    // It says what it removed and that destroy puts it back, and the state records both entries
    // found (the broader one removed, the declared one kept) byte for byte.
    assert.match(
      up.output,
      /removed a broader right of .* which it had before this stack: writes every property/,
    );
    assert.match(up.output, /pulumi destroy puts it back/);
    const delegation = (await stack.exportState()).deployment.resources.find((r) =>
      String(r.urn).endsWith("DirectoryDelegation::automation-directory"),
    ) as GraphJson;
    const found = delegation.outputs.ownership;
    assert.equal(found.kind, "adopted");
    assert.deepEqual(
      found.found.entries.map((e: GraphJson) => [e.ace, e.removed]),
      [
        [preStack[0], true],
        [preStack[1], false],
      ],
    );
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

  it("shows a revoked grant, an extra grant, a removed ownership and a removed access control entry as live values in refresh, fails verify-access naming them, and up --refresh repairs them", async () => {
    const [app] = await appsNamed();
    const sp = await servicePrincipalOf(app.appId);
    const graphSp = (
      await graph().list<GraphJson>(
        `/servicePrincipals?$filter=appId eq '${GRAPH_APP_ID}'&$select=id,appRoles`,
      )
    )[0];
    const roleId = (value: string) => graphSp.appRoles.find((r: GraphJson) => r.value === value).id;
    const assignment = (await graph().list<GraphJson>(`/servicePrincipals/${sp.id}/appRoleAssignments`)).find(
      (a: GraphJson) => a.appRoleId === roleId("User.Invite.All"),
    );
    await graph().delete(`/servicePrincipals/${sp.id}/appRoleAssignments/${assignment.id}`);
    // Someone grants the automation more than it needs.
    await graph().post(`/servicePrincipals/${sp.id}/appRoleAssignments`, {
      principalId: sp.id,
      resourceId: graphSp.id,
      appRoleId: roleId("Group.Read.All"),
    });
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

    // The engine's own diff: declared => live, under the declared properties' names.
    const refresh = await stack.run(["refresh", "--preview-only", "--expect-no-changes", "--diff"]);
    assert.equal(refresh.code, 7, refresh.output);
    assert.match(refresh.stdout, /~ permissions\s*: \[/);
    assert.match(refresh.stdout, /~ ownedGroupIds\s*: \[/);
    assert.match(refresh.stdout, /~ rights\s*: \[/);
    assert.doesNotMatch(refresh.stdout, /~ (certificates|displayName|broaderRights)\b/);

    const drift = await stack.coex(["drift", "--format", "json"]);
    assert.equal(drift.code, 7, drift.output);
    const found = driftEntries(drift.stdout);
    assert.deepEqual(found, [
      `automation-app AutomationApp ownedGroupIds declared "${original}" live (none)`,
      'automation-app AutomationApp permissions declared "User.Invite.All" live (none)',
      'automation-app AutomationApp permissions declared (none) live "Group.Read.All"',
      `automation-directory DirectoryDelegation rights declared "${scratch.ouDn}: write targetAddress on user objects below" live (none)`,
    ]);
    const table = await stack.coex(["drift"]);
    assert.equal(table.code, 7, table.output);
    assert.match(
      table.stdout,
      new RegExp(`drift in stack ${stack.name}: 4 settings changed outside Pulumi \\(2 resources\\)`),
    );
    assert.match(table.stdout, /automation-app +AutomationApp +permissions +"User\.Invite\.All" +\(none\)/);

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
    // Group.Read.All (granted by hand) lets it read the group; changing members needs ownership.
    assert.match(
      verify.stdout,
      /membership +LIC-Auto-E5 +fail +membership change \(ownership of the group\) is missing \(Authorization_RequestDenied/,
    );
    assert.match(verify.stdout, /permissions .*broader than declared: Group\.Read\.All/);
    assert.match(verify.stdout, /owner +LIC-Auto-E5-ReachBack +pass/);

    await stack.expect(["up", "--yes", "--refresh"]);
    assert.deepEqual(await grantsOf(sp.id), ["User.Invite.All", "User.ReadWrite.All"]);
    const owners = await graph().list<GraphJson>(`/groups/${original}/owners?$select=id`);
    assert.ok(
      owners.some((o: GraphJson) => o.id === sp.id),
      "owner again",
    );
    assert.equal((await svcState()).state.granted.length, 6);
    const after = await stack.coex(["drift"]);
    assert.equal(after.code, 0, after.output);
  });

  it("shows a broader right given to the service account by hand in broaderRights, and up --refresh removes it", async () => {
    const { sd, sid } = await svcState();
    assert.ok(sd.dacl);
    const broad: Ace = {
      type: ACE_TYPE_ACCESS_ALLOWED,
      flags: CONTAINER_INHERIT_ACE | INHERIT_ONLY_ACE,
      mask: ADS_RIGHT_WRITE_PROP,
      sid,
    } as Ace;
    await writeSd({ ...sd, dacl: { ...sd.dacl, aces: [broad, ...sd.dacl.aces] } });
    assert.equal((await svcState()).state.broader.length, 1);
    const refresh = await stack.run(["refresh", "--preview-only", "--expect-no-changes", "--diff"]);
    assert.equal(refresh.code, 7, refresh.output);
    assert.match(refresh.stdout, /~ broaderRights\s*: \[/);
    const drift = await stack.coex(["drift", "--format", "json"]);
    assert.equal(drift.code, 7, drift.output);
    const found = driftEntries(drift.stdout);
    assert.equal(found.length, 1, drift.output);
    assert.ok(
      found[0].startsWith(
        `automation-directory DirectoryDelegation broaderRights declared (none) live "${scratch.ouDn}: ${describeAce(broad)}: writes every property`,
      ),
      drift.output,
    );
    const up = await stack.expect(["up", "--yes", "--refresh"]);
    assert.match(up.output, /removed a broader right/);
    const after = await svcState();
    assert.deepEqual(after.state.broader, []);
    assert.equal(after.state.granted.length, 6);
    assert.equal((await stack.coex(["drift"])).code, 0);
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

  it("an OU added later gets the same care: what the account had there is recorded, and dropping the OU gives it back", async () => {
    const extra = await createScratchOu(samba.admin(), "autoextra");
    try {
      const { sid } = await svcState();
      const sd = await admin.readSecurityDescriptor(extra.ouDn);
      const fullControl: Ace = {
        type: ACE_TYPE_ACCESS_ALLOWED,
        flags: CONTAINER_INHERIT_ACE,
        mask: ADS_RIGHT_GENERIC_ALL,
        sid,
      };
      await admin.writeSecurityDescriptor(extra.ouDn, withExplicit(sd, [fullControl]));
      const before = aclOf(await admin.readSecurityDescriptor(extra.ouDn));
      const withBoth = (userOus: string[]) =>
        configFor({
          certificates: [certs.second.certOnly],
          credential: certs.second.withKey,
          automation: { userOus },
        });

      stack.writeConfig(withBoth([scratch.ouDn, extra.ouDn]));
      const up = await stack.expect(["up", "--yes"]);
      assert.match(
        up.output,
        new RegExp(
          `removed a broader right of .* on ${extra.ouDn}, which it had before this stack: has full control`,
        ),
      );
      const added = inspectDelegation(
        await admin.readSecurityDescriptor(extra.ouDn),
        sid,
        (await svcState()).grants,
      );
      assert.equal(added.granted.length, 6);
      assert.deepEqual(added.broader, []);
      // Samba keeps full control given with CONTAINER_INHERIT as two entries (the generic right
      // mapped for the OU itself, and an inherit-only copy): each is recorded as it is stored.
      const given = before.filter((a) => !aclOf(sd).includes(a));
      const recorded = (await stack.exportState()).deployment.resources.find((r) =>
        String(r.urn).endsWith("DirectoryDelegation::automation-directory"),
      ) as GraphJson;
      assert.deepEqual(
        recorded.outputs.ownership.found.entries.map((e: GraphJson) => [e.dn, e.ace, e.removed]),
        [
          [scratch.ouDn, preStack[0], true],
          [scratch.ouDn, preStack[1], false],
          ...given.map((a) => [extra.ouDn, a, true]),
        ],
      );

      stack.writeConfig(withBoth([scratch.ouDn]));
      await stack.expect(["up", "--yes"]);
      assert.deepEqual(aclOf(await admin.readSecurityDescriptor(extra.ouDn)), before);
      const kept = (await stack.exportState()).deployment.resources.find((r) =>
        String(r.urn).endsWith("DirectoryDelegation::automation-directory"),
      ) as GraphJson;
      assert.deepEqual(
        kept.outputs.ownership.found.entries.map((e: GraphJson) => e.dn),
        [scratch.ouDn, scratch.ouDn],
      );
      assert.equal((await stack.coex(["drift"])).code, 0);
    } finally {
      await extra.cleanup();
    }
  });

  it("destroy deletes the app with its grants and ownerships, takes the AD rights away and gives back exactly the entries the account had before the stack", async () => {
    stack.writeConfig(configFor({ certificates: [certs.second.certOnly], credential: certs.second.withKey }));
    const [app] = await appsNamed();
    const destroy = await stack.expect(["destroy", "--yes"]);
    assert.match(
      destroy.output,
      /put back on OU=automation-.* what the account had before the stack: \(A;;RPWP;;;S-1-5-21-/,
    );
    assert.deepEqual(await appsNamed(), []);
    assert.equal(await graph().getOptional(`/applications/${app.id}`), undefined);
    assert.equal(await servicePrincipalOf(app.appId), undefined);
    // The OU's DACL is what it was before the first up, entry for entry: the broader entry the
    // stack removed is back, the declared entry that was already there stayed, the rest is gone.
    const restored = await readAcl();
    assert.deepEqual(restored, aclBeforeStack);
    const { state } = await svcState();
    assert.deepEqual(
      state.granted.map((g) => g.attribute),
      ["mail"],
    );
    assert.ok(await admin.findAccount(scratch.serviceAccount.samAccountName), "the account itself stays");
  });
  it("create carries on with an app this stack left behind and refuses one another stack holds (the provider against the emulator)", async () => {
    const first = await deployment();
    const args = await probeInputs("source", "entra-coexistence/left-behind");
    const tags = (stack: string) => [
      "entra-coexistence:reachback-automation",
      `entra-coexistence:stack:${stack}`,
    ];
    const left = await asEstate(pair, () =>
      graph().post<GraphJson>("/applications", {
        displayName: "Reach-Back Automation (replace probe)",
        tags: tags("entra-coexistence/left-behind"),
      }),
    );
    const adopted = await first.create?.(args);
    assert.equal(adopted?.id, left.id);
    assert.deepEqual(adopted?.outs.ownership, {
      kind: "adopted",
      found: { appId: left.appId, tags: left.tags },
    });
    assert.deepEqual(adopted?.outs.permissions, ["User.Invite.All"]);
    await assert.rejects(
      first.create?.(await probeInputs("source", "entra-coexistence/another")) as Promise<unknown>,
      /is this product's but not this stack's \(.*: held by stack entra-coexistence\/left-behind\); two stacks must not hold one app/,
    );
    // Destroy (a later deployment) deletes an adopted app only while it carries this stack's tag.
    const destroy = await deployment();
    await graph().patch(`/applications/${left.id}`, { tags: tags("entra-coexistence/another") });
    await assert.rejects(
      destroy.delete?.(left.id, adopted?.outs) as Promise<unknown>,
      /no longer carries the tag entra-coexistence:stack:entra-coexistence\/left-behind .*nothing was deleted/,
    );
    await graph().patch(`/applications/${left.id}`, { tags: tags("entra-coexistence/left-behind") });
    await destroy.delete?.(left.id, adopted?.outs);
    assert.equal(await graph().getOptional(`/applications/${left.id}`), undefined);
  });

  it("a new tenant replaces the app: the new one is created in the other tenant first, then the old one is deleted (the provider against the emulator)", async () => {
    // The component always says source, so the replacement's path is driven through the provider
    // itself, in the order the engine calls it for a create-before-delete replacement.
    const check = (tenant: string) => probeInputs(tenant, "entra-coexistence/replace-probe");
    const first = await deployment();
    const named = (role: "source" | "target") =>
      pair
        .graph(role)
        .list<GraphJson>(
          "/applications?$filter=displayName eq 'Reach-Back Automation (replace probe)'&$select=id,tags",
        );
    const old = await first.create?.(await check("source"));
    assert.ok(old);
    const news = await check("target");
    // The next deployment: diff, then the replacement's create, then the old one's delete.
    const next = await deployment();
    const d = await next.diff?.(old.id, old.outs, news);
    assert.deepEqual(d?.replaces, ["tenant"]);
    assert.equal(d?.deleteBeforeReplace, false);
    const replacement = await next.create?.(news);
    assert.ok(replacement);
    assert.equal((await named("source")).length, 1, "the old app is still there while the new one is made");
    await next.delete?.(old.id, old.outs);
    assert.deepEqual(await named("source"), []);
    const [made] = await named("target");
    assert.equal(made.id, replacement.id);
    assert.ok(made.tags.includes("entra-coexistence:stack:entra-coexistence/replace-probe"), made.tags);
    await (await deployment()).delete?.(replacement.id, replacement.outs);
    assert.deepEqual(await named("target"), []);
  });
});
