// The emulated Microsoft identity platform: OpenID metadata and the OAuth 2.0 token endpoint for
// the client-credentials grant with a certificate client assertion (what MSAL and
// ClientCertificateCredential send). The assertion's signature is checked against the key
// credentials of the application; the token carries the tenant, the app's service principal and
// exactly the Microsoft Graph application permissions granted to it (its app role assignments),
// computed when the token is issued, as Entra does.
import { generateKeyPairSync, type KeyObject, randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { decodeProtectedHeader, importX509, jwtVerify, SignJWT } from "jose";
import { grantedGraphRoles, servicePrincipalByAppId } from "./applicationObjects";
import { GraphHttpError } from "./graphHttp";
import { certPemFromDerBase64, thumbprints } from "./pki";
import type { Store } from "./state";

export interface AccessTokenClaims {
  tid: string;
  appid: string;
  /** The object id of the app's service principal in the tenant. */
  oid: string;
  roles: string[];
}

const ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

export class TokenService {
  private readonly signingKey: KeyObject;
  private readonly verifyKey: KeyObject;
  private readonly kid = randomUUID();

  constructor(
    private readonly store: Store,
    private readonly tokenLifetimeSeconds = 3600,
  ) {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    this.signingKey = privateKey;
    this.verifyKey = publicKey;
  }

  /** @param audiences the resource identifiers Graph answers to on this host */
  async verifyAccessToken(token: string, audiences: string[]): Promise<AccessTokenClaims> {
    try {
      const { payload } = await jwtVerify(token, this.verifyKey, {
        algorithms: ["RS256"],
        audience: audiences,
      });
      return {
        tid: String(payload.tid),
        appid: String(payload.appid),
        oid: String(payload.oid),
        roles: (payload.roles as string[]) ?? [],
      };
    } catch (e) {
      throw new GraphHttpError(
        401,
        "InvalidAuthenticationToken",
        `Access token validation failure. ${(e as Error).message}`,
      );
    }
  }

  register(app: FastifyInstance): void {
    const metadata = (req: FastifyRequest<{ Params: { tenant: string } }>) => {
      const base = `${origin(req)}/${req.params.tenant}`;
      return {
        token_endpoint: `${base}/oauth2/v2.0/token`,
        token_endpoint_auth_methods_supported: [
          "client_secret_post",
          "private_key_jwt",
          "client_secret_basic",
        ],
        jwks_uri: `${origin(req)}/${req.params.tenant}/discovery/v2.0/keys`,
        issuer: `${origin(req)}/${req.params.tenant}/v2.0`,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
        subject_types_supported: ["pairwise"],
        id_token_signing_alg_values_supported: ["RS256"],
        tenant_region_scope: "EU",
      };
    };
    app.get(
      "/:tenant/v2.0/.well-known/openid-configuration",
      async (req: FastifyRequest<{ Params: { tenant: string } }>) => metadata(req),
    );
    app.get("/:tenant/discovery/v2.0/keys", async () => ({
      keys: [{ kid: this.kid, ...this.verifyKey.export({ format: "jwk" }) }],
    }));
    app.post(
      "/:tenant/oauth2/v2.0/token",
      async (req: FastifyRequest<{ Params: { tenant: string } }>, reply) => this.issue(req, reply),
    );
  }

  private async issue(req: FastifyRequest<{ Params: { tenant: string } }>, reply: FastifyReply) {
    const form = (req.body ?? {}) as Record<string, string>;
    const tenant = this.store.tenant(req.params.tenant);
    if (!tenant) {
      return aadError(reply, 400, "invalid_tenant", 90002, `Tenant '${req.params.tenant}' not found.`);
    }
    if (form.grant_type !== "client_credentials") {
      return aadError(
        reply,
        400,
        "unsupported_grant_type",
        70003,
        "The app requested an unsupported grant type.",
      );
    }
    const clientId = (form.client_id ?? "").toLowerCase();
    const app = Object.values(tenant.applications).find((a) => a.appId === clientId);
    if (!app) {
      return aadError(
        reply,
        400,
        "unauthorized_client",
        700016,
        `Application with identifier '${form.client_id}' was not found in the directory '${tenant.displayName}'.`,
      );
    }
    const scope = form.scope ?? "";
    if (!/\/\.default$/.test(scope)) {
      return aadError(
        reply,
        400,
        "invalid_scope",
        1002012,
        `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.`,
      );
    }
    if (form.client_assertion_type !== ASSERTION_TYPE || !form.client_assertion) {
      return aadError(
        reply,
        401,
        "invalid_client",
        7000218,
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
      );
    }
    const tokenEndpoint = `${origin(req)}/${req.params.tenant}/oauth2/v2.0/token`;
    const problem = await this.checkAssertion(
      form.client_assertion,
      // (unv) that an expired credential is as good as absent.
      app.keyCredentials.filter((k) => Date.parse(k.endDateTime) > Date.now()).map((k) => k.key),
      clientId,
      tokenEndpoint,
    );
    if (problem) return aadError(reply, 401, "invalid_client", problem.code, problem.message);
    const sp = servicePrincipalByAppId(tenant, app.appId);
    if (!sp) {
      // (obs) Entra's answer for an app registration without its service principal; (unv) the status.
      return aadError(
        reply,
        400,
        "invalid_client",
        7000229,
        `The client application ${app.appId} is missing service principal in the tenant ${tenant.id}. See instructions here: https://go.microsoft.com/fwlink/?linkid=2225119`,
      );
    }
    if (sp.accountEnabled === false) {
      // (unv) the wording for a disabled service principal.
      return aadError(
        reply,
        400,
        "unauthorized_client",
        7000112,
        `Application '${app.appId}'(${app.displayName}) is disabled.`,
      );
    }

    const now = Math.floor(Date.now() / 1000);
    const resource = scope.replace(/\/\.default$/, "");
    // The emulator serves only Microsoft Graph, so the roles are those granted on Graph's service
    // principal. An app without any has no roles claim at all.
    const roles = grantedGraphRoles(tenant, sp.id);
    const token = await new SignJWT({
      tid: tenant.id,
      appid: app.appId,
      azp: app.appId,
      oid: sp.id,
      ...(roles.length > 0 ? { roles } : {}),
      idtyp: "app",
    })
      .setProtectedHeader({ alg: "RS256", kid: this.kid, typ: "JWT" })
      .setIssuer(`https://sts.windows.net/${tenant.id}/`)
      .setAudience(resource)
      // App-only tokens name the service principal as subject.
      .setSubject(sp.id)
      .setIssuedAt(now)
      .setNotBefore(now - 5)
      .setExpirationTime(now + this.tokenLifetimeSeconds)
      .setJti(randomUUID())
      .sign(this.signingKey);
    return reply.send({
      token_type: "Bearer",
      expires_in: this.tokenLifetimeSeconds,
      ext_expires_in: this.tokenLifetimeSeconds,
      access_token: token,
    });
  }

  /** Finds the registered certificate the assertion names (x5t#S256 or x5t) and checks the
   * signature, audience, issuer, subject and lifetime. */
  private async checkAssertion(
    assertion: string,
    registeredDer: string[],
    clientId: string,
    tokenEndpoint: string,
  ): Promise<{ code: number; message: string } | undefined> {
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(assertion);
    } catch {
      return { code: 50027, message: "Invalid JWT token. The token is malformed." };
    }
    const wanted256 = header["x5t#S256"] as string | undefined;
    const wanted1 = header.x5t;
    const der = registeredDer.find((d) => {
      const t = thumbprints(d);
      return (wanted256 && t.sha256 === wanted256) || (wanted1 && t.sha1 === wanted1);
    });
    if (!der) {
      return {
        code: 700027,
        message: `Client assertion failed signature validation. The key was not found. Thumbprint of key used by client: '${wanted256 ?? wanted1 ?? "none"}'.`,
      };
    }
    const alg = header.alg === "PS256" ? "PS256" : "RS256";
    try {
      const key = await importX509(certPemFromDerBase64(der), alg);
      await jwtVerify(assertion, key, {
        algorithms: ["PS256", "RS256"],
        audience: tokenEndpoint,
        issuer: clientId,
        subject: clientId,
        clockTolerance: 300,
      });
      return undefined;
    } catch (e) {
      return {
        code: 700027,
        message: `Client assertion contains an invalid signature or claims: ${(e as Error).message}`,
      };
    }
  }
}

function origin(req: FastifyRequest): string {
  return `https://${req.headers.host}`;
}

/** Microsoft identity platform's error body. */
function aadError(reply: FastifyReply, status: number, error: string, code: number, description: string) {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  return reply.code(status).send({
    error,
    error_description: `AADSTS${code}: ${description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${new Date().toISOString()}`,
    error_codes: [code],
    timestamp: new Date().toISOString(),
    trace_id: traceId,
    correlation_id: correlationId,
  });
}
