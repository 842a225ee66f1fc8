// Graph-like throttling, off by default: token buckets per app per tenant, per tenant and per app,
// charged with each request's documented cost before the request is processed, answering 429
// TooManyRequests with Retry-After when a bucket cannot pay. Switched on per emulator (the start
// option `throttling`, or the admin API's PUT /_emulator/throttling).
//
// Source: Microsoft Graph "Microsoft Graph service-specific throttling limits" [limits]
// (graph-facts.md, "Errors, paging, batching, throttling"):
// - Identity and access service: "Throttling is based on a token bucket algorithm, which works by
//   adding individual costs of requests ... Only the requests exceeding the limits will be
//   throttled." Resource-unit quota per application+tenant pair: S 3,500 / M 5,000 / L 8,000 per
//   10 s, for tenants of under 50 / 50-500 / over 500 users; write quota per application+tenant
//   pair 3,000 per 2 min 30 s; per application (all tenants) 150,000 resource units per 20 s and
//   70,000 writes per 5 min; per tenant (all applications) 18,000 writes per 5 min.
// - Base costs: its table (below, COSTS); any other GET 1 unit, any other POST/PATCH/PUT/DELETE 1
//   unit and 1 write; `$select` -1, `$expand` +1, `$top` below 20 -1; never below 1; a cost given
//   for a path starting `me/` applies to the same path under `users/{id | userPrincipalName}/`.
// - Invitation manager: "The following limits apply to any request on /invitations": 150 requests
//   per 5 s per tenant.
// - Throttled responses carry x-ms-throttle-scope (<Scope>/<Limit>/<ApplicationId>/<TenantId>) and
//   x-ms-throttle-information (ResourceUnitLimitExceeded, WriteLimitExceeded).
// - JSON batching: each request of a $batch is evaluated on its own (graph-facts.md); the $batch
//   envelope itself is not charged here (unv: [limits] does not price it).
//
// Not documented, decided here (unv):
// - a bucket starts full and refills continuously at quota/window per second (the page names the
//   algorithm, not its refill); the invitation limit is a bucket of the same kind;
// - Retry-After is the time until the bucket that refused can pay, rounded up to whole seconds
//   (Graph documents that it sends the header, not how it computes it);
// - a throttled request consumes nothing; a request admitted and then failing (400, 404) has paid;
// - requests on /invitations are charged to the invitation manager's limit only, not also to the
//   identity and access quotas; users/{id}/mailboxSettings (Outlook's service, whose own limits are
//   per mailbox) is not throttled;
// - the tenant's size (S/M/L) is counted from its users when a request is admitted;
// - the global 130,000 requests per 10 s per app is not modelled (the per-app resource-unit quota
//   is the tighter one for the calls this project makes).

export interface BucketLimit {
  /** What the bucket holds when full. */
  quota: number;
  /** How long an empty bucket takes to fill again. */
  windowSeconds: number;
}

export interface ThrottlingLimits {
  /** Resource units per application+tenant pair by tenant size ([limits]). */
  appTenantUnits: { S: BucketLimit; M: BucketLimit; L: BucketLimit };
  appTenantWrites: BucketLimit;
  appUnits: BucketLimit;
  appWrites: BucketLimit;
  tenantWrites: BucketLimit;
  /** Any request on /invitations, per tenant. */
  tenantInvitations: BucketLimit;
}

/** Some limits in place of the documented ones (tenant sizes one by one). */
export type ThrottlingOverrides = Partial<Omit<ThrottlingLimits, "appTenantUnits">> & {
  appTenantUnits?: Partial<ThrottlingLimits["appTenantUnits"]>;
};

/** The figures of [limits]. */
export const DOCUMENTED_LIMITS: ThrottlingLimits = {
  appTenantUnits: {
    S: { quota: 3500, windowSeconds: 10 },
    M: { quota: 5000, windowSeconds: 10 },
    L: { quota: 8000, windowSeconds: 10 },
  },
  appTenantWrites: { quota: 3000, windowSeconds: 150 },
  appUnits: { quota: 150_000, windowSeconds: 20 },
  appWrites: { quota: 70_000, windowSeconds: 300 },
  tenantWrites: { quota: 18_000, windowSeconds: 300 },
  tenantInvitations: { quota: 150, windowSeconds: 5 },
};

