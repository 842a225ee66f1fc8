// Which calls the Graph client sends again, through the real client against the emulator over
// HTTPS: a POST that Graph committed and then answered 503 is never sent again blindly (no second
// group), a throttled POST (429: not processed) is, GET/PUT are retried on 503, and the product's
// creates look up what a committed POST made instead of making it twice.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { ClientCertificateCredential } from "@azure/identity";
import type { Fault } from "../../emulator/graphHttp";
import { createPartner, readPartner, setIdentitySync } from "../../lib/crossTenantAccess/policyApi";
import { GraphClient, odataString } from "../../lib/graph/client";
import { eventually } from "../../lib/graph/consistency";
import { assignLicenses, createSecurityGroup, readGroup } from "../../lib/licensing/licenseGroupApi";
import { graphError } from "../support/graphError";
import { emulatedPair, type TenantPairUnderTest } from "../support/tenantPairs";

type FaultRequest = Omit<Fault, "remaining"> & { count: number };

describe("Graph client retries against committed and uncommitted failures", () => {
  let pair: TenantPairUnderTest;
  let graph: GraphClient;

  before(async () => {
    // The replication delay stays on (the test default): a look-up must wait it out.
    pair = await emulatedPair();
    graph = pair.graph("source");
  });
  after(async () => pair.close());

  const emulator = () => {
    assert.ok(pair.emulator);
    return pair.emulator;
  };
  /** Injects a fault through the admin API, as a test against a running emulator would. */
  const inject = async (fault: Partial<FaultRequest>) => {
    const res = await fetch(`${emulator().url}/_emulator/faults`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-emulator-admin-key": emulator().adminKey },
      body: JSON.stringify({ retryAfterSeconds: 0, ...fault }),
    });
    assert.equal(res.status, 204, await res.text());
  };
  /** The calls made from now on, as the emulator answered them: "POST /v1.0/groups 503". */
  const callsFrom = (start: number, pathPrefix: string) =>
    emulator()
      .http.log.slice(start)
      .filter((r) => r.path.startsWith(pathPrefix))
      .map((r) => `${r.method} ${r.path.split("?")[0]} ${r.status}`);
  const groupBody = (displayName: string) => ({
    displayName,
    mailEnabled: false,
    mailNickname: displayName,
    securityEnabled: true,
  });
  /** The groups of this name once the replication delay has passed. */
  const groupsNamed = (displayName: string) =>
    eventually(
      `group ${displayName}`,
      async () => {
        const found = await graph.list<{ id: string }>(
          `/groups?$filter=displayName eq ${odataString(displayName)}&$select=id`,
        );
        return found.length > 0 ? found : undefined;
      },
      graph.consistency,
    );
  /** A client of the source tenant's deployer with its own consistency settings. */
  const clientWith = (consistency: GraphClient["consistency"] | Partial<GraphClient["consistency"]>) => {
    const c = pair.connections.source;
    return new GraphClient(
      c.tenantId,
      new ClientCertificateCredential(c.tenantId, c.clientId, c.certificatePath, {
        authorityHost: pair.cloud.authorityHost,
        disableInstanceDiscovery: true,
      }),
      { ...pair.cloud, disableInstanceDiscovery: true },
      { retryDelaySeconds: 0, consistency },
    );
  };

  afterEach(() => {
    emulator().http.faults.length = 0;
  });

  it("does not send a POST /groups again after Graph committed it and answered 503: one group, the caller gets the 503", async () => {
    const name = `retry-${randomUUID().slice(0, 8)}`;
    await inject({ status: 503, count: 1, afterCommit: true, method: "POST", pathPrefix: "/v1.0/groups" });
    const start = emulator().http.log.length;
    const err = await graphError(graph.post("/groups", groupBody(name)));
    assert.equal(err.status, 503);
    assert.equal(err.code, "ServiceUnavailable");
    assert.match(err.message, /request-id [0-9a-f-]{36}/);
    assert.deepEqual(callsFrom(start, "/v1.0/groups"), ["POST /v1.0/groups 503"]);
    assert.equal((await groupsNamed(name)).length, 1);
  });

  it("createSecurityGroup finds the group a committed POST made, instead of making a second", async () => {
    const name = `retry-${randomUUID().slice(0, 8)}`;
    await inject({ status: 503, count: 1, afterCommit: true, method: "POST", pathPrefix: "/v1.0/groups" });
    const start = emulator().http.log.length;
    const group = await createSecurityGroup(graph, name, "made once");
    assert.equal(callsFrom(start, "/v1.0/groups").filter((c) => c.startsWith("POST")).length, 1);
    const found = await groupsNamed(name);
    assert.deepEqual(
      found.map((g) => g.id),
      [group.id],
    );
  });

  it("createSecurityGroup sends the POST again when the look-up finds nothing (a 503 before the write)", async () => {
    const name = `retry-${randomUUID().slice(0, 8)}`;
    const quick = clientWith({ lookupMs: 2500, intervalMs: 500 });
    await inject({ status: 503, count: 1, method: "POST", pathPrefix: "/v1.0/groups" });
    const start = emulator().http.log.length;
    const group = await createSecurityGroup(quick, name, "made on the second try");
    assert.deepEqual(
      callsFrom(start, "/v1.0/groups").filter((c) => c.startsWith("POST")),
      ["POST /v1.0/groups 503", "POST /v1.0/groups 201"],
    );
    assert.deepEqual(
      (await groupsNamed(name)).map((g) => g.id),
      [group.id],
    );
  });

  it("sends a throttled POST (429: Graph did not process it) again, and makes one group", async () => {
    const name = `retry-${randomUUID().slice(0, 8)}`;
    await inject({ status: 429, count: 1, method: "POST", pathPrefix: "/v1.0/groups" });
    const start = emulator().http.log.length;
    await graph.post("/groups", groupBody(name));
    assert.deepEqual(callsFrom(start, "/v1.0/groups"), ["POST /v1.0/groups 429", "POST /v1.0/groups 201"]);
    assert.equal((await groupsNamed(name)).length, 1);
  });

  it("retries a GET on 503", async () => {
    await inject({ status: 503, count: 2, method: "GET", pathPrefix: "/v1.0/subscribedSkus" });
    const start = emulator().http.log.length;
    const skus = await graph.list<{ skuId: string }>("/subscribedSkus");
    assert.ok(skus.length > 0);
    assert.deepEqual(callsFrom(start, "/v1.0/subscribedSkus"), [
      "GET /v1.0/subscribedSkus 503",
      "GET /v1.0/subscribedSkus 503",
      "GET /v1.0/subscribedSkus 200",
    ]);
  });

  it("sends assignLicense (idempotent) again after a committed 503, and the group has the license once", async () => {
    const group = await createSecurityGroup(graph, `retry-${randomUUID().slice(0, 8)}`, "licensed");
    const [sku] = await graph.list<{ skuId: string }>("/subscribedSkus");
    const path = `/v1.0/groups/${group.id}/assignLicense`;
    await inject({ status: 503, count: 1, afterCommit: true, method: "POST", pathPrefix: path });
    const start = emulator().http.log.length;
    await assignLicenses(graph, group.id, [{ skuId: sku.skuId, disabledPlans: [] }], []);
    assert.deepEqual(callsFrom(start, path), [`POST ${path} 503`, `POST ${path} 202`]);
    const after = await readGroup(graph, group.id);
    assert.deepEqual(
      after?.assignedLicenses.map((l) => l.skuId),
      [sku.skuId.toLowerCase()],
    );
  });

  it("a PUT of the identity-sync policy that Graph committed is sent again; its 409 ends in the policy wanted", async () => {
    const partnerTenantId = randomUUID();
    const settings = {
      b2bCollaborationInbound: null,
      b2bCollaborationOutbound: null,
      b2bDirectConnectInbound: null,
      b2bDirectConnectOutbound: null,
      inboundTrust: null,
      automaticUserConsentSettings: { inboundAllowed: true, outboundAllowed: false },
      identitySynchronization: null,
    };
    assert.equal(await createPartner(graph, partnerTenantId, settings), true);
    const path = `/v1.0/policies/crossTenantAccessPolicy/partners/${partnerTenantId}/identitySynchronization`;
    await inject({ status: 503, count: 1, afterCommit: true, method: "PUT", pathPrefix: path });
    const start = emulator().http.log.length;
    const desired = { displayName: "sync", userSyncInbound: { isSyncAllowed: true } };
    await setIdentitySync(graph, partnerTenantId, null, desired);
    assert.deepEqual(
      callsFrom(start, path).filter((c) => !c.startsWith("GET")),
      [`PUT ${path} 503`, `PUT ${path} 409`, `PATCH ${path} 204`],
    );
    assert.deepEqual((await readPartner(graph, partnerTenantId))?.settings.identitySynchronization, desired);
  });

  it("refuses a fault that would commit and then throttle: Graph throttles before it processes", async () => {
    const res = await fetch(`${emulator().url}/_emulator/faults`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-emulator-admin-key": emulator().adminKey },
      body: JSON.stringify({ status: 429, count: 1, afterCommit: true }),
    });
    assert.equal(res.status, 400);
  });
});
