// The tenant pairs the tests run against: the emulator (always), and a real tenant pair when its
// connection settings are in the environment. Both are driven through the same Graph client, so
// "nothing was written" and out-of-band changes mean the same thing on either.
import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import * as path from "node:path";
import type { ReplicationDelays } from "../../emulator/replication";
import { type Emulator, startEmulator } from "../../emulator/server";
import { ensureTenant } from "../../emulator/tenantPair";
import type { CloudConfig, TenantConnection } from "../../lib/config/stackConfig";
import { credentialFor, GraphClient } from "../../lib/graph/client";

export type Role = "source" | "target";

export interface TenantPairUnderTest {
  name: string;
  cloud: { authorityHost: string; graphEndpoint: string };
  connections: Record<Role, { tenantId: string; domain: string; clientId: string; certificatePath: string }>;
  graph(role: Role): GraphClient;
  /** Both tenants' cross-tenant access policies as Graph returns them. */
  snapshot(): Promise<Record<Role, unknown>>;
  emulator?: Emulator;
  close(): Promise<void>;
}

export function workDir(name: string): string {
  const base = process.env.ENTRA_COEX_TEST_WORK ?? path.resolve(".test-work");
  return mkdtempSync(path.join(base, `${name}-`));
}

function clientsFor(cloud: CloudConfig, connections: TenantPairUnderTest["connections"]) {
  const clients = {} as Record<Role, GraphClient>;
  for (const role of ["source", "target"] as const) {
    const c = connections[role];
    const conn: TenantConnection = {
      tenantId: c.tenantId,
      domain: c.domain,
      clientId: c.clientId,
      credential: { kind: "certificate", certificatePath: c.certificatePath },
    };
    clients[role] = new GraphClient(c.tenantId, credentialFor(conn, cloud), cloud, { retryDelaySeconds: 1 });
  }
  return clients;
}

async function snapshotOf(graph: GraphClient): Promise<unknown> {
  const base = "/policies/crossTenantAccessPolicy";
  const partners = await graph.list<Record<string, unknown>>(`${base}/partners`);
  const withSync = [];
  for (const p of partners) {
    const sync = await graph.getOptional(`${base}/partners/${p.tenantId}/identitySynchronization`);
    withSync.push({ ...p, "@odata.context": undefined, identitySynchronization: sync ?? null });
  }
  const def = await graph.get<Record<string, unknown>>(`${base}/default`);
  return { default: { ...def, "@odata.context": undefined }, partners: withSync };
}

/** The replication delay of the test emulators: objects created through Graph stay invisible to
 * reads for this long, as on real Graph, so that every test meets eventual consistency. A test
 * that is about something else can turn it off (`emulatedPair(roles, domains, { replicationDelayMs:
 * 0 })`, or `pair.emulator.replication.setDelays(...)` for a part of a test). */
export const TEST_REPLICATION_DELAY_MS = 1000;

export interface EmulatedPairOptions {
  replicationDelayMs?: number | Partial<ReplicationDelays>;
}

/** A fresh emulator with a source and a target tenant (random ids) and their deployers. */
export async function emulatedPair(
  roles?: string[],
  domains: Partial<Record<Role, string>> = {},
  options: EmulatedPairOptions = {},
): Promise<TenantPairUnderTest> {
  const dir = workDir("emulator");
  const caDir = process.env.NODE_EXTRA_CA_CERTS ? path.dirname(process.env.NODE_EXTRA_CA_CERTS) : dir;
  const emulator = await startEmulator({
    caDir,
    replicationDelayMs: options.replicationDelayMs ?? TEST_REPLICATION_DELAY_MS,
  });
  const connections = {} as TenantPairUnderTest["connections"];
  for (const role of ["source", "target"] as const) {
    const spec = {
      role,
      tenantId: randomUUID(),
      displayName: `${role} tenant`,
      domain: domains[role] ?? `${role}-${randomUUID().slice(0, 8)}.example`,
      clientId: randomUUID(),
    };
    connections[role] = ensureTenant(emulator.store, spec, dir, roles);
  }
  const cloud = { authorityHost: emulator.url, graphEndpoint: emulator.url, disableInstanceDiscovery: true };
  const clients = clientsFor(cloud, connections);
  return {
    name: "emulator",
    cloud: { authorityHost: emulator.url, graphEndpoint: emulator.url },
    connections,
    emulator,
    graph: (role) => clients[role],
    snapshot: async () => ({
      source: await snapshotOf(clients.source),
      target: await snapshotOf(clients.target),
    }),
    close: () => emulator.close(),
  };
}

