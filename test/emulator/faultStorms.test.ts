// The emulator's fault storms (POST /_emulator/faults with `rate`), through the real Graph client
// over HTTPS: an even storm fails exactly ⌊n × rate⌋ of n matching calls and never two in a row
// below 0.5; a seeded storm repeats its pattern; count and durationSeconds end a fault; DELETE
// ends a storm; and the product's retrying client gets through a 30 % 429 storm.
import assert from "node:assert/strict";
import { ClientCertificateCredential } from "@azure/identity";
import { GraphClient, GraphRequestError } from "../../lib/graph/client";
import { emulatedPair, type TenantPairUnderTest } from "../support/tenantPairs";

const DOMAINS = "/v1.0/domains";

describe("emulator: fault storms (a share of Graph calls answer 429/503 with Retry-After)", () => {
  let pair: TenantPairUnderTest;
  /** A client that never retries: each call shows the emulator's answer. */
  let bare: GraphClient;

  before(async () => {
    pair = await emulatedPair(undefined, {}, { replicationDelayMs: 0 });
    const c = pair.connections.source;
    bare = new GraphClient(
      c.tenantId,
      new ClientCertificateCredential(c.tenantId, c.clientId, c.certificatePath, {
        authorityHost: pair.cloud.authorityHost,
        disableInstanceDiscovery: true,
      }),
      { ...pair.cloud, disableInstanceDiscovery: true },
      { maxRetries: 0 },
    );
  });
  after(async () => pair.close());

  const emulator = () => {
    assert.ok(pair.emulator);
    return pair.emulator;
  };
  const admin = async (method: string, body?: unknown) => {
    const res = await fetch(`${emulator().url}/_emulator/faults`, {
      method,
      headers: {
        "x-emulator-admin-key": emulator().adminKey,
        ...(body ? { "content-type": "application/json" } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const inject = async (fault: Record<string, unknown>) => {
    const r = await admin("POST", { pathPrefix: DOMAINS, retryAfterSeconds: 0, ...fault });
    assert.equal(r.status, 204, JSON.stringify(r.body));
  };
  /** Makes `n` calls one after the other; the 1-based numbers of those that failed, with the error. */
  const calls = async (n: number) => {
    const failed: Array<{ n: number; e: GraphRequestError }> = [];
    for (let i = 1; i <= n; i++) {
      try {
        await bare.get(`${DOMAINS.slice("/v1.0".length)}?$select=id`);
      } catch (e) {
        assert.ok(e instanceof GraphRequestError, String(e));
        failed.push({ n: i, e });
      }
    }
    return failed;
  };

  afterEach(async () => {
    assert.equal((await admin("DELETE")).status, 204);
  });

  it("an even storm at 30 % fails calls 4, 7, 10, ... as 429 with Retry-After, and ends after `count` failures", async () => {
    await inject({ status: 429, rate: 0.3, count: 4, retryAfterSeconds: 2 });
    const failed = await calls(20);
    assert.deepEqual(
      failed.map((f) => f.n),
      [4, 7, 10, 14],
      "⌊n × 0.3⌋ grows at these calls; after the 4th failure the fault is spent",
    );
    for (const { e } of failed) {
      assert.equal(e.status, 429);
      assert.equal(e.code, "TooManyRequests");
      assert.equal(e.retryAfterSeconds, 2);
    }
    assert.deepEqual((await admin("GET")).body, [], "spent");
  });

  it("reports what a storm in force matched and failed, and DELETE ends it", async () => {
    await inject({ status: 503, rate: 0.5, durationSeconds: 600 });
    const failed = await calls(10);
    assert.deepEqual(
      failed.map((f) => [f.n, f.e.status]),
      [2, 4, 6, 8, 10].map((n) => [n, 503]),
    );
    const [storm] = (await admin("GET")).body;
    assert.equal(storm.matched, 10);
    assert.equal(storm.answered, 5);
    assert.equal(storm.remaining, null, "bounded by its duration only");
    assert.ok(Date.parse(storm.until) > Date.now());
    assert.equal((await admin("DELETE")).status, 204);
    assert.deepEqual(await calls(6), [], "the storm is over");
  });

  it("a seeded storm fails a repeatable, irregular share of the calls", async () => {
    const run = async (seed: number) => {
      await inject({ status: 429, rate: 0.3, seed, count: 1000 });
      const failed = (await calls(60)).map((f) => f.n);
      await admin("DELETE");
      return failed;
    };
    const first = await run(42);
    assert.deepEqual(await run(42), first, "the same seed, the same calls fail");
    assert.notDeepEqual(await run(7), first, "another seed, another pattern");
    assert.ok(first.length >= 8 && first.length <= 30, `about 30 % of 60 failed: ${first.length}`);
    const even = [...Array(60).keys()]
      .map((i) => i + 1)
      .filter((n) => Math.floor(n * 0.3) > Math.floor((n - 1) * 0.3));
    assert.notDeepEqual(first, even, "not the even pattern");
  });

  it("a fault bounded by durationSeconds only fails every matching call until it expires", async () => {
    await inject({ status: 504, durationSeconds: 0.3 });
    assert.deepEqual(
      (await calls(2)).map((f) => f.e.status),
      [504, 504],
    );
    await new Promise((r) => setTimeout(r, 400));
    assert.deepEqual(await calls(2), [], "expired");
    assert.deepEqual((await admin("GET")).body, []);
  });

  it("the product's client gets through a 30 % 429 storm on every call, honouring Retry-After", async () => {
    await inject({ status: 429, rate: 0.3, count: 100, retryAfterSeconds: 0 });
    const start = emulator().http.log.length;
    const graph = pair.graph("source");
    for (let i = 0; i < 10; i++) await graph.get("/domains?$select=id");
    const statuses = emulator()
      .http.log.slice(start)
      .filter((r) => r.path.startsWith(DOMAINS))
      .map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 200).length, 10, "every call succeeded in the end");
    assert.equal(
      statuses.filter((s) => s === 429).length,
      Math.floor(statuses.length * 0.3),
      `⌊${statuses.length} × 0.3⌋ answers were 429`,
    );
  });

  it("refuses faults that would not end or make no sense", async () => {
    for (const body of [
      { status: 429 },
      { status: 429, rate: 0, count: 1 },
      { status: 429, rate: 1.5, count: 1 },
      { status: 429, seed: 3, count: 1 },
      { status: 429, rate: 0.3, seed: 1.5, count: 1 },
      { status: 429, durationSeconds: -1 },
      { status: 429, count: 1, afterCommit: true },
      { status: 500, count: 1 },
    ]) {
      const r = await admin("POST", body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.body.error.code, "BadRequest");
    }
  });
});
