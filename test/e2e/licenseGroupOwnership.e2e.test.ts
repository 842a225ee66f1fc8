// Safety of ReachBackLicenseGroup through the real pulumi CLI (issue 9, item 1): members never
// lose a license to destroy or replace, a replacement creates before it deletes and never leaves
// two resources on one group, and an adopted group gets back exactly what it had.
import assert from "node:assert/strict";
import { SKU_FIXTURES } from "../../emulator/skus";
import { PulumiStack, stackConfigFor } from "../support/pulumi";
import { asEstate, emulatedPair, emulatorAdmin, type TenantPairUnderTest } from "../support/tenantPairs";

// biome-ignore lint/suspicious/noExplicitAny: assertions walk Graph's JSON freely
type GraphJson = any;
const E5 = SKU_FIXTURES.SPE_E5;
const E3 = SKU_FIXTURES.SPE_E3;
const planId = (sku: typeof E5, name: string) => {
  const p = sku.servicePlans.find((x) => x.servicePlanName === name);
  assert.ok(p, `${sku.skuPartNumber} has ${name}`);
  return p.servicePlanId;
};

describe("e2e: reach-back license groups never take a license from a member", function () {
  this.timeout(300_000);
  let pair: TenantPairUnderTest;
  let stack: PulumiStack;
  const originals: Record<string, string> = {};
  let memberId: string;

  const graph = () => pair.graph("source");
  const groupNamed = async (name: string): Promise<GraphJson> =>
    (
      await graph().list<GraphJson>(
        `/groups?$filter=displayName eq '${name}'&$select=id,displayName,assignedLicenses`,
      )
    )[0];
  const mapping = (original: string, reachBackGroupName: string, sku = E5) => ({
    originalGroupId: originals[original],
    originalGroupName: original,
    source: "cloud",
    reachBackGroupName,
    licenses: [
      {
        skuId: sku.skuId,
        skuPartNumber: sku.skuPartNumber,
        originalDisabledPlans: [],
        scrubbingPlans: [planId(sku, "EXCHANGE_S_ENTERPRISE")],
      },
    ],
  });
  const declare = (...mappings: unknown[]) =>
    stack.writeConfig({ ...stackConfigFor(pair), licenseGroups: { mappings } });
  const memberLicensed = async (groupId: string) => {
    const u = await graph().get<GraphJson>(`/users/${memberId}?$select=id,licenseAssignmentStates`);
    return (u.licenseAssignmentStates ?? []).some(
      (s: GraphJson) => s.assignedByGroup?.toLowerCase() === groupId.toLowerCase() && s.state === "Active",
    );
  };

  before(async () => {
    pair = await emulatedPair(undefined, { source: "fabrikam.example", target: "contoso.example" });
    // The estate before the stack: long since replicated.
    await asEstate(pair, async () => {
      for (const [name, sku] of [
        ["LIC-A", E5],
        ["LIC-B", E5],
        ["LIC-C", E3],
      ] as const) {
        const g = await graph().post<GraphJson>("/groups", {
          displayName: name,
          mailEnabled: false,
          mailNickname: name,
          securityEnabled: true,
        });
        originals[name] = g.id;
        await graph().post(`/groups/${g.id}/assignLicense`, {
          addLicenses: [{ skuId: sku.skuId, disabledPlans: [] }],
          removeLicenses: [],
        });
      }
      // A user already moved to reach-back: a synced mail user, without a mailbox.
      const user = (await emulatorAdmin(pair, "source", "POST", "/entraConnect/users", {
        immutableId: Buffer.from("moved-user-0001").toString("base64"),
        userPrincipalName: "moved.user@fabrikam.example",
        samAccountName: "moved.user",
        displayName: "Moved User",
      })) as GraphJson;
      memberId = user.id;
    });
    stack = new PulumiStack(`licown${Date.now().toString(36)}`);
    await stack.init();
  });
  after(async () => {
    stack?.dispose();
    await pair?.close();
  });

  it("creates the reach-back group, and adopts one made by hand, recording its licenses", async () => {
    // A group of the second mapping's name made by hand before the stack, with E3 on it.
    const handMade = await asEstate(pair, async () => {
      const made = await graph().post<GraphJson>("/groups", {
        displayName: "LIC-C-ReachBack",
        mailEnabled: false,
        mailNickname: "LIC-C-ReachBack",
        securityEnabled: true,
      });
      await graph().post(`/groups/${made.id}/assignLicense`, {
        addLicenses: [{ skuId: E3.skuId, disabledPlans: [] }],
        removeLicenses: [],
      });
      return made;
    });
    declare(mapping("LIC-A", "LIC-A-ReachBack"), mapping("LIC-C", "LIC-C-ReachBack", E3));
    // Item 7: Graph commits the group but answers 503. A blind retry would make a second group.
    const fault = await fetch(`${pair.emulator?.url}/_emulator/faults`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-emulator-admin-key": pair.emulator?.adminKey ?? "" },
      body: JSON.stringify({
        status: 503,
        count: 1,
        afterCommit: true,
        method: "POST",
        pathPrefix: "/v1.0/groups",
      }),
    });
    assert.equal(fault.status, 204, await fault.text());
    await stack.expect(["up", "--yes"]);
    const named = await graph().list<GraphJson>(
      "/groups?$filter=displayName eq 'LIC-A-ReachBack'&$select=id",
    );
    assert.equal(named.length, 1, "exactly one reach-back group, though Graph answered 503 to its creation");
    const state = await stack.exportState();
    const kinds = state.deployment.resources
      .filter((r) => String(r.type).includes("ReachBackLicenseGroup"))
      .map((r): [string, string] => [
        (r.outputs as GraphJson).groupId,
        (r.outputs as GraphJson).ownership.kind,
      ]);
    assert.deepEqual(
      new Map(kinds),
      new Map([
        [(await groupNamed("LIC-A-ReachBack")).id, "created"],
        [handMade.id, "adopted"],
      ]),
    );
    const rb = await groupNamed("LIC-A-ReachBack");
    await graph().post(`/groups/${rb.id}/members/$ref`, {
      "@odata.id": `${pair.cloud.graphEndpoint}/v1.0/directoryObjects/${memberId}`,
    });
    await waitFor(() => memberLicensed(rb.id), "the member's reach-back license");
  });

  it("destroy refuses to unlicense or delete a group that has members, naming it and the count", async () => {
    const rb = await groupNamed("LIC-A-ReachBack");
    const r = await stack.run(["destroy", "--yes"]);
    assert.notEqual(r.code, 0, r.output);
    assert.match(r.output, /LIC-A-ReachBack .* has 1 member\(s\)/);
    assert.match(r.output, /retainOnDelete/);
    const still = await groupNamed("LIC-A-ReachBack");
    assert.equal(still?.id, rb.id);
    assert.equal(still.assignedLicenses.length, 1, "still licensed");
    assert.ok(await memberLicensed(rb.id));
    // The other resources were destroyed around it; bring them back for what follows.
    await stack.expect(["up", "--yes"]);
  });

  it("when a mapping moves to another original group, up takes the group over and the member keeps the license", async () => {
    const rb = await groupNamed("LIC-A-ReachBack");
    // The mapping now stands for another original group with the same SKU: another resource.
    declare(mapping("LIC-B", "LIC-A-ReachBack"), mapping("LIC-C", "LIC-C-ReachBack", E3));
    const preview = await stack.expect(["preview", "--diff"]);
    // Another original group is another resource name: the preview shows the old one deleted and
    // the new one created for the same reach-back group; up hands the group over.
    assert.match(
      preview.output,
      /\+ .*ReachBackLicenseGroup: \(create\)[\s\S]*reachBackGroupName: "LIC-A-ReachBack"/,
    );
    assert.match(preview.output, /- .*ReachBackLicenseGroup: \(delete\)/);
    const up = await stack.expect(["up", "--yes"]);
    assert.match(up.output, /now held by its replacement|left in place/);
    const after = await groupNamed("LIC-A-ReachBack");
    assert.equal(after?.id, rb.id, "the same group, not deleted and re-made");
    assert.equal(after.assignedLicenses.length, 1);
    assert.ok(await memberLicensed(rb.id), "the member kept the license throughout");
    const state = await stack.exportState();
    const holders = state.deployment.resources.filter((r) => (r.outputs as GraphJson)?.groupId === rb.id);
    assert.equal(holders.length, 1, "exactly one resource holds the group");
  });

  it("refuses at preview two mappings that name one reach-back group", async () => {
    const before = (await graph().list<GraphJson>("/groups?$select=id")).length;
    declare(
      mapping("LIC-B", "LIC-A-ReachBack"),
      { ...mapping("LIC-A", "lic-a-reachback"), originalGroupName: "LIC-A" },
      mapping("LIC-C", "LIC-C-ReachBack", E3),
    );
    const r = await stack.run(["preview"]);
    assert.notEqual(r.code, 0, r.output);
    assert.match(r.output, /mappings\.1: repeats mappings\[0\]'s reach-back group name/);
    assert.equal((await graph().list<GraphJson>("/groups?$select=id")).length, before);
    declare(mapping("LIC-B", "LIC-A-ReachBack"), mapping("LIC-C", "LIC-C-ReachBack", E3));
  });

  it("destroy gives an adopted group back exactly what it had, and leaves the taken-over group with its member", async () => {
    const rb = await groupNamed("LIC-A-ReachBack");
    await stack.expect(["destroy", "--yes"]);
    const c = await groupNamed("LIC-C-ReachBack");
    assert.ok(c, "the hand-made group is not deleted");
    assert.deepEqual(
      c.assignedLicenses.map((l: GraphJson) => ({ skuId: l.skuId, disabledPlans: l.disabledPlans })),
      [{ skuId: E3.skuId, disabledPlans: [] }],
      "its licenses as found: E3 with nothing disabled",
    );
    // Taken over by the replacement, the group counts as adopted: it keeps what it had then.
    assert.equal((await groupNamed("LIC-A-ReachBack"))?.id, rb.id);
    assert.ok(await memberLicensed(rb.id), "the member still has the license");
    for (const name of ["LIC-A", "LIC-B", "LIC-C"]) {
      assert.equal((await groupNamed(name)).assignedLicenses.length, 1, `${name} untouched`);
    }
  });
});

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
