// A wave of N reach-back users through the real pulumi CLI, against the emulator with Graph-like
// throttling on (emulator/throttling.ts: Microsoft's documented limits) and a short emulated sync
// cycle (Entra Connect cycles of --cycle-seconds, the hook served by the next cycle), and the
// Samba AD: issue 11's targets, printed, never asserted. Not part of the tests.
//   npm run bench:wave -- [users=1000] [--cycle-seconds 20] [--skip-checkpoints]
//     [--sequential 5] (users done one at a time by the same library calls; 0 skips)
// Prints: the floor (two sync cycles + the invitations at the throttle rate + the LDAP writes at
// the rate measured on this Samba), `up` time and its ratio to the floor; `preview` time; a second
// `up` (time, writes: Graph from the emulator's request log, LDAP from the proxy below); `refresh`
// (time, Graph requests and LDAP searches per user); state bytes per user resource (`pulumi stack
// export`); the provider process's peak RSS (VmHWM); and the per-user loop's time per user, with
// the ratio to the wave.
// LDAP operations are counted by a proxy between the stack's provider and Samba: it ends the
// provider's TLS (a certificate of the emulator's CA, which the stack's caCertPath names) and
// forwards in clear to Samba's ldap:// port (Samba here allows simple binds without TLS), reading
// each LDAPMessage's operation tag; the bench's set-up and the emulator's Entra Connect do not go
// through it.
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { type Server, connect as tcpConnect } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { createServer as createTlsServer } from "node:tls";
import { issueServerCert, type KeyAndCert, loadOrCreateCa } from "../emulator/pki";
import { entraConnectConfigSchema } from "../lib/config/reachBack";
import { DirectoryClient } from "../lib/directory/client";
import { Journal } from "../lib/journal/journal";
import { FileJournalStore } from "../lib/journal/store";
import { enableReachBack, type ProcedureDeps } from "../lib/reachBack/procedure";
import { DeltaSyncTrigger } from "../lib/reachBack/syncHook";
import { type BulkUser, createRemoteMailboxUsers } from "../test/support/directoryFixtures";
import type { PulumiStack } from "../test/support/pulumi";
import {
  declareUsers,
  deltaSyncHook,
  licensedBy,
  ROUTING_DOMAIN,
  reachBackConfig,
  reachBackEstate,
  reachBackStack,
  TARGET_DOMAIN,
} from "../test/support/reachBack";
import { type SambaUnderTest, sambaUnderTest } from "../test/support/samba";
import { asEstate, emulatorAdmin } from "../test/support/tenantPairs";

// biome-ignore lint/suspicious/noExplicitAny: Graph's JSON, read freely
type GraphJson = any;

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const positional = process.argv
  .slice(2)
  .find((a, i, all) => /^\d+$/.test(a) && !all[i - 1]?.startsWith("--"));
const USERS = Number(positional ?? 1000);
const CYCLE_SECONDS = option("cycle-seconds", 20);
const SEQUENTIAL = Math.min(option("sequential", 5), USERS);
const SKIP_CHECKPOINTS = process.argv.includes("--skip-checkpoints");
/** LDAP connections the set-up writes with. */
const SETUP_CONNECTIONS = 4;

const seconds = (ms: number) => (ms / 1000).toFixed(1);
const since = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e6;
const line = (label: string, value: string) => console.log(`  ${label.padEnd(44)} ${value}`);

/** LDAP operations seen by the proxy, by protocolOp (RFC 4511 application tags). */
const OPS: Record<number, string> = {
  96: "bind",
  99: "search",
  102: "modify",
  104: "add",
  74: "delete",
  108: "modifyDN",
};

