// Emulated /policies/crossTenantAccessPolicy: the default configuration, partner configurations
// and their identity-synchronization policies, with Graph's status codes, error codes and
// response shapes. Behaviour marked (unv) is not confirmed from a source: see
// ../shared/reference/graph-facts.md.
import type { FastifyInstance, FastifyRequest } from "fastify";
import { badRequest, type GraphHttp, GraphHttpError, notFound } from "./graphHttp";
import { select } from "./odata";
import { type Json, type JsonObject, serviceDefaultPolicy, type Tenant } from "./state";
import { checkSelect } from "./users";

const READ = ["Policy.Read.All", "Policy.ReadWrite.CrossTenantAccess"] as const;
const WRITE = ["Policy.ReadWrite.CrossTenantAccess"] as const;

const POLICY_TYPE = "microsoft.graph.crossTenantAccessPolicy";
const DEFAULT_TYPE = "microsoft.graph.crossTenantAccessPolicyConfigurationDefault";
const PARTNER_TYPE = "microsoft.graph.crossTenantAccessPolicyConfigurationPartner";
const SYNC_TYPE = "microsoft.graph.crossTenantIdentitySyncPolicyPartner";

/** Every structural property of a partner; Graph returns the unset ones as null. */
const PARTNER_PROPERTIES = [
  "tenantId",
  "appServiceConnectInbound",
  "inboundTrust",
  "automaticUserConsentSettings",
  "b2bCollaborationInbound",
  "b2bCollaborationOutbound",
  "b2bDirectConnectInbound",
  "b2bDirectConnectOutbound",
  "isInMultiTenantOrganization",
  "isServiceProvider",
  "m365CollaborationInbound",
  "m365CollaborationOutbound",
  "tenantRestrictions",
];
const B2B_KEYS = [
  "b2bCollaborationInbound",
  "b2bCollaborationOutbound",
  "b2bDirectConnectInbound",
  "b2bDirectConnectOutbound",
];
const DEFAULT_READ_ONLY = ["id", "isServiceDefault", "automaticUserConsentSettings"];
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const APPLICATION_TARGETS = new Set(["AllApplications", "AllMicrosoftApps", "Office365"]);

type Params = { partnerTenantId: string };

/** The policy's rules, applied the same way to Graph calls and to the admin API's out-of-band
 * changes, so a drift test changes state exactly as a person in the portal would. */
export class CrossTenantAccessPolicyRules {
  constructor(private readonly http: GraphHttp) {}

  getDefault(tenant: Tenant): JsonObject {
    return tenant.crossTenantAccessPolicy.default;
  }

  patchDefault(tenant: Tenant, body: unknown): void {
    this.http.validate(DEFAULT_TYPE, body, "update");
    const patch = body as JsonObject;
    for (const key of DEFAULT_READ_ONLY) {
      // (unv) Graph's exact answer to writing these; rejecting beats silently ignoring.
      if (key in patch) throw badRequest(`Property '${key}' is read-only and cannot be set.`);
    }
    checkB2B(patch);
    const policy = tenant.crossTenantAccessPolicy.default;
    for (const [key, value] of Object.entries(patch)) {
      if (!key.includes("@")) policy[key] = value; // (unv) complex values replace, not merge
    }
    policy.isServiceDefault = false;
    this.http.store.save();
  }

  resetDefault(tenant: Tenant): void {
    tenant.crossTenantAccessPolicy.default = serviceDefaultPolicy(tenant.id);
    this.http.store.save();
  }

  listPartners(tenant: Tenant): JsonObject[] {
    return Object.values(tenant.crossTenantAccessPolicy.partners).map((p) => p.partner);
  }

  getPartner(tenant: Tenant, partnerTenantId: string) {
    const entry = tenant.crossTenantAccessPolicy.partners[partnerTenantId.toLowerCase()];
    if (!entry) throw notFound(partnerTenantId);
    return entry;
  }

  createPartner(tenant: Tenant, body: unknown): JsonObject {
    this.http.validate(PARTNER_TYPE, body, "create");
    const input = body as JsonObject;
    const tenantId = typeof input.tenantId === "string" ? input.tenantId.toLowerCase() : "";
    if (!tenantId) throw badRequest("The tenantId property is required.");
    if (!GUID.test(tenantId))
      throw badRequest(
        `Invalid value specified for property 'tenantId' of resource 'CrossTenantAccessPolicyConfigurationPartner'.`,
      );
    if (tenantId === tenant.id)
      throw badRequest("A partner configuration cannot be created for the tenant itself."); // (unv) wording
    if (tenant.crossTenantAccessPolicy.partners[tenantId]) {
      throw new GraphHttpError(
        409,
        "Request_MultipleObjectsWithSameKeyValue",
        `A configuration for the partner tenant '${tenantId}' already exists.`,
      );
    }
    checkB2B(input);
    const partner: JsonObject = {};
    for (const key of PARTNER_PROPERTIES) partner[key] = key in input ? (input[key] as Json) : null;
    partner.tenantId = tenantId;
    partner.automaticUserConsentSettings ??= { inboundAllowed: null, outboundAllowed: null };
    partner.isServiceProvider ??= false;
    partner.isInMultiTenantOrganization = false;
    tenant.crossTenantAccessPolicy.partners[tenantId] = { partner, identitySynchronization: null };
    this.http.store.save();
    return partner;
  }

