// Re-running `coex discover` through the real pulumi CLI against the emulator (issue 9, safety
// item 2): discover merges with the reviewed mapping instead of replacing it, keeps a mapping whose
// group dropped out of discovery (marked stale, so `pulumi preview` deletes nothing), removes it
// only with --prune-stale after the mark was written, and then the preview shows the deletion.
// Also what no reach-back group covers: users licensed by direct assignment, SKUs not Enabled,
// and a SKU the tenant does not list (an error, not skipped).
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { PulumiStack, stackConfigFor } from "../support/pulumi";
import { asEstate, emulatedPair, emulatorAdmin, type TenantPairUnderTest } from "../support/tenantPairs";

// biome-ignore lint/suspicious/noExplicitAny: assertions walk Graph's and pulumi's JSON freely
type Json = any;

describe("e2e: coex discover merges into the reviewed mapping", function () {
  this.timeout(300_000);
  let pair: TenantPairUnderTest;
  let stack: PulumiStack;
  let e5: Json;
  let e3: Json;
  const ids: Record<"keep" | "drop", string> = { keep: "", drop: "" };

  const graph = () => pair.graph("source");
  const configFor = (licenseGroups?: unknown) => ({
    ...stackConfigFor(pair),
    ...(licenseGroups ? { licenseGroups } : {}),
  });
  const currentLicenseGroups = async (): Promise<Json> => {
    const r = await stack.run(["config", "--json", "--show-secrets", "--config-file", stack.configFile]);
    return JSON.parse(JSON.parse(r.stdout)["entra-coexistence:licenseGroups"].value);
  };
  const mappingOf = (lg: Json, id: string) => lg.mappings.find((m: Json) => m.originalGroupId === id);
  /** The steps `pulumi preview` plans for the stack's ReachBackLicenseGroups, by resource name
   * (its JSON leaves out resources without change). */
  const plannedLicenseGroupSteps = async (): Promise<Map<string, string>> => {
    const r = await stack.expect(["preview", "--json"]);
    const steps: Json[] = JSON.parse(r.stdout).steps ?? [];
    return new Map(
      steps
        .filter((s) => String(s.urn).includes("ReachBackLicenseGroup::"))
        .map((s) => [String(s.urn).split("::").pop() as string, s.op as string]),
    );
  };
  // The estate discover finds: made before the stack, long since replicated.
  const licenseGroup = (name: string, skuId: string): Promise<string> =>
    asEstate(pair, async () => {
      const g = await graph().post<Json>("/groups", {
        displayName: name,
        mailEnabled: false,
        mailNickname: name,
        securityEnabled: true,
      });
      await graph().post(`/groups/${g.id}/assignLicense`, {
        addLicenses: [{ skuId, disabledPlans: [] }],
        removeLicenses: [],
      });
      return g.id;
    });

  before(async () => {
    pair = await emulatedPair(undefined, { source: "fabrikam.example", target: "contoso.example" });
    const skus = await graph().list<Json>("/subscribedSkus");
    e5 = skus.find((s: Json) => s.skuPartNumber === "SPE_E5");
    e3 = skus.find((s: Json) => s.skuPartNumber === "SPE_E3");
    assert.ok(e5 && e3, "the tenant has E5 and E3");
    ids.keep = await licenseGroup("LIC-Keep-E5", e5.skuId);
    ids.drop = await licenseGroup("LIC-Drop-E5", e5.skuId);
    // Two users licensed by direct assignment (no group), as found in many tenants.
    for (const alias of ["direct.one", "direct.two"]) {
      const user = (await emulatorAdmin(pair, "source", "POST", "/entraConnect/users", {
        immutableId: randomBytes(16).toString("base64"),
        userPrincipalName: `${alias}@fabrikam.example`,
        samAccountName: alias,
      })) as Json;
      await asEstate(pair, () =>
        graph().post(`/users/${user.id}/assignLicense`, {
          addLicenses: [{ skuId: e3.skuId, disabledPlans: [] }],
          removeLicenses: [],
        }),
      );
    }
    // E3 left in grace, as after a volume-licensing remap to the target (seed 000's warning).
    await emulatorAdmin(pair, "source", "PATCH", `/subscribedSkus/${e3.skuId}`, {
      capabilityStatus: "Warning",
    });
    stack = new PulumiStack(`disc${Date.now().toString(36)}`);
    await stack.init();
    stack.writeConfig(configFor());
  });

  after(async () => {
    stack?.dispose();
    await pair?.close();
  });

  it("coex discover reports users licensed by direct assignment and SKUs that are not Enabled", async () => {
    const r = await stack.coex(["discover", "--write"]);
    assert.equal(r.code, 0, r.output);
    assert.match(
      r.stdout,
      new RegExp(
        `SPE_E3 \\(${e3.skuId}\\): 2 user\\(s\\), e\\.g\\. direct\\.one@fabrikam\\.example, direct\\.two@fabrikam\\.example`,
      ),
    );
    assert.match(r.stdout, /users licensed by direct assignment .*no reach-back group covers them/);
    assert.match(r.stdout, new RegExp(`SPE_E3 \\(${e3.skuId}\\): capabilityStatus Warning`));
    assert.match(r.stdout, /volume-licensing \(VL\) remap .* left in grace/);
    const lg = await currentLicenseGroups();
    assert.equal(lg.mappings.length, 2);
    assert.equal(mappingOf(lg, ids.drop).stale, undefined);
  });

  it("keeps a reviewed name, and keeps a group that dropped out of discovery marked stale: preview deletes nothing", async () => {
    // Review: the identity team names the reach-back group of LIC-Keep-E5 its own way, then up.
    const reviewed = await currentLicenseGroups();
    mappingOf(reviewed, ids.keep).reachBackGroupName = "RB-Keep-Reviewed";
    stack.writeConfig(configFor(reviewed));
    await stack.expect(["up", "--yes"]);
    const dropped = await graph().list<Json>("/groups?$filter=displayName eq 'LIC-Drop-E5-ReachBack'");
    assert.equal(dropped.length, 1, "the reach-back group of LIC-Drop-E5 exists");
    const before = await plannedLicenseGroupSteps();
    assert.deepEqual(
      [...before.values()].filter((op) => op !== "same"),
      [],
      "nothing to do after up",
    );

    // LIC-Drop-E5 loses its last SKU for a while; discover runs again.
    await graph().post(`/groups/${ids.drop}/assignLicense`, { addLicenses: [], removeLicenses: [e5.skuId] });
    const r = await stack.coex(["discover", "--write"]);
    assert.equal(r.code, 0, r.output);
    // What matters first: the preview deletes nothing, and the mapping is kept.
    const steps = await plannedLicenseGroupSteps();
    for (const [name, op] of steps)
      assert.ok(!["delete", "replace", "delete-replaced"].includes(op), `${name}: ${op}`);
    const lg = await currentLicenseGroups();
    assert.equal(mappingOf(lg, ids.keep).reachBackGroupName, "RB-Keep-Reviewed", "the reviewed name is kept");
    const drop = mappingOf(lg, ids.drop);
    assert.ok(drop, "the mapping is kept");
    assert.equal(drop.stale.reason, "the group LIC-Drop-E5 assigns no license any more");
    assert.match(drop.stale.since, /^\d{4}-\d{2}-\d{2}$/);
    assert.equal(drop.licenses[0].skuId, e5.skuId, "the reviewed licenses are kept");

    assert.match(
      r.stdout,
      /! LIC-Drop-E5 .*: stale \(the group LIC-Drop-E5 assigns no license any more\); kept with its reach-back group LIC-Drop-E5-ReachBack/,
    );
    assert.match(r.stdout, /= LIC-Keep-E5 .*: unchanged/);
    // A later run keeps the day the group was first missed.
    const again = await stack.coex(["discover", "--write"]);
    assert.equal(again.code, 0, again.output);
    assert.equal(mappingOf(await currentLicenseGroups(), ids.drop).stale.since, drop.stale.since);
  });

  it("--prune-stale removes the reviewed stale mapping, and pulumi preview shows the deletion", async () => {
    const r = await stack.coex(["discover", "--write", "--prune-stale"]);
    assert.equal(r.code, 0, r.output);
    assert.match(
      r.stdout,
      /- LIC-Drop-E5 .*removed \(--prune-stale\): the next pulumi up removes the ReachBackLicenseGroup of LIC-Drop-E5-ReachBack/,
    );
    const lg = await currentLicenseGroups();
    assert.equal(mappingOf(lg, ids.drop), undefined);
    assert.equal(mappingOf(lg, ids.keep).reachBackGroupName, "RB-Keep-Reviewed");
    const steps = await plannedLicenseGroupSteps();
    const deleted = [...steps].filter(([, op]) => op === "delete").map(([name]) => name);
    assert.equal(deleted.length, 1, JSON.stringify([...steps]));
    assert.match(deleted[0], new RegExp(`^reachback-lic-drop-e5-${ids.drop.slice(0, 8)}`));
  });

  it("refuses, naming the group and the SKU, when a group assigns a SKU the tenant does not list, and writes nothing", async () => {
    const before = await currentLicenseGroups();
    const unknownSku = "0b1c2d3e-4f50-4a61-8b72-9c83d4e5f6a7";
    await emulatorAdmin(pair, "source", "PUT", `/groups/${ids.keep}/assignedLicenses`, [
      { skuId: e5.skuId, disabledPlans: [] },
      { skuId: unknownSku, disabledPlans: [] },
    ]);
    const r = await stack.coex(["discover", "--write"]);
    assert.equal(r.code, 1, r.output);
    assert.ok(
      r.output.includes(
        `group LIC-Keep-E5 (${ids.keep}) assigns SKU ${unknownSku}, which the tenant's subscribedSkus does not list`,
      ),
      r.output,
    );
    assert.match(r.output, /nothing was written/);
    assert.deepEqual(await currentLicenseGroups(), before);
  });
});
