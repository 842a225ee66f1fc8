// Drift detection on a large estate (issue 12, item 6): `coex drift` over a coexistence stack (the
// tenant-level resources: cross-tenant access settings, the reach-back license group, the
// automation's access) and a wave stack of N ReachBackUser resources, both of the product's
// program, against the emulator with Graph-like throttling on and the Samba AD, as the example
// pipelines run it. Printed, never asserted; not part of the tests.
//   npm run bench:drift -- [users=2000] [--cycle-seconds 20] [--changed 3]
// Prints, for a drift check with nothing changed and one after `--changed` users were changed by
// hand (in turn: primary SMTP address in AD, targetAddress in AD, license group in Entra): seconds
// in all and per resource (target ≤ 0.05 s), Graph requests per resource (the emulator's request
// log) and LDAP searches per resource (the counting proxy, bench/support.ts), and whether the
// drift reported is exactly the users changed. Also the wave program's `preview` before and after
// its `up` (every row's and user's preconditions, read in batches) and the state per user, whose
// resources the wave program names by UPN. Deploying the estate (the wave's `up` with the
// environment `coex wave new` prints and --parallel N, as bench/wave.ts) takes several minutes.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Attribute, Change, Client } from "ldapts";
import { createClientCertificate } from "../emulator/pki";
import { upEnvironment } from "../lib/waves/upCommand";
import { createScratchOu } from "../test/support/directoryFixtures";
import { PulumiStack, REACH_BACK_SETTINGS, repoRoot, stackConfigFor } from "../test/support/pulumi";
import { ROUTING_DOMAIN, TARGET_DOMAIN } from "../test/support/reachBack";
import { sambaUnderTest } from "../test/support/samba";
import { workDir } from "../test/support/tenantPairs";
import { type BenchEstate, benchEstate, benchReachBackConfig } from "./estate";
import { line, option, positionalNumber, seconds, since, stateBytesPerUser } from "./support";

const USERS = positionalNumber(2000);
const CYCLE_SECONDS = option("cycle-seconds", 20);
const CHANGED = Math.min(option("changed", 3), USERS);
const TARGET_SECONDS_PER_RESOURCE = 0.05;

interface DriftReport {
  drift: boolean;
  stacks: Array<{
    stack: string;
    drift: Array<{ resource: string; kind: string; property: string; declared?: unknown; live?: unknown }>;
    gone: Array<{ resource: string; kind: string }>;
  }>;
}

