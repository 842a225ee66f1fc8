// Credential kind workloadIdentity: the token a CI platform issues goes to the Microsoft identity
// platform (here the emulator's token endpoint over HTTPS) as the client assertion. The emulator
// verifies only certificate-signed assertions, not federated ones (it has no federated identity
// credentials): the tests hand the credential an assertion signed with the deployer's certificate
// where a CI platform would hand it GitHub's or Azure DevOps' token, which shows where the token
// is taken from, how it is requested and that it reaches the token request; Entra's federation
// trust itself is not exercised here. GitHub's and Azure DevOps' token endpoints are stand-ins
// answering as those platforms document.
import assert from "node:assert/strict";
import { createHash, randomUUID, X509Certificate } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { decodeJwt, importPKCS8, SignJWT } from "jose";
import { ENTRA_TOKEN_EXCHANGE_AUDIENCE, federatedTokenSource } from "../../lib/auth/federatedToken";
import { tenantConnectionSchema } from "../../lib/config/stackConfig";
import { credentialFor } from "../../lib/graph/client";
import { emulatedPair, type TenantPairUnderTest, workDir } from "../support/tenantPairs";

const GRAPH_SCOPE = "https://graph.microsoft.com/.default";

/** What a federated token stands in for: an assertion the emulator accepts for this tenant. */
async function assertionFor(pair: TenantPairUnderTest): Promise<string> {
  const c = pair.connections.source;
  const pem = readFileSync(c.certificatePath, "utf8");
  const keyPem = pem.match(/-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----/)?.[0];
  const certPem = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/)?.[0];
  assert.ok(keyPem && certPem, "the deployer's PEM holds a PKCS#8 key and a certificate");
  const der = new X509Certificate(certPem).raw;
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: "RS256", "x5t#S256": createHash("sha256").update(der).digest("base64url") })
    .setIssuer(c.clientId)
    .setSubject(c.clientId)
    .setAudience(`${pair.cloud.authorityHost}/${c.tenantId}/oauth2/v2.0/token`)
    .setIssuedAt(now)
    .setExpirationTime(now + 600)
    .setJti(randomUUID())
    .sign(await importPKCS8(keyPem, "RS256"));
}

function connection(pair: TenantPairUnderTest, credential: Record<string, unknown>) {
  const c = pair.connections.source;
  return tenantConnectionSchema.parse({
    tenantId: c.tenantId,
    domain: c.domain,
    clientId: c.clientId,
    credential,
  });
}

const cloudOf = (pair: TenantPairUnderTest) => ({
  authorityHost: pair.cloud.authorityHost,
  graphEndpoint: pair.cloud.graphEndpoint,
  disableInstanceDiscovery: true,
});

/** A stand-in for a CI platform's token endpoint: records requests, answers `body`. */
async function tokenEndpoint(body: () => Promise<object>) {
  const requests: Array<{ method?: string; url: URL; authorization?: string }> = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    requests.push({
      method: req.method,
      url: new URL(req.url ?? "/", "http://localhost"),
      authorization: req.headers.authorization,
    });
    body().then((b) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(b));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token?api=1`;
  return { url, requests, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** Runs `f` with these environment variables set, and puts the old ones back. */
async function withEnv<T>(vars: Record<string, string>, f: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return await f();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

describe("workload identity credential", () => {
  let pair: TenantPairUnderTest;
  before(async () => {
    pair = await emulatedPair();
  });
  after(async () => pair?.close());

  const expectTokenFor = (token: string) => {
    const claims = decodeJwt(token);
    assert.equal(claims.tid, pair.connections.source.tenantId);
    assert.equal(claims.appid, pair.connections.source.clientId);
  };

  it("sends the token file's content as the client assertion", async () => {
    const file = path.join(workDir("wif"), "token");
    writeFileSync(file, `${await assertionFor(pair)}\n`);
    const credential = credentialFor(
      connection(pair, { kind: "workloadIdentity", tokenFile: file }),
      cloudOf(pair),
    );
    const token = await credential.getToken(GRAPH_SCOPE);
    assert.ok(token);
    expectTokenFor(token.token);
  });

  it("asks GitHub Actions' OIDC endpoint for a token with Entra's audience and the request token", async () => {
    const endpoint = await tokenEndpoint(async () => ({ value: await assertionFor(pair) }));
    try {
      const token = await withEnv(
        { ACTIONS_ID_TOKEN_REQUEST_URL: endpoint.url, ACTIONS_ID_TOKEN_REQUEST_TOKEN: "gh-request-token" },
        () =>
          credentialFor(connection(pair, { kind: "workloadIdentity" }), cloudOf(pair)).getToken(GRAPH_SCOPE),
      );
      assert.ok(token);
      expectTokenFor(token.token);
      assert.ok(endpoint.requests.length > 0);
      for (const r of endpoint.requests) {
        assert.equal(r.method, "GET");
        assert.equal(r.authorization, "Bearer gh-request-token");
        assert.equal(r.url.searchParams.get("audience"), ENTRA_TOKEN_EXCHANGE_AUDIENCE);
        assert.equal(r.url.searchParams.get("api"), "1", "the runner's own query is kept");
      }
    } finally {
      await endpoint.close();
    }
  });

  it("asks Azure Pipelines' OIDC endpoint for the service connection's token", async () => {
    const endpoint = await tokenEndpoint(async () => ({ oidcToken: await assertionFor(pair) }));
    try {
      const token = await withEnv(
        {
          SYSTEM_OIDCREQUESTURI: endpoint.url,
          SYSTEM_ACCESSTOKEN: "ado-job-token",
          AZURESUBSCRIPTION_SERVICE_CONNECTION_ID: "5b0b1f0e-0000-4000-8000-00000000c0de",
        },
        () =>
          credentialFor(connection(pair, { kind: "workloadIdentity" }), cloudOf(pair)).getToken(GRAPH_SCOPE),
      );
      assert.ok(token);
      expectTokenFor(token.token);
      assert.ok(endpoint.requests.length > 0);
      for (const r of endpoint.requests) {
        assert.equal(r.method, "POST");
        assert.equal(r.authorization, "Bearer ado-job-token");
        assert.equal(r.url.searchParams.get("serviceConnectionId"), "5b0b1f0e-0000-4000-8000-00000000c0de");
        assert.equal(r.url.searchParams.get("api-version"), "7.1");
      }
    } finally {
      await endpoint.close();
    }
  });

  it("without a token source, says which tenant and what to do", async () => {
    const get = federatedTokenSource({}, "tenant contoso.example", {});
    await assert.rejects(
      get(),
      /tenant contoso\.example: .*found no federated token; run in GitHub Actions with `permissions: id-token: write`/,
    );
    const partial = federatedTokenSource({}, "t", { ACTIONS_ID_TOKEN_REQUEST_URL: "http://x" });
    await assert.rejects(partial(), /ACTIONS_ID_TOKEN_REQUEST_TOKEN is missing/);
  });

  it("requires the app's client id", () => {
    const r = tenantConnectionSchema.safeParse({
      tenantId: pair.connections.source.tenantId,
      domain: "contoso.example",
      credential: { kind: "workloadIdentity" },
    });
    assert.equal(r.success, false);
    assert.match(JSON.stringify(r.error?.issues), /clientId is required with a workloadIdentity credential/);
  });
});
