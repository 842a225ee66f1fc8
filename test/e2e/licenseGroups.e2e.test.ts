// Reach-back license groups end to end: coex discover → review → pulumi up → drift of each kind →
// coex verify-license-groups → destroy, through the real pulumi CLI, against the emulator with
// Entra Connect syncing the real AD (Samba).
import assert from "node:assert/strict";
import { SKU_FIXTURES } from "../../emulator/skus";
import { DirectoryClient } from "../../lib/directory/client";
import { driftEntries } from "../support/drift";
import { PulumiStack, stackConfigFor } from "../support/pulumi";
import { type SambaUnderTest, sambaOrSkip } from "../support/samba";
import { asEstate, emulatedPair, emulatorAdmin, type TenantPairUnderTest } from "../support/tenantPairs";

// biome-ignore lint/suspicious/noExplicitAny: assertions walk Graph's JSON freely
type GraphJson = any;
const E5 = SKU_FIXTURES.SPE_E5;
const EXCHANGE = E5.servicePlans.find((p) => p.servicePlanName === "EXCHANGE_S_ENTERPRISE");
const TEAMS = E5.servicePlans.find((p) => p.servicePlanName === "TEAMS1");
const CANARY = "reachback.canary@fabrikam.example";

describe("e2e: reach-back license groups through the pulumi CLI", function () {
  this.timeout(300_000);
  let samba: SambaUnderTest;
  let pair: TenantPairUnderTest;
  let stack: PulumiStack;
  let cloudOriginal: string;
  let syncedOriginal: string;

  const graph = () => pair.graph("source");
  const groupNamed = async (name: string): Promise<GraphJson> => {
    const found = await graph().get<GraphJson>(
      `/groups?$filter=displayName eq '${name}'&$select=id,displayName,assignedLicenses,onPremisesSyncEnabled`,
    );
    return found.value[0];
  };
  const configFor = (licenseGroups?: unknown) => ({
    ...stackConfigFor(pair),
    activeDirectory: {
      url: samba.connection.ldapsUrl,
      caCertPath: samba.connection.caCertPath,
      bindDn: samba.connection.serviceAccount.bindDn,
      password: samba.connection.serviceAccount.password,
      baseDn: samba.fabrikamOu,
    },
    ...(licenseGroups ? { licenseGroups } : {}),
  });
  const currentLicenseGroups = async () => {
    const r = await stack.run(["config", "--json", "--show-secrets", "--config-file", stack.configFile]);
    return JSON.parse(JSON.parse(r.stdout)["entra-coexistence:licenseGroups"].value);
  };

  before(async function () {
    samba = sambaOrSkip(this);
    assert.ok(EXCHANGE && TEAMS, "E5 fixture has Exchange and Teams plans");
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
    // The tenant's license groups before reach-back: a cloud one (Teams already disabled) and the
    // one synced from AD.
    await asEstate(pair, async () => {
      const cloud = await graph().post<GraphJson>("/groups", {
        displayName: "LIC-Cloud-E5",
        mailEnabled: false,
        mailNickname: "LIC-Cloud-E5",
        securityEnabled: true,
      });
      cloudOriginal = cloud.id;
      await graph().post(`/groups/${cloudOriginal}/assignLicense`, {
        addLicenses: [{ skuId: E5.skuId, disabledPlans: [TEAMS?.servicePlanId] }],
        removeLicenses: [],
      });
      syncedOriginal = (await groupNamed("LIC-M365-E5")).id;
      await graph().post(`/groups/${syncedOriginal}/assignLicense`, {
        addLicenses: [{ skuId: E5.skuId, disabledPlans: [] }],
        removeLicenses: [],
      });
    });
    stack = new PulumiStack(`lic${Date.now().toString(36)}`);
    await stack.init();
    stack.writeConfig(configFor());
  });

  after(async () => {
    stack?.dispose();
    await pair?.close();
  });

  it("coex discover proposes one reach-back group per license group, with the plans and why", async () => {
    const r = await stack.coex(["discover", "--write"]);
    assert.equal(r.code, 0, r.output);
    assert.match(r.stdout, /LIC-Cloud-E5 .*cloud/);
    assert.match(r.stdout, /LIC-M365-E5 .*synced from on-premises AD/);
    assert.match(r.stdout, /EXCHANGE_S_ENTERPRISE .*Exchange/);
    assert.match(r.stdout, /on seed 000's list/);
    const lg = await currentLicenseGroups();
    const byName = new Map(lg.mappings.map((m: GraphJson) => [m.originalGroupName, m]));
    const cloud: GraphJson = byName.get("LIC-Cloud-E5");
    assert.equal(cloud.source, "cloud");
    assert.equal(cloud.reachBackGroupName, "LIC-Cloud-E5-ReachBack");
    assert.deepEqual(cloud.licenses[0].originalDisabledPlans, [TEAMS?.servicePlanId]);
    assert.ok(cloud.licenses[0].scrubbingPlans.includes(EXCHANGE?.servicePlanId));
    assert.equal((byName.get("LIC-M365-E5") as GraphJson).source, "onPremises");
  });

  it("previews the reach-back groups without writing, then creates and adopts them", async () => {
    const before = (await graph().list<GraphJson>("/groups?$select=id")).length;
    const preview = await stack.expect(["preview", "--diff"]);
    assert.match(preview.output, /ReachBackLicenseGroup/);
    assert.equal(
      (await graph().list<GraphJson>("/groups?$select=id")).length,
      before,
      "preview wrote nothing",
    );

    const up = await stack.expect(["up", "--yes"]);
    assert.match(up.output, /licenseGroupMapping/);
    const created = await groupNamed("LIC-Cloud-E5-ReachBack");
    assert.ok(created, "the cloud reach-back group was created");
    const disabled: string[] = created.assignedLicenses[0].disabledPlans;
    assert.ok(disabled.includes(TEAMS?.servicePlanId ?? ""), "keeps what the original disabled");
    assert.ok(disabled.includes(EXCHANGE?.servicePlanId ?? ""), "disables Exchange");
    const adopted = await groupNamed("LIC-M365-E5-ReachBack");
    assert.equal(adopted.onPremisesSyncEnabled, true);
    assert.equal(adopted.assignedLicenses[0].skuId, E5.skuId);
    await stack.expect(["preview", "--expect-no-changes"]);
  });

  it("changes disabled plans in place with one assignLicense", async () => {
    const lg = await currentLicenseGroups();
    stack.writeConfig(configFor({ ...lg, neverDisable: [], forceDisable: ["YAMMER_ENTERPRISE"] }));
    const preview = await stack.expect(["preview", "--diff"]);
    assert.match(preview.output, /forceDisable/);
    const e = pair.emulator;
    assert.ok(e);
    const from = e.http.log.length;
    await stack.expect(["up", "--yes"]);
    const writes = e.http.log.slice(from).filter((r) => r.method !== "GET");
    assert.ok(
      writes.every((w) => /assignLicense$/.test(w.path)),
      JSON.stringify(writes),
    );
    assert.equal(writes.length, 2, "one assignLicense per reach-back group");
    await stack.expect(["refresh", "--preview-only", "--expect-no-changes"]);
  });

  it("reports licenses edited by hand as drift and puts them back", async () => {
    const group = await groupNamed("LIC-Cloud-E5-ReachBack");
    await graph().post(`/groups/${group.id}/assignLicense`, {
      addLicenses: [{ skuId: E5.skuId, disabledPlans: [] }],
      removeLicenses: [],
    });
    const drift = await stack.run(["refresh", "--preview-only", "--expect-no-changes", "--diff"]);
    assert.equal(drift.code, 7, drift.output);
    assert.match(drift.output, /EXCHANGE_S_ENTERPRISE/);
    const coex = await stack.coex(["drift", "--format", "json"]);
    assert.equal(coex.code, 7, coex.output);
    const found = driftEntries(coex.stdout);
    assert.ok(
      found.some((l) => / ReachBackLicenseGroup assignedLicenses/.test(l)),
      found.join("\n"),
    );
    await stack.expect(["up", "--yes", "--refresh"]);
    assert.ok(
      (await groupNamed("LIC-Cloud-E5-ReachBack")).assignedLicenses[0].disabledPlans.includes(
        EXCHANGE?.servicePlanId,
      ),
    );
    await stack.expect(["refresh", "--preview-only", "--expect-no-changes"]);
  });

  it("reports a plan Microsoft added to the SKU that triggers scrubbing, and disables it", async () => {
    const newPlan = {
      servicePlanId: "6b1c2d3e-4f50-4a61-8b72-9c83d4e5f601",
      servicePlanName: "EXCHANGE_S_NEW_ADDON",
      // The emulator's truth about the plan; the product must recognise it without being told.
      service: "Exchange Online add-on",
    };
    await emulatorAdmin(pair, "source", "POST", `/subscribedSkus/${E5.skuId}/servicePlans`, newPlan);
    const drift = await stack.run(["refresh", "--preview-only", "--expect-no-changes", "--diff"]);
    assert.equal(drift.code, 7, drift.output);
    assert.match(drift.output, /EXCHANGE_S_NEW_ADDON/);
    const coex = await stack.coex(["drift", "--format", "json"]);
    assert.equal(coex.code, 7, coex.output);
    const found = driftEntries(coex.stdout);
    assert.ok(
      found.some((l) =>
        / ReachBackLicenseGroup scrubbingPlansLeftEnabled declared \(none\) live .*(EXCHANGE_S_NEW_ADDON|6b1c2d3e)/.test(
          l,
        ),
      ),
      found.join("\n"),
    );
    await stack.expect(["up", "--yes", "--refresh"]);
    const group = await groupNamed("LIC-Cloud-E5-ReachBack");
    assert.ok(group.assignedLicenses[0].disabledPlans.includes(newPlan.servicePlanId));
    await stack.expect(["refresh", "--preview-only", "--expect-no-changes"]);
  });

  it("coex verify-license-groups passes on the canary and undoes everything", async () => {
    const lg = await currentLicenseGroups();
    stack.writeConfig(
      configFor({
        ...lg,
        canary: { userPrincipalName: CANARY, syncTimeoutSeconds: 60, licenseTimeoutSeconds: 60 },
      }),
    );
    const ad = new DirectoryClient(samba.serviceAccount());
    try {
      const before = await ad.findUserByUpn(CANARY);
      const r = await stack.coex(["verify-license-groups"]);
      assert.equal(r.code, 0, r.output);
      assert.match(r.stdout, /LIC-Cloud-E5-ReachBack\s+pass/);
      assert.match(r.stdout, /LIC-M365-E5-ReachBack\s+pass/);
      const after = await ad.findUserByUpn(CANARY);
      assert.deepEqual(after?.proxyAddresses, before?.proxyAddresses);
      assert.equal(after?.mail, before?.mail);
    } finally {
      await ad.close();
    }
  });

  it("coex verify-license-groups fails when a reach-back group would scrub the canary", async () => {
    const group = await groupNamed("LIC-Cloud-E5-ReachBack");
    await graph().post(`/groups/${group.id}/assignLicense`, {
      addLicenses: [{ skuId: E5.skuId, disabledPlans: [] }],
      removeLicenses: [],
    });
    const r = await stack.coex(["verify-license-groups"]);
    assert.equal(r.code, 1, r.output);
    assert.match(r.stdout, /LIC-Cloud-E5-ReachBack\s+fail\s+scrubbed/);
    await stack.expect(["up", "--yes", "--refresh"]);
  });

  it("refuses to apply once the original group's SKUs changed, until the mapping is reviewed", async () => {
    await graph().post(`/groups/${cloudOriginal}/assignLicense`, {
      addLicenses: [{ skuId: SKU_FIXTURES.SPE_E3.skuId, disabledPlans: [] }],
      removeLicenses: [],
    });
    const drift = await stack.run(["refresh", "--preview-only", "--expect-no-changes", "--diff"]);
    assert.equal(drift.code, 7, drift.output);
    const up = await stack.run(["up", "--yes", "--refresh"]);
    assert.notEqual(up.code, 0);
    assert.match(up.output, /run coex discover, review the change/);
    const again = await stack.coex(["discover", "--write"]);
    assert.equal(again.code, 0, again.output);
    await stack.expect(["up", "--yes"]);
    const group = await groupNamed("LIC-Cloud-E5-ReachBack");
    assert.equal(group.assignedLicenses.length, 2);
  });

  it("destroy deletes the group it created and only unlicenses the adopted one", async () => {
    await stack.expect(["destroy", "--yes"]);
    assert.equal(await groupNamed("LIC-Cloud-E5-ReachBack"), undefined);
    const adopted = await groupNamed("LIC-M365-E5-ReachBack");
    assert.ok(adopted, "the AD group is still there");
    assert.deepEqual(adopted.assignedLicenses, []);
  });
});