/** [limits]' base costs in resource units (write cost 0 for all of them); `{id}` is one segment. */
const COSTS: Array<[method: string, template: string, units: number]> = [
  ["GET", "applications", 2],
  ["GET", "applications/{id}/extensionProperties", 2],
  ["GET", "contracts", 3],
  ["POST", "directoryObjects/getByIds", 3],
  ["GET", "domains/{id}/domainNameReferences", 4],
  ["POST", "getObjectsById", 3],
  ["GET", "groups/{id}/members", 3],
  ["GET", "groups/{id}/transitiveMembers", 5],
  ["POST", "isMemberOf", 4],
  ["POST", "me/checkMemberGroups", 4],
  ["POST", "me/checkMemberObjects", 4],
  ["POST", "me/getMemberGroups", 2],
  ["POST", "me/getMemberObjects", 2],
  ["GET", "me/licenseDetails", 2],
  ["GET", "me/memberOf", 2],
  ["GET", "me/ownedObjects", 2],
  ["GET", "me/transitiveMemberOf", 2],
  ["GET", "oauth2PermissionGrants", 2],
  ["GET", "oauth2PermissionGrants/{id}", 2],
  ["GET", "servicePrincipals/{id}/appRoleAssignments", 2],
  ["GET", "subscribedSkus", 3],
  ["GET", "users", 2],
];

export interface RequestCost {
  /** Which service's limits apply. */
  service: "identity" | "invitations" | "none";
  units: number;
  writes: number;
}

const WRITES = new Set(["POST", "PATCH", "PUT", "DELETE"]);

/** What a request costs under [limits]. `url` is the request's path and query, with or without
 * the /v1.0 prefix. */
