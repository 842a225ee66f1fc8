// The emulator's admin API under /_emulator: set up tenants and apps, look at and change state
// out of band (what a person clicking in the portal would do), inject throttling, and read the
// request log. Every call needs the admin key given at start-up.
import { timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { CrossTenantAccessPolicyRules } from "./crossTenantAccessPolicy";
import type { EntraConnectSync } from "./entraConnect";
import { type GraphHttp, GraphHttpError, notFound } from "./graphHttp";
import type { Tenant } from "./state";

type TenantParams = { tenantId: string };
type PartnerParams = TenantParams & { partnerTenantId: string };

export function registerAdmin(
  app: FastifyInstance,
  http: GraphHttp,
  rules: CrossTenantAccessPolicyRules,
  adminKey: string,
  entraConnect: Map<string, EntraConnectSync>,
) {
  const expected = Buffer.from(adminKey);
  app.addHook("onRequest", async (req) => {
    if (!req.url.startsWith("/_emulator/")) return;
    const given = Buffer.from(String(req.headers["x-emulator-admin-key"] ?? ""));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new GraphHttpError(401, "Unauthorized", "The x-emulator-admin-key header is missing or wrong.");
    }
  });
  const tenantOf = (req: FastifyRequest<{ Params: TenantParams }>) => {
    const tenant = http.store.tenant(req.params.tenantId);
    if (!tenant) throw notFound(req.params.tenantId);
    return tenant;
  };

  app.get("/_emulator/tenants", async () =>
    Object.values(http.store.state.tenants).map((t) => ({
      id: t.id,
      displayName: t.displayName,
      domains: t.domains,
    })),
  );
  app.post(
    "/_emulator/tenants",
    async (req: FastifyRequest<{ Body: { id?: string; displayName: string; domains: string[] } }>, reply) =>
      reply.code(201).send(http.store.addTenant(req.body)),
  );
  app.post(
    "/_emulator/tenants/:tenantId/applications",
    async (
      req: FastifyRequest<{
        Params: TenantParams;
        Body: { appId?: string; displayName: string; certificateDer: string[]; roles: string[] };
      }>,
      reply,
    ) => reply.code(201).send(http.store.addApp(tenantOf(req), req.body)),
  );
  app.patch(
    "/_emulator/tenants/:tenantId/applications/:appId",
    async (req: FastifyRequest<{ Params: TenantParams & { appId: string }; Body: { roles: string[] } }>) => {
      const target = tenantOf(req).apps[req.params.appId.toLowerCase()];
      if (!target) throw notFound(req.params.appId);
      target.roles = [...req.body.roles];
      http.store.save();
      return target;
    },
  );

  app.get(
    "/_emulator/tenants/:tenantId/crossTenantAccessPolicy",
    async (req: FastifyRequest<{ Params: TenantParams }>) => tenantOf(req).crossTenantAccessPolicy,
  );
  app.patch(
    "/_emulator/tenants/:tenantId/crossTenantAccessPolicy/default",
    async (req: FastifyRequest<{ Params: TenantParams }>, reply) => {
      rules.patchDefault(tenantOf(req), req.body);
      return reply.code(204).send();
    },
  );
  app.post(
    "/_emulator/tenants/:tenantId/crossTenantAccessPolicy/partners",
    async (req: FastifyRequest<{ Params: TenantParams }>, reply) =>
      reply.code(201).send(rules.createPartner(tenantOf(req), req.body)),
  );
  app.patch(
    "/_emulator/tenants/:tenantId/crossTenantAccessPolicy/partners/:partnerTenantId",
    async (req: FastifyRequest<{ Params: PartnerParams }>, reply) => {
      rules.patchPartner(tenantOf(req), req.params.partnerTenantId, req.body);
      return reply.code(204).send();
    },
  );
  app.delete(
    "/_emulator/tenants/:tenantId/crossTenantAccessPolicy/partners/:partnerTenantId",
    async (req: FastifyRequest<{ Params: PartnerParams }>, reply) => {
      const tenant = tenantOf(req);
      if (rules.getPartner(tenant, req.params.partnerTenantId).identitySynchronization) {
        rules.deleteSync(tenant, req.params.partnerTenantId);
      }
      rules.deletePartner(tenant, req.params.partnerTenantId);
      return reply.code(204).send();
    },
  );

  const engineOf = (req: FastifyRequest<{ Params: TenantParams }>) => {
    const engine = entraConnect.get(tenantOf(req).id);
    if (!engine) throw notFound(`${req.params.tenantId}/entraConnect`);
    return engine;
  };
  /** Start-ADSyncSyncCycle -PolicyType Delta: answers when the (shared) cycle has finished. */
  app.post(
    "/_emulator/tenants/:tenantId/entraConnect/cycle",
    async (req: FastifyRequest<{ Params: TenantParams }>) => engineOf(req).requestCycle(),
  );
  app.get(
    "/_emulator/tenants/:tenantId/entraConnect",
    async (req: FastifyRequest<{ Params: TenantParams }>) => {
      const engine = engineOf(req);
      return {
        settings: tenantOf(req).sync,
        history: engine.history,
        lastRemovedAddresses: Object.fromEntries(engine.lastRemovedAddresses),
      };
    },
  );
  app.patch(
    "/_emulator/tenants/:tenantId/entraConnect/settings",
    async (req: FastifyRequest<{ Params: TenantParams; Body: Partial<Tenant["sync"]> }>) => {
      const tenant = tenantOf(req);
      Object.assign(tenant.sync, req.body);
      http.store.save();
      entraConnect.get(tenant.id)?.requireFullImport();
      return tenant.sync;
    },
  );

  /** The next `count` authenticated Graph calls answer `status` with Retry-After. */
  app.post(
    "/_emulator/faults",
    async (
      req: FastifyRequest<{ Body: { status: 429 | 503 | 504; count: number; retryAfterSeconds?: number } }>,
      reply,
    ) => {
      http.faults.push({
        status: req.body.status,
        remaining: req.body.count,
        retryAfterSeconds: req.body.retryAfterSeconds ?? 1,
      });
      return reply.code(204).send();
    },
  );
  app.get("/_emulator/requests", async () => http.log);
  app.delete("/_emulator/requests", async (_req, reply) => {
    http.log.length = 0;
    return reply.code(204).send();
  });
}
