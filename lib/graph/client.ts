// The one Microsoft Graph client of the codebase. Everything that talks to a tenant goes through
// GraphClient: authentication (@azure/identity), retries honouring Retry-After (the Graph SDK's
// RetryHandler, which adds jitter when there is no Retry-After and caps the delay), paging (the
// SDK's PageIterator), errors that keep Graph's code and request id, and the settings of the
// consistency helper (./consistency) that reads after writes go through.
//
// Which failed requests are sent again. Graph answers 429 before it does anything (the request was
// throttled, not processed), so every method is retried on 429. 503 and 504 say nothing about
// whether a write happened: a POST that Graph committed and then answered 503 would, sent again,
// make a second group or invitation. So a POST is retried on 503/504 only when its caller says
// how (PostOptions.retry). GET, PUT, PATCH and DELETE are retried on 429/503/504: sending them
// again leaves the same state (a repeated DELETE answers 404, which callers take as "gone"; a
// repeated identity-sync PUT answers 409, which its caller takes as "exists").
import { readFileSync } from "node:fs";
import {
  ClientAssertionCredential,
  ClientCertificateCredential,
  DefaultAzureCredential,
  type TokenCredential,
} from "@azure/identity";
import {
  AuthenticationHandler,
  Client,
  type Context,
  type FetchOptions,
  GraphError,
  HTTPMessageHandler,
  type Middleware,
  type PageCollection,
  PageIterator,
  RedirectHandler,
  RetryHandler,
  RetryHandlerOptions,
  type ShouldRetry,
  TelemetryHandler,
} from "@microsoft/microsoft-graph-client";
import { TokenCredentialAuthenticationProvider } from "@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials";
import { federatedTokenSource } from "../auth/federatedToken";
import type { CloudConfig, TenantConnection } from "../config/stackConfig";
import { type ConsistencyOptions, DEFAULT_CONSISTENCY } from "./consistency";
import { GraphRequestError } from "./errors";

export { GraphRequestError } from "./errors";

export interface GraphClientOptions {
  /** Retries of one call on 429/503/504 before giving up (the SDK caps this at 10). */
  maxRetries?: number;
  /** Base delay in seconds when Graph sends no Retry-After (the SDK adds up to 1 s of jitter). */
  retryDelaySeconds?: number;
  /** How reads after writes wait for replication (lib/graph/consistency.ts). */
  consistency?: Partial<ConsistencyOptions>;
  /** Requests on the wire at once (MAX_CONCURRENT_REQUESTS). */
  maxConcurrentRequests?: number;
}

/** How a POST may be sent again after Graph answered 503 or 504, when it may have committed it.
 * Without `retry`, it is sent again only after a 429 (Graph did not process it). */
export interface PostOptions<T> {
  /**
   * - "idempotent": sending it twice has the effect of sending it once, e.g. assignLicense with
   *   the same body (it sets licenses to a state) or resetToSystemDefault. $batch is not: its
   *   items may be creates, and their own 429s come back inside a 200 that nothing retries.
   * - `{ lookup }`: finds what the POST would have made if Graph committed it, waiting for
   *   replication (consistency.ts lookUp); found, it is the answer; not found, the POST is sent
   *   again. This makes a create idempotent.
   */
  retry?: "idempotent" | { lookup: () => Promise<T | undefined> };
}

/** Answers after which a write may or may not have happened. */
const UNCERTAIN = [503, 504];

function methodOf(request: Parameters<ShouldRetry>[2], options: FetchOptions | undefined): string {
  const fromRequest = typeof request === "string" ? undefined : (request as { method?: string }).method;
  return (options?.method ?? fromRequest ?? "GET").toUpperCase();
}

export type Credential = TokenCredential;

/** Builds the credential a connection describes: a certificate or a CI platform's federated token
 * (workload identity) for automation, or the
 * developer's own sign-in (Azure CLI, environment, managed identity...) at a terminal. */
