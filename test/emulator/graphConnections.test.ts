// How many connections the one Graph client holds when a wave's users call at once: fetch opens a
// connection per concurrent request, so without a limit a thousand users held a thousand TLS
// connections in the provider process. Counted by a TCP proxy in front of the emulator.
import assert from "node:assert/strict";
import type { TenantConnection } from "../../lib/config/stackConfig";
import { credentialFor, GraphClient, MAX_CONCURRENT_REQUESTS } from "../../lib/graph/client";
import { TcpProxy } from "../support/tcpProxy";
import { emulatedPair, type TenantPairUnderTest } from "../support/tenantPairs";

describe("Graph client: requests on the wire at once", () => {
  let pair: TenantPairUnderTest;
  let proxy: TcpProxy;
  before(async () => {
    pair = await emulatedPair();
    const graph = new URL(pair.cloud.graphEndpoint);
    proxy = await TcpProxy.start({ host: graph.hostname, port: Number(graph.port) });
  });
  after(async () => {
    await proxy.close();
    await pair.close();
  });

  const clientThroughProxy = (limit?: number) => {
    const c = pair.connections.source;
    const conn: TenantConnection = {
      tenantId: c.tenantId,
      domain: c.domain,
      clientId: c.clientId,
      credential: { kind: "certificate", certificatePath: c.certificatePath },
    };
    // Tokens come straight from the emulator; only Graph's requests go through the proxy.
    const cloud = {
      ...pair.cloud,
      disableInstanceDiscovery: true,
      graphEndpoint: proxy.through(pair.cloud.graphEndpoint),
    };
    return new GraphClient(c.tenantId, credentialFor(conn, cloud), cloud, { maxConcurrentRequests: limit });
  };

  // A place is given back when the answer's headers arrive; its body is read after, so a few more
  // connections than the limit can be open for a moment (57 measured for 48; 300 without it).
  const bound = Math.ceil(MAX_CONCURRENT_REQUESTS * 1.5);

  it(`a burst of 300 calls keeps about ${MAX_CONCURRENT_REQUESTS} connections (at most ${bound}), and every call is answered`, async () => {
    const graph = clientThroughProxy();
    const answers = await Promise.all(
      Array.from({ length: 300 }, () => graph.get<{ value: unknown[] }>("/domains")),
    );
    assert.equal(answers.length, 300);
    assert.ok(answers.every((a) => Array.isArray(a.value) && a.value.length > 0));
    assert.ok(proxy.stats.peakOpen <= bound, `peak ${proxy.stats.peakOpen} connections`);
    assert.ok(proxy.stats.peakOpen > 1, "the calls went out side by side, not one at a time");
  });
});
