// End to end through the real pulumi CLI: preview, up, drift, refresh, destroy of the paired
// cross-tenant access settings, against the emulator and (when configured) a real tenant pair.
import assert from "node:assert/strict";
import { PulumiStack, REACH_BACK_SETTINGS, stackConfigFor } from "../support/pulumi";
import { asEstate, emulatedPair, realPairFromEnv, type TenantPairUnderTest } from "../support/tenantPairs";

const POLICY = "/policies/crossTenantAccessPolicy";

// biome-ignore lint/suspicious/noExplicitAny: assertions walk Graph's JSON freely
type GraphJson = any;

const SETTINGS = REACH_BACK_SETTINGS;

/** A change made by hand, as a person in the portal would: the emulator's admin API, or Graph. */
async function changeOutOfBand(
  pair: TenantPairUnderTest,
  role: "source" | "target",
  partnerTenantId: string,
  body: object,
) {
  if (pair.emulator) {
    const tenantId = pair.connections[role].tenantId;
    const res = await fetch(
      `${pair.emulator.url}/_emulator/tenants/${tenantId}/crossTenantAccessPolicy/partners/${partnerTenantId}`,
      {
        method: "PATCH",
        headers: { "content-type": "application/json", "x-emulator-admin-key": pair.emulator.adminKey },
        body: JSON.stringify(body),
      },
    );
    assert.equal(res.status, 204, await res.text());
  } else {
    await pair.graph(role).patch(`${POLICY}/partners/${partnerTenantId}`, body);
  }
}

function crossTenantSuite(makePair: () => Promise<TenantPairUnderTest | string>) {
  let pair: TenantPairUnderTest;
  let stack: PulumiStack;
  let initial: unknown;

  before(async function () {
    const made = await makePair();
    if (typeof made === "string") {
      console.log(`      skipped: ${made}`);
      this.skip();
    }
    pair = made as TenantPairUnderTest;
    stack = new PulumiStack(`e2e${Date.now().toString(36)}`);
    await stack.init();
    initial = await pair.snapshot();
  });
  after(async () => {
    stack?.dispose();
    await pair?.close();
  });

  const source = () => pair.connections.source.tenantId;
  const target = () => pair.connections.target.tenantId;

  it("refuses a bad configuration value at preview, naming the key, and writes nothing", async () => {
    const config = stackConfigFor(pair, {
      ...SETTINGS,
      inboundTrust: { ...SETTINGS.inboundTrust, isMfaAccepted: "yes" },
    });
    stack.writeConfig(config);
    const r = await stack.run(["preview"]);
    assert.notEqual(r.code, 0);
    assert.match(
      r.output,
      /entra-coexistence:crossTenantAccess\.inboundTrust\.isMfaAccepted: .*boolean.*got "yes"/,
    );
    const up = await stack.run(["up", "--yes"]);
    assert.notEqual(up.code, 0);
    assert.deepEqual(await pair.snapshot(), initial, "a failed preview or up must not change either tenant");
  });

  it("refuses at preview a pairing without automatic redemption on both sides", async () => {
    stack.writeConfig(
      stackConfigFor(pair, {
        ...SETTINGS,
        automaticRedemption: { sourceInbound: true, targetOutbound: false },
      }),
    );
    const r = await stack.run(["preview"]);
    assert.notEqual(r.code, 0);
    assert.match(r.output, /automatic redemption must be allowed outbound in the target tenant/);
    assert.deepEqual(await pair.snapshot(), initial);
  });

  it("previews the paired settings without writing anything", async () => {
    stack.writeConfig(stackConfigFor(pair, SETTINGS));
    const r = await stack.expect(["preview", "--diff"]);
    assert.match(r.output, /\+ 6 to create/);
    assert.match(r.output, /CrossTenantAccessPartner/);
    assert.deepEqual(await pair.snapshot(), initial, "preview must not write to a tenant");
  });

  it("creates both partner entries and holds the source default", async () => {
    await stack.expect(["up", "--yes"]);
    const src = await pair.graph("source").get<GraphJson>(`${POLICY}/partners/${target()}`);
    assert.deepEqual(src.inboundTrust, SETTINGS.inboundTrust);
    assert.deepEqual(src.automaticUserConsentSettings, { inboundAllowed: true, outboundAllowed: false });
    assert.equal(src.b2bCollaborationInbound.usersAndGroups.accessType, "allowed");
    const tgt = await pair.graph("target").get<GraphJson>(`${POLICY}/partners/${source()}`);
    assert.deepEqual(tgt.automaticUserConsentSettings, { inboundAllowed: false, outboundAllowed: true });
    assert.equal(tgt.b2bCollaborationOutbound.usersAndGroups.targets[0].target, "AllUsers");
    const def = await pair.graph("source").get<GraphJson>(`${POLICY}/default`);
    assert.equal(def.isServiceDefault, false);
    assert.equal(def.inboundTrust.isMfaAccepted, true);
  });

  it("shows no changes in a preview right after up", async () => {
    await stack.expect(["preview", "--expect-no-changes"]);
    await stack.expect(["refresh", "--preview-only", "--expect-no-changes"]);
  });

  it("shows an edited setting in preview --diff without writing it", async () => {
    const snapshot = await pair.snapshot();
    stack.writeConfig(
      stackConfigFor(pair, {
        ...SETTINGS,
        inboundTrust: { ...SETTINGS.inboundTrust, isHybridAzureADJoinedDeviceAccepted: false },
      }),
    );
    const r = await stack.expect(["preview", "--diff"]);
    assert.match(r.output, /~ 1 to update/);
    assert.match(r.output, /isHybridAzureADJoinedDeviceAccepted\s*: true => false/);
    assert.deepEqual(await pair.snapshot(), snapshot);
    stack.writeConfig(stackConfigFor(pair, SETTINGS));
  });

  it("reports an out-of-band change as drift (exit 7, naming the setting) and puts it back with up", async () => {
    await changeOutOfBand(pair, "source", target(), {
      inboundTrust: {
        isMfaAccepted: false,
        isCompliantDeviceAccepted: true,
        isHybridAzureADJoinedDeviceAccepted: true,
      },
    });
    const drift = await stack.run(["refresh", "--preview-only", "--expect-no-changes", "--diff"]);
    assert.equal(drift.code, 7, drift.output);
    assert.match(drift.output, /isMfaAccepted\s*: true => false/);
    const coex = await stack.coex(["drift"]);
    assert.equal(coex.code, 7, coex.output);
    assert.match(
      coex.stdout,
      /coexistence-source-partner +CrossTenantAccessPartner +settings\.inboundTrust\.isMfaAccepted +true +false/,
    );

    await stack.expect(["up", "--yes", "--refresh"]);
    const src = await pair.graph("source").get<GraphJson>(`${POLICY}/partners/${target()}`);
    assert.equal(src.inboundTrust.isMfaAccepted, true);
    await stack.expect(["refresh", "--preview-only", "--expect-no-changes"]);
    const clean = await stack.coex(["drift"]);
    assert.equal(clean.code, 0, clean.output);
    assert.match(clean.stdout, /no drift/);
  });

  it("keeps the serialized provider code small in state", async () => {
    const state = await stack.exportState();
    const dynamic = state.deployment.resources.filter((r) => String(r.type).includes("dynamic"));
    assert.equal(dynamic.length, 4);
    for (const r of dynamic) {
      const provider = String((r.inputs as Record<string, unknown>).__provider);
      console.log(
        `      ${String(r.urn).split("::").pop()}: __provider ${provider.length} bytes, resource ${JSON.stringify(r).length} bytes`,
      );
      // The shim only: the implementation (Graph calls, zod schemas) is loaded at run time.
      assert.ok(provider.length < 4096, `__provider is ${provider.length} bytes`);
      assert.doesNotMatch(provider, /readPartner|crossTenantAccessPolicy\/partners/);
    }
  });

  it("destroy removes the partner entries and restores the defaults", async () => {
    await stack.expect(["destroy", "--yes"]);
    assert.deepEqual(await pair.snapshot(), initial, "both tenants must be as they were before the stack");
  });
}

