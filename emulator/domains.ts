// Emulated GET /domains and GET /domains/{id}: the tenant's domains, the initial (MOERA) one and
// each verified one, as Graph's "List domains" / "Get domain" and the domain resource describe
// them. The emulator has no unverified, federated or root/subdomain distinctions: every domain is
// a verified, managed root domain ((unv) the supportedServices it answers).
import type { FastifyInstance, FastifyRequest } from "fastify";
import { type GraphHttp, notFound } from "./graphHttp";
import { select } from "./odata";
import type { JsonObject, Tenant } from "./state";
import { checkSelect } from "./users";

/** "List domains": Domain.Read.All, or the higher Directory.Read.All, Domain.ReadWrite.All,
 * Directory.ReadWrite.All ((unv) the exact higher set for applications). */
const DOMAIN_READ = [
  "Domain.Read.All",
  "Directory.Read.All",
  "Domain.ReadWrite.All",
  "Directory.ReadWrite.All",
] as const;

const DOMAIN_PROPERTIES = [
  "id",
  "authenticationType",
  "availabilityStatus",
  "isAdminManaged",
  "isDefault",
  "isInitial",
  "isRoot",
  "isVerified",
  "supportedServices",
  "state",
  "passwordValidityPeriodInDays",
  "passwordNotificationWindowInDays",
];

export function tenantDomains(tenant: Tenant): JsonObject[] {
  const domain = (name: string, initial: boolean): JsonObject => ({
    id: name,
    authenticationType: "Managed",
    availabilityStatus: null,
    isAdminManaged: true,
    // The first verified domain is the default (unv: the emulator has no way to change it).
    isDefault: initial ? tenant.domains.length === 0 : name === tenant.domains[0],
    isInitial: initial,
    isRoot: true,
    isVerified: true,
    supportedServices: initial ? ["Email", "OfficeCommunicationsOnline"] : ["Email"],
    state: null,
    passwordValidityPeriodInDays: null,
    passwordNotificationWindowInDays: null,
  });
  return [domain(tenant.initialDomain, true), ...tenant.domains.map((d) => domain(d, false))];
}

export function registerDomains(app: FastifyInstance, http: GraphHttp): void {
  app.get("/v1.0/domains", async (req: FastifyRequest<{ Querystring: { $select?: string } }>) => {
    const { tenant } = await http.authorize(req, DOMAIN_READ);
    checkSelect(http, "microsoft.graph.domain", req.query.$select);
    return {
      "@odata.context": `https://${req.headers.host}/v1.0/$metadata#domains`,
      value: tenantDomains(tenant).map((d) => select(d, req.query.$select, DOMAIN_PROPERTIES)),
    };
  });
  app.get(
    "/v1.0/domains/:id",
    async (req: FastifyRequest<{ Params: { id: string }; Querystring: { $select?: string } }>) => {
      const { tenant } = await http.authorize(req, DOMAIN_READ);
      checkSelect(http, "microsoft.graph.domain", req.query.$select);
      const wanted = decodeURIComponent(req.params.id).toLowerCase();
      const found = tenantDomains(tenant).find((d) => String(d.id).toLowerCase() === wanted);
      if (!found) throw notFound(req.params.id);
      return {
        "@odata.context": `https://${req.headers.host}/v1.0/$metadata#domains/$entity`,
        ...select(found, req.query.$select, DOMAIN_PROPERTIES),
      };
    },
  );
}