/** A proxy to Samba's ldap:// port that counts the LDAP operations clients send. */
class LdapCounter {
  counts: Record<string, number> = {};
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** Listens with TLS (a certificate of `ca`) and forwards in clear to `host`:`port`. */
  static async start(host: string, port: number, ca: KeyAndCert): Promise<LdapCounter> {
    let counter: LdapCounter | undefined;
    const tls = issueServerCert(ca);
    const server = createTlsServer({ key: tls.keyPem, cert: tls.certPem }, (client) => {
      const upstream = tcpConnect({ host, port });
      let pending: Buffer = Buffer.alloc(0);
      client.on("data", (chunk) => {
        pending = counter ? counter.parse(Buffer.concat([pending, chunk])) : pending;
        upstream.write(chunk);
      });
      upstream.pipe(client);
      const end = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on("error", end);
      upstream.on("error", end);
      client.on("close", end);
      upstream.on("close", end);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    counter = new LdapCounter(server, typeof address === "object" && address ? address.port : 0);
    return counter;
  }

  /** Counts the whole messages in `buf`; returns what is left of a message not yet complete. */
  private parse(buf: Buffer): Buffer {
    let at = 0;
    for (;;) {
      if (buf.length - at < 2 || buf[at] !== 0x30) return buf.subarray(at);
      const [len, lenBytes] = berLength(buf, at + 1);
      if (len < 0 || at + 1 + lenBytes + len > buf.length) return buf.subarray(at);
      const body = at + 1 + lenBytes;
      // messageID INTEGER, then the operation's tag.
      const [idLen, idLenBytes] = berLength(buf, body + 1);
      const op = buf[body + 1 + idLenBytes + idLen];
      const name = OPS[op] ?? `op${op.toString(16)}`;
      this.counts[name] = (this.counts[name] ?? 0) + 1;
      at = body + len;
    }
  }

  reset(): void {
    this.counts = {};
  }

  writes(): number {
    return (this.counts.modify ?? 0) + (this.counts.add ?? 0) + (this.counts.delete ?? 0);
  }

  close(): void {
    this.server.close();
  }
}

function berLength(buf: Buffer, at: number): [number, number] {
  if (at >= buf.length) return [-1, 0];
  const first = buf[at];
  if (first < 0x80) return [first, 1];
  const n = first & 0x7f;
  if (at + n >= buf.length) return [-1, 0];
  let len = 0;
  for (let i = 1; i <= n; i++) len = len * 256 + buf[at + i];
  return [len, 1 + n];
}

/** The highest VmHWM (kB) of the dynamic-provider processes seen while sampling. */
class RssSampler {
  peakKb = 0;
  private timer?: NodeJS.Timeout;

  start(): void {
    this.timer = setInterval(() => this.sample(), 250);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.sample();
  }

  private sample(): void {
    for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
        if (!cmdline.includes("cmd/dynamic-provider")) continue;
        const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
        if (hwm) this.peakKb = Math.max(this.peakKb, Number(hwm[1]));
      } catch {
        // gone meanwhile
      }
    }
  }
}

/** Runs `work` over `items` with `concurrency` at once. */
async function pool<T>(items: T[], concurrency: number, work: (item: T, worker: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      for (let i = next++; i < items.length; i = next++) await work(items[i], w);
    }),
  );
}

