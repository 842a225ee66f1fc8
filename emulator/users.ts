// Emulated /users (read, and PATCH; /groups are in groups.ts) with Graph's default property sets, $select,
// the $filter subset of odata.ts, paging, and the rule that attributes of objects synced from
// on-premises can only change on-premises.
import type { FastifyInstance, FastifyRequest } from "fastify";
import { badRequest, type GraphHttp, notFound } from "./graphHttp";
import { parseFilter, select } from "./odata";
import type { JsonObject, Tenant } from "./state";

const USER_READ = [
  "User.Read.All",
  "User.ReadWrite.All",
  "Directory.Read.All",
  "Directory.ReadWrite.All",
] as const;
const USER_WRITE = ["User.ReadWrite.All", "Directory.ReadWrite.All"] as const;

/** What GET /users returns without $select (Graph's documented default set). */
export const USER_DEFAULTS = [
  "businessPhones",
  "displayName",
  "givenName",
  "jobTitle",
  "mail",
  "mobilePhone",
  "officeLocation",
  "preferredLanguage",
  "surname",
  "userPrincipalName",
  "id",
];

/** Attributes Entra Connect writes: read-only in Graph while the object is synced. (unv) the
 * exact list; these are the ones the default sync rules flow for users. */
export const ON_PREMISES_MASTERED = [
  "displayName",
  "givenName",
  "surname",
  "mail",
  "mailNickname",
  "userPrincipalName",
  "accountEnabled",
  "jobTitle",
  "department",
  "companyName",
  "onPremisesImmutableId",
  "onPremisesSamAccountName",
  "onPremisesUserPrincipalName",
  "onPremisesDistinguishedName",
  "onPremisesExtensionAttributes",
];
export const SYNCED_OBJECT_READ_ONLY =
  "Unable to update the specified properties for on-premises mastered Directory Sync objects or objects currently undergoing migration.";

/** Graph's user filters: eq on these; onPremises anchors only as advanced queries. */
const USER_FILTERS = {
  filterable: [
    "userPrincipalName",
    "mail",
    "displayName",
    "givenName",
    "surname",
    "userType",
    "accountEnabled",
    "onPremisesSyncEnabled",
    "onPremisesImmutableId",
    "onPremisesSamAccountName",
    "proxyAddresses",
    "mailNickname",
    "id",
  ],
  advancedOnly: ["onPremisesImmutableId", "onPremisesSamAccountName"],
};

export type Query = {
  $select?: string;
  $filter?: string;
  $top?: string;
  $skiptoken?: string;
  $count?: string;
};

export function findUser(tenant: Tenant, idOrUpn: string): JsonObject & { id: string } {
  const key = decodeURIComponent(idOrUpn).toLowerCase();
  const user =
    tenant.users[key] ??
    Object.values(tenant.users).find((u) => String(u.userPrincipalName).toLowerCase() === key);
  if (!user) throw notFound(idOrUpn);
  return user;
}

/** Rejects a $select naming a property the type does not have, as Graph does. */
export function checkSelect(http: GraphHttp, type: string, $select?: string): void {
  if (!$select) return;
  const known = new Set(http.csdl.propertyNames(type));
  for (const name of $select.split(",").map((s) => s.trim())) {
    if (!known.has(name)) throw badRequest(`Could not find a property named '${name}' on type '${type}'.`);
  }
}

/** A page of a directory collection with Graph's @odata.nextLink ($top, $skiptoken) and $count. */
export function page(req: FastifyRequest<{ Querystring: Query }>, items: JsonObject[], context: string) {
  const top = Math.min(Number(req.query.$top ?? 100) || 100, 999);
  const skip = Number(req.query.$skiptoken ?? 0) || 0;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(req.query))
    if (k !== "$skiptoken" && v !== undefined) params.set(k, String(v));
  params.set("$skiptoken", String(skip + top));
  const base = `https://${req.headers.host}${req.url.split("?")[0]}`;
  return {
    "@odata.context": `https://${req.headers.host}/v1.0/$metadata#${context}`,
    ...(req.query.$count === "true" ? { "@odata.count": items.length } : {}),
    ...(skip + top < items.length ? { "@odata.nextLink": `${base}?${params}` } : {}),
    value: items.slice(skip, skip + top),
  };
}

export function registerUsers(app: FastifyInstance, http: GraphHttp): void {
  app.get("/v1.0/users", async (req: FastifyRequest<{ Querystring: Query }>) => {
    const { tenant } = await http.authorize(req, USER_READ);
    checkSelect(http, "microsoft.graph.user", req.query.$select);
    let users: JsonObject[] = Object.values(tenant.users);
    if (req.query.$filter) users = users.filter(parseFilter(req, req.query.$filter, USER_FILTERS));
    return page(
      req,
      users.map((u) => select(u, req.query.$select, USER_DEFAULTS)),
      "users",
    );
  });

  app.get("/v1.0/users/:id", async (req: FastifyRequest<{ Params: { id: string }; Querystring: Query }>) => {
    const { tenant } = await http.authorize(req, USER_READ);
    checkSelect(http, "microsoft.graph.user", req.query.$select);
    const user = findUser(tenant, req.params.id);
    return {
      "@odata.context": `https://${req.headers.host}/v1.0/$metadata#users/$entity`,
      ...select(user, req.query.$select, USER_DEFAULTS),
    };
  });

  app.patch("/v1.0/users/:id", async (req: FastifyRequest<{ Params: { id: string } }>, reply) => {
    const { tenant } = await http.authorize(req, USER_WRITE);
    const user = findUser(tenant, req.params.id);
    http.validate("microsoft.graph.user", req.body, "update");
    const patch = req.body as JsonObject;
    // Licenses change through assignLicense only (unv: the wording for assignedLicenses).
    for (const key of ["proxyAddresses", "assignedLicenses", "licenseAssignmentStates"]) {
      if (key in patch) throw badRequest(`Property '${key}' is read-only and cannot be set.`);
    }
    if (
      user.onPremisesSyncEnabled === true &&
      Object.keys(patch).some((k) => ON_PREMISES_MASTERED.includes(k))
    ) {
      throw badRequest(SYNCED_OBJECT_READ_ONLY);
    }
    for (const [k, v] of Object.entries(patch)) if (!k.includes("@")) user[k] = v;
    http.store.save();
    return reply.code(204).send();
  });
}
