// The emulator's admin API under /_emulator: set up tenants and apps, look at and change state
// out of band (what a person clicking in the portal would do), inject throttling, and read the
// request log. Every call needs the admin key given at start-up.
import { timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { DirectoryUser } from "../lib/directory/client";
import { servicePrincipalByAppId } from "./applicationObjects";
import type { CrossTenantAccessPolicyRules } from "./crossTenantAccessPolicy";
import { type EntraConnectSync, objectIdFor, projectSyncedUser } from "./entraConnect";
import { type GraphHttp, GraphHttpError, notFound } from "./graphHttp";
import { type AssignedLicense, assignedLicensesOf, declarePlanServices, type Licensing } from "./licensing";
import type { ReplicationDelays } from "./replication";
import type { PlanService } from "./skus";
import { SKU_FIXTURES } from "./skus";
import { type Json, type ServicePlanInfo, type SubscribedSku, skuFromFixture, type Tenant } from "./state";
import type { BucketLimit, ThrottlingOverrides } from "./throttling";

/** A plan as the admin API takes it: Graph's servicePlanInfo plus, for a plan the emulator has no
 * data on (emulator/skus.ts), the service it belongs to. */
type AdminPlan = Partial<ServicePlanInfo> & {
  servicePlanId: string;
  servicePlanName: string;
  service?: PlanService;
};

type TenantParams = { tenantId: string };

/** An unknown permission or a key that is no certificate is the caller's mistake: 400. */
function asBadRequest<T>(run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof GraphHttpError) throw e;
    throw new GraphHttpError(400, "BadRequest", (e as Error).message);
  }
}
type PartnerParams = TenantParams & { partnerTenantId: string };

