// The sync-cycle hook: the command an operator configures to ask Entra Connect for a delta cycle
// (Start-ADSyncSyncCycle -PolicyType Delta on a real Connect server). Against the emulator it is a
// curl call to the admin API, run here exactly as a hook runs it: a separate process, over HTTPS,
// with the admin key, and judged by its exit code and output.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import type { EntraConnectSync } from "../../emulator/entraConnect";
import { type SambaUnderTest, sambaUnderTest } from "../support/samba";
import { emulatedPair, emulatorAdmin, type TenantPairUnderTest } from "../support/tenantPairs";

interface HookRun {
  exitCode: number;
  stdout: string;
}

/** `curl --fail-with-body` exits 22 on an HTTP error and prints the body: what a hook sees. */
function curl(args: string[]): Promise<HookRun> {
  return new Promise((resolve, reject) => {
    execFile("curl", ["--silent", "--show-error", "--fail-with-body", ...args], (err, stdout) => {
      if (err && typeof err.code !== "number") reject(err);
      else resolve({ exitCode: err ? Number(err.code) : 0, stdout });
    });
  });
}

describe("emulator: Entra Connect sync-cycle hook (curl, as an operator's hook command runs it)", function () {
  this.timeout(120_000);
  let samba: SambaUnderTest;
  let pair: TenantPairUnderTest;
  let engine: EntraConnectSync;
  let hook: (query?: string) => Promise<HookRun>;

  before(async function () {
    const s = sambaUnderTest();
    if (typeof s === "string") {
      console.log(`      skipped: ${s}`);
      this.skip();
    }
    samba = s as SambaUnderTest;
    pair = await emulatedPair(["User.Read.All"], { source: "fabrikam.example" }, { replicationDelayMs: 0 });
    const emulator = pair.emulator;
    assert.ok(emulator);
    engine = emulator.attachEntraConnect(
      pair.connections.source.tenantId,
      samba.admin({ baseDn: samba.fabrikamOu }),
    );
    const url = `${emulator.url}/_emulator/tenants/${pair.connections.source.tenantId}/entraConnect/cycle`;
    hook = (query = "") =>
      curl([
        "--cacert",
        emulator.caCertPath,
        "-X",
        "POST",
        "-H",
        `x-emulator-admin-key: ${emulator.adminKey}`,
        `${url}${query}`,
      ]);
  });
  after(async () => pair?.close());

  it("runs a cycle and answers with its result when it has finished", async () => {
    const before = engine.history.length;
    const run = await hook();
    assert.equal(run.exitCode, 0, run.stdout);
    const result = JSON.parse(run.stdout);
    assert.equal(result.kind, before === 0 ? "initial" : "delta");
    assert.ok(result.usersAdded + result.usersUpdated > 0, "the seeded users were synced");
    assert.equal(engine.history.length, before + 1);
    const users = await pair.graph("source").list<{ id: string }>("/users?$select=id");
    assert.ok(users.length > 0);
  });

  it("while a cycle runs, a request starts nothing and fails (409 SyncCycleBusy), as Start-ADSyncSyncCycle does; afterwards it succeeds", async () => {
    const release = engine.holdNextCycle();
    const before = engine.history.length;
    try {
      const started = await hook("?wait=false");
      assert.equal(started.exitCode, 0, started.stdout);
      assert.deepEqual(JSON.parse(started.stdout), { started: true });
      const status = (await emulatorAdmin(pair, "source", "GET", "/entraConnect")) as { running: boolean };
      assert.equal(status.running, true);

      const busy = await hook();
      assert.equal(busy.exitCode, 22, "curl --fail-with-body exits 22 on an HTTP error");
      const body = JSON.parse(busy.stdout);
      assert.equal(body.error.code, "SyncCycleBusy");
      assert.match(body.error.message, /AAD is busy/);
    } finally {
      release();
    }
    await engine.whenIdle();
    assert.equal(engine.history.length, before + 1, "the refused request started no cycle");
    assert.equal(
      ((await emulatorAdmin(pair, "source", "GET", "/entraConnect")) as { running: boolean }).running,
      false,
    );
    const again = await hook();
    assert.equal(again.exitCode, 0, again.stdout);
    assert.equal(JSON.parse(again.stdout).kind, "delta");
  });

  it("refuses a call without the admin key", async () => {
    const emulator = pair.emulator;
    assert.ok(emulator);
    const run = await curl([
      "--cacert",
      emulator.caCertPath,
      "-X",
      "POST",
      `${emulator.url}/_emulator/tenants/${pair.connections.source.tenantId}/entraConnect/cycle`,
    ]);
    assert.equal(run.exitCode, 22);
    assert.equal(JSON.parse(run.stdout).error.code, "Unauthorized");
  });
});