  patchPartner(tenant: Tenant, partnerTenantId: string, body: unknown): void {
    const entry = this.getPartner(tenant, partnerTenantId);
    this.http.validate(PARTNER_TYPE, body, "update");
    const patch = body as JsonObject;
    if ("tenantId" in patch && String(patch.tenantId).toLowerCase() !== entry.partner.tenantId) {
      throw badRequest("Property 'tenantId' is read-only and cannot be changed.");
    }
    if ("isInMultiTenantOrganization" in patch)
      throw badRequest("Property 'isInMultiTenantOrganization' is read-only and cannot be set.");
    checkB2B(patch);
    for (const [key, value] of Object.entries(patch)) {
      if (!key.includes("@") && key !== "tenantId") entry.partner[key] = value;
    }
    entry.partner.automaticUserConsentSettings ??= { inboundAllowed: null, outboundAllowed: null };
    this.http.store.save();
  }

  deletePartner(tenant: Tenant, partnerTenantId: string): void {
    const entry = this.getPartner(tenant, partnerTenantId);
    if (entry.identitySynchronization) {
      // (unv) status and wording; the rule itself is documented.
      throw badRequest(
        "The partner's identity synchronization policy must be deleted before the partner configuration.",
      );
    }
    delete tenant.crossTenantAccessPolicy.partners[String(entry.partner.tenantId)];
    this.http.store.save();
  }

  getSync(tenant: Tenant, partnerTenantId: string): JsonObject {
    const entry = this.getPartner(tenant, partnerTenantId);
    if (!entry.identitySynchronization) throw notFound(`${partnerTenantId}/identitySynchronization`);
    return entry.identitySynchronization;
  }

  putSync(tenant: Tenant, partnerTenantId: string, body: unknown): void {
    const entry = this.getPartner(tenant, partnerTenantId);
    this.http.validate(SYNC_TYPE, body, "replace");
    if (entry.identitySynchronization) {
      throw new GraphHttpError(
        409,
        "Request_MultipleObjectsWithSameKeyValue",
        "The identity synchronization policy already exists for this partner.",
      );
    }
    const input = body as JsonObject;
    entry.identitySynchronization = {
      tenantId: entry.partner.tenantId,
      displayName: (input.displayName as Json) ?? null,
      userSyncInbound: (input.userSyncInbound as Json) ?? { isSyncAllowed: false },
    };
    this.http.store.save();
  }

  patchSync(tenant: Tenant, partnerTenantId: string, body: unknown): void {
    const sync = this.getSync(tenant, partnerTenantId);
    this.http.validate(SYNC_TYPE, body, "update");
    for (const [key, value] of Object.entries(body as JsonObject)) {
      if (key === "tenantId") continue;
      if (!key.includes("@")) sync[key] = value;
    }
    this.http.store.save();
  }

  deleteSync(tenant: Tenant, partnerTenantId: string): void {
    this.getSync(tenant, partnerTenantId);
    this.getPartner(tenant, partnerTenantId).identitySynchronization = null;
    this.http.store.save();
  }
}

/** Targets must fit the part they are in: users and groups, or applications. (unv) wording. */
function checkB2B(body: JsonObject): void {
  for (const key of B2B_KEYS) {
    const setting = body[key] as JsonObject | null | undefined;
    if (!setting) continue;
    for (const part of ["usersAndGroups", "applications"]) {
      const config = setting[part] as JsonObject | null | undefined;
      if (!config) continue;
      for (const t of (config.targets as JsonObject[] | null) ?? []) {
        const okType =
          part === "applications"
            ? t.targetType === "application"
            : t.targetType === "user" || t.targetType === "group";
        const wellKnownApp = APPLICATION_TARGETS.has(String(t.target));
        const fits = okType && (part === "applications" ? t.target !== "AllUsers" : !wellKnownApp);
        if (!fits) {
          throw badRequest(`Invalid target '${t.target}' of type '${t.targetType}' in ${key}.${part}.`);
        }
      }
    }
  }
}

