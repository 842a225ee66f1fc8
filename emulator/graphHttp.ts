// What every emulated Graph endpoint shares: request ids, Graph's error shape, bearer-token
// checks, application-permission checks, injected faults, the replication delay (replication.ts)
// and the request log.
import { randomUUID } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import { CsdlModel } from "./csdl";
import type { TokenService } from "./oauth";
import { type ReplicatedKind, Replication } from "./replication";
import type { Store, Tenant } from "./state";
import { type Throttled, Throttling } from "./throttling";

export class GraphHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const notFound = (what: string) =>
  new GraphHttpError(
    404,
    "Request_ResourceNotFound",
    `Resource '${what}' does not exist or one of its queried reference-property objects are not present.`,
  );
export const badRequest = (message: string) => new GraphHttpError(400, "Request_BadRequest", message);

/** Graph's error body: {error: {code, message, innerError: {date, request-id, client-request-id}}}. */
function graphErrorBody(req: FastifyRequest, err: GraphHttpError) {
  const requestId = requestIdOf(req);
  return {
    error: {
      code: err.code,
      message: err.message,
      innerError: {
        date: new Date().toISOString().replace(/\.\d{3}Z$/, ""),
        "request-id": requestId,
        "client-request-id": clientRequestIdOf(req, requestId),
      },
    },
  };
}

export function sendGraphError(req: FastifyRequest, reply: FastifyReply, err: GraphHttpError): FastifyReply {
  for (const [k, v] of Object.entries(err.headers)) reply.header(k, v);
  return reply.code(err.status).send(graphErrorBody(req, err));
}

export function requestIdOf(req: FastifyRequest): string {
  const r = req as FastifyRequest & { graphRequestId?: string };
  if (!r.graphRequestId) r.graphRequestId = randomUUID();
  return r.graphRequestId;
}

function clientRequestIdOf(req: FastifyRequest, fallback: string): string {
  const h = req.headers["client-request-id"];
  return typeof h === "string" ? h : fallback;
}

/** An injected failure: the next `remaining` Graph calls it applies to answer `status` (or, with
 * `rate`, that share of them, until `remaining` have been answered or `until` has passed). */
export interface Fault {
  status: 429 | 503 | 504;
  /** How many more calls it answers; Infinity when only `until` bounds it. */
  remaining: number;
  retryAfterSeconds: number;
  /** The share of matching calls (0 < rate <= 1) that fail: a storm rather than a burst. Without
   * `seed` the failures are spread evenly and exactly (call n fails when floor(n × rate) grows:
   * at 0.3, calls 4, 7, 10, 14, 17, 20, 24 ...; never two in a row below 0.5); with `seed`, each
   * call fails with probability `rate` drawn from a PRNG seeded with it (bursty, repeatable for
   * the same order of calls). */
  rate?: number;
  seed?: number;
  /** Epoch milliseconds after which the fault applies no more. */
  until?: number;
  /** Calls it matched so far, and how many of them it failed. */
  matched?: number;
  answered?: number;
  /** The PRNG's state, for a seeded rate. */
  prng?: number;
  /** The call is carried out and only then answered with `status`: a write Graph committed but
   * could not confirm, as a 503 or 504 from a gateway can be. Without it the call fails before it
   * does anything, as a 429 always does. */
  afterCommit?: boolean;
  /** Applies only to calls with this method (GET, POST...). */
  method?: string;
  /** Applies only to calls whose path starts with this, e.g. /v1.0/groups. */
  pathPrefix?: string;
}

/** Whether the fault fails the call it just matched (its `matched`-th). */
function strikes(fault: Fault): boolean {
  const rate = fault.rate;
  if (rate === undefined) return true;
  const n = fault.matched ?? 1;
  if (fault.seed === undefined) {
    // In parts per million, so that integer arithmetic gives exactly floor(n × rate) faults.
    const ppm = Math.round(rate * 1_000_000);
    return Math.floor((n * ppm) / 1_000_000) > Math.floor(((n - 1) * ppm) / 1_000_000);
  }
  // mulberry32: small, and good enough to decide a coin toss.
  fault.prng = ((fault.prng ?? fault.seed) + 0x6d2b79f5) | 0;
  let t = fault.prng;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296 < rate;
}