async function main(): Promise<void> {
  const samba = sambaUnderTest();
  if (typeof samba === "string") throw new Error(`no Samba: ${samba} (run through npm run bench:wave)`);
  process.env.PULUMI_SKIP_CHECKPOINTS = SKIP_CHECKPOINTS ? "true" : "";
  console.log(
    `wave bench: ${USERS} users, sync cycle ${CYCLE_SECONDS} s, throttling on (documented limits), ` +
      `--parallel ${USERS}${SKIP_CHECKPOINTS ? ", PULUMI_SKIP_CHECKPOINTS=true" : ""}; ` +
      `${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}`,
  );

  let t = process.hrtime.bigint();
  const made = await createRemoteMailboxUsers(samba.admin(), USERS + SEQUENTIAL, "bench", SETUP_CONNECTIONS);
  console.log(
    `set-up: ${USERS + SEQUENTIAL} AD users in ${seconds(since(t))} s (${made.writesPerSecond.toFixed(0)} LDAP writes/s)`,
  );
  t = process.hrtime.bigint();
  const estate = await reachBackEstate(samba);
  const { pair, engine } = estate;
  const emulator = pair.emulator;
  if (!emulator) throw new Error("the estate has no emulator");
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
    licensedBy(pair, cloudIds.get(u.upn) as string, estate.originalGroup, 900_000),
  );
  console.log(`set-up: synced, target identities, licensed by the cloud group in ${seconds(since(t))} s`);

  // From here on: Graph's limits and the short cycle.
  emulator.http.throttle.configure({ enabled: true });
  engine.options.cycleMs = CYCLE_SECONDS * 1000;
  engine.options.hookWhileBusy = "next";

  const ca = loadOrCreateCa(path.dirname(emulator.caCertPath));
  const ldap = await LdapCounter.start(new URL(samba.connection.ldapUrl).hostname, 389, ca);
  const wave = made.users.slice(0, USERS);
  const sequential = made.users.slice(USERS);
  const config = reachBackConfig(samba, pair, deltaSyncHook(pair));
  const ad = config.activeDirectory as Record<string, unknown>;
  config.activeDirectory = { ...ad, url: `ldaps://127.0.0.1:${ldap.port}`, caCertPath: emulator.caCertPath };
  config.entraConnect = {
    deltaSyncCommand: deltaSyncHook(pair),
    syncTimeoutSeconds: 1800 + USERS,
    busyRetrySeconds: 1,
  };
  config.reachBack = { licenseTimeoutSeconds: 1800 + USERS };
  const mapping = { [estate.originalGroup]: estate.reachBackGroup };
  const { stack } = await reachBackStack(`bench-wave`, "bench");
  declareUsers(
    stack,
    config,
    wave.map((u, i) => ({
      name: `u${String(i).padStart(5, "0")}`,
      sourceUserPrincipalName: u.upn,
      targetEmailAddress: `${u.alias}@${TARGET_DOMAIN}`,
      coexRoutingAddress: `${u.alias}@${ROUTING_DOMAIN}`,
      licenseGroupMapping: mapping,
    })),
  );

  const rss = new RssSampler();
  rss.start();
  const graphLog = emulator.http.log;
  const run = async (args: string[]) => {
    graphLog.length = 0;
    ldap.reset();
    const start = process.hrtime.bigint();
    const r = await stack.run([...args, "--parallel", String(USERS)]);
    const ms = since(start);
    if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${r.code}:\n${r.output.slice(-4000)}`);
    return {
      ms,
      graph: graphLog.length,
      graphWrites: graphLog.filter((r) => r.method !== "GET").length,
      throttled: graphLog.filter((r) => r.status === 429).length,
      ldap: { ...ldap.counts },
      ldapWrites: ldap.writes(),
    };
  };

  const preview = await run(["preview"]);
  const cyclesBefore = engine.history.length;
  const up = await run(["up", "--yes", "--skip-preview"]);
  const cyclesDuringUp = engine.history.length - cyclesBefore;
  const up2 = await run(["up", "--yes", "--skip-preview"]);
  const refresh = await run(["refresh", "--yes", "--skip-preview"]);
  rss.stop();
  const state = await stateBytesPerUser(stack, USERS);

  // The floor, from this emulator's limits and this Samba's measured rate: two cycles, the
  // invitations beyond the bucket's first burst at its refill rate, the LDAP writes one after another.
  const inv = emulator.http.throttle.limits.tenantInvitations;
  const invitationSeconds = Math.max(0, USERS - inv.quota) / (inv.quota / inv.windowSeconds);
  const writesPerUser = up.ldapWrites / USERS;
  const ldapSeconds = (USERS * writesPerUser) / made.writesPerSecond;
  const floorSeconds = 2 * CYCLE_SECONDS + invitationSeconds + ldapSeconds;

  console.log(`\nresults (${USERS} users)`);
  line(
    "floor",
    `${floorSeconds.toFixed(1)} s = 2 × ${CYCLE_SECONDS} s cycles + ${invitationSeconds.toFixed(1)} s invitations ` +
      `(${inv.quota} per ${inv.windowSeconds} s) + ${ldapSeconds.toFixed(1)} s LDAP (${writesPerUser.toFixed(1)} writes/user at ${made.writesPerSecond.toFixed(0)}/s)`,
  );
  line(
    "up",
    `${seconds(up.ms)} s, ratio to floor ${(up.ms / 1000 / floorSeconds).toFixed(2)} (${up.graph} Graph requests, ${up.throttled} throttled; ${cyclesDuringUp} sync cycles)`,
  );
  line(
    "preview",
    `${seconds(preview.ms)} s (${preview.graph} Graph requests, ${preview.graphWrites} writes)`,
  );
  line("second up", `${seconds(up2.ms)} s, writes: ${up2.graphWrites} Graph, ${up2.ldapWrites} LDAP`);
  line(
    "refresh",
    `${seconds(refresh.ms)} s, ${(refresh.graph / USERS).toFixed(2)} Graph requests/user (${refresh.graph}), ` +
      `${((refresh.ldap.search ?? 0) / USERS).toFixed(2)} LDAP searches/user (${refresh.ldap.search ?? 0})`,
  );
  line("state per user resource", `${state.toFixed(0)} bytes (pulumi stack export)`);
  line("provider peak RSS (VmHWM)", `${(rss.peakKb / 1024).toFixed(0)} MiB`);

  if (SEQUENTIAL > 0) {
    const perUser = await oneAtATime(samba, pair, sequential, config, mapping);
    const estimate = (perUser * USERS) / 1000;
    line(
      "one at a time (procedure in a loop)",
      `${(perUser / 1000).toFixed(1)} s/user over ${SEQUENTIAL} users: ${USERS} users ≈ ${estimate.toFixed(0)} s, ` +
        `${(estimate / (up.ms / 1000)).toFixed(1)} × the wave's up`,
    );
  }
  ldap.close();
  await engine.close();
  await pair.close();
  stack.dispose();
}

