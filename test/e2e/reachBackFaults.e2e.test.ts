// Issue 10, "Reliability": faults at the steps of ReachBackUser, through the real pulumi CLI against
// the emulator with Entra Connect syncing a real AD (Samba) that the stack reaches through a TCP
// proxy (test/support/tcpProxy.ts). A 429 storm on 30 % of Graph calls, 503/504 bursts on the
// writes (also after Graph committed them: the invitation and the group member add), Graph failing
// every read of a user after the swap, and the LDAP connection cut (reconnects turned away) between
// the swap and the revert. Every user ends enabled or, where a fault stops it, with the original
// primary SMTP and an error that names the step and the user's state; the next up finishes it. At
// the end every user's mail and primary SMTP are checked by LDAP against the journal's originals.
// The delta-sync hook waits while a "hold" file exists: that is how a fault is timed between the
// swap (seen in AD) and the revert.
import assert from "node:assert/strict";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { primarySmtp } from "../../lib/addresses/proxyAddresses";
import type { DirectoryUser } from "../../lib/directory/client";
import { createScratchOu, type ScratchOu } from "../support/directoryFixtures";
import type { PulumiStack, RunningPulumi } from "../support/pulumi";
import {
  declareUsers,
  deltaSyncHook,
  type ReachBackEstate,
  type ReachBackTestUser,
  reachBackConfig,
  reachBackEstate,
  reachBackStack,
  reachBackTestUser,
  stackJournal,
} from "../support/reachBack";
import { type SambaUnderTest, sambaOrSkip } from "../support/samba";
import { TcpProxy } from "../support/tcpProxy";
import { emulatorAdmin, emulatorFaults, workDir } from "../support/tenantPairs";

// biome-ignore lint/suspicious/noExplicitAny: assertions walk Graph's JSON freely
type GraphJson = any;
const PROJECT = "reachback-faults";

