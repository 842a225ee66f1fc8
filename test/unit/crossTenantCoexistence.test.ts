// The component under Pulumi's runtime mocks: which resources it declares with which inputs, and
// which pairings it refuses before anything reaches a tenant.
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { CrossTenantCoexistence, pairingProblems } from "../../components/crossTenantCoexistence";
import { loadStackConfig } from "../../lib/config/stackConfig";

const SOURCE = "5a0c6e1e-3c1b-4c52-9d0e-1f5b0c4a7e01";
const TARGET = "b7d2f3a4-8e6c-4d19-a2f5-3c9e7b1d0f02";

function settings(overrides: Record<string, unknown> = {}) {
  const conn = (tenantId: string) => ({ tenantId, domain: "x.example", credential: { kind: "default" } });
  const values: Record<string, unknown> = {
    source: conn(SOURCE),
    target: conn(TARGET),
    crossTenantAccess: overrides,
  };
  return loadStackConfig((k) => (k in values ? JSON.stringify(values[k]) : undefined), "/").crossTenantAccess;
}

describe("CrossTenantCoexistence", () => {
  const created: pulumi.runtime.MockResourceArgs[] = [];
  before(() => {
    pulumi.runtime.setMocks(
      {
        newResource: (args) => {
          created.push(args);
          return { id: `${args.name}-id`, state: args.inputs };
        },
        call: () => ({}),
      },
      "entra-coexistence",
      "unit",
      false,
    );
  });

  it("declares both partner entries and both defaults, with reach-back's settings on each side", async () => {
    const c = new CrossTenantCoexistence("coex", {
      sourceTenantId: SOURCE,
      targetTenantId: TARGET,
      settings: settings(),
    });
    await new Promise<void>((resolve) => c.targetDefault.urn.apply(() => resolve()));
    const byName = new Map(created.map((r) => [r.name, r]));
    assert.deepEqual([...byName.keys()].sort(), [
      "coex",
      "coex-source-default",
      "coex-source-partner",
      "coex-target-default",
      "coex-target-partner",
    ]);
    const src = byName.get("coex-source-partner")?.inputs;
    assert.equal(src.tenant, "source");
    assert.equal(src.partnerTenantId, TARGET);
    assert.deepEqual(src.settings.automaticUserConsentSettings, {
      inboundAllowed: true,
      outboundAllowed: false,
    });
    assert.equal(src.settings.inboundTrust.isHybridAzureADJoinedDeviceAccepted, true);
    assert.equal(src.settings.b2bCollaborationInbound.usersAndGroups.targets[0].target, "AllUsers");
    const tgt = byName.get("coex-target-partner")?.inputs;
    assert.equal(tgt.tenant, "target");
    assert.equal(tgt.partnerTenantId, SOURCE);
    assert.deepEqual(tgt.settings.automaticUserConsentSettings, {
      inboundAllowed: false,
      outboundAllowed: true,
    });
    assert.equal(tgt.settings.inboundTrust, undefined);
  });

  it("refuses a pairing without automatic redemption inbound in the source", () => {
    assert.throws(
      () =>
        new CrossTenantCoexistence("bad", {
          sourceTenantId: SOURCE,
          targetTenantId: TARGET,
          settings: settings({ automaticRedemption: { sourceInbound: false } }),
        }),
      /automatic redemption must be allowed inbound in the source tenant 5a0c6e1e/,
    );
  });

  it("lists every problem of a pairing at once", () => {
    const problems = pairingProblems({
      sourceTenantId: SOURCE,
      targetTenantId: TARGET,
      settings: settings({
        automaticRedemption: { sourceInbound: false, targetOutbound: false },
        b2bCollaborationInbound: {
          usersAndGroups: { accessType: "blocked", targets: [{ target: "AllUsers", targetType: "user" }] },
        },
      }),
    });
    assert.equal(problems.length, 3);
    assert.deepEqual(
      pairingProblems({ sourceTenantId: SOURCE, targetTenantId: TARGET, settings: settings() }),
      [],
    );
  });

  const problemsOf = (overrides: Record<string, unknown>) =>
    pairingProblems({ sourceTenantId: SOURCE, targetTenantId: TARGET, settings: settings(overrides) });
  const allowAll = {
    usersAndGroups: { accessType: "allowed", targets: [{ target: "AllUsers", targetType: "user" }] },
    applications: {
      accessType: "allowed",
      targets: [{ target: "AllApplications", targetType: "application" }],
    },
  };
  const blockAllApps = {
    ...allowAll,
    applications: {
      accessType: "blocked",
      targets: [{ target: "AllApplications", targetType: "application" }],
    },
  };

  it("refuses a pairing that blocks all applications, inbound or outbound, like one that blocks all users", () => {
    assert.deepEqual(problemsOf({ b2bCollaborationInbound: blockAllApps }), [
      "crossTenantAccess.b2bCollaborationInbound blocks all applications: reach-back users could reach nothing; allow AllApplications, or block only the applications they must not reach",
    ]);
    assert.match(
      problemsOf({ b2bCollaborationOutbound: blockAllApps }).join("\n"),
      /^crossTenantAccess\.b2bCollaborationOutbound blocks all applications/,
    );
  });

  it("accepts a pairing that blocks only some applications", () => {
    const someApps = {
      ...allowAll,
      applications: {
        accessType: "blocked",
        targets: [{ target: "3f0c8a51-2b7d-4e1a-9c6f-8d5e4b3a2f10", targetType: "application" }],
      },
    };
    assert.deepEqual(problemsOf({ b2bCollaborationInbound: someApps }), []);
  });

  it("refuses cross-tenant synchronization into the source, with seed 001's reason", () => {
    const problems = problemsOf({ identitySynchronization: { userSyncInbound: { isSyncAllowed: true } } });
    assert.equal(problems.length, 1);
    assert.match(
      problems[0],
      /^crossTenantAccess\.identitySynchronization allows cross-tenant synchronization into the source tenant: .*hybrid external members are incompatible with cross-tenant synchronization \(seed 001/,
    );
  });

  it("accepts an identity-sync policy that allows no synchronization", () => {
    assert.deepEqual(
      problemsOf({ identitySynchronization: { userSyncInbound: { isSyncAllowed: false } } }),
      [],
    );
  });
});