export function registerAdmin(
  app: FastifyInstance,
  http: GraphHttp,
  rules: CrossTenantAccessPolicyRules,
  adminKey: string,
  entraConnect: Map<string, EntraConnectSync>,
  licensing: Licensing,
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
    ) => {
      const tenant = tenantOf(req);
      return reply.code(201).send(asBadRequest(() => http.store.addApp(tenant, req.body)));
    },
  );
  /** `{roles}`: the Microsoft Graph application permissions granted to the app, exactly (admin
   * consent given or revoked in the portal). */
  app.patch(
    "/_emulator/tenants/:tenantId/applications/:appId",
    async (req: FastifyRequest<{ Params: TenantParams & { appId: string }; Body: { roles: string[] } }>) => {
      const tenant = tenantOf(req);
      if (!servicePrincipalByAppId(tenant, req.params.appId)) throw notFound(req.params.appId);
      return asBadRequest(() => http.store.setAppRoles(tenant, req.params.appId, req.body.roles));
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
  /** Start-ADSyncSyncCycle -PolicyType Delta, the call an operator's sync hook makes (see
   * emulator/admin-api.md): starts a delta cycle and answers 200 with its result when it has
   * finished, or, with `?wait=false`, 202 as soon as it has started (Start-ADSyncSyncCycle returns
   * once the cycle is started, obs). While a cycle runs (the scheduler's or an earlier request's)
   * it starts nothing and answers 409 SyncCycleBusy, as Start-ADSyncSyncCycle fails then (obs);
   * the caller retries. */
  app.post(
    "/_emulator/tenants/:tenantId/entraConnect/cycle",
    async (req: FastifyRequest<{ Params: TenantParams; Querystring: { wait?: string } }>, reply) => {
      const engine = engineOf(req);
      const started = engine.tryStartCycle();
      if (!started) {
        // (obs) the cmdlet's wording, from public troubleshooting write-ups; the connector is
        // named by the tenant's initial domain there.
        throw new GraphHttpError(
          409,
          "SyncCycleBusy",
          `System.InvalidOperationException: Connector: ${tenantOf(req).initialDomain} - AAD is busy. A sync cycle is running; try again when it has finished.`,
        );
      }
      if (req.query.wait === "false") {
        started.catch(() => undefined);
        return reply.code(202).send({ started: true });
      }
      return started;
    },
  );
  app.get(
    "/_emulator/tenants/:tenantId/entraConnect",
    async (req: FastifyRequest<{ Params: TenantParams }>) => {
      const engine = engineOf(req);
      return {
        running: engine.running,
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

  // --- licensing: what Microsoft or a person in the portal changes out of band ---

  app.get(
    "/_emulator/tenants/:tenantId/subscribedSkus",
    async (req: FastifyRequest<{ Params: TenantParams }>) => tenantOf(req).subscribedSkus,
  );
  /** Adds a subscription: `{fixture: "SPE_F1"}` (emulator/skus.ts) or a whole SKU. */
  app.post(
    "/_emulator/tenants/:tenantId/subscribedSkus",
    async (
      req: FastifyRequest<{
        Params: TenantParams;
        Body: { fixture?: keyof typeof SKU_FIXTURES; servicePlans?: AdminPlan[] } & Partial<
          Pick<SubscribedSku, "skuId" | "skuPartNumber" | "appliesTo" | "capabilityStatus" | "prepaidUnits">
        >;
      }>,
      reply,
    ) => {
      const tenant = tenantOf(req);
      const { fixture, ...rest } = req.body;
      if (fixture && !(fixture in SKU_FIXTURES)) throw notFound(`skuFixtures/${fixture}`);
      const base = fixture ? skuFromFixture(tenant.id, fixture) : undefined;
      const skuId = (rest.skuId ?? base?.skuId ?? "").toLowerCase();
      if (!skuId || !(base || (rest.skuPartNumber && rest.servicePlans))) {
        throw new GraphHttpError(
          400,
          "BadRequest",
          "Give a fixture, or skuId, skuPartNumber and servicePlans.",
        );
      }
      if (tenant.subscribedSkus.some((s) => s.skuId.toLowerCase() === skuId)) {
        throw new GraphHttpError(409, "Conflict", `The tenant already has SKU ${skuId}; PATCH it.`);
      }
      const { servicePlans, ...fields } = rest;
      const sku: SubscribedSku = {
        ...(base ?? skuFromFixture(tenant.id, "SPE_E5")),
        id: `${tenant.id}_${skuId}`,
        consumedUnits: 0,
        ...fields,
        skuId,
      } as SubscribedSku;
      if (!base)
        sku.servicePlans = declarePlanServices(tenant, servicePlans ?? []).map(
          (p) => ({ provisioningStatus: "Success", appliesTo: "User", ...p }) as ServicePlanInfo,
        );
      tenant.subscribedSkus.push(sku);
      http.store.save();
      return reply.code(201).send(sku);
    },
  );
  /** Changes a subscription: prepaidUnits, capabilityStatus, servicePlans (replaced) or
   * addServicePlans (appended: Microsoft adding a plan to a SKU, the drift case). Users holding
   * the SKU have their proxy addresses recalculated, as a license change does (unv: that a SKU
   * change reaches proxy calculation at once). */
  app.patch(
    "/_emulator/tenants/:tenantId/subscribedSkus/:skuId",
    async (
      req: FastifyRequest<{
        Params: TenantParams & { skuId: string };
        Body: Partial<Pick<SubscribedSku, "prepaidUnits" | "capabilityStatus" | "skuPartNumber">> & {
          servicePlans?: AdminPlan[];
          addServicePlans?: AdminPlan[];
        };
      }>,
    ) => {
      const tenant = tenantOf(req);
      const skuId = req.params.skuId.toLowerCase();
      const sku = tenant.subscribedSkus.find((s) => s.skuId.toLowerCase() === skuId);
      if (!sku) throw notFound(req.params.skuId);
      const { addServicePlans, servicePlans, prepaidUnits, ...rest } = req.body;
      const replaced = servicePlans && declarePlanServices(tenant, servicePlans);
      const added = declarePlanServices(tenant, addServicePlans ?? []);
      Object.assign(sku, rest);
      if (prepaidUnits) sku.prepaidUnits = { ...sku.prepaidUnits, ...prepaidUnits };
      if (replaced)
        sku.servicePlans = replaced.map(
          (p) => ({ provisioningStatus: "Success", appliesTo: "User", ...p }) as ServicePlanInfo,
        );
      for (const p of added) {
        sku.servicePlans.push({ provisioningStatus: "Success", appliesTo: "User", ...p } as ServicePlanInfo);
      }
      const holders = Object.values(tenant.users)
        .filter((u) => assignedLicensesOf(u).some((l) => l.skuId.toLowerCase() === skuId))
        .map((u) => u.id);
      licensing.licensesChanged(tenant, holders);
      return sku;
    },
  );
  /** Adds one service plan to a SKU (`{servicePlanId, servicePlanName, service}`; service may be
   * left out for a plan emulator/skus.ts knows): Microsoft adding a plan, the drift case; the same
   * as PATCH with addServicePlans. */
  app.post(
    "/_emulator/tenants/:tenantId/subscribedSkus/:skuId/servicePlans",
    async (
      req: FastifyRequest<{
        Params: TenantParams & { skuId: string };
        Body: AdminPlan;
      }>,
      reply,
    ) => {
      const tenant = tenantOf(req);
      const skuId = req.params.skuId.toLowerCase();
      const sku = tenant.subscribedSkus.find((s) => s.skuId.toLowerCase() === skuId);
      if (!sku) throw notFound(req.params.skuId);
      if (!req.body?.servicePlanId || !req.body.servicePlanName) {
        throw new GraphHttpError(400, "BadRequest", "servicePlanId and servicePlanName are required.");
      }
      const [plan] = declarePlanServices(tenant, [req.body]);
      sku.servicePlans.push({ provisioningStatus: "Success", appliesTo: "User", ...plan } as ServicePlanInfo);
      const holders = Object.values(tenant.users)
        .filter((u) => assignedLicensesOf(u).some((l) => l.skuId.toLowerCase() === skuId))
        .map((u) => u.id);
      licensing.licensesChanged(tenant, holders);
      return reply.code(201).send(sku);
    },
  );
  /** Sets a group's licenses by hand (a change in the portal, outside the stack); processed like
   * an assignLicense call. No validation: drift can be anything. */
  app.put(
    "/_emulator/tenants/:tenantId/groups/:groupId/assignedLicenses",
    async (
      req: FastifyRequest<{ Params: TenantParams & { groupId: string }; Body: AssignedLicense[] }>,
      reply,
    ) => {
      const tenant = tenantOf(req);
      const group = tenant.groups[req.params.groupId.toLowerCase()];
      if (!group) throw notFound(req.params.groupId);
      group.assignedLicenses = req.body.map((l) => ({
        skuId: l.skuId.toLowerCase(),
        disabledPlans: (l.disabledPlans ?? []).map((p) => p.toLowerCase()),
      })) as unknown as Json;
      licensing.queue(tenant, group.id);
      http.store.save();
      return reply.code(204).send();
    },
  );
  /** `{processingDelayMs}`: how long group license processing takes; 0 = within the call. */
  app.patch(
    "/_emulator/tenants/:tenantId/licensing",
    async (req: FastifyRequest<{ Params: TenantParams; Body: Partial<Tenant["licensing"]> }>) => {
      const tenant = tenantOf(req);
      const delay = req.body.processingDelayMs;
      if (delay !== undefined && (typeof delay !== "number" || delay < 0)) {
        throw new GraphHttpError(400, "BadRequest", "processingDelayMs must be a number >= 0.");
      }
      Object.assign(tenant.licensing, req.body);
      http.store.save();
      return tenant.licensing;
    },
  );
  /** Projects an on-premises user as Entra Connect would, without AD: the same projection (and
   * proxy calculation) as a sync cycle, for tests of what licensing does to synced users. Body:
   * DirectoryUser fields; immutableId required. */
  app.post(
    "/_emulator/tenants/:tenantId/entraConnect/users",
    async (req: FastifyRequest<{ Params: TenantParams; Body: Partial<DirectoryUser> }>, reply) => {
      const tenant = tenantOf(req);
      const b = req.body;
      if (!b.immutableId) throw new GraphHttpError(400, "BadRequest", "immutableId is required.");
      const source: DirectoryUser = {
        dn: b.dn ?? `CN=${b.samAccountName ?? b.immutableId},OU=Users,DC=emulated`,
        objectGuid: b.objectGuid ?? Buffer.from(b.immutableId, "base64").toString("hex"),
        proxyAddresses: [],
        extensionAttributes: {},
        accountEnabled: true,
        usnChanged: 0,
        ...b,
        immutableId: b.immutableId,
      };
      const id = objectIdFor(tenant.id, source.immutableId);
      const { user } = projectSyncedUser(tenant, id, source);
      http.store.save();
      return reply.code(201).send(user);
    },
  );

  /** The next `count` authenticated Graph calls (of `method`, under `pathPrefix`, when given)
   * answer `status` with Retry-After; with `afterCommit: true` they are carried out first (a
   * write Graph committed, then answered 503 or 504). With `rate` (0 < rate <= 1) only that share
   * of the matching calls fail (a throttling storm; see Fault.rate for which ones, and `seed`),
   * until `count` calls have failed or `durationSeconds` have passed, whichever comes first;
   * `durationSeconds` also bounds a fault without `rate` (then every matching call fails). */
  app.post(
    "/_emulator/faults",
    async (
      req: FastifyRequest<{
        Body: {
          status: 429 | 503 | 504;
          count?: number;
          rate?: number;
          seed?: number;
          durationSeconds?: number;
          retryAfterSeconds?: number;
          afterCommit?: boolean;
          method?: string;
          pathPrefix?: string;
        };
      }>,
      reply,
    ) => {
      const b = req.body ?? {};
      const bad = (message: string) => new GraphHttpError(400, "BadRequest", message);
      if (![429, 503, 504].includes(b.status)) throw bad("Give status (429, 503 or 504).");
      if (b.count !== undefined && (!Number.isInteger(b.count) || b.count < 1)) {
        throw bad("count must be an integer >= 1.");
      }
      if (
        b.durationSeconds !== undefined &&
        !(typeof b.durationSeconds === "number" && b.durationSeconds > 0)
      ) {
        throw bad("durationSeconds must be a number > 0.");
      }
      if (b.count === undefined && b.durationSeconds === undefined) {
        throw bad("Give count (>= 1), durationSeconds, or both: a fault must end.");
      }
      if (b.rate !== undefined && !(typeof b.rate === "number" && b.rate > 0 && b.rate <= 1)) {
        throw bad("rate must be a number with 0 < rate <= 1.");
      }
      if (b.seed !== undefined && (b.rate === undefined || !Number.isInteger(b.seed))) {
        throw bad("seed is an integer, and goes with rate.");
      }
      if (b.afterCommit && b.status === 429) {
        // Graph throttles before it processes a call; a 429 never follows a committed write.
        throw bad("afterCommit applies to 503 and 504 only.");
      }
      http.faults.push({
        status: b.status,
        remaining: b.count ?? Number.POSITIVE_INFINITY,
        retryAfterSeconds: b.retryAfterSeconds ?? 1,
        afterCommit: b.afterCommit === true,
        method: b.method?.toUpperCase(),
        pathPrefix: b.pathPrefix,
        rate: b.rate,
        seed: b.seed,
        until: b.durationSeconds === undefined ? undefined : Date.now() + b.durationSeconds * 1000,
        matched: 0,
        answered: 0,
      });
      return reply.code(204).send();
    },
  );
  /** The faults still in force, with how many calls each matched and failed so far. */
  app.get("/_emulator/faults", async () =>
    http.faults.map((f) => ({
      ...f,
      remaining: Number.isFinite(f.remaining) ? f.remaining : null,
      until: f.until === undefined ? undefined : new Date(f.until).toISOString(),
      prng: undefined,
    })),
  );
  /** Ends every injected fault (a storm's end). */
  app.delete("/_emulator/faults", async (_req, reply) => {
    http.faults.length = 0;
    return reply.code(204).send();
  });
  /** The replication delay per object kind (replication.ts), in milliseconds. */
  app.get("/_emulator/replication", async () => ({ delayMs: http.replication.delays }));
  /** `{delayMs: {groups: 1500, ...}}` or `{delayMs: 0}` (every kind); applies to objects created
   * from now on. */
  app.patch(
    "/_emulator/replication",
    async (req: FastifyRequest<{ Body: { delayMs?: number | Partial<ReplicationDelays> } }>) => {
      const given = req.body?.delayMs;
      if (given === undefined) throw new GraphHttpError(400, "BadRequest", "Give delayMs.");
      const delays =
        typeof given === "number"
          ? Object.fromEntries(Object.keys(http.replication.delays).map((k) => [k, given]))
          : given;
      return { delayMs: asBadRequest(() => http.replication.setDelays(delays)) };
    },
  );
  /** Graph-like throttling (throttling.ts): whether it is on, its limits, how many requests it
   * admitted and refused, and what each bucket holds now. */
  const throttlingView = () => ({
    enabled: http.throttle.enabled,
    limits: http.throttle.limits,
    counters: http.throttle.counters,
    buckets: http.throttle.levels(),
  });
  app.get("/_emulator/throttling", async () => throttlingView());
  /** `{enabled: true}` switches Microsoft's documented limits on; `limits` replaces some of them
   * (e.g. `{tenantInvitations: {quota: 15, windowSeconds: 5}}`); buckets start full again. */
  app.put(
    "/_emulator/throttling",
    async (req: FastifyRequest<{ Body: { enabled?: boolean; limits?: ThrottlingOverrides } }>) => {
      const b = req.body ?? {};
      const bad = (message: string) => new GraphHttpError(400, "BadRequest", message);
      if (typeof b.enabled !== "boolean") throw bad("Give enabled (true or false).");
      const valid = (l: unknown): l is BucketLimit => {
        const x = l as BucketLimit;
        return (
          typeof x?.quota === "number" &&
          x.quota > 0 &&
          typeof x.windowSeconds === "number" &&
          x.windowSeconds > 0
        );
      };
      for (const [name, limit] of Object.entries(b.limits ?? {})) {
        const buckets = name === "appTenantUnits" ? Object.values(limit as object) : [limit];
        if (!buckets.every(valid)) {
          throw bad(`limits.${name}: each limit is {quota > 0, windowSeconds > 0}.`);
        }
      }
      http.throttle.configure({ enabled: b.enabled, limits: b.limits });
      return throttlingView();
    },
  );
  app.get("/_emulator/requests", async () => http.log);
  app.delete("/_emulator/requests", async (_req, reply) => {
    http.log.length = 0;
    return reply.code(204).send();
  });
}
