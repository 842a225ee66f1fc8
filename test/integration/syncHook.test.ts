// ReachBackUser's delta-sync hook, run as the operator's command is: a real shell, judged by exit
// code and output. Busy answers are tried again, other failures stop with the command's output,
// and requests from many users share runs (never one that started before the request).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { entraConnectConfigSchema } from "../../lib/config/reachBack";
import type { Clock } from "../../lib/graph/consistency";
import { DeltaSyncTrigger, SyncHookError } from "../../lib/reachBack/syncHook";
import { workDir } from "../support/tenantPairs";

/** Real time for the commands, no waiting between busy answers. */
const noWait: Clock = { now: () => Date.now(), sleep: async () => {} };

const trigger = (
  command: string | undefined,
  extra: Record<string, unknown> = {},
  gather: { gatherMaxMs?: number; gatherQuietMs?: number } = { gatherQuietMs: 0 },
) =>
  new DeltaSyncTrigger(
    entraConnectConfigSchema.parse({ ...(command ? { deltaSyncCommand: command } : {}), ...extra }),
    { clock: noWait, ...gather },
  );

/** Whether `p` has settled within `ms`. */
const settlesWithin = (p: Promise<unknown>, ms: number) =>
  Promise.race([
    p.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((r) => setTimeout(() => r(false), ms)),
  ]);

describe("ReachBackUser: the delta-sync hook (shell commands)", function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(() => {
    dir = workDir("sync-hook");
  });
  const runs = () => readFileSync(path.join(dir, "runs"), "utf8").trim().split("\n").length;

  it("without a command, asks for nothing and resolves", async () => {
    const t = trigger(undefined);
    assert.equal(t.configured, false);
    await t.request();
    assert.equal(t.commandsRun, 0);
  });

  it("tries again while Entra Connect answers busy, then succeeds", async () => {
    const counter = path.join(dir, "runs");
    const command = `echo run >> '${counter}'; n=$(wc -l < '${counter}'); if [ "$n" -lt 3 ]; then echo 'System.InvalidOperationException: Connector: x - AAD is busy.' >&2; exit 1; fi; echo started`;
    const t = trigger(command);
    await t.request();
    assert.equal(runs(), 3);
    assert.equal(t.commandsRun, 3);
  });

  it("stops at another failure with the exit code and output, naming the setting", async () => {
    const t = trigger("echo 'Access is denied' >&2; exit 5");
    await assert.rejects(t.request(), (e: Error) => {
      assert.ok(e instanceof SyncHookError);
      assert.match(e.message, /entraConnect\.deltaSyncCommand failed \(exit code 5\): Access is denied/);
      return true;
    });
    assert.equal(t.commandsRun, 1, "not tried again");
  });

  it("gives up when Entra Connect stays busy past the sync timeout", async () => {
    const t = trigger("echo busy; exit 1", { syncTimeoutSeconds: 1 });
    const started = Date.now();
    await assert.rejects(t.request(), /stayed busy for 1 s/);
    assert.ok(Date.now() - started >= 1000);
  });

  it("stops a command that does not return", async () => {
    const t = trigger("sleep 30", { commandTimeoutSeconds: 1 });
    await assert.rejects(t.request(), /did not finish within 1 s and was stopped/);
  });

  it("requests made while a run is in flight share the next run, never the current one", async () => {
    const counter = path.join(dir, "runs");
    const t = trigger(`sleep 0.5; echo run >> '${counter}'`);
    const first = t.request();
    // Ten users' writes land while the first run is in flight: they need a run that starts later.
    const later = Array.from({ length: 10 }, () => t.request());
    await Promise.all([first, ...later]);
    assert.equal(runs(), 2, "one run for the first request, one shared by the ten");
  });

  it("a wave's runs gather: one run asks once every entered run waits, and all share that cycle", async () => {
    const counter = path.join(dir, "runs");
    const t = trigger(`echo run >> '${counter}'`);
    const [a, b, c] = [t.enter(), t.enter(), t.enter()];
    const first = [a.request(), b.request()];
    // c still writes (it is on its way to its own swap): nobody asks yet.
    assert.equal(await settlesWithin(Promise.all(first), 300), false, "a and b wait for c");
    assert.equal(t.commandsRun, 0);
    await Promise.all([...first, c.request()]);
    assert.equal(runs(), 1, "one cycle carries the three");
    // The next gathering: c ends (fails, or is done) while a and b wait: they go on without it.
    const second = [a.request(), b.request()];
    assert.equal(await settlesWithin(Promise.all(second), 300), false);
    c.leave();
    await Promise.all(second);
    assert.equal(runs(), 2);
    a.leave();
    b.leave();
    assert.deepEqual(t.gatheringSize, { active: 0, waiting: 0 });
  });

  it("a run held up elsewhere does not hold the others past the gathering's limit", async () => {
    const counter = path.join(dir, "runs");
    const t = trigger(`echo run >> '${counter}'`, {}, { gatherMaxMs: 500, gatherQuietMs: 0 });
    const [a, slow] = [t.enter(), t.enter()];
    const started = Date.now();
    await a.request();
    assert.ok(Date.now() - started >= 450, "a waited for the gathering's limit");
    assert.equal(runs(), 1);
    slow.leave();
    a.leave();
  });

  it("a gathering waits for runs that entered just now (Pulumi starts creates one by one)", async () => {
    const counter = path.join(dir, "runs");
    const t = trigger(`echo run >> '${counter}'`, {}, { gatherQuietMs: 400 });
    const a = t.enter();
    const asked = a.request();
    await new Promise((r) => setTimeout(r, 200));
    const late = t.enter();
    assert.equal(await settlesWithin(asked, 100), false, "a waits for the run that entered late");
    await Promise.all([asked, late.request()]);
    assert.equal(runs(), 1);
    a.leave();
    late.leave();
  });
});
