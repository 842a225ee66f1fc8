// The tenant emulator: one HTTPS server hosting several tenants' Microsoft Graph v1.0 subset and
// their identity-platform token endpoints, the way the real clients expect them. Only base URLs
// differ from Microsoft's cloud.
import { randomBytes } from "node:crypto";
import Fastify, { type FastifyInstance } from "fastify";
import type { DirectoryConfig } from "../lib/directory/client";
import { registerAdmin } from "./admin";
import { registerAdminDirectory } from "./adminDirectory";
import { registerApplications } from "./applications";
import { registerBatch } from "./batch";
import { CrossTenantAccessPolicyRules, registerCrossTenantAccessPolicy } from "./crossTenantAccessPolicy";
import { registerDomains } from "./domains";
import { type EntraConnectOptions, EntraConnectSync, reprojectSyncedUser } from "./entraConnect";
import { GraphHttp, GraphHttpError, requestIdOf, sendGraphError } from "./graphHttp";
import { groupResponse, registerGroups } from "./groups";
import { registerInvitations } from "./invitations";
import { Licensing, refreshConsumedUnits, registerLicensing } from "./licensing";
import { TokenService } from "./oauth";
import { issueServerCert, loadOrCreateCa } from "./pki";
import { Replication, type ReplicationDelays } from "./replication";
import { Store } from "./state";
import { Throttling, type ThrottlingOptions } from "./throttling";
import { registerUsers } from "./users";

export interface EmulatorOptions {
  /** Where the CA lives (made on first use); clients trust <caDir>/ca.pem. */
  caDir: string;
  /** Keep state in this JSON file across restarts; in memory when absent. */
  stateFile?: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  adminKey?: string;
  logger?: boolean;
  /** How long new objects stay invisible to reads (replication.ts): one number of milliseconds
   * for every kind, or per kind. Default 0 (off). */
  replicationDelayMs?: number | Partial<ReplicationDelays>;
  /** Graph-like throttling (throttling.ts): `true` for Microsoft's documented limits; off by
   * default. The admin API's PUT /_emulator/throttling switches it while the emulator runs. */
  throttling?: boolean | ThrottlingOptions;
}

export interface Emulator {
  url: string;
  caCertPath: string;
  adminKey: string;
  store: Store;
  http: GraphHttp;
  /** The replication delay; its delays can be changed while the emulator runs. */
  replication: Replication;
  /** Group license processing. */
  licensing: Licensing;
  /** Entra Connect sync engines by tenant id. */
  entraConnect: Map<string, EntraConnectSync>;
  /** Syncs `tenantId` from an Active Directory (one engine per tenant). */
  attachEntraConnect(
    tenantId: string,
    directory: DirectoryConfig,
    options?: EntraConnectOptions,
  ): EntraConnectSync;
  close(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions): Promise<Emulator> {
  const ca = loadOrCreateCa(options.caDir);
  const tls = issueServerCert(ca);
  const store = Store.open(options.stateFile);
  const tokens = new TokenService(store);
  const replication = new Replication(options.replicationDelayMs ?? 0);
  const throttling = new Throttling(
    typeof options.throttling === "boolean" ? { enabled: options.throttling } : options.throttling,
  );
  const http = new GraphHttp(store, tokens, replication, throttling);
  const rules = new CrossTenantAccessPolicyRules(http);
  const adminKey = options.adminKey ?? randomBytes(18).toString("base64url");

  const app: FastifyInstance = Fastify({
    https: { key: tls.keyPem, cert: tls.certPem },
    logger: options.logger ?? false,
    bodyLimit: 4 * 1024 * 1024,
  });
  // Token requests are form-encoded (RFC 6749); Graph bodies are JSON.
  app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
  app.addHook("onSend", async (req, reply, payload) => {
    if (!req.url.startsWith("/v1.0/")) return payload;
    reply.header("request-id", requestIdOf(req));
    reply.header("client-request-id", req.headers["client-request-id"] ?? requestIdOf(req));
    return http.failAfterCommit(req, reply) ?? payload;
  });
  app.addHook("preSerialization", async (req, _reply, payload) =>
    req.url.startsWith("/v1.0/") ? http.visibleCollection(req, payload) : payload,
  );
  app.addHook("onResponse", async (req, reply) => {
    if (req.url.startsWith("/v1.0/")) http.record(req, reply.statusCode);
  });
  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    if (err instanceof GraphHttpError) return sendGraphError(req, reply, err);
    const status = err.statusCode;
    if (status && status < 500) {
      // Malformed JSON and the like: Graph answers 400 BadRequest.
      return sendGraphError(req, reply, new GraphHttpError(400, "BadRequest", err.message));
    }
    req.log.error(err);
    return sendGraphError(
      req,
      reply,
      new GraphHttpError(500, "InternalServerError", `The emulator failed: ${err.message}`),
    );
  });
  app.setNotFoundHandler((req, reply) => {
    const segment = req.url.split("?")[0].split("/").filter(Boolean).pop() ?? "";
    return sendGraphError(
      req,
      reply,
      new GraphHttpError(400, "BadRequest", `Resource not found for the segment '${segment}'.`),
    );
  });

  const entraConnect = new Map<string, EntraConnectSync>();
  const licensing = new Licensing(http, (tenant, userId) =>
    reprojectSyncedUser(tenant, userId, entraConnect.get(tenant.id)),
  );
  tokens.register(app);
  registerCrossTenantAccessPolicy(app, http, rules);
  registerUsers(app, http, { deleted: (tenant) => refreshConsumedUnits(tenant) });
  registerGroups(app, http, licensing);
  registerApplications(app, http);
  registerInvitations(app, http);
  registerLicensing(app, http, licensing, groupResponse);
  registerDomains(app, http);
  registerBatch(app, http);
  registerAdmin(app, http, rules, adminKey, entraConnect, licensing);
  registerAdminDirectory(app, http, entraConnect);

  const host = options.host ?? "127.0.0.1";
  await app.listen({ host, port: options.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  return {
    url: `https://${host}:${port}`,
    caCertPath: ca.certPath,
    adminKey,
    store,
    http,
    replication,
    licensing,
    entraConnect,
    attachEntraConnect(tenantId, directory, syncOptions) {
      const key = tenantId.toLowerCase();
      if (entraConnect.has(key)) throw new Error(`tenant ${tenantId} already has an Entra Connect engine`);
      const engine = new EntraConnectSync(store, key, directory, { licensing, ...syncOptions });
      entraConnect.set(key, engine);
      return engine;
    },
    async close() {
      await Promise.all([...entraConnect.values()].map((e) => e.close()));
      licensing.close();
      await app.close();
      store.flush();
    },
  };
}
