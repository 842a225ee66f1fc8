// JSON batching and `in (...)` filters, on the emulator over HTTPS and through the product's
// Graph client: the emulator answers $batch as Graph documents it (20 at most, each request
// authorised, faulted and logged on its own), the client's batchGet retries what was throttled
// inside and splits more than 20, and the coalescer gives each concurrent caller its own answer
// or its own error while sending few HTTP requests.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { DEPLOYER_ROLES } from "../../emulator/tenantPair";
import { batchGet } from "../../lib/graph/batch";
import type { GraphClient } from "../../lib/graph/client";
import { ReadCoalescer } from "../../lib/graph/coalesce";
import { GraphRequestError } from "../../lib/graph/errors";
import { findTargetUser, readUser } from "../../lib/reachBack/userApi";
import { graphError } from "../support/graphError";
import { emulatedPair, emulatorAdmin, type TenantPairUnderTest } from "../support/tenantPairs";

// biome-ignore lint/suspicious/noExplicitAny: assertions walk Graph's JSON freely
type GraphJson = any;

describe("JSON batching and in-filters (emulator, Graph client, coalescer)", () => {
  let pair: TenantPairUnderTest;
  let graph: GraphClient;
  const users: Array<{ id: string; upn: string }> = [];

  const emulator = () => {
    assert.ok(pair.emulator);
    return pair.emulator;
  };
  const inject = async (fault: Record<string, unknown>) => {
    const res = await fetch(`${emulator().url}/_emulator/faults`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-emulator-admin-key": emulator().adminKey },
      body: JSON.stringify({ retryAfterSeconds: 0, ...fault }),
    });
    assert.equal(res.status, 204, await res.text());
  };
  /** HTTP requests (direct calls and batch envelopes) and requests inside batches since `mark`. */
  const countsSince = (mark: { log: number; batches: number }) => {
    const log = emulator().http.log.slice(mark.log);
    const envelopes = emulator().http.batchLog.length - mark.batches;
    return {
      http: log.filter((r) => !r.inBatch).length + envelopes,
      inner: log.filter((r) => r.inBatch).length,
      envelopes,
    };
  };
  const mark = () => ({ log: emulator().http.log.length, batches: emulator().http.batchLog.length });

  before(async () => {
    pair = await emulatedPair([...DEPLOYER_ROLES], { source: "fabrikam.example" }, { replicationDelayMs: 0 });
    graph = pair.graph("source");
    for (let i = 0; i < 40; i++) {
      const upn = `batch.user${i}@fabrikam.example`;
      const u = (await emulatorAdmin(pair, "source", "POST", "/users", {
        userPrincipalName: upn,
        mail: upn,
      })) as GraphJson;
      users.push({ id: u.id, upn });
    }
  });
  after(async () => pair?.close());
  afterEach(async () => {
    await fetch(`${emulator().url}/_emulator/faults`, {
      method: "DELETE",
      headers: { "x-emulator-admin-key": emulator().adminKey },
    });
  });

  describe("emulator: POST /v1.0/$batch", () => {
    it("answers each request by its id, logs the inner requests as such and the envelope apart", async () => {
      const m = mark();
      const answer = await graph.post<GraphJson>("/$batch", {
        requests: [
          { id: "a", method: "GET", url: `/users/${users[0].id}?$select=id,userPrincipalName` },
          { id: "b", method: "GET", url: `users/${randomUUID()}` },
          { id: "c", method: "GET", url: "/domains", dependsOn: ["a"] },
          { id: "d", method: "GET", url: `/users/${randomUUID()}`, dependsOn: ["b"] },
        ],
      });
      const byId = Object.fromEntries(answer.responses.map((r: GraphJson) => [r.id, r]));
      assert.equal(byId.a.status, 200);
      assert.equal(byId.a.body.userPrincipalName, users[0].upn);
      assert.equal(byId.b.status, 404);
      assert.equal(byId.b.body.error.code, "Request_ResourceNotFound");
      assert.match(byId.b.body.error.innerError["request-id"], /^[0-9a-f-]{36}$/);
      assert.equal(byId.c.status, 200);
      assert.equal(byId.d.status, 424, "its dependency failed");
      const counts = countsSince(m);
      assert.deepEqual(counts, { http: 1, inner: 3, envelopes: 1 });
      assert.ok(
        emulator()
          .http.log.slice(m.log)
          .every((r) => r.method === "GET" && r.inBatch === emulator().http.batchLog.at(-1)?.inBatch),
      );
    });

    it("refuses more than 20 requests, and duplicate ids, with 400 before running any", async () => {
      const m = mark();
      const requests = Array.from({ length: 21 }, (_, i) => ({
        id: String(i),
        method: "GET",
        url: "/domains",
      }));
      const err = await graphError(graph.post("/$batch", { requests }));
      assert.equal(err.status, 400);
      assert.match(err.message, /limit of 20/);
      const dup = await graphError(
        graph.post("/$batch", {
          requests: [
            { id: "1", method: "GET", url: "/domains" },
            { id: "1", method: "GET", url: "/domains" },
          ],
        }),
      );
      assert.equal(dup.status, 400);
      assert.equal(countsSince(m).inner, 0);
    });

    it("throttles a request inside on its own: 429 with Retry-After inside the 200", async () => {
      await inject({
        status: 429,
        count: 1,
        retryAfterSeconds: 7,
        method: "GET",
        pathPrefix: "/v1.0/users/",
      });
      const answer = await graph.post<GraphJson>("/$batch", {
        requests: [
          { id: "1", method: "GET", url: `/users/${users[1].id}` },
          { id: "2", method: "GET", url: "/domains" },
        ],
      });
      const [one, two] = ["1", "2"].map((id) => answer.responses.find((r: GraphJson) => r.id === id));
      assert.equal(one.status, 429);
      assert.equal(one.headers["Retry-After"], "7");
      assert.equal(one.body.error.code, "TooManyRequests");
      assert.equal(two.status, 200);
    });

    it("filters users with id in (...) up to 15 values, and refuses 16", async () => {
      const ids = users.slice(0, 15).map((u) => `'${u.id}'`);
      const found = await graph.list<{ id: string }>(`/users?$filter=id in (${ids.join(",")})&$select=id`);
      assert.deepEqual(
        found.map((u) => u.id).sort(),
        users
          .slice(0, 15)
          .map((u) => u.id)
          .sort(),
      );
      const upns = await graph.list<{ id: string }>(
        `/users?$filter=userPrincipalName in ('${users[3].upn.toUpperCase()}','nobody@fabrikam.example')&$select=id`,
      );
      assert.deepEqual(
        upns.map((u) => u.id),
        [users[3].id],
      );
      const sixteen = users.slice(0, 16).map((u) => `'${u.id}'`);
      const err = await graphError(graph.list(`/users?$filter=id in (${sixteen.join(",")})`));
      assert.equal(err.status, 400);
      assert.equal(err.code, "Request_UnsupportedQuery");
    });
  });

  describe("Graph client: batchGet", () => {
    it("splits more than 20 into batches, answers each in order, retries the throttled ones after Retry-After", async () => {
      // The first five reads of a user answer 429 (inside their batch): they are sent again. The
      // first five, not a share of the reads: with a share, the two batches' requests interleave in
      // the emulator and a retry could be throttled again (a third round, whatever the client does).
      await inject({ status: 429, count: 5, method: "GET", pathPrefix: "/v1.0/users/" });
      const m = mark();
      const requests = users.slice(0, 25).map((u) => ({ url: `/users/${u.id}?$select=id` }));
      requests.push({ url: `/users/${randomUUID()}?$select=id` });
      const answers = await batchGet<{ id: string }>(graph, requests);
      assert.equal(answers.length, 26);
      answers.slice(0, 25).forEach((a, i) => {
        assert.ok(a.ok, `request ${i} answered`);
        assert.equal(a.value.id, users[i].id);
      });
      const last = answers[25];
      assert.ok(!last.ok);
      assert.ok(last.error instanceof GraphRequestError);
      assert.equal(last.error.status, 404);
      assert.equal(last.error.code, "Request_ResourceNotFound");
      assert.match(last.error.requestId ?? "", /^[0-9a-f-]{36}$/);
      const counts = countsSince(m);
      const throttled = emulator()
        .http.log.slice(m.log)
        .filter((r) => r.status === 429).length;
      assert.equal(throttled, 5, "five inner requests were throttled");
      assert.equal(counts.inner, 26 + 5, "each throttled one was sent once more");
      assert.ok(counts.envelopes >= 2 && counts.envelopes <= 4, `envelopes: ${counts.envelopes}`);
    });
  });

  describe("coalescer", () => {
    it("gives each concurrent caller its own user, reading them in one HTTP request", async () => {
      const m = mark();
      const wanted = users.slice(0, 30);
      const missing = randomUUID();
      const read = await Promise.all([
        ...wanted.map((u, i) => readUser(graph, i % 2 ? u.id : u.upn)),
        readUser(graph, missing),
      ]);
      for (const [i, u] of wanted.entries()) assert.equal(read[i]?.id, u.id);
      assert.equal(read[30], undefined, "an unknown id reads as none");
      const counts = countsSince(m);
      // 15 ids and 16 UPNs (with the missing one): 3 filter requests, in one batch.
      assert.deepEqual(counts, { http: 1, inner: 3, envelopes: 1 });
    });

    it("a lone read stays the plain request, with its path and its 404", async () => {
      const m = mark();
      assert.equal((await readUser(graph, users[5].id))?.id, users[5].id);
      const [only] = emulator().http.log.slice(m.log);
      assert.equal(only.path.split("?")[0], `/v1.0/users/${users[5].id}`);
      assert.equal(countsSince(m).envelopes, 0);
    });

    it("gives each caller its own error: a failed request fails only its callers", async () => {
      const coalescer = new ReadCoalescer(graph);
      await inject({ status: 503, count: 100, method: "GET", pathPrefix: "/v1.0/domains" });
      const settled = await Promise.allSettled([
        coalescer.get<GraphJson>(`/users/${users[0].id}?$select=id`),
        coalescer.get<GraphJson>("/domains"),
        coalescer.get<GraphJson>(`/users/${randomUUID()}?$select=id`),
        coalescer.byKey(
          "/users",
          "mail",
          users[7].upn,
          "$select=id,mail",
          (v) => `/users?$filter=mail eq '${v}'`,
        ),
        coalescer.byKey(
          "/users",
          "mail",
          users[8].upn,
          "$select=id,mail",
          (v) => `/users?$filter=mail eq '${v}'`,
        ),
      ]);
      const [user, domains, unknown, seven, eight] = settled;
      assert.equal(user.status === "fulfilled" && user.value.id, users[0].id);
      assert.ok(domains.status === "rejected" && domains.reason instanceof GraphRequestError);
      assert.equal((domains.reason as GraphRequestError).status, 503);
      assert.ok(unknown.status === "rejected" && (unknown.reason as GraphRequestError).status === 404);
      assert.equal(seven.status === "fulfilled" && seven.value.map((r) => r.id).join(), users[7].id);
      assert.equal(eight.status === "fulfilled" && eight.value.map((r) => r.id).join(), users[8].id);
    });

    it("findTargetUser: concurrent look-ups by mail share a filter", async () => {
      const m = mark();
      const found = await Promise.all(users.slice(10, 14).map((u) => findTargetUser(graph, u.upn)));
      for (const [i, f] of found.entries()) {
        assert.deepEqual(
          f.map((u) => u.id),
          [users[10 + i].id],
        );
      }
      assert.deepEqual(countsSince(m), { http: 1, inner: 0, envelopes: 0 });
    });
  });
});