describe("e2e: ReachBackUser faults (Graph 429 storm and 5xx, LDAP connection cut) through the pulumi CLI", function () {
  this.timeout(900_000);
  let samba: SambaUnderTest;
  let estate: ReachBackEstate;
  const scratches: ScratchOu[] = [];
  let proxy: TcpProxy;
  let stack: PulumiStack;
  let stateDir: string;
  let config: Record<string, unknown>;
  /** While this file exists the delta-sync hook waits. */
  let hold: string;
  const users: Record<string, ReachBackTestUser> = {};
  /** Declared so far (a user stays declared once enabled, as in a wave). */
  const declaredUsers: ReachBackTestUser[] = [];

  const emulator = () => {
    assert.ok(estate.pair.emulator);
    return estate.pair.emulator;
  };
  const faults = (method: "GET" | "POST" | "DELETE", body?: Record<string, unknown>) =>
    emulatorFaults(estate.pair, method, body);
  const declare = (...more: ReachBackTestUser[]) => {
    declaredUsers.push(...more);
    declareUsers(
      stack,
      config,
      declaredUsers.map((u) => ({
        name: u.name,
        sourceUserPrincipalName: u.upn,
        targetEmailAddress: u.target,
        coexRoutingAddress: u.routing,
        licenseGroupMapping: { [estate.originalGroup]: estate.reachBackGroup },
      })),
    );
  };
  const adUser = async (dn: string): Promise<DirectoryUser> => {
    // Straight to Samba, not through the proxy.
    const u = await estate.ad.getUser(dn);
    assert.ok(u, `${dn} is readable`);
    return u;
  };
  const swapped = async (u: ReachBackTestUser) =>
    primarySmtp((await adUser(u.dn)).proxyAddresses)?.toLowerCase() === u.target;
  const logLength = () => emulator().http.log.length;
  /** Starts `pulumi up` with the hook held, and resolves once AD shows every user of `waitFor`
   * swapped (the target address primary), the procedure waiting on the hook. */
  const upHeldAtSwap = async (waitFor: ReachBackTestUser[]): Promise<RunningPulumi> => {
    writeFileSync(hold, "");
    const running = stack.start(["up", "--yes"]);
    let exited = false;
    void running.done.then(() => {
      exited = true;
    });
    for (;;) {
      assert.ok(!exited, `pulumi up ended before the users were swapped:\n${running.output()}`);
      if ((await Promise.all(waitFor.map(swapped))).every(Boolean)) return running;
      await new Promise((r) => setTimeout(r, 300));
    }
  };
  const release = () => rmSync(hold, { force: true });

  /** By LDAP: mail and the primary SMTP are the journal's originals (which are the user as found),
   * the target address a secondary, the other addresses as found. */
  const assertOriginalPrimary = async (u: ReachBackTestUser) => {
    const a = await adUser(u.dn);
    const report = await (await stackJournal(stateDir, PROJECT, stack)).report(u.upn);
    const original = report.found?.original.ad.attributes;
    assert.ok(original, `${u.upn}: the journal has the originals`);
    assert.deepEqual(original.proxyAddresses, u.before.proxyAddresses, `${u.upn}: journal's proxyAddresses`);
    assert.equal(original.mail, u.before.mail ?? null, `${u.upn}: journal's mail`);
    assert.equal(a.mail, original.mail, `${u.upn}: mail is the original`);
    assert.equal(
      primarySmtp(a.proxyAddresses),
      primarySmtp(original.proxyAddresses),
      `${u.upn}: primary SMTP`,
    );
    assert.deepEqual(
      a.proxyAddresses,
      [...original.proxyAddresses, `smtp:${u.target}`],
      `${u.upn}: the addresses as found, the target address a secondary`,
    );
    return report;
  };
  /** Enabled: the originals back (LDAP), the journal completed, linked, the groups moved. */
  const assertEnabled = async (u: ReachBackTestUser) => {
    const report = await assertOriginalPrimary(u);
    assert.equal(report.state, "completed", `${u.upn}: the journal shows the user done`);
    assert.equal(report.restore.primaryAtRisk, false);
    const a = await adUser(u.dn);
    assert.equal(a.targetAddress, `SMTP:${u.routing}`, `${u.upn}: targetAddress`);
    assert.equal(a.msExchRecipientTypeDetails, 128, `${u.upn}: a mail user`);
    const graph = estate.pair.graph("source");
    const cloud = await graph.get<GraphJson>(`/users/${u.cloudId}?$select=id,mail,externalUserState`);
    assert.equal(cloud.externalUserState, "Accepted", `${u.upn}: linked and redeemed`);
    assert.equal(cloud.mail.toLowerCase(), u.before.mail?.toLowerCase(), `${u.upn}: Entra ID's mail`);
    const groups = (await graph.list<{ id: string }>(`/users/${u.cloudId}/memberOf?$select=id`)).map(
      (g) => g.id,
    );
    assert.ok(groups.includes(estate.reachBackGroup), `${u.upn}: in the reach-back group`);
    assert.ok(!groups.includes(estate.originalGroup), `${u.upn}: out of the original group`);
    const outputs = JSON.parse((await stack.expect(["stack", "output", "--json"])).stdout);
    assert.equal(outputs.enabled[u.name].step, "verified", u.upn);
  };
  /** The Graph calls from `since` on: "POST /v1.0/invitations 503". */
  const callsSince = (since: number, method: string, pathPrefix: string) =>
    emulator()
      .http.log.slice(since)
      .filter((r) => r.method === method && r.path.startsWith(pathPrefix))
      .map((r) => r.status);

  before(async function () {
    samba = sambaOrSkip(this);
    // The users exist in AD before Entra Connect's first cycle, as in an estate.
    for (const label of ["fault1", "fault2", "fault3", "fault4", "fault5"]) {
      scratches.push(await createScratchOu(samba.admin(), label));
    }
    estate = await reachBackEstate(samba);
    const names = ["storm1", "storm2", "storm3", "burst1", "burst2", "unread", "ldap1", "ldap2", "outage"];
    for (const [i, name] of names.entries()) {
      const s = scratches[Math.floor(i / 2)];
      users[name] = await reachBackTestUser(estate, name, i % 2 === 0 ? s.userDn : s.outsideUserDn);
    }
    const ldaps = new URL(samba.connection.ldapsUrl);
    proxy = await TcpProxy.start({ host: ldaps.hostname, port: Number(ldaps.port || 636) });
    ({ stack, stateDir } = await reachBackStack(PROJECT, "faults"));
    hold = path.join(workDir("faults-hold"), "hold");
    const hook = `while [ -e '${hold}' ]; do sleep 0.2; done; ${deltaSyncHook(estate.pair)}`;
    config = reachBackConfig(samba, estate.pair, hook);
    // The stack reaches AD through the proxy; the test and Entra Connect go straight to Samba.
    (config.activeDirectory as Record<string, unknown>).url = proxy.through(samba.connection.ldapsUrl);
  });

  afterEach(async () => {
    release();
    if (estate?.pair.emulator) await faults("DELETE");
  });

  after(async () => {
    stack?.dispose();
    await proxy?.close();
    await estate?.ad.close();
    for (const s of scratches) await s.cleanup().catch(() => undefined);
    await estate?.pair.close();
  });

  it("a 429 storm on 30 % of Graph calls (Retry-After 1) during up: every user ends enabled, nothing half-done", async () => {
    const storm = [users.storm1, users.storm2, users.storm3];
    declare(...storm);
    await faults("POST", { status: 429, rate: 0.3, retryAfterSeconds: 1, durationSeconds: 900 });
    const since = logLength();
    await stack.expect(["up", "--yes"]);
    const [inForce] = await faults("GET");
    assert.ok(inForce.answered >= 20, `the storm throttled ${inForce.answered} calls`);
    assert.equal(inForce.answered, Math.floor(inForce.matched * 0.3), "30 % of the calls");
    await faults("DELETE");
    const throttled = emulator()
      .http.log.slice(since)
      .filter((r) => r.status === 429);
    assert.ok(
      throttled.some((r) => r.method === "POST"),
      "writes were throttled too (and sent again: Graph had not processed them)",
    );
    for (const u of storm) await assertEnabled(u);
    assert.deepEqual(
      callsSince(since, "POST", "/v1.0/invitations").filter((s) => s !== 429),
      [201, 201, 201],
      "one invitation per user went through",
    );
  });

  it("503/504 bursts on the writes, some after Graph committed them: each write is made once and the users end enabled", async () => {
    const burst = [users.burst1, users.burst2];
    declare(...burst);
    const rb = `/v1.0/groups/${estate.reachBackGroup}/members`;
    // Graph commits the invitation and the member add, then answers 503/504.
    await faults("POST", {
      status: 503,
      count: 2,
      afterCommit: true,
      method: "POST",
      pathPrefix: "/v1.0/invitations",
    });
    await faults("POST", { status: 504, count: 2, afterCommit: true, method: "POST", pathPrefix: rb });
    // A burst that stops removals from the original group before they are made.
    await faults("POST", {
      status: 503,
      count: 3,
      method: "DELETE",
      pathPrefix: `/v1.0/groups/${estate.originalGroup}/members`,
    });
    const since = logLength();
    await stack.expect(["up", "--yes"]);
    assert.deepEqual(await faults("GET"), [], "every fault was met");
    assert.deepEqual(
      callsSince(since, "POST", "/v1.0/invitations"),
      [503, 503],
      "each invitation was sent once: the committed one was found, not sent again",
    );
    const adds = callsSince(since, "POST", rb);
    assert.deepEqual(
      adds.filter((s) => s === 504),
      [504, 504],
    );
    assert.ok(
      adds.every((s) => s === 504 || s === 400 || s === 204),
      `a repeated add finds the member there: ${adds}`,
    );
    for (const u of burst) await assertEnabled(u);
  });

  it("Graph fails every read of a user after the swap (503): it stops at the sync wait, reverted, naming the step and state", async () => {
    const u = users.unread;
    declare(u);
    const running = await upHeldAtSwap([u]);
    // From now on every read of this user answers 503, beyond the client's retries.
    await faults("POST", {
      status: 503,
      count: 10_000,
      method: "GET",
      pathPrefix: `/v1.0/users/${u.cloudId}`,
    });
    release();
    const up = await running.done;
    assert.notEqual(up.code, 0, up.output);
    assert.match(
      up.output,
      new RegExp(
        `${u.upn}: step "synced" failed: GET /users/${u.cloudId}\\S* failed: 503 ServiceUnavailable`,
      ),
    );
    assert.match(up.output, /request-id [0-9a-f-]{36}/, "Graph's request id is kept");
    assert.match(
      up.output,
      new RegExp(
        `the user now: AD: primary SMTP ${primarySmtp(u.before.proxyAddresses)?.replace(/[.+]/g, "\\$&")} \\(not the target address\\)`,
        "i",
      ),
    );
    assert.match(up.output, /Entra ID could not be read/);
    const report = await assertOriginalPrimary(u);
    assert.equal(report.state, "in-progress");
    assert.equal(report.failure?.step, "sync.swapArrived");
    assert.equal(report.restore.primaryAtRisk, false, "the journal shows the revert written");
    assert.equal(
      ((await emulatorAdmin(estate.pair, "source", "GET", "/invitations")) as GraphJson).byUser[u.cloudId],
      undefined,
      "not invited",
    );

    await faults("DELETE");
    const next = await stack.expect(["up", "--yes"]);
    assert.match(next.output, new RegExp(`${u.upn}: continuing from where AD and Entra ID are`));
    await assertEnabled(u);
  });

  it("the LDAP connection cut between the swap and the revert, reconnects turned away for a while: the users end enabled", async () => {
    const cut = [users.ldap1, users.ldap2];
    declare(...cut);
    const running = await upHeldAtSwap(cut);
    const refusedBefore = proxy.stats.refused;
    // One connection serves every user of the provider process (providers/connections.ts).
    assert.ok(proxy.cutAll() >= 1, "the provider's LDAP connection was open");
    // A domain controller coming back: the first reconnects are reset. More than the revert's own
    // three tries per user: the directory client waits for the server itself.
    proxy.refuseNext(8);
    release();
    const up = await running.done;
    assert.equal(up.code, 0, up.output);
    assert.equal(proxy.stats.refused - refusedBefore, 8, "the reconnects were turned away first");
    for (const u of cut) await assertEnabled(u);
  });

  it("AD unreachable from the swap until after the revert's retries: the error says the target address may still be primary and how to put it back; the next up reverts and finishes", async () => {
    const u = users.outage;
    declare(u);
    const running = await upHeldAtSwap([u]);
    proxy.cutAll();
    proxy.refuseNext(1_000_000);
    release();
    const up = await running.done;
    proxy.refuseNext(0);
    assert.notEqual(up.code, 0, up.output);
    assert.match(
      up.output,
      new RegExp(`${u.upn}: step "reverted" failed: the revert could not be written: connect ldaps://`),
    );
    assert.match(up.output, new RegExp(`${u.target} MAY STILL BE THE PRIMARY SMTP ADDRESS in AD`, "i"));
    assert.match(up.output, new RegExp(`put it back now: mail = ${u.before.mail}`, "i"));
    assert.ok(
      await swapped(u),
      "AD could not be written: the target address is still primary, as the error says",
    );
    const report = await (await stackJournal(stateDir, PROJECT, stack)).report(u.upn);
    assert.equal(report.restore.primaryAtRisk, true, "the journal says so too");

    const next = await stack.expect(["up", "--yes"]);
    assert.match(next.output, new RegExp(`${u.upn}: continuing from where AD and Entra ID are`));
    await assertEnabled(u);
  });

  it("every user of the suite ends with the original primary SMTP and mail, the target address a secondary (LDAP vs journal)", async () => {
    assert.ok(!existsSync(hold));
    for (const u of declaredUsers) await assertEnabled(u);
  });
});
