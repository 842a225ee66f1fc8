// The emulator's Graph-like throttling (emulator/throttling.ts) over HTTPS: off by default; once
// switched on through the admin API, the documented limits are hit at the documented rate (with
// the emulator's clock held still, so that counts do not depend on how fast the machine is):
// invitations 150 per 5 s per tenant, resource units 3,500 per 10 s per app in a small tenant with
// the documented costs, writes 3,000 per 150 s; refusals are 429 TooManyRequests with Retry-After
// and x-ms-throttle-scope; and our Graph client, honouring Retry-After, gets a burst through.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { DEPLOYER_ROLES } from "../../emulator/tenantPair";
import { credentialFor } from "../../lib/graph/client";
import { emulatedPair, type Role, type TenantPairUnderTest } from "../support/tenantPairs";

describe("Emulator throttling (Graph's documented limits)", function () {
  this.timeout(120_000);
  let pair: TenantPairUnderTest;
  const tokens: Partial<Record<Role, string>> = {};
  let clock = 0;

  const emulator = () => {
    assert.ok(pair.emulator);
    return pair.emulator;
  };

  before(async () => {
    pair = await emulatedPair(
      [...DEPLOYER_ROLES, "User.Invite.All", "User.ReadWrite.All"],
      {},
      {
        replicationDelayMs: 0,
      },
    );
    for (const role of ["source", "target"] as const) {
      const c = pair.connections[role];
      const credential = credentialFor(
        {
          tenantId: c.tenantId,
          domain: c.domain,
          clientId: c.clientId,
          credential: { kind: "certificate", certificatePath: c.certificatePath },
        },
        { ...pair.cloud, disableInstanceDiscovery: true },
      );
      const token = await credential.getToken(`${emulator().url}/.default`);
      assert.ok(token);
      tokens[role] = token.token;
    }
  });
  after(async () => pair.close());

  /** Switches throttling through the admin API; buckets start full. */
  const throttling = async (body: unknown) => {
    const res = await fetch(`${emulator().url}/_emulator/throttling`, {
      method: "PUT",
      headers: { "content-type": "application/json", "x-emulator-admin-key": emulator().adminKey },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as { limits: Record<string, unknown> } };
  };
  /** One raw Graph call; answers the status and the throttling headers. */
  const call = async (role: Role, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${emulator().url}/v1.0${path}`, {
      method,
      headers: {
        authorization: `Bearer ${tokens[role]}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    await res.arrayBuffer();
    return {
      status: res.status,
      retryAfter: res.headers.get("retry-after"),
      scope: res.headers.get("x-ms-throttle-scope"),
      information: res.headers.get("x-ms-throttle-information"),
    };
  };
  /** `count` calls, 16 at a time; answers how many were not throttled before the first 429 the
   * burst met (every call goes out; none is retried). */
  const burst = async (count: number, make: () => Promise<{ status: number }>) => {
    const statuses: number[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        for (let i = next++; i < count; i = next++) statuses.push((await make()).status);
      }),
    );
    return {
      admitted: statuses.filter((s) => s !== 429).length,
      throttled: statuses.filter((s) => s === 429).length,
    };
  };
  const invite = (role: Role) => call(role, "POST", "/invitations", {});

  /** Holds the emulator's throttling clock still (advanced by hand). */
  const holdClock = () => {
    clock = Date.now();
    emulator().http.throttle.now = () => clock;
  };
  afterEach(async () => {
    emulator().http.throttle.now = Date.now;
    await throttling({ enabled: false });
  });

  it("is off by default: a burst far beyond the invitation limit is answered", async () => {
    assert.equal(
      (
        (await (
          await fetch(`${emulator().url}/_emulator/throttling`, {
            headers: { "x-emulator-admin-key": emulator().adminKey },
          })
        ).json()) as { enabled: boolean }
      ).enabled,
      false,
    );
    const r = await burst(200, () => invite("source"));
    assert.deepEqual(r, { admitted: 200, throttled: 0 });
  });

  it("refuses a switch without enabled, or with a limit that is not {quota, windowSeconds}", async () => {
    assert.equal((await throttling({})).status, 400);
    const bad = await throttling({
      enabled: true,
      limits: { tenantInvitations: { quota: 0, windowSeconds: 5 } },
    });
    assert.equal(bad.status, 400);
    assert.match(JSON.stringify(bad.body), /limits\.tenantInvitations/);
  });

  it("invitations: 150 per 5 s per tenant (30 a second after the burst); other tenants and other services are not held", async () => {
    holdClock();
    const on = await throttling({ enabled: true });
    assert.equal(on.status, 200);
    assert.deepEqual(on.body.limits.tenantInvitations, { quota: 150, windowSeconds: 5 });
    // Each call is refused by the invitation endpoint (400: no body) after it was admitted: it
    // counts, as any request on /invitations does.
    const first = await burst(150, () => invite("source"));
    assert.deepEqual(first, { admitted: 150, throttled: 0 });
    const refused = await invite("source");
    assert.equal(refused.status, 429);
    assert.equal(refused.retryAfter, "1");
    assert.match(refused.scope ?? "", /^Tenant\//);
    // The target tenant has its own bucket; the source's identity calls are another service.
    assert.notEqual((await invite("target")).status, 429);
    assert.notEqual((await call("source", "GET", "/users?$select=id")).status, 429);
    // One second refills 30 (150 per 5 s): 30 more pass, the 31st does not.
    clock += 1000;
    const second = await burst(31, () => invite("source"));
    assert.deepEqual(second, { admitted: 30, throttled: 1 });
  });

  it("resource units: 3,500 per 10 s per app in a small tenant, at the documented cost per request", async () => {
    holdClock();
    await throttling({ enabled: true });
    // GET groups/{id}/members costs 3 units: 1,166 of them spend 3,498 units (the group need not
    // exist: the request is charged before it is answered).
    const group = randomUUID();
    const members = () => call("source", "GET", `/groups/${group}/members`);
    const r = await burst(1167, members);
    assert.deepEqual(r, { admitted: 1166, throttled: 1 });
    const refused = await members();
    assert.equal(refused.status, 429);
    assert.equal(refused.information, "ResourceUnitLimitExceeded");
    assert.match(refused.scope ?? "", /^Tenant_Application\/ReadWrite\//);
    // A GET of a user with $select costs 1 (2 − 1... never below 1): two still fit, a third not.
    const user = () => call("source", "GET", `/users/${randomUUID()}?$select=id`);
    assert.notEqual((await user()).status, 429);
    assert.notEqual((await user()).status, 429);
    assert.equal((await user()).status, 429);
    // 350 units a second come back.
    clock += 1000;
    assert.deepEqual(await burst(117, members), { admitted: 116, throttled: 1 });
  });

  it("writes: 3,000 per 150 s per app and tenant", async () => {
    holdClock();
    await throttling({ enabled: true });
    const del = () => call("source", "DELETE", `/groups/${randomUUID()}`);
    assert.deepEqual(await burst(3001, del), { admitted: 3000, throttled: 1 });
    const refused = await del();
    assert.equal(refused.status, 429);
    assert.equal(refused.information, "WriteLimitExceeded");
    // Reads have their own quota: still answered.
    assert.notEqual((await call("source", "GET", "/users?$select=id")).status, 429);
  });

  it("a burst of invitations through our Graph client completes: it waits as Retry-After says", async () => {
    await throttling({ enabled: true });
    // Another caller in the tenant has just used up the invitation bucket.
    assert.equal((await burst(150, () => invite("source"))).throttled, 0);
    const graph = pair.graph("source");
    const start = emulator().http.log.length;
    const made = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        graph.post<{ status: string }>("/invitations", {
          invitedUserEmailAddress: `burst${i}-${randomUUID().slice(0, 6)}@partner.example`,
          inviteRedirectUrl: "https://myapps.microsoft.com",
          sendInvitationMessage: false,
        }),
      ),
    );
    assert.equal(made.length, 60);
    const calls = emulator()
      .http.log.slice(start)
      .filter((r) => r.path.startsWith("/v1.0/invitations"));
    assert.equal(calls.filter((r) => r.status === 201).length, 60, "every invitation was made once");
    assert.ok(
      calls.some((r) => r.status === 429),
      "the burst was throttled, so the client's retries were exercised",
    );
  });
});
