// Microsoft Graph is eventually consistent (graph-facts.md, "Journal, sync triggers, throttling and
// consistency"): a write that succeeded is not yet seen by every replica, so the next read may miss
// a new object (404, or absent from a $filter) or show a changed one as it was, and a write that
// names a new object may be refused for a few seconds. Everything in lib/ that reads back or writes
// to an object right after creating or changing it goes through this module:
// - eventually(): poll a read until it answers N times in a row, at a minimum interval, with a
//   deadline (successive reads can be served by different replicas, so one success proves little);
// - retryingOn(): repeat one call while Graph answers one of the known post-create errors below;
// - lookUp(): after an uncertain write (503/504: Graph may have committed it), look for what it
//   would have made before deciding that it was not made.
// The clock is a parameter so that tests can run the waits without waiting.
import { GraphRequestError } from "./errors";

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface ConsistencyOptions {
  clock: Clock;
  /** Answers in a row before a read is trusted. */
  successesInARow: number;
  /** Least time between two reads, and between two tries of a call. */
  intervalMs: number;
  /** How long a new or changed object may take to be seen everywhere before we give up. */
  deadlineMs: number;
  /** How long a look-up after an uncertain write keeps looking before it concludes that the write
   * did not happen (longer than replication usually takes; shorter than the deadline, because the
   * write then has to be repeated). */
  lookupMs: number;
}

/** Seconds of replication are common and minutes happen (terraform-provider-azuread allows up to
 * 12 minutes for groups in administrative units); two minutes covers what this product creates. */
export const DEFAULT_CONSISTENCY: ConsistencyOptions = {
  clock: systemClock,
  successesInARow: 2,
  intervalMs: 1000,
  deadlineMs: 120_000,
  lookupMs: 30_000,
};

/** A wait for replication that ran out of time. */
export class ConsistencyTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConsistencyTimeoutError";
  }
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/** Reads until `read` answers a value (undefined: not there yet) `successesInARow` times in a row,
 * at least `intervalMs` apart, and returns the last answer. At the deadline it throws a
 * ConsistencyTimeoutError that names `what`. Errors of `read` end the wait at once. */
export async function eventually<T>(
  what: string,
  read: () => Promise<T | undefined>,
  options: ConsistencyOptions & {
    /** After a first answer, how to wait before reading again to confirm it, when that is not the
     * polling's own rhythm (a wave polls on a coarse shared grid; its confirmations need not). */
    confirm?: Pick<ConsistencyOptions, "clock" | "intervalMs">;
  },
): Promise<T> {
  const { clock } = options;
  const start = clock.now();
  let inARow = 0;
  for (;;) {
    const value = await read();
    if (value === undefined) inARow = 0;
    else if (++inARow >= options.successesInARow) return value;
    if (clock.now() - start >= options.deadlineMs) {
      throw new ConsistencyTimeoutError(
        `${what}: not seen ${options.successesInARow} times in a row within ${seconds(options.deadlineMs)}; ` +
          "Microsoft Graph may be replicating slowly: run the command again (what was written is found and kept)",
      );
    }
    if (inARow > 0 && options.confirm) await options.confirm.clock.sleep(options.confirm.intervalMs);
    else await clock.sleep(options.intervalMs);
  }
}

/** Looks for what an uncertain write would have made: the first answer of `find` within
 * `lookupMs`, or undefined when nothing showed up (the write then most likely did not happen). */
export async function lookUp<T>(
  what: string,
  find: () => Promise<T | undefined>,
  options: ConsistencyOptions,
): Promise<T | undefined> {
  try {
    return await eventually(what, find, { ...options, successesInARow: 1, deadlineMs: options.lookupMs });
  } catch (e) {
    if (e instanceof ConsistencyTimeoutError) return undefined;
    throw e;
  }
}

