// Team state: the stacks in a real PostgreSQL server through Pulumi's DIY backend
// (`postgres://…?table=…`), as README "Team state" describes. `up`, `coex drift` and a small wave
// run with their state in one table; two `pulumi up` on one stack at once: the second is refused
// with the lock message while the first holds the lock (it is paused, SIGSTOP, after taking it, so
// the overlap is certain), a preview still runs, and after the first finishes every resource is in
// the state once and the tenants hold what it declared.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { type PostgresUnderTest, postgresOrSkip } from "../support/postgres";
import { PulumiStack, REACH_BACK_SETTINGS, repoRoot, stackConfigFor } from "../support/pulumi";
import { sambaOrSkip } from "../support/samba";
import { type SmallWave, smallWave } from "../support/smallWave";
import { emulatedPair, emulatorAdmin, type TenantPairUnderTest, workDir } from "../support/tenantPairs";

const POLICY = "/policies/crossTenantAccessPolicy";
// biome-ignore lint/suspicious/noExplicitAny: assertions walk Graph's JSON freely
type GraphJson = any;

/** The process and every process under it (pulumi starts plugins in process groups of their own). */
function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  const ps = spawnSync("ps", ["-e", "-o", "pid=,ppid="], { encoding: "utf8" });
  for (const line of ps.stdout.trim().split("\n")) {
    const [pid, ppid] = line.trim().split(/\s+/).map(Number);
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  const tree: number[] = [];
  const walk = (pid: number) => {
    tree.push(pid);
    for (const c of children.get(pid) ?? []) walk(c);
  };
  walk(root);
  return tree;
}

/** Pauses a process tree until no new process appears in it; returns what was paused. */
function pauseTree(root: number): number[] {
  const paused = new Set<number>();
  for (;;) {
    const fresh = processTree(root).filter((p) => !paused.has(p));
    if (fresh.length === 0) return [...paused];
    for (const p of fresh) {
      paused.add(p);
      try {
        process.kill(p, "SIGSTOP");
      } catch {
        // gone already
      }
    }
  }
}

function resume(pids: number[]): void {
  for (const p of pids) {
    try {
      process.kill(p, "SIGCONT");
    } catch {
      // gone already
    }
  }
}

/** A table of its own per run: the backend creates it at first use. */
function stateUrl(pg: PostgresUnderTest, table: string): string {
  return `${pg.url}&table=${table}`;
}

/** The backend's keys start with the URL's path, the database name: `pulumi/.pulumi/…`. */
const keyOf = (pg: PostgresUnderTest, key: string) => `${new URL(pg.url).pathname.slice(1)}/${key}`;

/** One object of the backend's bucket: the row's JSON holds the object's bytes in base64. */
function stored(pg: PostgresUnderTest, table: string, key: string) {
  const rows = pg.query(`select data->>'data' from ${table} where key = '${key}'`);
  assert.equal(rows.length, 1, `one row for ${key}`);
  return JSON.parse(Buffer.from(rows[0], "base64").toString("utf8"));
}

const lockRows = (pg: PostgresUnderTest, table: string) =>
  pg.query(`select key from ${table} where key like '${keyOf(pg, ".pulumi/locks/")}%'`);

