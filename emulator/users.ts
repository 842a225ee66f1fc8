// Emulated /users (read, PATCH, DELETE, and the groups a user is a direct member of; /groups are
// in groups.ts, guests come from /invitations in invitations.ts) with Graph's default property
// sets, $select, the $filter subset of odata.ts, paging, and the rule that objects synced from
// on-premises can only change on-premises.
import type { FastifyInstance, FastifyRequest } from "fastify";
import { GROUP_DEFAULTS, USER_DEFAULTS } from "./defaultProperties";
import { badRequest, type GraphHttp, GraphHttpError, hasRole, notFound } from "./graphHttp";
import { hasMailbox } from "./mailboxes";
import { parseFilter, select } from "./odata";
import type { JsonObject, Tenant } from "./state";

const USER_READ = [
  "User.Read.All",
  "User.ReadWrite.All",
  "Directory.Read.All",
  "Directory.ReadWrite.All",
] as const;
const USER_WRITE = ["User.ReadWrite.All", "Directory.ReadWrite.All"] as const;
/** "Delete a user": User.ReadWrite.All; (unv) that User.DeleteRestore.All ("Delete and restore
 * all users", permissions reference) is accepted too. Directory.ReadWrite.All "does not allow
 * user or group deletion" (permissions reference). */
const USER_DELETE = ["User.DeleteRestore.All", "User.ReadWrite.All"] as const;
/** "List a user's direct memberships" names Directory.Read.All for apps; an app that can read
 * the user but not groups gets the groups with id and type only ("Limited information returned
 * for inaccessible member objects"). (unv) that user permissions alone are accepted: a Microsoft
 * answer on Microsoft Q&A says User.Read.All suffices for $expand=memberOf. */
const MEMBER_OF_READ = [
  "Directory.Read.All",
  "Directory.ReadWrite.All",
  "GroupMember.Read.All",
  "GroupMember.ReadWrite.All",
  "Group.Read.All",
  "Group.ReadWrite.All",
  "User.Read.All",
  "User.ReadWrite.All",
] as const;
/** "Get user mailbox settings" (user-get-mailboxsettings, application column): MailboxSettings.Read
 * or MailboxSettings.ReadWrite. */
const MAILBOX_SETTINGS_READ = ["MailboxSettings.Read", "MailboxSettings.ReadWrite"] as const;
const GROUPS_READABLE = [
  "Directory.Read.All",
  "Directory.ReadWrite.All",
  "GroupMember.Read.All",
  "GroupMember.ReadWrite.All",
  "Group.Read.All",
  "Group.ReadWrite.All",
] as const;

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
    "externalUserState",
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

/** Whether the address is in one of the tenant's domains (verified or initial). */
function ownAddress(tenant: Tenant, address: string): boolean {
  const domain = address.split("@")[1]?.toLowerCase() ?? "";
  return (
    domain === tenant.initialDomain.toLowerCase() || tenant.domains.some((d) => d.toLowerCase() === domain)
  );
}

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