/** Bytes of `pulumi stack export` per ReachBackUser resource (the whole resource entry). */
async function stateBytesPerUser(stack: PulumiStack, users: number): Promise<number> {
  const exported = await stack.exportState();
  const mine = exported.deployment.resources.filter((r) => /::u\d{5}$/.test(String(r.urn)));
  if (mine.length !== users) throw new Error(`stack export has ${mine.length} user resources, not ${users}`);
  return mine.reduce((n, r) => n + JSON.stringify(r).length, 0) / users;
}

/** The seed's per-user script: enableReachBack for one user after another, with the same
 * clients and hook the provider would build; answers milliseconds per user. */
async function oneAtATime(
  samba: SambaUnderTest,
  pair: Awaited<ReturnType<typeof reachBackEstate>>["pair"],
  users: BulkUser[],
  config: Record<string, unknown>,
  mapping: Record<string, string>,
): Promise<number> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "bench-journal-"));
  const store = new FileJournalStore(dir, { project: "bench", stack: "sequential" });
  await store.open();
  const entraConnect = entraConnectConfigSchema.parse(config.entraConnect);
  const ad = new DirectoryClient(samba.serviceAccount());
  const deps: ProcedureDeps = {
    source: pair.graph("source"),
    target: pair.graph("target"),
    ad,
    journal: new Journal(store),
    sync: new DeltaSyncTrigger(entraConnect),
    settings: {
      sourceTenantId: pair.connections.source.tenantId,
      targetTenantId: pair.connections.target.tenantId,
      inviteRedirectUrl: `https://myapps.microsoft.com/?tenantid=${pair.connections.source.tenantId}`,
      licenseTimeoutMs: entraConnect.syncTimeoutSeconds * 1000,
      syncTimeoutMs: entraConnect.syncTimeoutSeconds * 1000,
      pollMs: entraConnect.pollSeconds * 1000,
    },
  };
  const start = process.hrtime.bigint();
  try {
    for (const u of users) {
      const r = await enableReachBack(deps, {
        sourceUserPrincipalName: u.upn,
        targetEmailAddress: `${u.alias}@${TARGET_DOMAIN}`,
        coexRoutingAddress: `${u.alias}@${ROUTING_DOMAIN}`,
        licenseGroupMapping: mapping,
        mailboxMigration: "crossTenant",
      });
      if (r.step !== "verified") throw new Error(`${u.upn}: ended at ${r.step}`);
    }
  } finally {
    await ad.close();
  }
  return since(start) / users.length;
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exit(1);
  },
);
