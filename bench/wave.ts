// A wave of N reach-back users through the real pulumi CLI, against the emulator with Graph-like
// throttling on (emulator/throttling.ts: Microsoft's documented limits) and a short emulated sync
// cycle (Entra Connect cycles of --cycle-seconds, the hook served by the next cycle), and the
// Samba AD: issue 11's targets, printed, never asserted. Not part of the tests.
//   npm run bench:wave -- [users=1000] [--cycle-seconds 20] [--skip-checkpoints] [--as-is]
//     [--sequential 5] (users done one at a time by the same library calls; 0 skips)
// The pulumi commands run with the environment `coex wave new` prints for a wave of this size
// (lib/waves/upCommand.ts: over 300 users, PULUMI_SKIP_CHECKPOINTS and a heap limit); --as-is runs
// them without it, --skip-checkpoints skips checkpoints at any size.
// Prints: the floor (two sync cycles + the invitations at the throttle rate + the LDAP writes at
// the rate measured on this Samba), `up` time and its ratio to the floor; `preview` time; a second
// `up` (time, writes: Graph from the emulator's request log, LDAP from the proxy below); `refresh`
// (time, Graph requests and LDAP searches per user); state bytes per user resource (`pulumi stack
// export`); the provider process's peak RSS (VmHWM); and the per-user loop's time per user, with
// the ratio to the wave.
// LDAP operations are counted by a proxy between the stack's provider and Samba (bench/support.ts);
// the set-up (bench/estate.ts) and the emulator's Entra Connect do not go through it.
import { mkdtempSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { entraConnectConfigSchema } from "../lib/config/reachBack";
import { DirectoryClient } from "../lib/directory/client";
import { Journal } from "../lib/journal/journal";
import { FileJournalStore } from "../lib/journal/store";
import { enableReachBack, type ProcedureDeps } from "../lib/reachBack/procedure";
import { DeltaSyncTrigger } from "../lib/reachBack/syncHook";
import { upEnvironment } from "../lib/waves/upCommand";
import type { BulkUser } from "../test/support/directoryFixtures";
import {
  declareUsers,
  type ReachBackEstate,
  ROUTING_DOMAIN,
  reachBackStack,
  TARGET_DOMAIN,
} from "../test/support/reachBack";
import { type SambaUnderTest, sambaUnderTest } from "../test/support/samba";
import { benchEstate, benchReachBackConfig } from "./estate";
import { line, option, positionalNumber, RssSampler, seconds, since, stateBytesPerUser } from "./support";

const USERS = positionalNumber(1000);
const CYCLE_SECONDS = option("cycle-seconds", 20);
const SEQUENTIAL = Math.min(option("sequential", 5), USERS);
/** The environment of the pulumi commands: what `coex wave new` advises, unless --as-is. */
const RUN_ENV: Record<string, string> = {
  ...(process.argv.includes("--as-is") ? {} : upEnvironment(USERS)),
  ...(process.argv.includes("--skip-checkpoints") ? { PULUMI_SKIP_CHECKPOINTS: "true" } : {}),
};

async function main(): Promise<void> {
  const samba = sambaUnderTest();
  if (typeof samba === "string") throw new Error(`no Samba: ${samba} (run through npm run bench:wave)`);
  console.log(
    `wave bench: ${USERS} users, sync cycle ${CYCLE_SECONDS} s, throttling on (documented limits), ` +
      `--parallel ${USERS}${Object.entries(RUN_ENV)
        .map(([k, v]) => `, ${k}=${v}`)
        .join("")}; ` +
      `${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}`,
  );

  const be = await benchEstate(samba, USERS + SEQUENTIAL, { label: "bench", cycleSeconds: CYCLE_SECONDS });
  const { pair, engine, emulator, ldap } = be;
  const wave = be.users.slice(0, USERS);
  const sequential = be.users.slice(USERS);
  const config = benchReachBackConfig(be, USERS);
  const mapping = { [be.originalGroup]: be.reachBackGroup };
  const { stack } = await reachBackStack(`bench-wave`, "bench");
  Object.assign(stack.env, { PULUMI_SKIP_CHECKPOINTS: "" }, RUN_ENV);
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
  const ldapSeconds = (USERS * writesPerUser) / be.writesPerSecond;
  const floorSeconds = 2 * CYCLE_SECONDS + invitationSeconds + ldapSeconds;

  console.log(`\nresults (${USERS} users)`);
  line(
    "floor",
    `${floorSeconds.toFixed(1)} s = 2 × ${CYCLE_SECONDS} s cycles + ${invitationSeconds.toFixed(1)} s invitations ` +
      `(${inv.quota} per ${inv.windowSeconds} s) + ${ldapSeconds.toFixed(1)} s LDAP (${writesPerUser.toFixed(1)} writes/user at ${be.writesPerSecond.toFixed(0)}/s)`,
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
  await be.close();
  stack.dispose();
}

/** The seed's per-user script: enableReachBack for one user after another, with the same
 * clients and hook the provider would build; answers milliseconds per user. */
async function oneAtATime(
  samba: SambaUnderTest,
  pair: ReachBackEstate["pair"],
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
