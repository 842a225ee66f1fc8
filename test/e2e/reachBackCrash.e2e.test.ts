// Issue 10, "Reliability": the pulumi process is killed (SIGKILL, with everything it started) while
// users sit between the address swap and its revert: the target address is their primary SMTP in
// AD and the delta-sync hook has not returned (here it waits on a file the test creates). After
// the README's "After a crash" recovery, the next `pulumi up` finishes each user: the original
// primary back with the target address secondary, every attribute as the journal recorded it or as
// the procedure leaves it, the groups moved, the invitation done; and the journal shows it.
import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { primarySmtp } from "../../lib/addresses/proxyAddresses";
import type { DirectoryUser } from "../../lib/directory/client";
import { createScratchOu, type ScratchOu } from "../support/directoryFixtures";
import type { PulumiStack } from "../support/pulumi";
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
import { emulatorAdmin, workDir } from "../support/tenantPairs";

// biome-ignore lint/suspicious/noExplicitAny: assertions walk Graph's JSON freely
type GraphJson = any;
const PROJECT = "reachback-crash";
/** The AD attributes the journal records for the cross-tenant path, as DirectoryUser names them. */
const AD_RECORDED = [
  "mail",
  "proxyAddresses",
  "targetAddress",
  "msExchRecipientDisplayType",
  "msExchRecipientTypeDetails",
  "msExchRemoteRecipientType",
] as const;