export function requestCost(method: string, url: string): RequestCost {
  const m = method.toUpperCase();
  const [rawPath, query = ""] = url.split("?");
  const segments = rawPath
    .replace(/^\/?v1\.0\//, "")
    .split("/")
    .filter(Boolean)
    .map((s) => decodeURIComponent(s));
  if (segments[0] === "invitations") return { service: "invitations", units: 1, writes: 0 };
  if (segments[0] === "users" && segments[2] === "mailboxSettings") {
    return { service: "none", units: 0, writes: 0 };
  }
  // users/{id}/... costs what me/... does.
  const asMe = segments[0] === "users" && segments.length > 2 ? ["me", ...segments.slice(2)] : segments;
  const matches = (template: string) => {
    const t = template.split("/");
    return t.length === asMe.length && t.every((part, i) => part === "{id}" || part === asMe[i]);
  };
  const listed = COSTS.find(([verb, template]) => verb === m && matches(template));
  let units = listed ? listed[2] : 1;
  const params = new URLSearchParams(query);
  if (params.has("$select")) units -= 1;
  if (params.has("$expand")) units += 1;
  const top = Number(params.get("$top") ?? Number.NaN);
  if (Number.isFinite(top) && top < 20) units -= 1;
  return { service: "identity", units: Math.max(1, units), writes: !listed && WRITES.has(m) ? 1 : 0 };
}

class Bucket {
  private tokens: number;
  private at: number;

  constructor(
    readonly limit: BucketLimit,
    now: number,
  ) {
    this.tokens = limit.quota;
    this.at = now;
  }

  private refill(now: number): void {
    const rate = this.limit.quota / (this.limit.windowSeconds * 1000);
    this.tokens = Math.min(this.limit.quota, this.tokens + (now - this.at) * rate);
    this.at = now;
  }

  /** Milliseconds until `cost` can be paid (0: now). */
  wait(cost: number, now: number): number {
    this.refill(now);
    if (this.tokens >= cost) return 0;
    const rate = this.limit.quota / (this.limit.windowSeconds * 1000);
    return (Math.min(cost, this.limit.quota) - this.tokens) / rate;
  }

  pay(cost: number): void {
    this.tokens -= cost;
  }

  /** Tokens left now (for the admin API). */
  level(now: number): number {
    this.refill(now);
    return this.tokens;
  }
}

/** A refusal: what the 429 carries. */
export interface Throttled {
  retryAfterSeconds: number;
  /** x-ms-throttle-scope. */
  scope: string;
  /** x-ms-throttle-information. */
  information: string;
  message: string;
}

export interface ThrottlingOptions {
  enabled?: boolean;
  /** Replaces documented limits (tests of the mechanism at a small scale); merged per key. */
  limits?: ThrottlingOverrides;
  /** Milliseconds since the epoch; tests may hold time still. */
  now?: () => number;
}

export interface ThrottlingCounters {
  admitted: number;
  throttled: number;
  /** Throttled requests by the limit that refused them (e.g. Tenant/Invitations). */
  byLimit: Record<string, number>;
}

/** The documented limits with `given` in place of some (tenant sizes one by one). */
function withDefaults(given: ThrottlingOverrides = {}): ThrottlingLimits {
  return {
    ...DOCUMENTED_LIMITS,
    ...given,
    appTenantUnits: { ...DOCUMENTED_LIMITS.appTenantUnits, ...given.appTenantUnits },
  };
}

/** The emulator's limiter. `admit` is the one entry: GraphHttp calls it for every authenticated
 * Graph request but a $batch envelope, and the $batch handler calls it per inner request. */
export class Throttling {
  enabled: boolean;
  limits: ThrottlingLimits;
  /** The clock (milliseconds since the epoch); tests may hold time still. */
  now: () => number;
  private readonly buckets = new Map<string, Bucket>();
  readonly counters: ThrottlingCounters = { admitted: 0, throttled: 0, byLimit: {} };

  constructor(options: ThrottlingOptions = {}) {
    this.enabled = options.enabled ?? false;
    this.limits = withDefaults(options.limits);
    this.now = options.now ?? Date.now;
  }

  /** Turns throttling on or off, with limits (documented ones where not given); buckets start
   * full again. */
  configure(options: { enabled: boolean; limits?: ThrottlingOverrides }): void {
    this.enabled = options.enabled;
    this.limits = withDefaults(options.limits);
    this.buckets.clear();
  }

  /** Charges one request of `appId` in `tenantId`; `path` is the request's URL (path and query).
   * Answers undefined when the request may go on (it has been paid for), or the refusal to answer
   * with 429. `tenantUsers` is the tenant's user count (its size class). */
  admit(
    tenantId: string,
    appId: string,
    method: string,
    path: string,
    tenantUsers = 0,
  ): Throttled | undefined {
    if (!this.enabled) return undefined;
    const cost = requestCost(method, path);
    if (cost.service === "none") return undefined;
    const now = this.now();
    const app = appId.toLowerCase();
    const tenant = tenantId.toLowerCase();
    const charges: Array<{ key: string; limit: BucketLimit; cost: number; scope: string; info: string }> = [];
    if (cost.service === "invitations") {
      charges.push({
        key: `invitations/${tenant}`,
        limit: this.limits.tenantInvitations,
        cost: 1,
        scope: `Tenant/ReadWrite/${app}/${tenant}`,
        info: "InvitationLimitExceeded",
      });
    } else {
      const size = tenantUsers < 50 ? "S" : tenantUsers <= 500 ? "M" : "L";
      charges.push(
        {
          key: `units/${app}/${tenant}/${size}`,
          limit: this.limits.appTenantUnits[size],
          cost: cost.units,
          scope: `Tenant_Application/ReadWrite/${app}/${tenant}`,
          info: "ResourceUnitLimitExceeded",
        },
        {
          key: `units/${app}`,
          limit: this.limits.appUnits,
          cost: cost.units,
          scope: `Application/ReadWrite/${app}/${tenant}`,
          info: "ResourceUnitLimitExceeded",
        },
      );
      if (cost.writes > 0) {
        charges.push(
          {
            key: `writes/${app}/${tenant}`,
            limit: this.limits.appTenantWrites,
            cost: cost.writes,
            scope: `Tenant_Application/Write/${app}/${tenant}`,
            info: "WriteLimitExceeded",
          },
          {
            key: `writes/${app}`,
            limit: this.limits.appWrites,
            cost: cost.writes,
            scope: `Application/Write/${app}/${tenant}`,
            info: "WriteLimitExceeded",
          },
          {
            key: `writes/${tenant}`,
            limit: this.limits.tenantWrites,
            cost: cost.writes,
            scope: `Tenant/Write/${app}/${tenant}`,
            info: "WriteLimitExceeded",
          },
        );
      }
    }
    // The first limit reached refuses ([limits]: "The first limit to be reached triggers
    // throttling behavior"); the longest wait among those refusing is what Retry-After says.
    let refusal: { waitMs: number; scope: string; info: string } | undefined;
    for (const c of charges) {
      const bucket = this.bucket(c.key, c.limit, now);
      const waitMs = bucket.wait(c.cost, now);
      if (waitMs > 0 && (!refusal || waitMs > refusal.waitMs))
        refusal = { waitMs, scope: c.scope, info: c.info };
    }
    if (refusal) {
      this.counters.throttled++;
      const name = refusal.scope.split("/").slice(0, 2).join("/");
      this.counters.byLimit[name] = (this.counters.byLimit[name] ?? 0) + 1;
      return {
        retryAfterSeconds: Math.max(1, Math.ceil(refusal.waitMs / 1000)),
        scope: refusal.scope,
        information: refusal.info,
        message:
          cost.service === "invitations"
            ? "Too many requests to the invitation manager for this tenant. Please retry after some time."
            : "Too many requests. Please retry after some time.",
      };
    }
    for (const c of charges) this.bucket(c.key, c.limit, now).pay(c.cost);
    this.counters.admitted++;
    return undefined;
  }

  /** Tokens left per bucket, for the admin API. */
  levels(): Record<string, number> {
    const now = this.now();
    return Object.fromEntries([...this.buckets].map(([k, b]) => [k, Math.floor(b.level(now))]));
  }

  private bucket(key: string, limit: BucketLimit, now: number): Bucket {
    let b = this.buckets.get(key);
    if (!b || b.limit !== limit) {
      b = new Bucket(limit, now);
      this.buckets.set(key, b);
    }
    return b;
  }
}