export function credentialFor(conn: TenantConnection, cloud: CloudConfig): TokenCredential {
  const common = {
    authorityHost: cloud.authorityHost,
    // Instance discovery asks the public cloud which authorities exist; national clouds, private
    // authorities and the emulator are not in that list.
    disableInstanceDiscovery: cloud.disableInstanceDiscovery,
  };
  if (conn.credential.kind === "certificate" && conn.clientId) {
    const pem = readFileSync(conn.credential.certificatePath, "utf8");
    return new ClientCertificateCredential(conn.tenantId, conn.clientId, { certificate: pem }, common);
  }
  if (conn.credential.kind === "workloadIdentity" && conn.clientId) {
    const who = `tenant ${conn.domain} (${conn.tenantId}), client ${conn.clientId}`;
    return new ClientAssertionCredential(
      conn.tenantId,
      conn.clientId,
      federatedTokenSource(conn.credential, who),
      common,
    );
  }
  return new DefaultAzureCredential({ ...common, tenantId: conn.tenantId });
}

/** An OData string literal for a $filter: quotes doubled, and percent-encoded, because the Graph
 * SDK splits the query on "&" and passes values through as they are ("+" would reach Graph as a
 * space, "&" would cut the filter, "#" would end the URL). */
export function odataString(value: string): string {
  return `'${encodeURIComponent(value.replace(/'/g, "''"))}'`;
}

export class GraphClient {
  readonly tenantId: string;
  /** Graph's root with a trailing slash, e.g. https://graph.microsoft.com/ */
  readonly baseUrl: string;
  /** How reads after writes wait for replication; API modules pass it to ./consistency. */
  readonly consistency: ConsistencyOptions;
  private readonly client: Client;
  /** Retries of one call on 429/503/504 (also of a request inside a $batch, ./batch). */
  readonly maxRetries: number;
  /** Base delay in seconds when Graph sends no Retry-After. */
  readonly retryDelaySeconds: number;

  constructor(
    tenantId: string,
    credential: TokenCredential,
    cloud: CloudConfig,
    options: GraphClientOptions = {},
  ) {
    this.tenantId = tenantId;
    this.consistency = { ...DEFAULT_CONSISTENCY, ...options.consistency };
    this.maxRetries = options.maxRetries ?? 5;
    this.retryDelaySeconds = options.retryDelaySeconds ?? 3;
    const graphUrl = new URL(cloud.graphEndpoint);
    const authProvider = new TokenCredentialAuthenticationProvider(credential, {
      scopes: [`${graphUrl.origin}/.default`],
    });
    // The SDK's handler retries only 429, 503 and 504; this narrows POST to 429.
    const unlessUncertainPost: ShouldRetry = (_delay, _attempt, request, fetchOptions, response) =>
      response.status === 429 || methodOf(request, fetchOptions) !== "POST";
    const handlers = [
      new AuthenticationHandler(authProvider),
      new RetryHandler(new RetryHandlerOptions(this.retryDelaySeconds, this.maxRetries, unlessUncertainPost)),
      new RedirectHandler(),
      new TelemetryHandler(),
      new OnTheWire(options.maxConcurrentRequests ?? MAX_CONCURRENT_REQUESTS),
      new HTTPMessageHandler(),
    ];
    for (let i = 0; i < handlers.length - 1; i++) {
      (handlers[i] as { setNext(next: unknown): void }).setNext(handlers[i + 1]);
    }
    this.baseUrl = `${graphUrl.origin}${graphUrl.pathname.replace(/\/$/, "")}/`;
    this.client = Client.initWithMiddleware({
      baseUrl: this.baseUrl,
      defaultVersion: "v1.0",
      middleware: handlers[0],
      // The SDK only attaches tokens to Graph's own hosts unless told about others.
      customHosts: new Set([graphUrl.hostname]),
    });
  }

  /** @param options.advanced sends ConsistencyLevel: eventual, which Graph requires for advanced
   *   queries (filters on onPremisesImmutableId, ne, endsWith...; add $count=true to the path). */
  async get<T>(path: string, options: { advanced?: boolean } = {}): Promise<T> {
    return this.call("GET", path, () => this.request(path, options).get());
  }

  /** GET that turns Graph's 404 into undefined: reads use it to learn that an object is gone. */
  async getOptional<T>(path: string): Promise<T | undefined> {
    try {
      return await this.get<T>(path);
    } catch (e) {
      if (e instanceof GraphRequestError && e.status === 404) return undefined;
      throw e;
    }
  }

