// The emulator's replication delay (emulator/replication.ts), through the real Graph client over
// HTTPS: new objects are missed by reads by id and by lists and filters while they replicate, and
// found after; writes that Graph documents as failing right after a create fail; and the product's
// API functions, which wait for replication, chain their calls through it.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { certDerBase64, createClientCertificate } from "../../emulator/pki";
import { parseReplicationDelays, Replication } from "../../emulator/replication";
import { DEPLOYER_ROLES } from "../../emulator/tenantPair";
import {
  addOwner,
  appRoleIds,
  createApplication,
  createServicePrincipal,
  grantAppRole,
  graphServicePrincipal,
  listAppRoleAssignments,
  listOwnerIds,
  thumbprintOfDer,
} from "../../lib/automation/automationAppApi";
import { createPartner, readPartner } from "../../lib/crossTenantAccess/policyApi";
import { type GraphClient, odataString } from "../../lib/graph/client";
import { eventually } from "../../lib/graph/consistency";
import { assignLicenses, createSecurityGroup, readGroup } from "../../lib/licensing/licenseGroupApi";
import { graphError } from "../support/graphError";
import { emulatedPair, type TenantPairUnderTest } from "../support/tenantPairs";

// biome-ignore lint/suspicious/noExplicitAny: assertions walk Graph's JSON freely
type GraphJson = any;

/** Long enough that the reads right after a create surely fall within it. */
const LONG_DELAY_MS = 10_000;

