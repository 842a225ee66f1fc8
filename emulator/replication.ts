// Replication delay: Microsoft Graph is eventually consistent, and for a while after an object is
// created the replica that answers a call may not have it. Sources: graph-facts.md ("Eventual
// consistency": new objects may 404, a $filter may miss them, ConsistencyLevel: eventual gives no
// read-your-writes), and the retry rules terraform-provider-azuread keeps for what Graph answers
// right after a create (its group, application, service principal, owner and app role assignment
// resources), which are what this module reproduces:
// - reads by id of a new object answer 404 Request_ResourceNotFound, and lists and $filter leave
//   it out (every kind below);
// - writes addressed to a new group, application, service principal or user (PATCH, POST of an
//   action or a $ref) answer 404: azuread's create paths retry exactly these ("Attempt to patch
//   the newly created group ... which will tell us whether it exists yet"; the same for
//   applications, service principals, users and invited guests); DELETE is not affected (no
//   source says so);
// - POST /servicePrincipals for a new application answers 400 "The appId '…' of the service
//   principal does not reference a valid application object" (azuread, az cli);
// - an app role assignment or owner reference naming a new service principal or user answers 404
//   (azuread's app role assignment and owner resources retry 404).
// Only new objects are modelled; a changed object is served as it is now, not in its previous
// version (which would need a copy of every object per change).
// Objects the admin API or Entra Connect make are not delayed: they stand for an estate that
// existed before the calls under test.
import type { FastifyRequest } from "fastify";
import { GraphHttpError, notFound } from "./graphHttp";
import type { JsonObject } from "./state";

export const REPLICATED_KINDS = ["users", "groups", "applications", "servicePrincipals", "partners"] as const;
export type ReplicatedKind = (typeof REPLICATED_KINDS)[number];
/** Milliseconds a new object of each kind stays invisible; 0 turns the delay off for the kind. */
export type ReplicationDelays = Record<ReplicatedKind, number>;

/** Kinds whose new objects refuse writes addressed to them (see above). */
const WRITES_WAIT: readonly ReplicatedKind[] = ["users", "groups", "applications", "servicePrincipals"];