/** An answer Graph gives for a while after an object was created, until it has replicated. */
export interface RetryRule {
  /** Why Graph answers this right after a create, and why trying again is right. */
  reason: string;
  status: number;
  code?: string;
  message?: RegExp;
}

export function matchesRule(e: unknown, rule: RetryRule): boolean {
  return (
    e instanceof GraphRequestError &&
    e.status === rule.status &&
    (rule.code === undefined || e.code === rule.code) &&
    (rule.message === undefined || rule.message.test(e.graphMessage))
  );
}

/** The post-create errors this product meets, with the reason each is retried. The wording is
 * Graph's, as terraform-provider-azuread's retry rules match it. */
export const REPLICATION_RULES = {
  /** The object the URL names, or one the body refers to, was created moments ago and has not
   * reached the replica that answered. azuread retries 404 for this reason on the first write to
   * a new group, application and service principal, on adding owners and on app role assignments. */
  notFoundYet: {
    reason: "an object created moments ago has not reached every replica yet",
    status: 404,
    code: "Request_ResourceNotFound",
  },
  /** POST /servicePrincipals right after POST /applications: the application is not on the
   * replica yet (azuread's service principal resource; az cli's create-for-rbac). */
  applicationNotReplicated: {
    reason:
      "the application was created moments ago and the service principal's replica does not have it yet",
    status: 400,
    message: /The appId '.+' of the service principal does not reference a valid application object/,
  },
  /** The same with Application.ReadWrite.OwnedBy: a misleading 403 for a not-yet-replicated
   * application (azuread's comment on it: "usually due to the application object not being fully
   * replicated"). */
  ownedByApplicationNotReplicated: {
    reason: "with Application.ReadWrite.OwnedBy, Graph says so when the new application has not replicated",
    status: 403,
    message: /the backing application of the service principal being created must in the local tenant/,
  },
  /** An app role assignment whose principal or resource was created moments ago (azuread's app
   * role assignment resource). */
  referenceNotReplicated: {
    reason: "the principal of an app role assignment was created moments ago",
    status: 400,
    message: /Not a valid reference update/,
  },
  /** A reference (owner, member, @odata.bind) to an object created moments ago, answered as 400
   * (azuread's group resource). */
  referencedObjectNotReplicated: {
    reason: "a referenced object was created moments ago",
    status: 400,
    message: /does not exist or one of its queried reference-property objects are not present/,
  },
} satisfies Record<string, RetryRule>;

/** Graph throttled the call: a 429 comes before Graph does anything, so sending it again is safe.
 * For calls that may wait their turn longer than the client's own retries (a wave's invitations:
 * 150 per 5 s per tenant). */
export const THROTTLED: RetryRule = {
  reason: "Graph throttled the call and did not process it",
  status: 429,
};

/** Runs `call`, and runs it again (at least `intervalMs` apart) while it fails with an error one
 * of `rules` matches, until the deadline; then the last error is thrown with Graph's code and
 * request id kept and `what` added. Any other error is thrown at once. */
export async function retryingOn<T>(
  what: string,
  rules: readonly RetryRule[],
  call: () => Promise<T>,
  options: ConsistencyOptions,
): Promise<T> {
  const { clock } = options;
  const start = clock.now();
  for (;;) {
    try {
      return await call();
    } catch (e) {
      const rule = rules.find((r) => matchesRule(e, r));
      if (!rule) throw e;
      const err = e as GraphRequestError;
      if (clock.now() - start >= options.deadlineMs) {
        throw new GraphRequestError(
          err.method,
          err.path,
          err.status,
          err.code,
          `${err.graphMessage} [${what}: still so after ${seconds(options.deadlineMs)} of waiting (${rule.reason}); run the command again later]`,
          err.requestId,
          err.retryAfterSeconds,
        );
      }
      // Graph's Retry-After, when it gave one, is the least to wait.
      await clock.sleep(Math.max(options.intervalMs, (err.retryAfterSeconds ?? 0) * 1000));
    }
  }
}