describe("emulator: replication delay", () => {
  let pair: TenantPairUnderTest;
  let graph: GraphClient;

  before(async () => {
    pair = await emulatedPair([...DEPLOYER_ROLES, "User.Invite.All"]);
    graph = pair.graph("source");
  });
  after(async () => pair.close());

  const replication = () => {
    assert.ok(pair.emulator);
    return pair.emulator.replication;
  };
  const newGroup = (displayName: string) =>
    graph.post<GraphJson>("/groups", {
      displayName,
      mailEnabled: false,
      mailNickname: displayName.replace(/[^A-Za-z0-9]/g, ""),
      securityEnabled: true,
    });
  const byName = (displayName: string) =>
    graph.list<GraphJson>(`/groups?$filter=displayName eq ${odataString(displayName)}&$select=id`);
  /** Waits (polling, not sleeping a fixed time) until the read answers. */
  const once = <T>(what: string, read: () => Promise<T | undefined>) =>
    eventually(what, read, { ...graph.consistency, successesInARow: 1, deadlineMs: 30_000 });

  describe("with a long delay for groups", () => {
    before(() => replication().setDelays({ groups: LONG_DELAY_MS }));
    after(() => replication().setDelays({ groups: 1000 }));

    it("answers 404 Request_ResourceNotFound by id, and leaves a new group out of lists and filters", async () => {
      const name = `new-${randomUUID().slice(0, 8)}`;
      const group = await newGroup(name);
      const byId = await graphError(graph.get(`/groups/${group.id}`));
      assert.equal(byId.status, 404);
      assert.equal(byId.code, "Request_ResourceNotFound");
      assert.match(byId.graphMessage, /does not exist or one of its queried reference-property objects/);
      assert.match(byId.message, /request-id [0-9a-f-]{36}/);
      assert.deepEqual(await byName(name), []);
      const all = await graph.list<GraphJson>("/groups?$select=id&$top=999");
      assert.ok(!all.some((g) => g.id === group.id));
    });

    it("refuses writes addressed to the new group (PATCH, assignLicense) with 404, as azuread documents", async () => {
      const group = await newGroup(`new-${randomUUID().slice(0, 8)}`);
      const [sku] = await graph.list<GraphJson>("/subscribedSkus");
      const patch = await graphError(graph.patch(`/groups/${group.id}`, { description: "x" }));
      assert.equal(patch.status, 404);
      const assign = await graphError(
        graph.post(`/groups/${group.id}/assignLicense`, {
          addLicenses: [{ skuId: sku.skuId, disabledPlans: [] }],
          removeLicenses: [],
        }),
      );
      assert.equal(assign.status, 404);
      assert.equal(assign.code, "Request_ResourceNotFound");
    });

    it("a changed delay applies to objects created from then on", async () => {
      const name = `new-${randomUUID().slice(0, 8)}`;
      const group = await newGroup(name);
      replication().setDelays({ groups: 0 }); // only for objects created from now on
      assert.equal(replication().isNew(pair.connections.source.tenantId, "groups", group.id), true);
      const shortly = await newGroup(`${name}-now`);
      assert.equal((await graph.get<GraphJson>(`/groups/${shortly.id}`)).id, shortly.id);
      assert.equal(
        (await graph.get<GraphJson>(`/groups/${group.id}`).catch((e) => e)).status,
        404,
        "the first group keeps its delay",
      );
    });
  });

  it("finds a new group after the delay, by id and by filter", async () => {
    const name = `new-${randomUUID().slice(0, 8)}`;
    const group = await newGroup(name);
    const found = await once("the group by id", () => graph.getOptional<GraphJson>(`/groups/${group.id}`));
    assert.equal(found.displayName, name);
    assert.deepEqual(
      (await byName(name)).map((g) => g.id),
      [group.id],
    );
  });

  it("refuses a service principal for a new application, and a grant or an ownership for a new service principal", async () => {
    replication().setDelays({ applications: LONG_DELAY_MS, servicePrincipals: LONG_DELAY_MS });
    try {
      const app = await graph.post<GraphJson>("/applications", { displayName: `app-${randomUUID()}` });
      const sp = await graphError(graph.post("/servicePrincipals", { appId: app.appId }));
      assert.equal(sp.status, 400);
      assert.match(
        sp.graphMessage,
        new RegExp(
          `The appId '${app.appId}' of the service principal does not reference a valid application object`,
        ),
      );
      // The application's own service principal, made once the application has replicated.
      replication().setDelays({ applications: 0 });
      const app2 = await graph.post<GraphJson>("/applications", { displayName: `app-${randomUUID()}` });
      const sp2 = await graph.post<GraphJson>("/servicePrincipals", { appId: app2.appId });
      const resource = await graphServicePrincipal(graph);
      const roleId = appRoleIds(resource, ["User.Read.All"]).get("User.Read.All");
      const grant = await graphError(
        graph.post(`/servicePrincipals/${resource.id}/appRoleAssignedTo`, {
          principalId: sp2.id,
          resourceId: resource.id,
          appRoleId: roleId,
        }),
      );
      assert.equal(grant.status, 404);
      const group = await createSecurityGroup(graph, `owned-${randomUUID().slice(0, 8)}`, "owned");
      const owner = await graphError(
        graph.post(`/groups/${group.id}/owners/$ref`, {
          "@odata.id": `${graph.baseUrl}v1.0/directoryObjects/${sp2.id}`,
        }),
      );
      assert.equal(owner.status, 404);
      const bySp = await graph.list<GraphJson>(`/servicePrincipals?$filter=appId eq '${app2.appId}'`);
      assert.deepEqual(bySp, []);
    } finally {
      replication().setDelays({ applications: 1000, servicePrincipals: 1000 });
    }
  });

  it("leaves a new partner entry and a new invited guest out of reads", async () => {
    const partnerTenantId = randomUUID();
    await graph.post("/policies/crossTenantAccessPolicy/partners", { tenantId: partnerTenantId });
    assert.equal(
      await graph.getOptional(`/policies/crossTenantAccessPolicy/partners/${partnerTenantId}`),
      undefined,
    );
    const partners = await graph.list<GraphJson>("/policies/crossTenantAccessPolicy/partners");
    assert.ok(!partners.some((p) => p.tenantId === partnerTenantId));
    const address = `guest-${randomUUID().slice(0, 8)}@elsewhere.example`;
    const invitation = await graph.post<GraphJson>("/invitations", {
      invitedUserEmailAddress: address,
      inviteRedirectUrl: "https://myapps.microsoft.com",
    });
    assert.equal(await graph.getOptional(`/users/${invitation.invitedUser.id}`), undefined);
    assert.deepEqual(await graph.list(`/users?$filter=mail eq ${odataString(address)}`), []);
    await once("the guest", () => graph.getOptional(`/users/${invitation.invitedUser.id}`));
    await once("the partner", () =>
      graph.getOptional(`/policies/crossTenantAccessPolicy/partners/${partnerTenantId}`),
    );
  });

  describe("the product's API functions chain through it", () => {
    it("createSecurityGroup, then assignLicenses, then the group reads back licensed", async () => {
      const [sku] = await graph.list<GraphJson>("/subscribedSkus");
      const group = await createSecurityGroup(graph, `chain-${randomUUID().slice(0, 8)}`, "chained");
      await assignLicenses(graph, group.id, [{ skuId: sku.skuId, disabledPlans: [] }], []);
      const now = await readGroup(graph, group.id);
      assert.deepEqual(
        now?.assignedLicenses.map((l) => l.skuId),
        [sku.skuId.toLowerCase()],
      );
    });

    it("createApplication, createServicePrincipal, grantAppRole and addOwner, back to back", async () => {
      const group = await createSecurityGroup(graph, `chain-${randomUUID().slice(0, 8)}`, "owned");
      const der = certDerBase64(createClientCertificate("chain").certPem);
      const app = await createApplication(graph, `chain-${randomUUID().slice(0, 8)}`, [
        { der, thumbprint: thumbprintOfDer(der) },
      ]);
      const sp = await createServicePrincipal(graph, app.appId);
      const resource = await graphServicePrincipal(graph);
      const roleId = appRoleIds(resource, ["User.Invite.All"]).get("User.Invite.All") as string;
      await grantAppRole(graph, sp.id, resource.id, roleId);
      await addOwner(graph, group.id, sp.id);
      assert.deepEqual(
        (await listAppRoleAssignments(graph, sp.id)).map((a) => [a.resourceId, a.appRoleId]),
        [[resource.id.toLowerCase(), roleId]],
      );
      assert.ok((await listOwnerIds(graph, group.id))?.includes(sp.id.toLowerCase()));
    });

    it("createPartner, then the entry reads back", async () => {
      const partnerTenantId = randomUUID();
      const settings = {
        b2bCollaborationInbound: null,
        b2bCollaborationOutbound: null,
        b2bDirectConnectInbound: null,
        b2bDirectConnectOutbound: null,
        inboundTrust: {
          isMfaAccepted: true,
          isCompliantDeviceAccepted: false,
          isHybridAzureADJoinedDeviceAccepted: false,
        },
        automaticUserConsentSettings: { inboundAllowed: true, outboundAllowed: false },
        identitySynchronization: null,
      };
      assert.equal(await createPartner(graph, partnerTenantId, settings), true);
      assert.deepEqual(
        (await readPartner(graph, partnerTenantId))?.settings.inboundTrust,
        settings.inboundTrust,
      );
    });
  });

  describe("configuration", () => {
    it("reads and changes the delays through the admin API", async () => {
      const e = pair.emulator;
      assert.ok(e);
      const call = async (method: string, body?: unknown) => {
        const res = await fetch(`${e.url}/_emulator/replication`, {
          method,
          headers: {
            "x-emulator-admin-key": e.adminKey,
            ...(body ? { "content-type": "application/json" } : {}),
          },
          body: body ? JSON.stringify(body) : undefined,
        });
        return { status: res.status, body: (await res.json()) as GraphJson };
      };
      const before = (await call("GET")).body.delayMs;
      assert.equal(before.groups, 1000);
      const changed = await call("PATCH", { delayMs: { partners: 2500 } });
      assert.equal(changed.body.delayMs.partners, 2500);
      assert.equal(changed.body.delayMs.groups, 1000);
      assert.equal((await call("PATCH", { delayMs: { widgets: 1 } })).status, 400);
      assert.equal((await call("PATCH", { delayMs: { groups: -1 } })).status, 400);
      await call("PATCH", { delayMs: 1000 });
      assert.deepEqual((await call("GET")).body.delayMs, {
        users: 1000,
        groups: 1000,
        applications: 1000,
        servicePrincipals: 1000,
        partners: 1000,
      });
    });

    it("parses the serve command's --replication-delay", () => {
      assert.equal(parseReplicationDelays("1500").servicePrincipals, 1500);
      assert.deepEqual(parseReplicationDelays("groups=1500, applications=2000"), {
        users: 0,
        groups: 1500,
        applications: 2000,
        servicePrincipals: 0,
        partners: 0,
      });
      assert.throws(() => parseReplicationDelays("groups"), /not <kind>=<milliseconds>/);
      assert.throws(() => parseReplicationDelays("widgets=5"), /unknown object kind widgets/);
    });

    it("forgets an object once its delay has passed (a clock of its own)", () => {
      let t = 0;
      const r = new Replication({ groups: 100 }, () => t);
      r.created("t1", "groups", ["G1"]);
      assert.equal(r.isNew("t1", "groups", "g1"), true);
      assert.equal(r.isNew("t2", "groups", "g1"), false);
      assert.equal(r.isNew("t1", "users", "g1"), false);
      t = 100;
      assert.equal(r.isNew("t1", "groups", "g1"), false);
    });
  });
});