/** The real tenant pair named by ENTRA_COEX_E2E_* variables, or the reason there is none. */
export function realPairFromEnv(env = process.env): TenantPairUnderTest | string {
  const names = ["TENANT_ID", "DOMAIN", "CLIENT_ID", "CERTIFICATE_PATH"];
  const missing: string[] = [];
  const connections = {} as TenantPairUnderTest["connections"];
  for (const role of ["source", "target"] as const) {
    const get = (n: string) => {
      const key = `ENTRA_COEX_E2E_${role.toUpperCase()}_${n}`;
      if (!env[key]) missing.push(key);
      return env[key] ?? "";
    };
    const [tenantId, domain, clientId, certificatePath] = names.map(get);
    connections[role] = { tenantId, domain, clientId, certificatePath: path.resolve(certificatePath) };
  }
  if (missing.length > 0) return `no real tenant pair configured (set ${missing.join(", ")})`;
  const cloud = {
    authorityHost: env.ENTRA_COEX_E2E_AUTHORITY_HOST ?? "https://login.microsoftonline.com",
    graphEndpoint: env.ENTRA_COEX_E2E_GRAPH_ENDPOINT ?? "https://graph.microsoft.com",
  };
  const clients = clientsFor({ ...cloud, disableInstanceDiscovery: false }, connections);
  return {
    name: "real tenant pair",
    cloud,
    connections,
    graph: (role) => clients[role],
    snapshot: async () => ({
      source: await snapshotOf(clients.source),
      target: await snapshotOf(clients.target),
    }),
    close: async () => {},
  };
}

/** Runs `seed` with the emulator's replication delay off: what it makes through Graph stands for
 * an estate that existed before the stack (long since replicated), not for the stack's own
 * writes. Against a real tenant pair it just runs `seed`. */
export async function asEstate<T>(pair: TenantPairUnderTest, seed: () => Promise<T>): Promise<T> {
  const replication = pair.emulator?.replication;
  if (!replication) return seed();
  const delays = replication.delays;
  replication.setDelays({ users: 0, groups: 0, applications: 0, servicePrincipals: 0, partners: 0 });
  try {
    return await seed();
  } finally {
    replication.setDelays(delays);
  }
}

/** A call to the emulator's admin API for one of the pair's tenants (a change made "by hand").
 * Fails with the emulator's answer unless it succeeds; returns the parsed body, if any. */
export async function emulatorAdmin(
  pair: TenantPairUnderTest,
  role: Role,
  method: string,
  path: string,
  body?: unknown,
): Promise<unknown> {
  const e = pair.emulator;
  if (!e) throw new Error(`${pair.name} has no admin API`);
  const res = await fetch(`${e.url}/_emulator/tenants/${pair.connections[role].tenantId}${path}`, {
    method,
    headers: { "x-emulator-admin-key": e.adminKey, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** The emulator's fault injection (`/_emulator/faults`, see emulator/admin-api.md): POST one,
 * GET those in force with their counts, DELETE them all. */
export async function emulatorFaults(
  pair: TenantPairUnderTest,
  method: "GET" | "POST" | "DELETE",
  body?: Record<string, unknown>,
  // biome-ignore lint/suspicious/noExplicitAny: the admin API's JSON, walked by the test
): Promise<any> {
  const emulator = pair.emulator;
  if (!emulator) throw new Error("fault injection needs the emulator");
  const res = await fetch(`${emulator.url}/_emulator/faults`, {
    method,
    headers: {
      "x-emulator-admin-key": emulator.adminKey,
      ...(body ? { "content-type": "application/json" } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} /_emulator/faults: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}