export function registerCrossTenantAccessPolicy(
  app: FastifyInstance,
  http: GraphHttp,
  rules: CrossTenantAccessPolicyRules,
) {
  const base = "/v1.0/policies/crossTenantAccessPolicy";
  const ctx = (req: FastifyRequest) =>
    `https://${req.headers.host}/v1.0/$metadata#policies/crossTenantAccessPolicy`;

  /** "Get crossTenantAccessPolicy": the policy object itself (CSDL crossTenantAccessPolicy, a
   * policyBase): displayName "CrossTenantAccessPolicy" as in Graph's example, allowedCloudEndpoints
   * empty ("By default, this value is empty", the resource page). Not modelled: updating it. */
  app.get(base, async (req: FastifyRequest<{ Querystring: { $select?: string } }>) => {
    const { tenant } = await http.authorize(req, READ);
    checkSelect(http, POLICY_TYPE, req.query.$select);
    const policy: JsonObject = {
      id: tenant.id, // (unv) the policy's id
      deletedDateTime: null,
      description: null, // (unv) null rather than a text
      displayName: "CrossTenantAccessPolicy",
      allowedCloudEndpoints: [],
    };
    return {
      "@odata.context": `${ctx(req)}/$entity`,
      ...(req.query.$select ? select(policy, req.query.$select, []) : policy),
    };
  });
  app.get(`${base}/default`, async (req) => {
    const { tenant } = await http.authorize(req, READ);
    return { "@odata.context": `${ctx(req)}/default/$entity`, ...rules.getDefault(tenant) };
  });
  app.patch(`${base}/default`, async (req, reply) => {
    const { tenant } = await http.authorize(req, WRITE);
    rules.patchDefault(tenant, req.body);
    return reply.code(204).send();
  });
  app.post(`${base}/default/resetToSystemDefault`, async (req, reply) => {
    const { tenant } = await http.authorize(req, WRITE);
    rules.resetDefault(tenant);
    return reply.code(204).send();
  });

  app.get(`${base}/partners`, async (req: FastifyRequest<{ Querystring: Record<string, string> }>) => {
    const { tenant } = await http.authorize(req, READ);
    const all = rules.listPartners(tenant);
    const top = Math.min(Number(req.query.$top ?? 100) || 100, 999);
    const skip = Number(req.query.$skiptoken ?? 0) || 0;
    const page = all.slice(skip, skip + top);
    const next =
      skip + top < all.length
        ? `https://${req.headers.host}${base}/partners?$top=${top}&$skiptoken=${skip + top}`
        : undefined;
    return {
      "@odata.context": `${ctx(req)}/partners`,
      ...(next ? { "@odata.nextLink": next } : {}),
      value: page,
    };
  });
  app.post(`${base}/partners`, async (req, reply) => {
    const { tenant } = await http.authorize(req, WRITE);
    const partner = rules.createPartner(tenant, req.body);
    http.created(tenant, "partners", [String(partner.tenantId)]);
    return reply.code(201).send({ "@odata.context": `${ctx(req)}/partners/$entity`, ...partner });
  });
  app.get(`${base}/partners/:partnerTenantId`, async (req: FastifyRequest<{ Params: Params }>) => {
    const { tenant } = await http.authorize(req, READ);
    return {
      "@odata.context": `${ctx(req)}/partners/$entity`,
      ...rules.getPartner(tenant, req.params.partnerTenantId).partner,
    };
  });
  app.patch(`${base}/partners/:partnerTenantId`, async (req: FastifyRequest<{ Params: Params }>, reply) => {
    const { tenant } = await http.authorize(req, WRITE);
    rules.patchPartner(tenant, req.params.partnerTenantId, req.body);
    return reply.code(204).send();
  });
  app.delete(`${base}/partners/:partnerTenantId`, async (req: FastifyRequest<{ Params: Params }>, reply) => {
    const { tenant } = await http.authorize(req, WRITE);
    rules.deletePartner(tenant, req.params.partnerTenantId);
    return reply.code(204).send();
  });

  const sync = `${base}/partners/:partnerTenantId/identitySynchronization`;
  app.get(sync, async (req: FastifyRequest<{ Params: Params }>) => {
    const { tenant } = await http.authorize(req, READ);
    const value = rules.getSync(tenant, req.params.partnerTenantId);
    return {
      "@odata.context": `${ctx(req)}/partners('${req.params.partnerTenantId}')/identitySynchronization/$entity`,
      ...value,
    };
  });
  app.put(sync, async (req: FastifyRequest<{ Params: Params }>, reply) => {
    const { tenant } = await http.authorize(req, WRITE);
    rules.putSync(tenant, req.params.partnerTenantId, req.body);
    return reply.code(204).send();
  });
  app.patch(sync, async (req: FastifyRequest<{ Params: Params }>, reply) => {
    const { tenant } = await http.authorize(req, WRITE);
    rules.patchSync(tenant, req.params.partnerTenantId, req.body);
    return reply.code(204).send();
  });
  app.delete(sync, async (req: FastifyRequest<{ Params: Params }>, reply) => {
    const { tenant } = await http.authorize(req, WRITE);
    rules.deleteSync(tenant, req.params.partnerTenantId);
    return reply.code(204).send();
  });
}