async function main(): Promise<void> {
  const samba = sambaUnderTest();
  if (typeof samba === "string") throw new Error(`no Samba: ${samba} (run through npm run bench:drift)`);
  process.env.PULUMI_SKIP_CHECKPOINTS = "true";
  console.log(
    `drift bench: ${USERS} users in a wave stack + a coexistence stack, throttling on (documented limits), ` +
      `sync cycle ${CYCLE_SECONDS} s; ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}`,
  );
  const be = await benchEstate(samba, USERS, { label: "drift", cycleSeconds: CYCLE_SECONDS });
  const dir = workDir("bench-drift");
  const id = Date.now().toString(36);

  // The coexistence stack, as the sandbox makes it: coex discover writes the license-group
  // mapping (the estate's reach-back group is adopted by name), then up.
  let t = process.hrtime.bigint();
  const coexistence = new PulumiStack(`dcx${id}`, dir);
  await coexistence.init();
  // The automation's service account starts with no rights (as in the sandbox's AD): the seed's
  // account has inherited rights on OU=Fabrikam, which the stack reports as broader than needed.
  const scratch = await createScratchOu(samba.admin(), "driftsvc");
  const certFile = path.join(dir, "automation.crt");
  writeFileSync(certFile, createClientCertificate("reachback-automation-bench").certPem);
  const adminAd = {
    url: `ldaps://127.0.0.1:${be.ldap.port}`,
    caCertPath: be.emulator.caCertPath,
    bindDn: samba.connection.adminBindDn,
    password: samba.connection.adminPassword,
    baseDn: samba.fabrikamOu,
  };
  const coexConfig: Record<string, unknown> = {
    ...stackConfigFor(be.pair, REACH_BACK_SETTINGS),
    activeDirectory: adminAd,
    automation: {
      displayName: "Reach-Back Automation (bench)",
      certificates: [path.relative(repoRoot, certFile)],
      serviceAccount: { name: scratch.serviceAccount.bindDn },
      userOus: [be.ouDn],
    },
  };
  coexistence.writeConfig(coexConfig);
  const discovered = await coexistence.coex(["discover", "--write"]);
  if (discovered.code !== 0) throw new Error(`coex discover failed:\n${discovered.output}`);
  await expectOk(coexistence, ["up", "--yes", "--skip-preview"]);
  console.log(`set-up: coexistence stack up in ${seconds(since(t))} s`);

  // The wave stack: the users of a CSV, the mapping by stack reference.
  t = process.hrtime.bigint();
  mkdirSync(path.join(dir, "waves"), { recursive: true });
  const csv = path.join(dir, "waves", "wave-drift.csv");
  writeFileSync(
    csv,
    `${[
      "sourceUserPrincipalName,targetEmailAddress,coexRoutingAddress,mailboxMigration",
      ...be.users.map((u) => `${u.upn},${u.alias}@${TARGET_DOMAIN},${u.alias}@${ROUTING_DOMAIN},`),
    ].join("\n")}\n`,
  );
  const wave = new PulumiStack(`dwv${id}`, dir);
  await wave.init();
  wave.writeConfig({
    ...benchReachBackConfig(be, USERS),
    wave: { csv, coexistenceStack: `organization/entra-coexistence/${coexistence.name}` },
  });
  console.log(`set-up: wave stack of ${USERS} users made in ${seconds(since(t))} s`);
  // The wave program's preview: every row and every user's preconditions, read in batches.
  const log = be.emulator.http.log;
  let from = log.length;
  t = process.hrtime.bigint();
  await expectOk(wave, ["preview", "--parallel", String(USERS)]);
  const previewSeconds = seconds(since(t));
  const previewReads = log.length - from;
  t = process.hrtime.bigint();
  Object.assign(wave.env, upEnvironment(USERS));
  await expectOk(wave, ["up", "--yes", "--skip-preview", "--parallel", String(USERS)]);
  console.log(
    `set-up: wave stack of ${USERS} users up in ${seconds(since(t))} s (${Object.entries(upEnvironment(USERS))
      .map(([k, v]) => `${k}=${v}`)
      .join(" ")})`,
  );
  from = log.length;
  t = process.hrtime.bigint();
  await expectOk(wave, ["preview", "--expect-no-changes", "--parallel", String(USERS)]);
  const samePreviewSeconds = seconds(since(t));
  const samePreviewReads = log.length - from;

  const resources = (await countResources(coexistence)) + (await countResources(wave));
  const drift = () => runDrift(be, wave, [coexistence, wave], resources);

  console.log(`\nresults (${resources} resources: ${USERS} users + ${resources - USERS} tenant-level)`);
  line("preview of the wave, before up", `${previewSeconds} s (${previewReads} Graph requests)`);
  line("preview of the wave, nothing to do", `${samePreviewSeconds} s (${samePreviewReads} Graph requests)`);
  line("state per user resource (named by UPN)", `${(await stateBytesPerUser(wave)).toFixed(0)} bytes`);
  const clean = await drift();
  report("drift, nothing changed", clean);
  const unexpected = clean.report.stacks.flatMap((s) => [...s.drift, ...s.gone]);
  line("  drift reported", unexpected.length === 0 ? "none (exit 0)" : JSON.stringify(unexpected));

  const changed = await changeByHand(be, CHANGED);
  // AD changes reach what refresh reads directly; the license group change is in Entra at once.
  const dirty = await drift();
  report(`drift, ${CHANGED} users changed by hand`, dirty);
  const drifted = new Set(
    dirty.report.stacks.flatMap((s) => [...s.drift, ...s.gone].map((d) => d.resource.toLowerCase())),
  );
  const expected = new Set(changed.map((c) => c.upn.toLowerCase()));
  const exact = drifted.size === expected.size && [...expected].every((upn) => drifted.has(upn));
  for (const c of changed) line(`  changed ${c.upn}`, c.what);
  for (const d of dirty.report.stacks.flatMap((s) => s.drift))
    line(
      `  reported ${d.resource}`,
      `${d.property}: ${JSON.stringify(d.declared)} => ${JSON.stringify(d.live)}`,
    );
  line(
    "  drift is exactly the changed users",
    exact ? "yes" : `NO: reported ${[...drifted].join(", ") || "(none)"}`,
  );

  wave.dispose();
  coexistence.dispose();
  await scratch.cleanup().catch(() => undefined);
  await be.close();
}