  async post<T>(path: string, body: unknown, options: PostOptions<T> = {}): Promise<T> {
    const { retry } = options;
    if (retry === "idempotent") {
      const always = new RetryHandlerOptions(this.retryDelaySeconds, this.maxRetries, () => true);
      return this.call("POST", path, () => this.client.api(path).middlewareOptions([always]).post(body));
    }
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.call("POST", path, () => this.client.api(path).post(body));
      } catch (e) {
        const uncertain = e instanceof GraphRequestError && UNCERTAIN.includes(e.status);
        if (!retry || !uncertain || attempt >= this.maxRetries) throw e;
        await this.consistency.clock.sleep((e.retryAfterSeconds ?? this.retryDelaySeconds) * 1000);
        const made = await retry.lookup();
        if (made !== undefined) return made;
      }
    }
  }

  async patch(path: string, body: unknown): Promise<void> {
    await this.call("PATCH", path, () => this.client.api(path).patch(body));
  }

  async put(path: string, body: unknown): Promise<void> {
    await this.call("PUT", path, () => this.client.api(path).put(body));
  }

  async delete(path: string): Promise<void> {
    await this.call("DELETE", path, () => this.client.api(path).delete());
  }

  /** Every item of a collection, following @odata.nextLink to the end. */
  async list<T>(path: string, options: { advanced?: boolean } = {}): Promise<T[]> {
    const items: T[] = [];
    const first = await this.call<PageCollection>("GET", path, () => this.request(path, options).get());
    const iterator = new PageIterator(this.client, first, (item: T) => {
      items.push(item);
      return true;
    });
    await this.call("GET", `${path} (next pages)`, () => iterator.iterate());
    return items;
  }

  private request(path: string, options: { advanced?: boolean }) {
    const request = this.client.api(path);
    return options.advanced ? request.header("ConsistencyLevel", "eventual") : request;
  }

  private async call<T>(method: string, path: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (e) {
      throw toGraphRequestError(method, path, e);
    }
  }
}

function toGraphRequestError(method: string, path: string, e: unknown): Error {
  if (e instanceof GraphError || (e && typeof e === "object" && "statusCode" in e)) {
    const g = e as GraphError;
    const body = typeof g.body === "string" ? safeJson(g.body) : g.body;
    const inner = body?.error?.innerError ?? body?.error?.innererror;
    const retryAfter = Number(g.headers?.get("Retry-After") ?? Number.NaN);
    return new GraphRequestError(
      method,
      path,
      g.statusCode,
      g.code ?? body?.error?.code ?? "UnknownError",
      body?.error?.message ?? g.message,
      g.requestId ?? inner?.["request-id"] ?? undefined,
      Number.isFinite(retryAfter) ? retryAfter : undefined,
    );
  }
  return e instanceof Error ? e : new Error(String(e));
}

function safeJson(text: string): {
  error?: { code?: string; message?: string; innerError?: Record<string, string> };
} {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

/** Requests on the wire at once per client (a wave's users share the process's one client). */
export const MAX_CONCURRENT_REQUESTS = 48;

/** At most `limit` requests on the wire at once; the rest wait their turn in memory. fetch opens a
 * connection for each concurrent request: a wave's thousand users writing at once held a thousand
 * TLS connections, most of the provider process's 700 MiB. It sits after the RetryHandler, so a
 * request waiting out a Retry-After holds no place. */
class OnTheWire implements Middleware {
  private onWire = 0;
  private readonly waiting: Array<() => void> = [];
  private next?: Middleware;

  constructor(private readonly limit: number) {}

  async execute(context: Context): Promise<void> {
    if (this.onWire < this.limit) this.onWire++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      await (this.next as Middleware).execute(context);
    } finally {
      // The place passes to the next in line, or is given back.
      const next = this.waiting.shift();
      if (next) next();
      else this.onWire--;
    }
  }

  setNext(next: Middleware): void {
    this.next = next;
  }
}

const clients = new Map<string, GraphClient>();

/** One client per tenant and identity per process, so token caches and throttling state are shared. */
export function graphClientFor(
  conn: TenantConnection,
  cloud: CloudConfig,
  options?: GraphClientOptions,
): GraphClient {
  const key = [conn.tenantId, conn.clientId ?? "default", cloud.authorityHost, cloud.graphEndpoint].join("|");
  let client = clients.get(key);
  if (!client) {
    client = new GraphClient(conn.tenantId, credentialFor(conn, cloud), cloud, options);
    clients.set(key, client);
  }
  return client;
}
