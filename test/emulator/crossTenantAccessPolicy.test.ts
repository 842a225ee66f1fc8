// The emulated /policies/crossTenantAccessPolicy endpoints, through the project's Graph client,
// checked against Graph's documented behaviour and the documentation's own examples.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { ClientCertificateCredential } from "@azure/identity";
import { CsdlModel } from "../../emulator/csdl";
import { GraphClient } from "../../lib/graph/client";
import { graphError } from "../support/graphError";
import { emulatedPair, type TenantPairUnderTest } from "../support/tenantPairs";

const POLICY = "/policies/crossTenantAccessPolicy";
// biome-ignore lint/suspicious/noExplicitAny: assertions walk Graph's JSON freely
type GraphJson = any;

describe("emulator: cross-tenant access policy", () => {
  let pair: TenantPairUnderTest;
  let graph: GraphClient;
  before(async () => {
    // About the policy, not replication (replication.test.ts): new objects are seen at once.
    pair = await emulatedPair(undefined, {}, { replicationDelayMs: 0 });
    graph = pair.graph("source");
  });
  after(async () => pair.close());

  describe("default", () => {
    it("is the service default of the documentation's example for a new tenant", async () => {
      const def = await graph.get<GraphJson>(`${POLICY}/default`);
      // From "Get crossTenantAccessPolicyConfigurationDefault", response example.
      const documented = {
        isServiceDefault: true,
        inboundTrust: {
          isMfaAccepted: false,
          isCompliantDeviceAccepted: false,
          isHybridAzureADJoinedDeviceAccepted: false,
        },
        b2bCollaborationOutbound: {
          usersAndGroups: { accessType: "allowed", targets: [{ target: "AllUsers", targetType: "user" }] },
          applications: {
            accessType: "allowed",
            targets: [{ target: "AllApplications", targetType: "application" }],
          },
        },
        b2bCollaborationInbound: {
          usersAndGroups: { accessType: "allowed", targets: [{ target: "AllUsers", targetType: "user" }] },
          applications: {
            accessType: "allowed",
            targets: [{ target: "AllApplications", targetType: "application" }],
          },
        },
        b2bDirectConnectOutbound: {
          usersAndGroups: { accessType: "blocked", targets: [{ target: "AllUsers", targetType: "user" }] },
          applications: {
            accessType: "blocked",
            targets: [{ target: "AllApplications", targetType: "application" }],
          },
        },
        b2bDirectConnectInbound: {
          usersAndGroups: { accessType: "blocked", targets: [{ target: "AllUsers", targetType: "user" }] },
          applications: {
            accessType: "blocked",
            targets: [{ target: "AllApplications", targetType: "application" }],
          },
        },
      };
      for (const [key, value] of Object.entries(documented)) assert.deepEqual(def[key], value, key);
      assert.match(def["@odata.context"], /\$metadata#policies\/crossTenantAccessPolicy\/default\/\$entity$/);
    });

    it("PATCH changes it (204) and clears isServiceDefault; resetToSystemDefault restores it", async () => {
      const trust = {
        isMfaAccepted: true,
        isCompliantDeviceAccepted: false,
        isHybridAzureADJoinedDeviceAccepted: false,
      };
      await graph.patch(`${POLICY}/default`, { inboundTrust: trust });
      let def = await graph.get<GraphJson>(`${POLICY}/default`);
      assert.deepEqual(def.inboundTrust, trust);
      assert.equal(def.isServiceDefault, false);
      await graph.post(`${POLICY}/default/resetToSystemDefault`, {});
      def = await graph.get<GraphJson>(`${POLICY}/default`);
      assert.equal(def.isServiceDefault, true);
      assert.equal(def.inboundTrust.isMfaAccepted, false);
    });

    it("rejects automaticUserConsentSettings on the default, where it is read-only", async () => {
      const err = await graphError(
        graph.patch(`${POLICY}/default`, {
          automaticUserConsentSettings: { inboundAllowed: true, outboundAllowed: false },
        }),
      );
      assert.equal(err.status, 400);
      assert.equal(err.code, "Request_BadRequest");
    });
  });

  describe("the policy", () => {
    it("GET answers the policy object with Graph's documented shape (it answered 400 before)", async () => {
      const policy = await graph.get<GraphJson>(POLICY);
      assert.match(policy["@odata.context"], /\$metadata#policies\/crossTenantAccessPolicy\/\$entity$/);
      assert.equal(policy.displayName, "CrossTenantAccessPolicy");
      assert.deepEqual(policy.allowedCloudEndpoints, [], "empty by default (the resource page)");
      const known = new Set(CsdlModel.load().propertyNames("microsoft.graph.crossTenantAccessPolicy"));
      for (const key of Object.keys(policy))
        if (!key.startsWith("@")) assert.ok(known.has(key), `${key} is not in the CSDL`);
      const picked = await graph.get<GraphJson>(`${POLICY}?$select=allowedCloudEndpoints`);
      assert.deepEqual(Object.keys(picked).sort(), ["@odata.context", "allowedCloudEndpoints", "id"]);
      const err = await graphError(graph.get(`${POLICY}?$select=definition`));
      assert.equal(err.status, 400, "definition is not a v1.0 property");
    });

    it("GET needs Policy.Read.All or Policy.ReadWrite.CrossTenantAccess", async () => {
      const other = await emulatedPair(["User.Read.All"]);
      try {
        const err = await graphError(other.graph("source").get(POLICY));
        assert.equal(err.status, 403);
        assert.equal(err.code, "Authorization_RequestDenied");
      } finally {
        await other.close();
      }
    });

    it("the default's redemption order is Microsoft's documented default, in members of b2bIdentityProvidersType", async () => {
      const def = await graph.get<GraphJson>(`${POLICY}/default`);
      // "Configure cross-tenant access settings for B2B collaboration", resetting the redemption order.
      assert.deepEqual(def.invitationRedemptionIdentityProviderConfiguration, {
        primaryIdentityProviderPrecedenceOrder: [
          "azureActiveDirectory",
          "externalFederation",
          "socialIdentityProviders",
        ],
        fallbackIdentityProvider: "defaultConfiguredIdp",
      });
      const violations = CsdlModel.load().validate(
        "microsoft.graph.crossTenantAccessPolicyConfigurationDefault",
        {
          invitationRedemptionIdentityProviderConfiguration:
            def.invitationRedemptionIdentityProviderConfiguration,
        },
        "update",
      );
      assert.deepEqual(violations, []);
    });
  });

  describe("partners", () => {
    it("creates the documentation's example partner (201) with unset settings as null", async () => {
      // From "Create crossTenantAccessPolicyConfigurationPartner", request and response examples.
      const tenantId = "3d0f5dec-5d3d-455c-8016-e2af1ae4d31a";
      const created = await graph.post<GraphJson>(`${POLICY}/partners`, {
        tenantId,
        b2bDirectConnectOutbound: {
          usersAndGroups: {
            accessType: "blocked",
            targets: [{ target: "6f546279-4da5-4b53-a095-09ea0cef9971", targetType: "group" }],
          },
        },
        b2bDirectConnectInbound: {
          applications: {
            accessType: "allowed",
            targets: [{ target: "Office365", targetType: "application" }],
          },
        },
      });
      assert.equal(created.tenantId, tenantId);
      for (const key of ["inboundTrust", "b2bCollaborationInbound", "b2bCollaborationOutbound"]) {
        assert.equal(created[key], null, key);
      }
      assert.deepEqual(created.b2bDirectConnectOutbound, {
        usersAndGroups: {
          accessType: "blocked",
          targets: [{ target: "6f546279-4da5-4b53-a095-09ea0cef9971", targetType: "group" }],
        },
      });
      // From "Get crossTenantAccessPolicyConfigurationPartner": consent settings not set are nulls.
      const read = await graph.get<GraphJson>(`${POLICY}/partners/${tenantId}`);
      assert.deepEqual(read.automaticUserConsentSettings, { inboundAllowed: null, outboundAllowed: null });
      await graph.delete(`${POLICY}/partners/${tenantId}`);
    });

    it("answers 409 Request_MultipleObjectsWithSameKeyValue for a partner that exists", async () => {
      const tenantId = randomUUID();
      await graph.post(`${POLICY}/partners`, { tenantId });
      const err = await graphError(graph.post(`${POLICY}/partners`, { tenantId }));
      assert.equal(err.status, 409);
      assert.equal(err.code, "Request_MultipleObjectsWithSameKeyValue");
      await graph.delete(`${POLICY}/partners/${tenantId}`);
    });

    it("rejects an unknown property and a wrong type the way Graph does, naming them", async () => {
      const unknown = await graphError(
        graph.post(`${POLICY}/partners`, { tenantId: randomUUID(), inboundTrusts: {} }),
      );
      assert.equal(unknown.status, 400);
      assert.match(unknown.message, /inboundTrusts/);
      const wrongType = await graphError(
        graph.post(`${POLICY}/partners`, {
          tenantId: randomUUID(),
          inboundTrust: {
            isMfaAccepted: "yes",
            isCompliantDeviceAccepted: false,
            isHybridAzureADJoinedDeviceAccepted: false,
          },
        }),
      );
      assert.equal(wrongType.status, 400);
      assert.match(wrongType.message, /Edm\.Boolean/);
      const badEnum = await graphError(
        graph.post(`${POLICY}/partners`, {
          tenantId: randomUUID(),
          b2bCollaborationInbound: { usersAndGroups: { accessType: "allow", targets: [] } },
        }),
      );
      assert.equal(badEnum.status, 400);
      assert.match(badEnum.message, /allow/);
    });

    it("answers 404 Request_ResourceNotFound for a partner that does not exist", async () => {
      const err = await graphError(graph.get(`${POLICY}/partners/${randomUUID()}`));
      assert.equal(err.status, 404);
      assert.equal(err.code, "Request_ResourceNotFound");
    });

    it("PATCH changes only what it names; tenantId cannot change", async () => {
      const tenantId = randomUUID();
      await graph.post(`${POLICY}/partners`, {
        tenantId,
        inboundTrust: {
          isMfaAccepted: true,
          isCompliantDeviceAccepted: false,
          isHybridAzureADJoinedDeviceAccepted: false,
        },
      });
      await graph.patch(`${POLICY}/partners/${tenantId}`, {
        automaticUserConsentSettings: { inboundAllowed: true, outboundAllowed: false },
      });
      const read = await graph.get<GraphJson>(`${POLICY}/partners/${tenantId}`);
      assert.equal(read.inboundTrust.isMfaAccepted, true);
      assert.equal(read.automaticUserConsentSettings.inboundAllowed, true);
      const err = await graphError(graph.patch(`${POLICY}/partners/${tenantId}`, { tenantId: randomUUID() }));
      assert.equal(err.status, 400);
      await graph.delete(`${POLICY}/partners/${tenantId}`);
    });

    it("lists partners page by page; the client follows @odata.nextLink to the end", async () => {
      const ids = Array.from({ length: 5 }, () => randomUUID());
      for (const tenantId of ids) await graph.post(`${POLICY}/partners`, { tenantId });
      const firstPage = await graph.get<GraphJson>(`${POLICY}/partners?$top=2`);
      assert.equal(firstPage.value.length, 2);
      assert.match(firstPage["@odata.nextLink"], /\$skiptoken=/);
      const all = await graph.list<GraphJson>(`${POLICY}/partners?$top=2`);
      assert.deepEqual(all.map((p) => p.tenantId).sort(), [...ids].sort());
      for (const tenantId of ids) await graph.delete(`${POLICY}/partners/${tenantId}`);
    });
  });

  describe("identity synchronization", () => {
    it("PUT creates it (204), a second PUT is 409, and the partner cannot be deleted before it", async () => {
      const tenantId = randomUUID();
      await graph.post(`${POLICY}/partners`, { tenantId });
      const path = `${POLICY}/partners/${tenantId}/identitySynchronization`;
      await graph.put(path, { displayName: "sync from target", userSyncInbound: { isSyncAllowed: true } });
      const sync = await graph.get<GraphJson>(path);
      assert.equal(sync.tenantId, tenantId);
      assert.deepEqual(sync.userSyncInbound, { isSyncAllowed: true });
      const again = await graphError(
        graph.put(path, { displayName: "again", userSyncInbound: { isSyncAllowed: true } }),
      );
      assert.equal(again.status, 409);
      const early = await graphError(graph.delete(`${POLICY}/partners/${tenantId}`));
      assert.equal(early.status, 400);
      await graph.patch(path, { userSyncInbound: { isSyncAllowed: false } });
      assert.deepEqual((await graph.get<GraphJson>(path)).userSyncInbound, { isSyncAllowed: false });
      await graph.delete(path);
      await graph.delete(`${POLICY}/partners/${tenantId}`);
      assert.equal(await graph.getOptional(path.replace("/identitySynchronization", "")), undefined);
    });
  });

  describe("throttling", () => {
    it("answers 429 with Retry-After, and the client retries until it succeeds", async () => {
      const emulator = pair.emulator;
      assert.ok(emulator);
      const inject = await fetch(`${emulator.url}/_emulator/faults`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-emulator-admin-key": emulator.adminKey },
        body: JSON.stringify({ status: 429, count: 2, retryAfterSeconds: 1 }),
      });
      assert.equal(inject.status, 204);
      const before = emulator.http.log.length;
      const def = await graph.get<GraphJson>(`${POLICY}/default`);
      assert.equal(typeof def.isServiceDefault, "boolean");
      const calls = emulator.http.log.slice(before).map((r) => r.status);
      assert.deepEqual(calls, [429, 429, 200]);
    });

    it("gives up after the retry budget with Graph's code and the request id", async () => {
      const emulator = pair.emulator;
      assert.ok(emulator);
      emulator.http.faults.push({ status: 503, remaining: 50, retryAfterSeconds: 0 });
      try {
        const c = pair.connections.source;
        const impatient = new GraphClient(
          c.tenantId,
          new ClientCertificateCredential(c.tenantId, c.clientId, c.certificatePath, {
            authorityHost: pair.cloud.authorityHost,
            disableInstanceDiscovery: true,
          }),
          { ...pair.cloud, disableInstanceDiscovery: true },
          { maxRetries: 1, retryDelaySeconds: 0 },
        );
        const err = await graphError(impatient.get(`${POLICY}/default`));
        assert.equal(err.status, 503);
        assert.equal(err.code, "ServiceUnavailable");
        assert.match(err.message, /request-id [0-9a-f-]{36}/);
      } finally {
        emulator.http.faults.length = 0;
      }
    });
  });
});