/** Like checkSelect, for a collection of directory objects of several types. */
export function checkSelectAny(http: GraphHttp, types: readonly string[], $select?: string): void {
  if (!$select) return;
  const known = new Set(types.flatMap((t) => http.csdl.propertyNames(t)));
  for (const name of $select.split(",").map((s) => s.trim())) {
    if (!known.has(name))
      throw badRequest(`Could not find a property named '${name}' on type '${types[0]}'.`);
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

export interface UserHooks {
  /** After a user is deleted (license counts follow). */
  deleted?: (tenant: Tenant, userId: string) => void;
}

export function registerUsers(app: FastifyInstance, http: GraphHttp, hooks: UserHooks = {}): void {
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
    if (typeof patch.mail === "string" && hasMailbox(tenant, user) && !ownAddress(tenant, patch.mail)) {
      // Entra "Invite internal users to B2B collaboration": "If the internal user has an existing
      // mailbox, you can't change this property to an external email address" (Exchange manages
      // it). (unv) Graph's status and wording.
      throw badRequest(
        `User ${user.id} has a mailbox in Exchange Online: its mail cannot be set to the external address ${patch.mail}; change the mailbox's addresses in Exchange.`,
      );
    }
    for (const [k, v] of Object.entries(patch)) if (!k.includes("@")) user[k] = v;
    http.store.save();
    return reply.code(204).send();
  });

  app.delete("/v1.0/users/:id", async (req: FastifyRequest<{ Params: { id: string } }>, reply) => {
    const { tenant } = await http.authorize(req, USER_DELETE);
    const user = findUser(tenant, req.params.id);
    // A synced user is deleted by deleting (or unscoping) it on-premises (obs, as for PATCH).
    if (user.onPremisesSyncEnabled === true) throw badRequest(SYNCED_OBJECT_READ_ONLY);
    // Graph keeps it in deletedItems for 30 days with its memberships; the emulator does not model
    // restoring, so the user leaves its groups now.
    for (const g of Object.values(tenant.groups)) {
      if (g.members?.includes(user.id)) g.members = g.members.filter((m) => m !== user.id);
      if (g.owners?.includes(user.id)) g.owners = g.owners.filter((o) => o !== user.id);
    }
    delete tenant.users[user.id];
    hooks.deleted?.(tenant, user.id);
    http.store.save();
    return reply.code(204).send();
  });

  // A user's mailbox settings: what a user without an Exchange Online mailbox cannot answer. Microsoft
  // documents 404 with MailboxNotEnabledForRESTAPI (or MailboxNotSupportedForRESTAPI) for a mailbox
  // that is not a valid Exchange Online one (Exchange troubleshooting, KB 4462988: "REST API is not
  // yet supported for this mailbox"). (obs) that Graph v1.0 answers it so for a user without a
  // mailbox, and the wording below: microsoftgraph/msgraph-sdk-powershell#3531 (2026), "The mailbox
  // is either inactive, soft-deleted, or is hosted on-premise." (unv) the settings' values; only
  // their shape (CSDL mailboxSettings) is Graph's.
  app.get("/v1.0/users/:id/mailboxSettings", async (req: FastifyRequest<{ Params: { id: string } }>) => {
    const { tenant } = await http.authorize(req, MAILBOX_SETTINGS_READ);
    const user = findUser(tenant, req.params.id);
    if (!hasMailbox(tenant, user)) {
      throw new GraphHttpError(
        404,
        "MailboxNotEnabledForRESTAPI",
        "The mailbox is either inactive, soft-deleted, or is hosted on-premise.",
      );
    }
    return {
      "@odata.context": `https://${req.headers.host}/v1.0/$metadata#users('${user.id}')/mailboxSettings`,
      archiveFolder: null,
      timeZone: "UTC",
      dateFormat: "M/d/yyyy",
      timeFormat: "h:mm tt",
      userPurpose: "user",
      language: { locale: "en-US", displayName: "English (United States)" },
    };
  });

  app.get(
    "/v1.0/users/:id/memberOf",
    async (req: FastifyRequest<{ Params: { id: string }; Querystring: Query }>) => {
      const ctx = await http.authorize(req, MEMBER_OF_READ);
      checkSelect(http, "microsoft.graph.group", req.query.$select);
      const user = findUser(ctx.tenant, req.params.id);
      const full = hasRole(ctx, GROUPS_READABLE);
      const groups = Object.values(ctx.tenant.groups)
        .filter((g) => g.members?.includes(user.id))
        .map((g) => {
          const { members: _m, owners: _o, ...props } = g;
          const json = select(props, req.query.$select, GROUP_DEFAULTS);
          return {
            "@odata.type": "#microsoft.graph.group",
            ...(full
              ? json
              : Object.fromEntries(Object.keys(json).map((k) => [k, k === "id" ? g.id : null]))),
          };
        });
      return page(req, groups, "directoryObjects");
    },
  );
}
