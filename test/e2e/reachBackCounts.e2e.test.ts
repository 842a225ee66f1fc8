// What a wave's reads cost, counted (never timed) through the real CLI: ten ReachBackUser
// resources against the emulator and Samba. The provider process serves every user of a phase at
// once, so their reads are coalesced (lib/graph/coalesce.ts: `in (...)` filters in JSON batches;
// DirectoryClient.findUserByUpn: OR searches on one shared connection). Graph requests are counted
// from the emulator's log (direct calls + batch envelopes = HTTP requests; requests inside batches
// apart), LDAP searches from the search log every process of the deployment appends to
// (ENTRA_COEX_LDAP_SEARCH_LOG).
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
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
} from "../support/reachBack";
import { type SambaUnderTest, sambaOrSkip } from "../support/samba";
import { workDir } from "../support/tenantPairs";

const PROJECT = "reachback-counts";
const USERS = 10;

describe("ReachBackUser: a wave's reads coalesced (request counts through the CLI)", () => {
  let samba: SambaUnderTest;
  let estate: ReachBackEstate;
  const scratches: ScratchOu[] = [];
  const users: ReachBackTestUser[] = [];
  let stack: PulumiStack;
  let config: Record<string, unknown>;
  let searchLog: string;

  const emulator = () => {
    assert.ok(estate.pair.emulator);
    return estate.pair.emulator;
  };
  const mark = () => ({
    log: emulator().http.log.length,
    batches: emulator().http.batchLog.length,
    searches: searches(),
  });
  const searches = () => (existsSync(searchLog) ? readFileSync(searchLog, "utf8").split("\n").length - 1 : 0);
  /** What a command cost since `m`, in all and per user, printed for the report. */
  const costSince = (what: string, m: ReturnType<typeof mark>) => {
    const log = emulator().http.log.slice(m.log);
    const envelopes = emulator().http.batchLog.length - m.batches;
    const cost = {
      graphHttp: log.filter((r) => !r.inBatch).length + envelopes,
      graphInner: log.filter((r) => r.inBatch).length,
      batches: envelopes,
      ldapSearches: searches() - m.searches,
    };
    const per = (n: number) => Math.round((n / USERS) * 100) / 100;
    console.log(
      `      ${what} of ${USERS} users: ${cost.graphHttp} Graph HTTP requests (${per(cost.graphHttp)}/user; ` +
        `${cost.graphInner} inside ${cost.batches} batches), ${cost.ldapSearches} LDAP searches (${per(cost.ldapSearches)}/user)`,
    );
    if (process.env.ENTRA_COEX_TEST_VERBOSE) {
      for (const r of log)
        console.log(`        ${r.inBatch ? "  (in batch) " : ""}${r.method} ${r.path.slice(0, 110)}`);
    }
    return cost;
  };

  before(async function () {
    samba = sambaOrSkip(this);
    // The users exist in AD before Entra Connect's first cycle, as in an estate.
    for (let i = 0; i < USERS / 2; i++) scratches.push(await createScratchOu(samba.admin(), `cnt${i}`));
    estate = await reachBackEstate(samba);
    for (const [i, s] of scratches.entries()) {
      users.push(await reachBackTestUser(estate, `u${i}a`, s.userDn));
      users.push(await reachBackTestUser(estate, `u${i}b`, s.outsideUserDn));
    }
    searchLog = path.join(workDir("ldap-searches"), "searches.log");
    writeFileSync(searchLog, "");
    process.env.ENTRA_COEX_LDAP_SEARCH_LOG = searchLog;
    try {
      ({ stack } = await reachBackStack(PROJECT, "cnt"));
    } finally {
      delete process.env.ENTRA_COEX_LDAP_SEARCH_LOG;
    }
    config = reachBackConfig(samba, estate.pair, deltaSyncHook(estate.pair));
    declareUsers(
      stack,
      { ...config },
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
    await estate?.ad.close();
    for (const s of scratches) await s.cleanup().catch(() => undefined);
    await estate?.pair.close();
  });

  it("previews, enables and refreshes ten users with a few requests for all of them", async () => {
    // The preconditions of the whole list, as the product's program reads them at preview.
    const configFile = JSON.parse(readFileSync(stack.configFile, "utf8"));
    configFile.config["entra-coexistence-test:previewPreconditions"] = true;
    writeFileSync(stack.configFile, JSON.stringify(configFile, null, 2));
    let m = mark();
    const preview = await stack.expect(["preview", "--parallel", "64"]);
    assert.equal(
      (preview.output.match(/ReachBackUser\s+u\d[ab]\s+create/g) ?? []).length,
      USERS,
      preview.output,
    );
    const previewCost = costSince("preview", m);

    m = mark();
    await stack.expect(["up", "--yes", "--parallel", "64"]);
    costSince("up", m);
    const outputs = JSON.parse((await stack.expect(["stack", "output", "--json"])).stdout);
    for (const u of users) assert.equal(outputs.enabled[u.name].step, "verified", u.name);

    m = mark();
    // One phase: `refresh --yes` alone would run a preview of the refresh first (another phase
    // and provider process, reading everything once more).
    const refresh = await stack.expect(["refresh", "--yes", "--skip-preview", "--parallel", "64"]);
    const refreshCost = costSince("refresh", m);
    assert.doesNotMatch(refresh.output, /~ .*update/, "no drift");

    // Before coalescing, preview read 5 + 2 Graph requests per user and one LDAP search per user
    // (25 and 10 here), refresh 2 and 1 per user (20 and 10). Now each phase's reads are shared
    // (a filter of up to 15 users, one search for up to 100): a few requests for all ten, however
    // the engine spreads the calls over the coalescing windows.
    assert.ok(previewCost.graphHttp <= 8, `preview: ${previewCost.graphHttp} Graph HTTP requests`);
    assert.ok(previewCost.ldapSearches <= 2, `preview: ${previewCost.ldapSearches} LDAP searches`);
    assert.ok(refreshCost.graphHttp <= 4, `refresh: ${refreshCost.graphHttp} Graph HTTP requests`);
    assert.ok(refreshCost.ldapSearches <= 2, `refresh: ${refreshCost.ldapSearches} LDAP searches`);
  });
});
