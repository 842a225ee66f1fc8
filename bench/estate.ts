// The estate the stack benchmarks (bench/wave.ts, bench/drift.ts) run on: `count` remote-mailbox
// users in a fresh OU of the Samba AD, synced into the emulated source tenant by Entra Connect,
// each with a target identity and licensed by the cloud license group (test/support/reachBack.ts's
// estate, with E5 units for all of them); then Graph-like throttling on (emulator/throttling.ts:
// Microsoft's documented limits), a short emulated sync cycle (the hook served by the next
// cycle), and the LDAP-counting proxy (bench/support.ts) the stacks' providers go through.
import * as path from "node:path";
import { loadOrCreateCa } from "../emulator/pki";
import type { Emulator } from "../emulator/server";
import { type BulkUser, createRemoteMailboxUsers } from "../test/support/directoryFixtures";
import {
  deltaSyncHook,
  E5,
  licensedBy,
  type ReachBackEstate,
  reachBackConfig,
  reachBackEstate,
  TARGET_DOMAIN,
} from "../test/support/reachBack";
import type { SambaUnderTest } from "../test/support/samba";
import { asEstate, emulatorAdmin } from "../test/support/tenantPairs";
import { LdapCounter, pool, seconds, since } from "./support";

// biome-ignore lint/suspicious/noExplicitAny: Graph's JSON, read freely
type GraphJson = any;

/** LDAP connections the set-up writes with. */
const SETUP_CONNECTIONS = 4;

export interface BenchEstate extends ReachBackEstate {
  samba: SambaUnderTest;
  emulator: Emulator;
  /** The AD users made, in order, their OU and Samba's measured write rate. */
  users: BulkUser[];
  ouDn: string;
  writesPerSecond: number;
  /** The users' object ids in the source tenant, by UPN. */
  cloudIds: Map<string, string>;
  /** Between the stacks' providers and Samba: counts their LDAP operations. */
  ldap: LdapCounter;
  close(): Promise<void>;
}

/** Makes the estate, printing what each part took. */
export async function benchEstate(
  samba: SambaUnderTest,
  count: number,
  options: { label: string; cycleSeconds: number },
): Promise<BenchEstate> {
  let t = process.hrtime.bigint();
  const made = await createRemoteMailboxUsers(samba.admin(), count, options.label, SETUP_CONNECTIONS);
  console.log(
    `set-up: ${count} AD users in ${seconds(since(t))} s (${made.writesPerSecond.toFixed(0)} LDAP writes/s)`,
  );
  t = process.hrtime.bigint();
  const estate = await reachBackEstate(samba);
  const { pair, engine } = estate;
  const emulator = pair.emulator;
  if (!emulator) throw new Error("the estate has no emulator");
  // A tenant's subscription has the units it was bought with (the emulator seeds 500): enough for
  // every user, held once whether by the original group, the reach-back group or both.
  await emulatorAdmin(pair, "source", "PATCH", `/subscribedSkus/${E5.skuId}`, {
    prepaidUnits: { enabled: count + 100 },
  });
  const graph = pair.graph("source");
  const cloudIds = new Map<string, string>();
  await asEstate(pair, () =>
    pool(made.users, 16, async (u) => {
      const cloud = await graph.get<GraphJson>(`/users/${encodeURIComponent(u.upn)}?$select=id`);
      cloudIds.set(u.upn, cloud.id);
      const target = `${u.alias}@${TARGET_DOMAIN}`;
      await emulatorAdmin(pair, "target", "POST", "/users", { userPrincipalName: target, mail: target });
      await graph.post(`/groups/${estate.originalGroup}/members/$ref`, {
        "@odata.id": `${graph.baseUrl}v1.0/directoryObjects/${cloud.id}`,
      });
    }),
  );
  await pool(made.users, 8, (u) =>
    licensedBy(pair, cloudIds.get(u.upn) as string, estate.originalGroup, 300_000),
  );
  console.log(`set-up: synced, target identities, licensed by the cloud group in ${seconds(since(t))} s`);

  // From here on: Graph's limits and the short cycle.
  emulator.http.throttle.configure({ enabled: true });
  engine.options.cycleMs = options.cycleSeconds * 1000;
  engine.options.hookWhileBusy = "next";
  const ca = loadOrCreateCa(path.dirname(emulator.caCertPath));
  const ldap = await LdapCounter.start(new URL(samba.connection.ldapUrl).hostname, 389, ca);
  return {
    ...estate,
    samba,
    emulator,
    users: made.users,
    ouDn: made.ouDn,
    writesPerSecond: made.writesPerSecond,
    cloudIds,
    ldap,
    close: async () => {
      ldap.close();
      await engine.close();
      await estate.ad.close();
      await pair.close();
    },
  };
}

/** The reach-back stacks' configuration on this estate: AD through the counting proxy (with the
 * emulator's CA, whose certificate the proxy presents), the hook, and timeouts long enough for
 * `users` to wait their turn. */
export function benchReachBackConfig(be: BenchEstate, users: number): Record<string, unknown> {
  const config = reachBackConfig(be.samba, be.pair, deltaSyncHook(be.pair));
  const ad = config.activeDirectory as Record<string, unknown>;
  config.activeDirectory = {
    ...ad,
    url: `ldaps://127.0.0.1:${be.ldap.port}`,
    caCertPath: be.emulator.caCertPath,
  };
  config.entraConnect = {
    deltaSyncCommand: deltaSyncHook(be.pair),
    syncTimeoutSeconds: 1800 + users,
    busyRetrySeconds: 1,
  };
  config.reachBack = { licenseTimeoutSeconds: 1800 + users };
  return config;
}