const faultError = (fault: Fault, tenantId: string, appId: string) =>
  new GraphHttpError(
    fault.status,
    fault.status === 429 ? "TooManyRequests" : "ServiceUnavailable",
    fault.status === 429
      ? "Too many requests. Please retry after some time."
      : "The service is temporarily unavailable.",
    {
      "Retry-After": String(fault.retryAfterSeconds),
      ...(fault.status === 429
        ? { "x-ms-throttle-scope": `Tenant_Application/ReadWrite/${tenantId}/${appId}` }
        : {}),
    },
  );

/** Graph's 429 for a request the limiter refused. */
export const throttledError = (t: Throttled) =>
  new GraphHttpError(429, "TooManyRequests", t.message, {
    "Retry-After": String(t.retryAfterSeconds),
    "x-ms-throttle-scope": t.scope,
    "x-ms-throttle-information": t.information,
  });

type FaultedRequest = FastifyRequest & { faultAfterCommit?: GraphHttpError };

export interface LoggedRequest {
  tenantId: string;
  method: string;
  path: string;
  status?: number;
  /** For a request sent inside a JSON batch (batch.ts): the batch's request id. */
  inBatch?: string;
}

export interface GraphContext {
  tenant: Tenant;
  roles: string[];
  appId: string;
  /** The caller's service principal (the token's oid). */
  servicePrincipalId: string;
}

export const forbidden = () =>
  new GraphHttpError(
    403,
    "Authorization_RequestDenied",
    "Insufficient privileges to complete the operation.",
  );

/** Whether the caller holds one of these application permissions. */
export const hasRole = (ctx: GraphContext, anyOfRoles: readonly string[]) =>
  anyOfRoles.some((r) => ctx.roles.includes(r));

/** Shared services of the Graph endpoints. */
export class GraphHttp {
  readonly faults: Fault[] = [];
  /** Graph operations as answered: direct calls and the requests inside a batch (marked), not the
   * batch envelopes, so that "what was read or written" stays one list whatever the transport. */
  readonly log: LoggedRequest[] = [];
  /** The batch envelopes (POST /v1.0/$batch) as answered: HTTP requests are these plus the
   * unmarked entries of `log`. */
  readonly batchLog: LoggedRequest[] = [];
  readonly csdl = CsdlModel.load();
  /** The header batch.ts marks its inner requests with; its value carries a per-process secret so
   * that no client can pass a direct call off as part of a batch. */
  readonly innerBatchHeader = "x-emulator-batch";
  private readonly batchSecret = randomUUID();

  constructor(
    readonly store: Store,
    private readonly tokens: TokenService,
    readonly replication = new Replication(),
    /** Graph-like throttling (throttling.ts), off unless switched on. */
    readonly throttle = new Throttling(),
  ) {}

  /** Authenticates the caller, applies injected faults, checks that the app holds one of
   * `anyOfRoles` (the application permissions Graph documents for the endpoint), and refuses what
   * the replication delay refuses. */
  async authorize(req: FastifyRequest, anyOfRoles: readonly string[]): Promise<GraphContext> {
    const ctx = await this.identify(req);
    if (!hasRole(ctx, anyOfRoles)) throw forbidden();
    this.replication.check(req, ctx.tenant.id);
    return ctx;
  }

  /** Authenticates the caller, applies injected faults and the replication delay, leaving the
   * permission check to the endpoint: for rules that depend on the object (an owner may change
   * what it owns). */
  async authenticate(req: FastifyRequest): Promise<GraphContext> {
    const ctx = await this.identify(req);
    this.replication.check(req, ctx.tenant.id);
    return ctx;
  }

  /** An object was just created through Graph (see replication.ts). */
  created(tenant: Tenant, kind: ReplicatedKind, keys: readonly string[]): void {
    this.replication.created(tenant.id, kind, keys);
  }

  /** A collection as the caller's replica has it: without objects still replicating. */
  visibleCollection(req: FastifyRequest, payload: unknown): unknown {
    const tenantId = (req as FastifyRequest & { graphTenantId?: string }).graphTenantId;
    if (!tenantId || req.method !== "GET") return payload;
    return this.replication.filterCollection(tenantId, payload);
  }

