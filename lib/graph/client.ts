// The one Microsoft Graph client of the codebase. Everything that talks to a tenant goes through
// GraphClient: authentication (@azure/identity), retries on 429/503/504 honouring Retry-After
// (the Graph SDK's RetryHandler, which adds jitter when there is no Retry-After and caps the
// delay), paging (the SDK's PageIterator) and errors that keep Graph's code and request id.
import { readFileSync } from "node:fs";
import { ClientCertificateCredential, DefaultAzureCredential, type TokenCredential } from "@azure/identity";
import {
  AuthenticationHandler,
  Client,
  GraphError,
  HTTPMessageHandler,
  type PageCollection,
  PageIterator,
  RedirectHandler,
  RetryHandler,
  RetryHandlerOptions,
  TelemetryHandler,
} from "@microsoft/microsoft-graph-client";
import { TokenCredentialAuthenticationProvider } from "@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials";
import type { CloudConfig, TenantConnection } from "../config/stackConfig";

/** An error Graph returned, with what a person needs to act on it or to ask Microsoft about it. */
export class GraphRequestError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly code: string,
    readonly graphMessage: string,
    readonly requestId: string | undefined,
  ) {
    super(
      `${method} ${path} failed: ${status} ${code}: ${graphMessage}` +
        (requestId ? ` (request-id ${requestId})` : ""),
    );
    this.name = "GraphRequestError";
  }
}

export interface GraphClientOptions {
  /** Retries of one call on 429/503/504 before giving up (the SDK caps this at 10). */
  maxRetries?: number;
  /** Base delay in seconds when Graph sends no Retry-After (the SDK adds up to 1 s of jitter). */
  retryDelaySeconds?: number;
}

export type Credential = TokenCredential;

/** Builds the credential a connection describes: a certificate for automation, or the
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
  private readonly client: Client;

  constructor(
    tenantId: string,
    credential: TokenCredential,
    cloud: CloudConfig,
    options: GraphClientOptions = {},
  ) {
    this.tenantId = tenantId;
    const graphUrl = new URL(cloud.graphEndpoint);
    const authProvider = new TokenCredentialAuthenticationProvider(credential, {
      scopes: [`${graphUrl.origin}/.default`],
    });
    const handlers = [
      new AuthenticationHandler(authProvider),
      new RetryHandler(new RetryHandlerOptions(options.retryDelaySeconds ?? 3, options.maxRetries ?? 5)),
      new RedirectHandler(),
      new TelemetryHandler(),
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

  async post<T>(path: string, body: unknown): Promise<T> {
    return this.call("POST", path, () => this.client.api(path).post(body));
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
    return new GraphRequestError(
      method,
      path,
      g.statusCode,
      g.code ?? body?.error?.code ?? "UnknownError",
      body?.error?.message ?? g.message,
      g.requestId ?? inner?.["request-id"] ?? undefined,
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