describe("e2e: cross-tenant access settings through the pulumi CLI", function () {
  this.timeout(300_000);
  describe("against the emulator", () => crossTenantSuite(() => emulatedPair()));

  describe("adopting a partner entry made by hand (emulator)", () => {
    let pair: TenantPairUnderTest;
    let stack: PulumiStack;
    let handMade: unknown;
    before(async () => {
      pair = await emulatedPair();
      stack = new PulumiStack(`adopt${Date.now().toString(36)}`);
      await stack.init();
      stack.writeConfig(stackConfigFor(pair, SETTINGS));
      // Someone already added the source as a partner in the target, with MFA trust only.
      await asEstate(pair, () =>
        pair.graph("target").post(`${POLICY}/partners`, {
          tenantId: pair.connections.source.tenantId,
          inboundTrust: {
            isMfaAccepted: true,
            isCompliantDeviceAccepted: false,
            isHybridAzureADJoinedDeviceAccepted: false,
          },
        }),
      );
      handMade = (await pair.snapshot()).target;
    });
    after(async () => {
      stack?.dispose();
      await pair?.close();
    });

    it("up adopts it instead of failing on Graph's 409 and holds it at the declared settings", async () => {
      await stack.expect(["up", "--yes"]);
      const entry = await pair
        .graph("target")
        .get<GraphJson>(`${POLICY}/partners/${pair.connections.source.tenantId}`);
      assert.deepEqual(entry.automaticUserConsentSettings, { inboundAllowed: false, outboundAllowed: true });
      const state = await stack.exportState();
      const adopted = state.deployment.resources.find((r) =>
        String(r.urn).endsWith("coexistence-target-partner"),
      );
      assert.ok(adopted, "the target partner is in state");
      assert.equal((adopted.outputs as { ownership: { kind: string } }).ownership.kind, "adopted");
    });

    it("destroy puts the adopted entry back as it was found instead of deleting it", async () => {
      await stack.expect(["destroy", "--yes"]);
      assert.deepEqual((await pair.snapshot()).target, handMade);
    });
  });

  describe("against a real tenant pair (ENTRA_COEX_E2E_*)", () =>
    crossTenantSuite(async () => realPairFromEnv()));
});
