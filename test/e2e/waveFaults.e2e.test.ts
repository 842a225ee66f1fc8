// Issue 11, "Faults at wave scale": a wave of users in one `pulumi up` (high parallelism, as the
// README tells a wave to run) while 30 % of Graph calls answer 429 and the stack's LDAP connection
// is cut once in the middle, after some users were swapped. Every user ends enabled or safely
// reverted (the original primary SMTP, by LDAP, compared with the journal's originals), none with
// the target address as primary; the next up finishes whoever did not.
import assert from "node:assert/strict";
import { primarySmtp, sameAddress } from "../../lib/addresses/proxyAddresses";
import { createRemoteMailboxUsers } from "../support/directoryFixtures";
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
import { TcpProxy } from "../support/tcpProxy";
import { emulatorFaults } from "../support/tenantPairs";

// biome-ignore lint/suspicious/noExplicitAny: assertions walk Graph's JSON freely
type GraphJson = any;
const PROJECT = "wave-faults";
const USERS = 12;

describe("e2e: a wave under faults (30 % Graph 429s, an LDAP connection cut) through the pulumi CLI", function () {
  this.timeout(1_200_000);
  let samba: SambaUnderTest;
  let estate: ReachBackEstate;
  let cleanup: (() => Promise<void>) | undefined;
  let proxy: TcpProxy;
  let stack: PulumiStack;
  let stateDir: string;
  const users: ReachBackTestUser[] = [];

  const faults = (method: "GET" | "POST" | "DELETE", body?: Record<string, unknown>) =>
    emulatorFaults(estate.pair, method, body);
  const primaryOf = async (u: ReachBackTestUser) => {
    const a = await estate.ad.getUser(u.dn);
    assert.ok(a, `${u.dn} is readable`);
    return { a, primary: primarySmtp(a.proxyAddresses) };
  };

  before(async function () {
    samba = sambaOrSkip(this);
    // The users exist in AD before Entra Connect's first cycle, as in an estate.
    const made = await createRemoteMailboxUsers(samba.admin(), USERS, "wflt");
    cleanup = made.cleanup;
    estate = await reachBackEstate(samba);
    for (const [i, u] of made.users.entries()) users.push(await reachBackTestUser(estate, `w${i}`, u.dn));
    const ldaps = new URL(samba.connection.ldapsUrl);
    proxy = await TcpProxy.start({ host: ldaps.hostname, port: Number(ldaps.port || 636) });
    ({ stack, stateDir } = await reachBackStack(PROJECT, "wflt"));
    const config = reachBackConfig(samba, estate.pair, deltaSyncHook(estate.pair));
    // The stack reaches AD through the proxy; the test and Entra Connect go straight to Samba.
    (config.activeDirectory as Record<string, unknown>).url = proxy.through(samba.connection.ldapsUrl);
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
    if (estate?.pair.emulator) await faults("DELETE").catch(() => undefined);
    stack?.dispose();
    await proxy?.close();
    await estate?.ad.close();
    await cleanup?.().catch(() => undefined);
    await estate?.pair.close();
  });

  it("every user ends enabled or with the original primary SMTP; none is left with the target address as primary; the next up finishes them", async () => {
    await faults("POST", { status: 429, rate: 0.3, retryAfterSeconds: 1, durationSeconds: 1200 });
    const running = stack.start(["up", "--yes", "--parallel", String(USERS)]);
    let exited = false;
    void running.done.then(() => {
      exited = true;
    });
    // The cut comes once a few users are between the swap and the revert.
    let cutWhileSwapped = 0;
    for (;;) {
      if (exited) break;
      const swapped = (
        await Promise.all(users.map(async (u) => sameAddress((await primaryOf(u)).primary ?? "", u.target)))
      ).filter(Boolean).length;
      if (swapped >= 2) {
        cutWhileSwapped = swapped;
        proxy.cutAll();
        proxy.refuseNext(3);
        break;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    const first = await running.done;
    const [storm] = await faults("GET");
    assert.ok(storm.answered > 0, "the storm throttled calls");
    assert.ok(
      cutWhileSwapped >= 2,
      `the LDAP connection was cut with users swapped:\n${first.output.slice(-3000)}`,
    );
    assert.ok(proxy.stats.cut > 0, "connections were cut");
    assert.match(first.output, /reach-back progress: \d+ users: /, "the display shows the wave's progress");

    const journal = await stackJournal(stateDir, PROJECT, stack);
    const checkSafe = async () => {
      const outcome: Record<string, string> = {};
      for (const u of users) {
        const { a, primary } = await primaryOf(u);
        const report = await journal.report(u.upn);
        const original = report.found?.original.ad.attributes;
        assert.ok(original, `${u.upn}: the journal has the originals`);
        assert.deepEqual(
          original.proxyAddresses,
          u.before.proxyAddresses,
          `${u.upn}: journal's proxyAddresses`,
        );
        assert.ok(!sameAddress(primary ?? "", u.target), `${u.upn}: the target address is not primary`);
        assert.ok(!sameAddress(a.mail ?? "", u.target), `${u.upn}: the target address is not mail`);
        assert.equal(primary, primarySmtp(original.proxyAddresses), `${u.upn}: the original primary SMTP`);
        assert.equal(a.mail, original.mail, `${u.upn}: the original mail`);
        outcome[u.upn] = report.state;
      }
      return outcome;
    };
    const afterFirst = await checkSafe();
    await faults("DELETE");
    // Whatever the first up left, the next one finishes (a failed create left no resource).
    await stack.expect(["up", "--yes", "--parallel", String(USERS)]);
    const afterSecond = await checkSafe();
    for (const u of users) {
      assert.equal(
        afterSecond[u.upn],
        "completed",
        `${u.upn}: done (after the first up: ${afterFirst[u.upn]})`,
      );
      const { a } = await primaryOf(u);
      assert.deepEqual(a.proxyAddresses, [...u.before.proxyAddresses, `smtp:${u.target}`], u.upn);
      const cloud = await estate.pair
        .graph("source")
        .get<GraphJson>(`/users/${u.cloudId}?$select=id,externalUserState`);
      assert.equal(cloud.externalUserState, "Accepted", `${u.upn}: linked`);
    }
    const outputs = JSON.parse((await stack.expect(["stack", "output", "--json"])).stdout);
    for (const u of users) assert.equal(outputs.enabled[u.name].step, "verified", u.upn);
  });
});
