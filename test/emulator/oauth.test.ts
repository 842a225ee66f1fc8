// The emulated token endpoint and Graph's authorization, driven by the real clients
// (@azure/identity's ClientCertificateCredential and the Graph client) over HTTPS.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import * as path from "node:path";
import { ClientCertificateCredential } from "@azure/identity";
import { createClientCertificate, writeCredentialPem } from "../../emulator/pki";
import { DEPLOYER_ROLES } from "../../emulator/tenantPair";
import { GraphClient, GraphRequestError } from "../../lib/graph/client";
import { emulatedPair, type TenantPairUnderTest, workDir } from "../support/tenantPairs";

const cloudOf = (pair: TenantPairUnderTest) => ({ ...pair.cloud, disableInstanceDiscovery: true });

describe("emulator: OAuth client credentials with a certificate", () => {
  let pair: TenantPairUnderTest;
  before(async () => {
    pair = await emulatedPair();
  });
  after(async () => pair.close());

  it("issues a token for the registered certificate, scoped to the tenant with the app's roles", async () => {
    const c = pair.connections.source;
    const credential = new ClientCertificateCredential(c.tenantId, c.clientId, c.certificatePath, {
      authorityHost: pair.cloud.authorityHost,
      disableInstanceDiscovery: true,
    });
    const token = await credential.getToken(`${pair.cloud.graphEndpoint}/.default`);
    const claims = JSON.parse(Buffer.from(token.token.split(".")[1], "base64url").toString());
    assert.equal(claims.tid, c.tenantId);
    assert.equal(claims.appid, c.clientId);
    assert.deepEqual(claims.roles, DEPLOYER_ROLES);
  });

  it("refuses an assertion signed with a certificate the app does not have (AADSTS700027)", async () => {
    const c = pair.connections.source;
    const stranger = path.join(workDir("certs"), "stranger.pem");
    writeCredentialPem(stranger, createClientCertificate("stranger"));
    const credential = new ClientCertificateCredential(c.tenantId, c.clientId, stranger, {
      authorityHost: pair.cloud.authorityHost,
      disableInstanceDiscovery: true,
    });
    await assert.rejects(credential.getToken(`${pair.cloud.graphEndpoint}/.default`), /AADSTS700027/);
  });

  it("refuses an unknown application in the tenant (AADSTS700016)", async () => {
    const c = pair.connections.source;
    const credential = new ClientCertificateCredential(c.tenantId, randomUUID(), c.certificatePath, {
      authorityHost: pair.cloud.authorityHost,
      disableInstanceDiscovery: true,
    });
    await assert.rejects(credential.getToken(`${pair.cloud.graphEndpoint}/.default`), /AADSTS700016/);
  });

  it("does not accept the source tenant's app in the target tenant", async () => {
    const c = pair.connections.source;
    const credential = new ClientCertificateCredential(
      pair.connections.target.tenantId,
      c.clientId,
      c.certificatePath,
      {
        authorityHost: pair.cloud.authorityHost,
        disableInstanceDiscovery: true,
      },
    );
    await assert.rejects(credential.getToken(`${pair.cloud.graphEndpoint}/.default`), /AADSTS700016/);
  });

  it("answers 401 InvalidAuthenticationToken to a Graph call without a token", async () => {
    const res = await fetch(`${pair.cloud.graphEndpoint}/v1.0/policies/crossTenantAccessPolicy/default`);
    assert.equal(res.status, 401);
    const body = (await res.json()) as { error: { code: string; innerError: Record<string, string> } };
    assert.equal(body.error.code, "InvalidAuthenticationToken");
    assert.match(body.error.innerError["request-id"], /^[0-9a-f-]{36}$/);
    assert.equal(res.headers.get("request-id"), body.error.innerError["request-id"]);
  });

  it("refuses a token issued for another resource", async () => {
    const c = pair.connections.source;
    const credential = new ClientCertificateCredential(c.tenantId, c.clientId, c.certificatePath, {
      authorityHost: pair.cloud.authorityHost,
      disableInstanceDiscovery: true,
    });
    const token = await credential.getToken("https://management.azure.com/.default");
    const res = await fetch(`${pair.cloud.graphEndpoint}/v1.0/policies/crossTenantAccessPolicy/default`, {
      headers: { authorization: `Bearer ${token.token}` },
    });
    assert.equal(res.status, 401);
  });

  it("answers 403 Authorization_RequestDenied when the app lacks the permission, keeping code and request id", async () => {
    const readOnly = await emulatedPair(["Policy.Read.All"]);
    try {
      const c = readOnly.connections.source;
      const graph = new GraphClient(
        c.tenantId,
        new ClientCertificateCredential(c.tenantId, c.clientId, c.certificatePath, {
          authorityHost: readOnly.cloud.authorityHost,
          disableInstanceDiscovery: true,
        }),
        cloudOf(readOnly),
      );
      await graph.get("/policies/crossTenantAccessPolicy/default"); // reading is allowed
      const err = await graph.patch("/policies/crossTenantAccessPolicy/default", { inboundTrust: null }).then(
        () => undefined,
        (e) => e,
      );
      assert.ok(err instanceof GraphRequestError, String(err));
      assert.equal(err.status, 403);
      assert.equal(err.code, "Authorization_RequestDenied");
      assert.match(
        err.message,
        /PATCH \/policies\/crossTenantAccessPolicy\/default failed: 403 Authorization_RequestDenied: Insufficient privileges/,
      );
      assert.match(err.message, /request-id [0-9a-f-]{36}/);
    } finally {
      await readOnly.close();
    }
  });
});