describe("e2e: ReachBackUser crash between the swap and the revert (SIGKILL, recovery, next up)", function () {
  this.timeout(900_000);
  let samba: SambaUnderTest;
  let estate: ReachBackEstate;
  let scratch: ScratchOu;
  let scratch2: ScratchOu;
  let stack: PulumiStack;
  let stateDir: string;
  let config: Record<string, unknown>;
  let users: ReachBackTestUser[];
  /** The delta-sync hook waits until this file exists. */
  let gate: string;

  const adUser = async (dn: string): Promise<DirectoryUser> => {
    const u = await estate.ad.getUser(dn);
    assert.ok(u, `${dn} is readable`);
    return u;
  };
  const swapped = async (u: ReachBackTestUser) => {
    const a = await adUser(u.dn);
    return a.mail?.toLowerCase() === u.target && primarySmtp(a.proxyAddresses)?.toLowerCase() === u.target;
  };

  before(async function () {
    samba = sambaOrSkip(this);
    // The users exist in AD before Entra Connect's first cycle, as in an estate.
    scratch = await createScratchOu(samba.admin(), "crash");
    scratch2 = await createScratchOu(samba.admin(), "crash2");
    estate = await reachBackEstate(samba);
    users = [
      await reachBackTestUser(estate, "first", scratch.userDn),
      await reachBackTestUser(estate, "second", scratch.outsideUserDn),
      await reachBackTestUser(estate, "third", scratch2.userDn),
    ];
    ({ stack, stateDir } = await reachBackStack(PROJECT, "crash"));
    gate = path.join(workDir("crash-gate"), "open");
    // The operator's hook, held until the test opens the gate: every user swaps, then waits here.
    const hook = `while [ ! -e '${gate}' ]; do sleep 0.2; done; ${deltaSyncHook(estate.pair)}`;
    config = reachBackConfig(samba, estate.pair, hook);
    declareUsers(
      stack,
      config,
      users.map((u) => ({
        name: u.name,
        sourceUserPrincipalName: u.upn,
        targetEmailAddress: u.target,
        coexRoutingAddress: u.routing,
        licenseGroupMapping: { [estate.originalGroup]: estate.reachBackGroup },
      })),
    );
  });

  after(async () => {
    stack?.dispose();
    await estate?.ad.close();
    await scratch?.cleanup().catch(() => undefined);
    await scratch2?.cleanup().catch(() => undefined);
    await estate?.pair.close();
  });

  it("killed with users swapped: after the recovery the next up finishes each user as the journal says", async () => {
    const running = stack.start(["up", "--yes"]);
    let exited = false;
    void running.done.then(() => {
      exited = true;
    });
    // Until AD shows the target address as primary for every user (the swap), read over LDAPS.
    for (;;) {
      assert.ok(!exited, `pulumi up ended before the users were swapped:\n${running.output()}`);
      if ((await Promise.all(users.map(swapped))).every(Boolean)) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const killed = running.kill();
    await running.done;
    assert.ok(killed.length >= 3, `the CLI, its plugins and the hook were killed (${killed.join(", ")})`);
    assert.ok(!existsSync(gate), "the hook never returned");
    for (const u of users) assert.ok(await swapped(u), `${u.upn} is left with the target address as primary`);

    // The journal says that the primary is at risk, and what to run.
    const journal = await stackJournal(stateDir, PROJECT, stack);
    for (const u of users) {
      const report = await journal.report(u.upn);
      assert.equal(report.state, "in-progress");
      assert.equal(report.restore.primaryAtRisk, true, `${u.upn}: the journal shows the primary at risk`);
    }
    const show = await stack.coex(["journal", "show", users[0].upn]);
    assert.match(show.stdout, /ATTENTION: the primary SMTP address is, or may be, the target address/);

    // The README's "After a crash", in order.
    const locked = await stack.run(["up", "--yes"]);
    assert.notEqual(locked.code, 0);
    assert.match(locked.output, /the stack is currently locked .*`pulumi cancel`/s);
    await stack.expect(["cancel", "--yes"]);
    const pending = async () =>
      (((await stack.exportState()).deployment as GraphJson).pending_operations ?? []).map(
        (o: GraphJson) => `${String(o.resource.urn).split("::").pop()} ${o.type}`,
      );
    // With PULUMI_SKIP_CHECKPOINTS=true (issue 11) the dead run wrote no state at all: the users
    // are only in the journal, and the next up creates their resources again from it.
    const skipped = process.env.PULUMI_SKIP_CHECKPOINTS === "true";
    assert.deepEqual(
      (await pending()).sort(),
      skipped ? [] : ["first creating", "second creating", "third creating"],
      skipped ? "no state was written" : "the state has the interrupted creates",
    );
    await stack.expect(["refresh", "--clear-pending-creates", "--yes"]);
    assert.deepEqual(await pending(), [], "refresh dropped them (the users are created again by up)");
    writeFileSync(gate, "");
    const up = await stack.expect(["up", "--yes"]);
    for (const u of users) {
      assert.match(
        up.output,
        new RegExp(
          `${u.upn}: continuing from where AD and Entra ID are \\(the journal's last step: ad\\.primarySwapped\\)`,
        ),
      );
    }
    assert.deepEqual(await pending(), []);
    await verifyFinished(journal);
  });

  async function verifyFinished(journal: Awaited<ReturnType<typeof stackJournal>>): Promise<void> {
    const graph = estate.pair.graph("source");
    const invitations = (await emulatorAdmin(estate.pair, "source", "GET", "/invitations")) as GraphJson;
    for (const u of users) {
      const a = await adUser(u.dn);
      const report = await journal.report(u.upn);
      assert.equal(report.state, "completed", `${u.upn}: the journal shows the user done`);
      assert.equal(report.restore.primaryAtRisk, false);
      assert.equal(
        report.records.filter((r) => r.kind === "found").length,
        1,
        `${u.upn}: the originals were recorded once (the second up did not take the swapped values as found)`,
      );
      const original = report.found?.original.ad.attributes;
      assert.ok(original, `${u.upn}: originals in the journal`);
      // The journal's record is the user as found before the test, value by value.
      for (const name of AD_RECORDED) {
        assert.deepEqual(original[name], u.before[name] ?? null, `${u.upn}: journal's original ${name}`);
      }
      // Restored from the journal: mail and the primary; the addresses as found plus the target.
      assert.equal(a.mail, original.mail, `${u.upn}: mail is the journal's original`);
      assert.equal(primarySmtp(a.proxyAddresses), primarySmtp(original.proxyAddresses), `${u.upn}: primary`);
      assert.notEqual(primarySmtp(a.proxyAddresses)?.toLowerCase(), u.target);
      assert.deepEqual(
        a.proxyAddresses,
        [...original.proxyAddresses, `smtp:${u.target}`],
        `${u.upn}: the addresses as recorded, and the target address as a secondary`,
      );
      // The procedure's result.
      assert.equal(a.targetAddress, `SMTP:${u.routing}`, `${u.upn}: targetAddress`);
      assert.equal(a.msExchRecipientDisplayType, 6, `${u.upn}: msExchRecipientDisplayType`);
      assert.equal(a.msExchRecipientTypeDetails, 128, `${u.upn}: msExchRecipientTypeDetails`);
      assert.equal(a.msExchRemoteRecipientType, undefined, `${u.upn}: msExchRemoteRecipientType`);
      const groups = (await graph.list<{ id: string }>(`/users/${u.cloudId}/memberOf?$select=id`)).map(
        (g) => g.id,
      );
      assert.ok(groups.includes(estate.reachBackGroup), `${u.upn}: in the reach-back group`);
      assert.ok(!groups.includes(estate.originalGroup), `${u.upn}: out of the original group`);
      assert.deepEqual(
        report.found?.original.groups.map((g) => g.id),
        [estate.originalGroup],
        `${u.upn}: the journal has the original group`,
      );
      const cloud = await graph.get<GraphJson>(
        `/users/${u.cloudId}?$select=id,mail,externalUserState,userType`,
      );
      assert.equal(cloud.externalUserState, "Accepted", `${u.upn}: linked and redeemed`);
      assert.equal(cloud.userType, "Member");
      assert.equal(cloud.mail.toLowerCase(), original.mail?.toLowerCase(), `${u.upn}: Entra ID's mail`);
      const inv = invitations.byUser[u.cloudId];
      assert.ok(inv, `${u.upn}: invited`);
      assert.equal(inv.invitedUserEmailAddress, u.target);
      assert.equal(inv.sendInvitationMessage, false);
      assert.equal(inv.status, "Completed");
    }
    const outputs = JSON.parse((await stack.expect(["stack", "output", "--json"])).stdout);
    for (const u of users) assert.equal(outputs.enabled[u.name].step, "verified", u.upn);
    const show = await stack.coex(["journal", "show", users[0].upn]);
    assert.equal(show.code, 0, show.output);
    assert.match(show.stdout, /^state: completed/m);
    assert.doesNotMatch(show.stdout, /ATTENTION/);
  }
});
