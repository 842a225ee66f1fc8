// Safety of the cross-tenant resources through the real pulumi CLI (issue 9, items 3 and 4): a
// destroy never takes away what the stack did not set, a rename never deletes the entry, and two
// resources never hold one entry.
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { PulumiStack, REACH_BACK_SETTINGS, repoRoot, stackConfigFor } from "../support/pulumi";
import { asEstate, emulatedPair, type TenantPairUnderTest, workDir } from "../support/tenantPairs";

const POLICY = "/policies/crossTenantAccessPolicy";

// biome-ignore lint/suspicious/noExplicitAny: assertions walk Graph's JSON freely
type GraphJson = any;

const SETTINGS = REACH_BACK_SETTINGS;

const TENANT_RESTRICTIONS = {
  usersAndGroups: { accessType: "blocked", targets: [{ target: "AllUsers", targetType: "user" }] },
  applications: {
    accessType: "blocked",
    targets: [{ target: "AllApplications", targetType: "application" }],
  },
};

describe("e2e: the cross-tenant resources take away nothing the stack did not set", function () {
  this.timeout(300_000);
  let pair: TenantPairUnderTest;
  before(async () => {
    pair = await emulatedPair();
  });
  after(async () => {
    await pair?.close();
  });
  const source = () => pair.connections.source.tenantId;
  const target = () => pair.connections.target.tenantId;

  describe("the tenant default and the partner entries' identity-sync policy (items 3, 4)", () => {
    let stack: PulumiStack;
    before(async () => {
      stack = new PulumiStack(`own${Date.now().toString(36)}`);
      await stack.init();
      stack.writeConfig(stackConfigFor(pair, SETTINGS));
      await stack.expect(["up", "--yes"]);
    });
    after(() => stack?.dispose());

    it("keeps an identity-sync policy someone else set up on an entry it created: up leaves it, refresh shows no drift", async () => {
      // Cross-tenant synchronization from the source into the target, set up by another team.
      // Made by hand, and long since replicated when the stack next reads it.
      await asEstate(pair, () =>
        pair.graph("target").put(`${POLICY}/partners/${source()}/identitySynchronization`, {
          displayName: "sync from the source",
          userSyncInbound: { isSyncAllowed: true },
        }),
      );
      await stack.expect(["refresh", "--preview-only", "--expect-no-changes"]);
      await stack.expect(["up", "--yes", "--refresh"]);
      const sync = await pair
        .graph("target")
        .getOptional<GraphJson>(`${POLICY}/partners/${source()}/identitySynchronization`);
      assert.equal(
        sync?.userSyncInbound?.isSyncAllowed,
        true,
        "the undeclared identity-sync policy must survive up",
      );
    });

    it("destroy refuses to delete an entry that carries an identity-sync policy it did not declare, and says what to do", async () => {
      // Someone also restricted the tenant default by hand since up (a key this stack never manages).
      await asEstate(pair, () =>
        pair.graph("source").patch(`${POLICY}/default`, { tenantRestrictions: TENANT_RESTRICTIONS }),
      );
      const r = await stack.run(["destroy", "--yes"]);
      assert.notEqual(r.code, 0, r.output);
      assert.match(r.output, /identity-synchronization policy that this stack did not declare/);
      assert.match(r.output, /nothing was deleted/);
      const sync = await pair
        .graph("target")
        .getOptional<GraphJson>(`${POLICY}/partners/${source()}/identitySynchronization`);
      assert.ok(sync, "the identity-sync policy is still there");
      assert.ok(await pair.graph("target").getOptional(`${POLICY}/partners/${source()}`), "and its entry");
    });

    it("destroy puts back only the default's managed keys when someone changed another key since (no resetToSystemDefault)", async () => {
      const def = await pair.graph("source").get<GraphJson>(`${POLICY}/default`);
      // The refused destroy above may already have restored the source default; what matters is
      // what is left once the destroy completes.
      await asEstate(pair, () =>
        pair.graph("target").delete(`${POLICY}/partners/${source()}/identitySynchronization`),
      );
      await stack.expect(["destroy", "--yes"]);
      const after = await pair.graph("source").get<GraphJson>(`${POLICY}/default`);
      assert.deepEqual(
        after.tenantRestrictions,
        def.tenantRestrictions,
        "tenant restrictions set by hand survive",
      );
      assert.equal(after.tenantRestrictions.usersAndGroups.accessType, "blocked");
      // The managed key is back as found: the service default's trust settings.
      assert.deepEqual(after.inboundTrust, {
        isMfaAccepted: false,
        isCompliantDeviceAccepted: false,
        isHybridAzureADJoinedDeviceAccepted: false,
      });
      assert.equal(await pair.graph("source").getOptional(`${POLICY}/partners/${target()}`), undefined);
      assert.equal(await pair.graph("target").getOptional(`${POLICY}/partners/${source()}`), undefined);
    });
  });

  describe("renaming and double declarations (item 4), with a test program", () => {
    let stack: PulumiStack;
    let config: Record<string, unknown>;
    const declare = (partners: Array<Record<string, unknown>>) => {
      const namespaced: Record<string, unknown> = { "entra-coexistence-test:partners": partners };
      for (const [k, v] of Object.entries(config)) namespaced[`entra-coexistence:${k}`] = v;
      writeFileSync(stack.configFile, JSON.stringify({ config: namespaced }, null, 2));
    };
    const entry = () => pair.graph("source").getOptional<GraphJson>(`${POLICY}/partners/${target()}`);
    const requestLog = async () => {
      const res = await fetch(`${pair.emulator?.url}/_emulator/requests`, {
        headers: { "x-emulator-admin-key": pair.emulator?.adminKey ?? "" },
      });
      return (await res.json()) as Array<{ method: string; path: string }>;
    };
    const logLength = async () => (await requestLog()).length;
    const writesSince = async (since: number) =>
      (await requestLog()).slice(since).filter((r) => r.method !== "GET");

    before(async () => {
      const dir = workDir("program-partners");
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        path.join(dir, "Pulumi.yaml"),
        [
          "name: partners-test",
          "runtime:",
          "  name: nodejs",
          "  options:",
          "    typescript: false",
          `main: ${path.join(repoRoot, "dist/test/e2e/programs/partners.js")}`,
          "",
        ].join("\n"),
      );
      stack = new PulumiStack(`ren${Date.now().toString(36)}`, workDir("stack-ren"), dir);
      await stack.init();
      config = stackConfigFor(pair);
    });

    it("a rename with aliases changes nothing in the tenant", async () => {
      declare([{ name: "p1", tenant: "source", partnerTenantId: target() }]);
      await stack.expect(["up", "--yes"]);
      assert.ok(await entry(), "up created the entry");
      const since = await logLength();
      declare([{ name: "p2", tenant: "source", partnerTenantId: target(), aliases: ["p1"] }]);
      const up = await stack.expect(["up", "--yes"]);
      assert.doesNotMatch(up.output, /created|deleted/);
      assert.deepEqual(await writesSince(since), [], "no write for a rename with aliases");
    });

    it("a rename without aliases keeps the entry: the new resource takes it over, the old one lets go", async () => {
      const before = await entry();
      declare([{ name: "p3", tenant: "source", partnerTenantId: target() }]);
      const up = await stack.expect(["up", "--yes"]);
      assert.match(up.output, /now held by its replacement|left in place/);
      const now = await entry();
      assert.ok(now, "the entry must still exist after the rename");
      assert.deepEqual(now.automaticUserConsentSettings, before.automaticUserConsentSettings);
    });

    it("refuses at preview two resources that declare one entry, naming both, and writes nothing", async () => {
      const since = await logLength();
      declare([
        { name: "p3", tenant: "source", partnerTenantId: target() },
        { name: "p4", tenant: "source", partnerTenantId: target().toUpperCase() },
      ]);
      const r = await stack.run(["preview"]);
      assert.notEqual(r.code, 0, r.output);
      assert.match(r.output, /p3 and p4 both declare|p4 and p3 both declare/);
      assert.deepEqual(await writesSince(since), []);
    });

    after(async () => {
      if (stack) {
        declare([{ name: "p3", tenant: "source", partnerTenantId: target() }]);
        await stack.run(["destroy", "--yes"]);
      }
    });
  });
});