  private async identify(req: FastifyRequest): Promise<GraphContext> {
    const header = req.headers.authorization;
    if (!header?.startsWith("Bearer ")) {
      throw new GraphHttpError(401, "InvalidAuthenticationToken", "Access token is empty.");
    }
    const claims = await this.tokens.verifyAccessToken(header.slice("Bearer ".length), [
      `https://${req.headers.host}`,
      "https://graph.microsoft.com",
      "00000003-0000-0000-c000-000000000000",
    ]);
    const tenant = this.store.tenant(claims.tid);
    if (!tenant)
      throw new GraphHttpError(401, "InvalidAuthenticationToken", "Access token validation failure.");
    (req as FastifyRequest & { graphTenantId?: string }).graphTenantId = tenant.id;
    // A $batch's requests are charged one by one by its handler, not the envelope.
    if (req.url.split("?")[0] !== "/v1.0/$batch") {
      const refused = this.throttle.admit(
        tenant.id,
        claims.appid,
        req.method,
        req.url,
        Object.keys(tenant.users).length,
      );
      if (refused) throw throttledError(refused);
    }
    const fault = this.faultFor(req);
    if (fault) {
      const err = faultError(fault, tenant.id, claims.appid);
      if (!fault.afterCommit) throw err;
      (req as FaultedRequest).faultAfterCommit = err;
    }
    return { tenant, roles: claims.roles, appId: claims.appid, servicePrincipalId: claims.oid };
  }

  /** The first injected fault that fails this call, if any; spent and expired ones are dropped. */
  private faultFor(req: FastifyRequest): Fault | undefined {
    const now = Date.now();
    for (let i = 0; i < this.faults.length; i++) {
      const f = this.faults[i];
      if (f.until !== undefined && now >= f.until) {
        this.faults.splice(i--, 1);
        continue;
      }
      if (f.method && f.method.toUpperCase() !== req.method) continue;
      if (f.pathPrefix && !req.url.startsWith(f.pathPrefix)) continue;
      f.matched = (f.matched ?? 0) + 1;
      if (!strikes(f)) continue;
      f.answered = (f.answered ?? 0) + 1;
      f.remaining -= 1;
      if (f.remaining <= 0) this.faults.splice(i, 1);
      return f;
    }
    return undefined;
  }

  /** For a call an afterCommit fault applies to: turns the answer (whatever the call did) into the
   * fault's, and returns the body to send instead. */
  failAfterCommit(req: FastifyRequest, reply: FastifyReply): string | undefined {
    const err = (req as FaultedRequest).faultAfterCommit;
    if (!err) return undefined;
    reply.code(err.status);
    for (const [k, v] of Object.entries(err.headers)) reply.header(k, v);
    reply.header("content-type", "application/json; charset=utf-8");
    return JSON.stringify(graphErrorBody(req, err));
  }

  /** The mark of an inner request of the batch `outerRequestId`. */
  innerBatchMark(outerRequestId: string): string {
    return `${this.batchSecret} ${outerRequestId}`;
  }

  /** The batch a request was sent in, if it was an inner request of one. */
  batchOf(req: FastifyRequest): string | undefined {
    const mark = req.headers[this.innerBatchHeader];
    if (typeof mark !== "string") return undefined;
    const [secret, outer] = mark.split(" ");
    return secret === this.batchSecret ? outer : undefined;
  }

  /** Records a Graph call once answered; tests read it to prove that nothing was written. */
  record(req: FastifyRequest, status: number): void {
    const tenantId = (req as FastifyRequest & { graphTenantId?: string }).graphTenantId;
    if (!tenantId) return;
    if (req.url.split("?")[0] === "/v1.0/$batch") {
      this.batchLog.push({ tenantId, method: req.method, path: req.url, status, inBatch: requestIdOf(req) });
      return;
    }
    const inBatch = this.batchOf(req);
    this.log.push({ tenantId, method: req.method, path: req.url, status, ...(inBatch ? { inBatch } : {}) });
  }

  /** Rejects a body the way Graph does when it does not fit the CSDL type. */
  validate(typeName: string, body: unknown, mode: "create" | "update" | "replace"): void {
    const violations = this.csdl.validate(typeName, body, mode);
    if (violations.length > 0) {
      const v = violations[0];
      throw new GraphHttpError(400, v.code, v.message);
    }
  }
}
