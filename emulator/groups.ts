// Emulated /groups: security groups (create, read with $select/$filter and paging, update,
// delete), their members and owners ($ref; owners may be service principals), the rule that
// groups synced from on-premises change only on-premises (license assignment excepted), the rule
// that a group assigning licenses cannot be deleted, and what a service principal that owns a
// group may do without any group permission. License assignment itself is in licensing.ts.
// Sources: Graph's "Create group", "Add members", "Remove group owner" pages and graph-facts.md
// "Groups"; (unv) marks what no source confirms, (obs) what public tools recorded real Graph doing.
import { randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { servicePrincipalJson } from "./applications";
import { GROUP_DEFAULTS, USER_DEFAULTS } from "./defaultProperties";
import { badRequest, forbidden, type GraphContext, type GraphHttp, hasRole, notFound } from "./graphHttp";
import { assignedLicensesOf, type Licensing } from "./licensing";
import { parseFilter, referencedId, select, splitAnd, unsupportedQuery } from "./odata";
import type { EmulatedGroup, JsonObject, Tenant } from "./state";
import { checkSelect, checkSelectAny, page, type Query, SYNCED_OBJECT_READ_ONLY } from "./users";

const GROUP_READ = [
  "Group.Read.All",
  "Group.ReadWrite.All",
  "GroupMember.Read.All",
  "Directory.Read.All",
  "Directory.ReadWrite.All",
] as const;
const GROUP_CREATE = ["Group.Create", "Group.ReadWrite.All", "Directory.ReadWrite.All"] as const;
const GROUP_WRITE = ["Group.ReadWrite.All", "Directory.ReadWrite.All"] as const;
const MEMBER_WRITE = ["GroupMember.ReadWrite.All", "Group.ReadWrite.All", "Directory.ReadWrite.All"] as const;
const OWNER_WRITE = ["Group.ReadWrite.All", "Directory.ReadWrite.All"] as const;
/** What lets a caller read service principals in full; without it they are listed with their id
 * and type only (Graph's "Limited information returned for inaccessible member objects"). */
const SERVICE_PRINCIPAL_READ = [
  "Application.Read.All",
  "Application.ReadWrite.OwnedBy",
  "Application.ReadWrite.All",
  "Directory.Read.All",
  "Directory.ReadWrite.All",
] as const;

const GROUP_FILTERS = {
  filterable: [
    "displayName",
    "mailNickname",
    "securityEnabled",
    "mailEnabled",
    "onPremisesSyncEnabled",
    "id",
  ],
  advancedOnly: [],
};
/** Set by Graph, not by a caller (unv: Graph's answer to setting them). */
const READ_ONLY = [
  "id",
  "assignedLicenses",
  "licenseProcessingState",
  "onPremisesSyncEnabled",
  "proxyAddresses",
  "mail",
  "createdDateTime",
];

const GUID = "[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}";
/** `assignedLicenses/any(x:x/skuId eq <guid>)`, the one lambda on a complex collection the
 * emulator answers (unv: that Graph answers it without ConsistencyLevel: eventual). */
const LICENSE_FILTER = new RegExp(`^assignedLicenses/any\\((\\w+):\\s*\\1/skuId\\s+eq\\s+(${GUID})\\)$`, "i");

type Rel = "members" | "owners";
type GroupParams = { id: string };
type RefParams = { id: string; objectId: string };

/** A group without its navigation lists, for select(). */
function properties(g: EmulatedGroup): JsonObject {
  const { members: _m, owners: _o, ...rest } = g;
  return rest;
}

export function registerGroups(app: FastifyInstance, http: GraphHttp, licensing: Licensing): void {
  const groupOf = (tenant: Tenant, id: string): EmulatedGroup => {
    const g = tenant.groups[id.toLowerCase()];
    if (!g) throw notFound(id);
    g.members ??= [];
    g.owners ??= [];
    return g;
  };
  /** Writes Entra Connect owns: refused on synced groups (obs). */
  const refuseIfSynced = (g: EmulatedGroup) => {
    if (g.onPremisesSyncEnabled === true) throw badRequest(SYNCED_OBJECT_READ_ONLY);
  };
  const userOf = (tenant: Tenant, id: string) => {
    const u = tenant.users[id];
    // Graph: "404 Not Found when the object being added doesn't exist". Only users are members
    // here (nested groups do not pass on licenses, and the emulator has no devices or contacts).
    if (!u) throw notFound(id);
    return u;
  };
  const membershipChanged = (tenant: Tenant, g: EmulatedGroup) => {
    if (licensing.isLicensing(tenant, g.id)) licensing.queue(tenant, g.id);
  };
  /** An owner is a user or a service principal of the tenant. */
  const ownerOf = (tenant: Tenant, id: string): string => {
    if (tenant.users[id] || tenant.servicePrincipals[id]) return id;
    throw notFound(id);
  };
  /** The group, if the caller may act on it: with one of `roles`, or as a service principal that
   * owns it. Observed of real Graph (obs; Microsoft Tech Community, "Granting App ability to change
   * group memberships by making it an owner" and the idea "Provided OwnedBy permissions for Groups
   * and GroupMember"): an owning service principal can read its group and add or remove members
   * without any Group or Directory permission, but cannot list the group's members or list groups. */
  const groupForCaller = (ctx: GraphContext, id: string, roles: readonly string[]): EmulatedGroup => {
    if (hasRole(ctx, roles)) return groupOf(ctx.tenant, id);
    const g = ctx.tenant.groups[id.toLowerCase()];
    if (g?.owners?.includes(ctx.servicePrincipalId)) return groupOf(ctx.tenant, id);
    throw forbidden();
  };

  app.post("/v1.0/groups", async (req: FastifyRequest, reply: FastifyReply) => {
    const { tenant } = await http.authorize(req, GROUP_CREATE);
    http.validate("microsoft.graph.group", req.body, "create");
    const body = req.body as JsonObject;
    for (const key of ["displayName", "mailEnabled", "mailNickname", "securityEnabled"]) {
      // (obs) Graph's wording for a missing required property of a group.
      if (body[key] === undefined || body[key] === null || body[key] === "")
        throw badRequest(`Invalid value specified for property '${key}' of resource 'Group'.`);
    }
    for (const key of READ_ONLY) {
      if (key in body) throw badRequest(`Property '${key}' is read-only and cannot be set.`); // (unv)
    }
    const unified = Array.isArray(body.groupTypes) && body.groupTypes.includes("Unified");
    if (body.mailEnabled === true && !unified) {
      // Graph creates mail-enabled security groups only through Exchange (unv: the wording).
      throw badRequest("Mail-enabled security groups cannot be created through Microsoft Graph.");
    }
    if (unified) throw badRequest("The emulator models security groups only: 'Unified' is not supported.");
    const nickname = String(body.mailNickname);
    const bound = (rel: Rel) => {
      const urls = body[`${rel}@odata.bind`];
      if (urls === undefined) return [];
      if (!Array.isArray(urls)) throw badRequest(`'${rel}@odata.bind' must be an array of URLs.`); // (unv)
      const ids = [...new Set(urls.map(referencedId))];
      return rel === "owners" ? ids.map((id) => ownerOf(tenant, id)) : ids.map((id) => userOf(tenant, id).id);
    };
    const id = randomUUID();
    const group: EmulatedGroup = {
      id,
      displayName: String(body.displayName),
      description: (body.description as string | undefined) ?? null,
      mail: null,
      mailEnabled: false,
      mailNickname: nickname,
      securityEnabled: true,
      groupTypes: [],
      proxyAddresses: [],
      onPremisesSyncEnabled: null,
      createdDateTime: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
      visibility: null,
      assignedLicenses: [],
      licenseProcessingState: null,
      members: bound("members"),
      owners: bound("owners"),
    };
    for (const [k, v] of Object.entries(body)) if (!k.includes("@") && !(k in group)) group[k] = v;
    tenant.groups[id] = group;
    http.created(tenant, "groups", [id]);
    http.store.save();
    return reply.code(201).send({
      "@odata.context": `https://${req.headers.host}/v1.0/$metadata#groups/$entity`,
      ...properties(group),
    });
  });

  app.get("/v1.0/groups", async (req: FastifyRequest<{ Querystring: Query }>) => {
    const { tenant } = await http.authorize(req, GROUP_READ);
    checkSelect(http, "microsoft.graph.group", req.query.$select);
    let groups = Object.values(tenant.groups);
    if (req.query.$filter) {
      const rest: string[] = [];
      for (const clause of splitAnd(req.query.$filter)) {
        const m = clause.match(LICENSE_FILTER);
        if (m) {
          const skuId = m[2].toLowerCase();
          groups = groups.filter((g) => assignedLicensesOf(g).some((l) => l.skuId.toLowerCase() === skuId));
        } else if (/assignedLicenses/i.test(clause)) throw unsupportedQuery();
        else rest.push(clause);
      }
      if (rest.length > 0) {
        const predicate = parseFilter(req, rest.join(" and "), GROUP_FILTERS);
        groups = groups.filter((g) => predicate(properties(g)));
      }
    }
    return page(
      req,
      groups.map((g) => select(properties(g), req.query.$select, GROUP_DEFAULTS)),
      "groups",
    );
  });

  app.get("/v1.0/groups/:id", async (req: FastifyRequest<{ Params: GroupParams; Querystring: Query }>) => {
    const ctx = await http.authenticate(req);
    const group = groupForCaller(ctx, req.params.id, GROUP_READ);
    checkSelect(http, "microsoft.graph.group", req.query.$select);
    return {
      "@odata.context": `https://${req.headers.host}/v1.0/$metadata#groups/$entity`,
      ...select(properties(group), req.query.$select, GROUP_DEFAULTS),
    };
  });

  app.patch("/v1.0/groups/:id", async (req: FastifyRequest<{ Params: GroupParams }>, reply: FastifyReply) => {
    const { tenant } = await http.authorize(req, GROUP_WRITE);
    const group = groupOf(tenant, req.params.id);
    http.validate("microsoft.graph.group", req.body, "update");
    const patch = req.body as JsonObject;
    refuseIfSynced(group);
    for (const key of READ_ONLY) {
      if (key in patch) throw badRequest(`Property '${key}' is read-only and cannot be set.`); // (unv)
    }
    if (patch.mailEnabled === true || patch.securityEnabled === false) {
      throw badRequest("The emulator models security groups only."); // (unv) Graph's rules here
    }
    for (const [k, v] of Object.entries(patch)) if (!k.includes("@")) group[k] = v;
    http.store.save();
    return reply.code(204).send();
  });

  app.delete(
    "/v1.0/groups/:id",
    async (req: FastifyRequest<{ Params: GroupParams }>, reply: FastifyReply) => {
      const { tenant } = await http.authorize(req, GROUP_WRITE);
      const group = groupOf(tenant, req.params.id);
      refuseIfSynced(group);
      if (assignedLicensesOf(group).length > 0) {
        // Entra's group-based licensing docs: licenses must be removed from a group before it can
        // be deleted. (unv) Graph's status and wording.
        throw badRequest(
          `Group ${group.id} has licenses assigned. Remove all licenses from the group before deleting it.`,
        );
      }
      delete tenant.groups[group.id];
      // Licenses removed but not processed yet: the members lose them now.
      if (licensing.isLicensing(tenant, group.id)) licensing.processNow(tenant, group.id);
      http.store.save();
      return reply.code(204).send();
    },
  );

  for (const rel of ["members", "owners"] as const) {
    app.get(
      `/v1.0/groups/:id/${rel}`,
      async (req: FastifyRequest<{ Params: GroupParams; Querystring: Query }>) => {
        const ctx = await http.authorize(req, GROUP_READ);
        const { tenant } = ctx;
        const $select = req.query.$select;
        if (rel === "members") checkSelect(http, "microsoft.graph.user", $select);
        else checkSelectAny(http, ["microsoft.graph.user", "microsoft.graph.servicePrincipal"], $select);
        const group = groupOf(tenant, req.params.id);
        const fullServicePrincipals = hasRole(ctx, SERVICE_PRINCIPAL_READ);
        const objects = group[rel].flatMap((id): JsonObject[] => {
          const u = tenant.users[id];
          if (u) return [{ "@odata.type": "#microsoft.graph.user", ...select(u, $select, USER_DEFAULTS) }];
          const sp = tenant.servicePrincipals[id];
          if (!sp) return [];
          const json = servicePrincipalJson(sp, $select);
          return [
            {
              "@odata.type": "#microsoft.graph.servicePrincipal",
              ...(fullServicePrincipals
                ? json
                : Object.fromEntries(Object.keys(json).map((k) => [k, k === "id" ? sp.id : null]))),
            },
          ];
        });
        return page(req, objects, "directoryObjects");
      },
    );

    app.post(
      `/v1.0/groups/:id/${rel}/$ref`,
      async (req: FastifyRequest<{ Params: GroupParams }>, reply: FastifyReply) => {
        const ctx = await http.authenticate(req);
        const { tenant } = ctx;
        // Owning a group lets a service principal change its members, not its owners (obs, above).
        if (rel === "owners" && !hasRole(ctx, OWNER_WRITE)) throw forbidden();
        const group = groupForCaller(ctx, req.params.id, rel === "members" ? MEMBER_WRITE : OWNER_WRITE);
        // Owners are not synced by Entra Connect, so a synced group's owners are managed in the
        // cloud (unv); its members are on-premises mastered (obs).
        if (rel === "members") refuseIfSynced(group);
        const body = req.body as JsonObject | null;
        const ref = referencedId(body?.["@odata.id"]);
        const id = rel === "members" ? userOf(tenant, ref).id : ownerOf(tenant, ref);
        if (group[rel].includes(id)) {
          // (obs)
          throw badRequest(
            `One or more added object references already exist for the following modified properties: '${rel}'.`,
          );
        }
        group[rel].push(id);
        if (rel === "members") membershipChanged(tenant, group);
        http.store.save();
        return reply.code(204).send();
      },
    );

    app.delete(
      `/v1.0/groups/:id/${rel}/:objectId/$ref`,
      async (req: FastifyRequest<{ Params: RefParams }>, reply: FastifyReply) => {
        const ctx = await http.authenticate(req);
        const { tenant } = ctx;
        if (rel === "owners" && !hasRole(ctx, OWNER_WRITE)) throw forbidden();
        const group = groupForCaller(ctx, req.params.id, rel === "members" ? MEMBER_WRITE : OWNER_WRITE);
        if (rel === "members") refuseIfSynced(group);
        const objectId = req.params.objectId.toLowerCase();
        // A non-member gives 404 or 400 (obs): 404 here.
        if (!group[rel].includes(objectId)) throw notFound(req.params.objectId);
        if (rel === "owners" && group.owners.length === 1) {
          // Graph: "the last owner (a user object) of the group cannot be removed". (unv) wording.
          throw badRequest("The group must have at least one owner, hence this owner cannot be removed.");
        }
        group[rel] = group[rel].filter((id) => id !== objectId);
        if (rel === "members") membershipChanged(tenant, group);
        http.store.save();
        return reply.code(204).send();
      },
    );
  }
}

/** The group as assignLicense answers it (the default property set). */
export function groupResponse(req: FastifyRequest, group: EmulatedGroup): JsonObject {
  return {
    "@odata.context": `https://${req.headers.host}/v1.0/$metadata#groups/$entity`,
    ...select(properties(group), undefined, GROUP_DEFAULTS),
  };
}