/** Which kind a Graph route addresses by its first parameter. */
const ROUTE_KINDS: ReadonlyArray<[RegExp, ReplicatedKind]> = [
  [/^\/v1\.0\/users\/:id/, "users"],
  [/^\/v1\.0\/groups\/:id/, "groups"],
  [/^\/v1\.0\/applications(\/:id|\(appId=)/, "applications"],
  [/^\/v1\.0\/servicePrincipals(\/:id|\(appId=)/, "servicePrincipals"],
  [/^\/v1\.0\/policies\/crossTenantAccessPolicy\/partners\/:partnerTenantId/, "partners"],
];

/** `delays` given as one number for every kind, or per kind (missing kinds: 0). */
export function replicationDelays(given: number | Partial<ReplicationDelays> = 0): ReplicationDelays {
  const all = typeof given === "number" ? Object.fromEntries(REPLICATED_KINDS.map((k) => [k, given])) : given;
  const out = {} as ReplicationDelays;
  for (const kind of REPLICATED_KINDS) {
    const ms = (all as Partial<ReplicationDelays>)[kind] ?? 0;
    if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0) {
      throw new Error(`the replication delay of ${kind} must be a number of milliseconds >= 0, not ${ms}`);
    }
    out[kind] = ms;
  }
  for (const key of Object.keys(all)) {
    if (!(REPLICATED_KINDS as readonly string[]).includes(key)) {
      throw new Error(`unknown object kind ${key}: one of ${REPLICATED_KINDS.join(", ")}`);
    }
  }
  return out;
}

export class Replication {
  private current: ReplicationDelays;
  /** Per tenant: "<kind>:<key>" → when the object has reached every replica (ms since epoch). */
  private readonly pending = new Map<string, Map<string, number>>();

  constructor(
    delays: number | Partial<ReplicationDelays> = 0,
    private readonly now: () => number = Date.now,
  ) {
    this.current = replicationDelays(delays);
  }

  get delays(): ReplicationDelays {
    return { ...this.current };
  }

  /** Changes the delays of the kinds given; objects already pending keep theirs. */
  setDelays(delays: Partial<ReplicationDelays>): ReplicationDelays {
    this.current = replicationDelays({ ...this.current, ...delays });
    return this.delays;
  }

  /** An object was just created through Graph; `keys` are every way Graph addresses it (object
   * id, and appId or userPrincipalName where those address it too). */
  created(tenantId: string, kind: ReplicatedKind, keys: readonly string[]): void {
    const delay = this.current[kind];
    if (delay <= 0) return;
    let pending = this.pending.get(tenantId);
    if (!pending) {
      pending = new Map();
      this.pending.set(tenantId, pending);
    }
    const until = this.now() + delay;
    for (const key of keys) pending.set(`${kind}:${key.toLowerCase()}`, until);
  }

  /** Whether the object is still on its way to every replica. */
  isNew(tenantId: string, kind: ReplicatedKind, key: string): boolean {
    return this.newKeys(tenantId).has(`${kind}:${key.toLowerCase()}`);
  }

  /** Pending keys ("<kind>:<key>") of the tenant; those that have arrived are forgotten. */
  private newKeys(tenantId: string): Set<string> {
    const pending = this.pending.get(tenantId);
    if (!pending) return new Set();
    const now = this.now();
    for (const [key, until] of pending) if (until <= now) pending.delete(key);
    return new Set(pending.keys());
  }

  /** Refuses a Graph call the way Graph does while an object it addresses or refers to is new.
   * Called once the caller is authenticated and authorized, before the endpoint runs. */
  check(req: FastifyRequest, tenantId: string): void {
    const fresh = this.newKeys(tenantId);
    if (fresh.size === 0) return;
    const isNew = (kind: ReplicatedKind, key: unknown) =>
      typeof key === "string" && fresh.has(`${kind}:${decodeURIComponent(key).toLowerCase()}`);
    const route = req.routeOptions.url ?? "";
    const params = (req.params ?? {}) as Record<string, string | undefined>;
    const kind = ROUTE_KINDS.find(([pattern]) => pattern.test(route))?.[1];
    const key = params.id ?? params.appId ?? params.partnerTenantId;
    if (kind && isNew(kind, key)) {
      const write = req.method === "PATCH" || req.method === "POST";
      if (req.method === "GET" || (write && WRITES_WAIT.includes(kind))) throw notFound(String(key));
    }
    if (req.method !== "POST") return;
    const body = (req.body ?? {}) as JsonObject;
    if (route === "/v1.0/servicePrincipals" && isNew("applications", body.appId)) {
      throw new GraphHttpError(
        400,
        "Request_BadRequest",
        `The appId '${body.appId}' of the service principal does not reference a valid application object.`,
      );
    }
    if (/\/(appRoleAssignments|appRoleAssignedTo)$/.test(route)) {
      for (const ref of [body.principalId, body.resourceId]) {
        if (isNew("servicePrincipals", ref)) throw notFound(String(ref));
      }
    }
    if (/^\/v1\.0\/groups\/:id\/(members|owners)\/\$ref$/.test(route)) {
      const ref = String(body["@odata.id"] ?? "").match(/\/([^/]+)\/?$/)?.[1];
      if (ref && (isNew("users", ref) || isNew("servicePrincipals", ref) || isNew("groups", ref))) {
        throw notFound(ref);
      }
    }
  }

  /** Leaves new objects out of a collection Graph answers (a list, a $filter, members...). */
  filterCollection(tenantId: string, payload: unknown): unknown {
    const fresh = this.newKeys(tenantId);
    if (fresh.size === 0 || !payload || typeof payload !== "object") return payload;
    const page = payload as { value?: unknown; "@odata.count"?: number };
    if (!Array.isArray(page.value)) return payload;
    const ids = new Set([...fresh].map((k) => k.slice(k.indexOf(":") + 1)));
    const visible = page.value.filter((item) => {
      const o = item as JsonObject;
      const id = typeof o.id === "string" ? o.id : typeof o.tenantId === "string" ? o.tenantId : undefined;
      return !(id && ids.has(id.toLowerCase()));
    });
    if (visible.length === page.value.length) return payload;
    const dropped = page.value.length - visible.length;
    return {
      ...page,
      ...(typeof page["@odata.count"] === "number" ? { "@odata.count": page["@odata.count"] - dropped } : {}),
      value: visible,
    };
  }
}

/** Parses the serve command's --replication-delay: "1500" (every kind) or "groups=1500,users=0". */
export function parseReplicationDelays(text: string): ReplicationDelays {
  if (/^\d+$/.test(text.trim())) return replicationDelays(Number(text));
  const given: Record<string, number> = {};
  for (const part of text.split(",")) {
    const [kind, ms] = part.split("=").map((s) => s.trim());
    if (!kind || !ms || !/^\d+$/.test(ms)) {
      throw new Error(`--replication-delay: "${part}" is not <kind>=<milliseconds>`);
    }
    given[kind] = Number(ms);
  }
  return replicationDelays(given as Partial<ReplicationDelays>);
}