async function expectOk(stack: PulumiStack, args: string[]): Promise<void> {
  const r = await stack.run(args);
  if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${r.code}:\n${r.output.slice(-4000)}`);
}

/** The stack's resources, the stack itself and its providers aside. */
async function countResources(stack: PulumiStack): Promise<number> {
  const exported = await stack.exportState();
  return exported.deployment.resources.filter(
    (r) => r.type !== "pulumi:pulumi:Stack" && !String(r.type).startsWith("pulumi:providers:"),
  ).length;
}

interface DriftRun {
  ms: number;
  code: number;
  resources: number;
  graph: number;
  throttled: number;
  ldapSearches: number;
  report: DriftReport;
}

/** `coex drift --stack <coexistence> <wave> --format json`, as the pipelines run it. */
async function runDrift(
  be: BenchEstate,
  runner: PulumiStack,
  stacks: PulumiStack[],
  resources: number,
): Promise<DriftRun> {
  const log = be.emulator.http.log;
  log.length = 0;
  be.ldap.reset();
  const start = process.hrtime.bigint();
  const r = await runner.coexAsGiven([
    "drift",
    "--stack",
    ...stacks.map((s) => s.name),
    "--config-file",
    ...stacks.map((s) => s.configFile),
    "--format",
    "json",
  ]);
  const ms = since(start);
  if (r.code !== 0 && r.code !== 7) throw new Error(`coex drift exited ${r.code}:\n${r.output.slice(-4000)}`);
  return {
    ms,
    code: r.code,
    resources,
    graph: log.length,
    throttled: log.filter((e) => e.status === 429).length,
    ldapSearches: be.ldap.counts.search ?? 0,
    report: JSON.parse(r.stdout) as DriftReport,
  };
}

function report(label: string, d: DriftRun): void {
  const perResource = d.ms / 1000 / d.resources;
  console.log(label);
  line(
    "  seconds",
    `${seconds(d.ms)} s in all, ${perResource.toFixed(3)} s per resource (target ≤ ${TARGET_SECONDS_PER_RESOURCE}; exit ${d.code})`,
  );
  line(
    "  Graph requests",
    `${d.graph} (${(d.graph / d.resources).toFixed(2)} per resource), ${d.throttled} answered 429`,
  );
  line("  LDAP searches", `${d.ldapSearches} (${(d.ldapSearches / d.resources).toFixed(2)} per resource)`);
}

/** Changes `count` users outside the stack, a different kind of change for each in turn: the
 * primary SMTP address and targetAddress in AD (as an Exchange admin would), the license group in
 * Entra (back in the original group, out of the reach-back group). */
async function changeByHand(be: BenchEstate, count: number): Promise<Array<{ upn: string; what: string }>> {
  const step = Math.max(1, Math.floor(be.users.length / count));
  const picked = Array.from({ length: count }, (_, i) => be.users[i * step]);
  const admin = be.samba.admin();
  const client = new Client({
    url: admin.url,
    tlsOptions: admin.caCertPath ? { ca: [readFileSync(admin.caCertPath)] } : {},
  });
  await client.bind(admin.bindDn, admin.password);
  const graph = be.pair.graph("source");
  const changed: Array<{ upn: string; what: string }> = [];
  try {
    for (const [i, u] of picked.entries()) {
      const kind = i % 3;
      if (kind === 0) {
        const { searchEntries } = await client.search(u.dn, {
          scope: "base",
          attributes: ["proxyAddresses"],
        });
        const proxies = ([] as string[]).concat(
          (searchEntries[0]?.proxyAddresses as string | string[] | undefined) ?? [],
        );
        const renamed = `${u.alias}.renamed@fabrikam.example`;
        const values = [
          `SMTP:${renamed}`,
          ...proxies.map((p) => (p.startsWith("SMTP:") ? `smtp:${p.slice(5)}` : p)),
        ];
        await client.modify(u.dn, [
          new Change({
            operation: "replace",
            modification: new Attribute({ type: "proxyAddresses", values }),
          }),
        ]);
        changed.push({ upn: u.upn, what: `AD primary SMTP changed to ${renamed}` });
      } else if (kind === 1) {
        const value = `SMTP:${u.alias}@fabrikam.mail.onmicrosoft.com`;
        await client.modify(u.dn, [
          new Change({
            operation: "replace",
            modification: new Attribute({ type: "targetAddress", values: [value] }),
          }),
        ]);
        changed.push({ upn: u.upn, what: `AD targetAddress changed to ${value}` });
      } else {
        const cloudId = be.cloudIds.get(u.upn) as string;
        await graph.post(`/groups/${be.originalGroup}/members/$ref`, {
          "@odata.id": `${graph.baseUrl}v1.0/directoryObjects/${cloudId}`,
        });
        await graph.delete(`/groups/${be.reachBackGroup}/members/${cloudId}/$ref`);
        changed.push({
          upn: u.upn,
          what: "Entra: back in the original license group, out of the reach-back group",
        });
      }
    }
  } finally {
    await client.unbind().catch(() => undefined);
  }
  return changed;
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exit(1);
  },
);
