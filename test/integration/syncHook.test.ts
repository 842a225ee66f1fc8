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

const trigger = (command: string | undefined, extra: Record<string, unknown> = {}) =>
  new DeltaSyncTrigger(
    entraConnectConfigSchema.parse({ ...(command ? { deltaSyncCommand: command } : {}), ...extra }),
    { clock: noWait },
  );

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
});