describe("e2e: team state in PostgreSQL (DIY backend): up, coex drift, the lock", function () {
  this.timeout(600_000);
  let pg: PostgresUnderTest;
  let pair: TenantPairUnderTest;
  let stack: PulumiStack;
  const table = `coex_state_${Date.now().toString(36)}`;
  const checkpointKey = () => keyOf(pg, `.pulumi/stacks/entra-coexistence/${stack.name}.json`);

  before(async function () {
    pg = postgresOrSkip(this);
    pair = await emulatedPair();
    const name = `pg${Date.now().toString(36)}`;
    stack = new PulumiStack(name, workDir(`stack-${name}`), repoRoot, { backendUrl: stateUrl(pg, table) });
    // What a team member does once: log in to the shared backend (PULUMI_BACKEND_URL would do too).
    const login = spawnSync("pulumi", ["login", stateUrl(pg, table)], {
      cwd: repoRoot,
      env: stack.env,
      encoding: "utf8",
    });
    assert.equal(login.status, 0, `${login.stdout}${login.stderr}`);
    assert.match(login.stdout, new RegExp(`Logged in to .* \\(postgres://.*table=${table}\\)`));
    await stack.init();
    stack.writeConfig(stackConfigFor(pair, REACH_BACK_SETTINGS));
  });
  after(async () => {
    stack?.dispose();
    await pair?.close();
  });

  it("up keeps the stack's whole checkpoint in one row of the table", async () => {
    await stack.expect(["up", "--yes"]);
    const keys = pg.query(`select key from ${table} order by key`);
    assert.ok(keys.includes(checkpointKey()), keys.join("\n"));
    assert.deepEqual(lockRows(pg, table), [], "up releases its lock");
    const row = stored(pg, table, checkpointKey());
    const exported = await stack.exportState();
    assert.deepEqual(
      row.checkpoint.latest.resources.map((r: { urn: string }) => r.urn).sort(),
      exported.deployment.resources.map((r) => r.urn).sort(),
    );
  });

  it("coex drift reads the stack from the table: 0 without drift, 7 after a change by hand", async () => {
    const clean = await stack.coex(["drift"]);
    assert.equal(clean.code, 0, clean.output);
    await emulatorAdmin(
      pair,
      "source",
      "PATCH",
      `/crossTenantAccessPolicy/partners/${pair.connections.target.tenantId}`,
      {
        inboundTrust: { ...REACH_BACK_SETTINGS.inboundTrust, isMfaAccepted: false },
      },
    );
    const drift = await stack.coex(["drift"]);
    assert.equal(drift.code, 7, drift.output);
    assert.match(drift.output, /isMfaAccepted/);
    assert.deepEqual(lockRows(pg, table), [], "coex drift leaves no lock behind");
  });

  it("two ups at once: the second is refused by the lock, a preview still runs, nothing is lost", async () => {
    const before = (await stack.exportState()).deployment.resources.map((r) => r.urn).sort();
    // The first up takes the lock before it prints its banner; paused there, it holds it. With
    // --refresh it has work to do: it puts back the setting changed by hand above.
    const first = stack.start(["up", "--yes", "--refresh"]);
    let paused: number[] = [];
    for (;;) {
      if (/(Previewing update|Updating) \(/.test(first.output())) {
        paused = pauseTree(first.pid);
        break;
      }
      const ended = await Promise.race([
        first.done.then(() => true),
        new Promise<false>((r) => setTimeout(() => r(false), 100)),
      ]);
      if (ended) assert.fail(`the first up ended before it printed its banner:\n${first.output()}`);
    }
    try {
      const locks = lockRows(pg, table);
      assert.equal(locks.length, 1, locks.join("\n"));
      const checkpoint = pg.query(`select data from ${table} where key = '${checkpointKey()}'`);
      const second = await stack.run(["up", "--yes"]);
      assert.notEqual(second.code, 0, second.output);
      assert.match(second.output, /the stack is currently locked by 1 lock\(s\)/);
      assert.match(second.output, new RegExp(`\\(pid ${first.pid}\\)`), "the message names the holder");
      assert.deepEqual(
        pg.query(`select data from ${table} where key = '${checkpointKey()}'`),
        checkpoint,
        "the refused up wrote nothing",
      );
      assert.deepEqual(lockRows(pg, table), locks, "and left the first one's lock alone");
      // Previews take no lock: review on a pull request runs while a wave is being deployed.
      const preview = await stack.run(["preview"]);
      assert.equal(preview.code, 0, preview.output);
    } finally {
      resume(paused);
    }
    const done = await first.done;
    assert.equal(done.code, 0, done.output);
    assert.deepEqual(lockRows(pg, table), []);
    const after = (await stack.exportState()).deployment.resources.map((r) => r.urn);
    assert.equal(new Set(after).size, after.length, "every resource once");
    assert.deepEqual([...after].sort(), before);
    // The first up put back the setting changed by hand: its work is all there.
    const src = await pair
      .graph("source")
      .get<GraphJson>(`${POLICY}/partners/${pair.connections.target.tenantId}`);
    assert.equal(src.inboundTrust.isMfaAccepted, true);
    assert.equal((await stack.coex(["drift"])).code, 0);
  });
});

describe("e2e: team state in PostgreSQL (DIY backend): a wave", function () {
  this.timeout(900_000);
  let pg: PostgresUnderTest;
  let small: SmallWave;
  const table = `coex_wave_${Date.now().toString(36)}`;

  before(async function () {
    pg = postgresOrSkip(this);
    const samba = sambaOrSkip(this);
    small = await smallWave(samba, "pgwave", { backendUrl: stateUrl(pg, table) });
  });
  after(async () => small?.close());

  it("up enables the wave's users with the state in the table, and the report reads it back", async () => {
    const { wave, users } = small;
    await wave.expect(["up", "--yes", "--parallel", "16"]);
    const row = stored(pg, table, keyOf(pg, `.pulumi/stacks/entra-coexistence/${wave.name}.json`));
    const waveUsers = row.checkpoint.latest.resources.filter((r: { type: string }) =>
      String(r.type).endsWith(":ReachBackUser"),
    );
    assert.equal(waveUsers.length, users.length);
    const report = await wave.coexAsGiven(["wave", "report", wave.name, "--config-file", wave.configFile]);
    assert.equal(report.code, 0, report.output);
    assert.match(report.stdout, new RegExp(`${users.length} user\\(s\\); verified: ${users.length}`));
    assert.equal((await wave.coex(["drift"])).code, 0);
    assert.deepEqual(lockRows(pg, table), []);
  });
});
