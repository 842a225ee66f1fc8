// Waves end to end through the real pulumi CLI: a coexistence stack (a small program exporting
// the tenants and the license-group mapping) and a wave stack of the product's program whose CSV
// holds fifty users of mixed shapes (cloud license group, on-premises license group, direct
// license, third-party path, one enabled beforehand by another tool), two of them bad (an invalid
// address; a user without a target identity, which only the preconditions find). Preview lists exactly the bad rows and writes
// nothing (emulator request log, AD usnChanged); up with continueWithGoodRows enables every good
// user but one whose invitation Graph refuses, which fails alone and shows in `coex wave report`
// with the journal's failure; the re-run after the fix writes only for that user; refresh shows
// no drift; a second up writes nothing; the report in all three formats matches the state and the
// tenants; `coex wave new` refuses a bad CSV, creating nothing; a coexistence stack of other
// tenants is refused.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type { DirectoryClient } from "../../lib/directory/client";
import { parseCsv } from "../../lib/waves/csv";
import { createRemoteMailboxUsers, createScratchOu, type ScratchOu } from "../support/directoryFixtures";
import { type PulumiResult, PulumiStack, repoRoot } from "../support/pulumi";
import {
  deltaSyncHook,
  E5,
  enableBeforehand,
  type ReachBackEstate,
  type ReachBackTestUser,
  reachBackConfig,
  reachBackEstate,
  reachBackTestUser,
  SCRUBBING_PLANS,
  TARGET_DOMAIN,
} from "../support/reachBack";
import { type SambaUnderTest, sambaOrSkip } from "../support/samba";
import { asEstate, emulatorAdmin, type TenantPairUnderTest, workDir } from "../support/tenantPairs";

// biome-ignore lint/suspicious/noExplicitAny: assertions walk Graph's JSON freely
type GraphJson = any;
const COEX_PROJECT = "wave-coex-test";
const HEADER = "sourceUserPrincipalName,targetEmailAddress,coexRoutingAddress,mailboxMigration";
/** Cloud-group users beyond the first rows, so that the wave has fifty users. */
const BULK = 41;
const ROWS = 50;

describe("e2e: waves through the pulumi CLI (CSV, stack reference, preview, up, report)", function () {
  this.timeout(900_000);
  let samba: SambaUnderTest;
  let estate: ReachBackEstate;
  let pair: TenantPairUnderTest;
  let ad: DirectoryClient;
  const scratches: ScratchOu[] = [];
  let dir: string;
  let coexistence: PulumiStack;
  let wave: PulumiStack;
  let config: Record<string, unknown>;
  let csvPath: string;
  /** Good users and their rows. */
  let good: Array<{ row: number; user: ReachBackTestUser }>;
  let noTarget: ReachBackTestUser;
  /** A good row whose invitation Graph refuses at first (another object holds its target address). */
  let refused: ReachBackTestUser;
  let holderId: string;
  /** The left-out user's usnChanged before any up. */
  let noTargetUsn: number | undefined;
  let bulkCleanup: (() => Promise<void>) | undefined;
  /** Enabled before the wave by another tool: the wave finds it enabled and writes nothing. */
  let beforehand: ReachBackTestUser;
  let beforehandUsn: number | undefined;

  const graph = () => pair.graph("source");
  const logLength = () => pair.emulator?.http.log.length ?? 0;
  const writesSince = (since: number) =>
    (pair.emulator?.http.log ?? []).slice(since).filter((r) => r.method !== "GET");
  const adUsns = async () =>
    Promise.all(
      [...good.map((g) => g.user), noTarget].map(async (u) => (await ad.getUser(u.dn))?.usnChanged),
    );
  const writeWaveConfig = (continueWithGoodRows: boolean) =>
    wave.writeConfig({
      ...config,
      wave: {
        csv: csvPath,
        // The coexistence stack is of another project: fully qualified, as the DIY backend names it.
        coexistenceStack: `organization/${COEX_PROJECT}/${coexistence.name}`,
        continueWithGoodRows,
      },
    });
  /** `coex <args>` in the wave stack's environment (file backend, passphrase). */
  const coex = (args: string[]): Promise<PulumiResult> => wave.coexAsGiven(args);
  const report = (format: string) =>
    coex(["wave", "report", wave.name, "--config-file", wave.configFile, "--format", format]);

  before(async function () {
    samba = sambaOrSkip(this);
    for (const label of ["wva", "wvb", "wvc", "wvd"])
      scratches.push(await createScratchOu(samba.admin(), label));
    // BULK cloud-group users, one of an on-premises license group, one enabled beforehand.
    const bulk = await createRemoteMailboxUsers(samba.admin(), BULK + 2, "wvbulk");
    bulkCleanup = bulk.cleanup;
    estate = await reachBackEstate(samba);
    ({ pair, ad } = estate);
    const [a, b, c, d] = scratches;
    const cloud1 = await reachBackTestUser(estate, "cloud1", a.userDn);
    const cloud2 = await reachBackTestUser(estate, "cloud2", a.outsideUserDn);
    // Licensed directly with E5 (no group): its own assignment gets the scrubbing plans disabled.
    const direct = await reachBackTestUser(estate, "direct", b.userDn, async (id) => {
      await asEstate(pair, () =>
        graph().post(`/users/${id}/assignLicense`, {
          addLicenses: [{ skuId: E5.skuId, disabledPlans: [] }],
          removeLicenses: [],
        }),
      );
      for (let i = 0; i < 60; i++) {
        const u = await graph().get<GraphJson>(`/users/${id}?$select=licenseAssignmentStates`);
        if (
          u.licenseAssignmentStates?.some(
            (s: GraphJson) => s.assignedByGroup === null && s.state === "Active",
          )
        )
          return;
        await new Promise((r) => setTimeout(r, 500));
      }
      assert.fail("the direct license never became active");
    });
    noTarget = await reachBackTestUser(estate, "notarget", b.outsideUserDn);
    const cloud3 = await reachBackTestUser(estate, "cloud3", c.userDn);
    refused = cloud3;
    // The third-party path: the source mailbox is already gone (the emulator's users have none).
    const thirdParty = await reachBackTestUser(estate, "thirdparty", d.userDn);
    const bulkUsers: ReachBackTestUser[] = [];
    for (let i = 0; i < BULK; i += 8) {
      bulkUsers.push(
        ...(await Promise.all(
          bulk.users
            .slice(i, Math.min(i + 8, BULK))
            .map((u, j) => reachBackTestUser(estate, `bulk${i + j}`, u.dn)),
        )),
      );
    }
    // An on-premises license group: the user is in LIC-M365-E5 in AD; the synced groups assign E5
    // (the reach-back one without the plans that trigger scrubbing), as the coexistence stack leaves them.
    const groupId = async (name: string) =>
      (await graph().list<{ id: string }>(`/groups?$filter=displayName eq '${name}'&$select=id`))[0].id;
    const originalAd = await ad.findGroupByName("LIC-M365-E5");
    assert.ok(originalAd);
    const onPremUser = bulk.users[BULK];
    const onPrem = await reachBackTestUser(estate, "onprem", onPremUser.dn, async () => {
      await ad.addGroupMember(originalAd.dn, onPremUser.dn);
      await estate.engine.requestCycle();
    });
    const onPremOriginal = await groupId("LIC-M365-E5");
    const onPremReachBack = await groupId("LIC-M365-E5-ReachBack");
    await asEstate(pair, async () => {
      await graph().post(`/groups/${onPremOriginal}/assignLicense`, {
        addLicenses: [{ skuId: E5.skuId, disabledPlans: [] }],
        removeLicenses: [],
      });
      await graph().post(`/groups/${onPremReachBack}/assignLicense`, {
        addLicenses: [{ skuId: E5.skuId, disabledPlans: SCRUBBING_PLANS }],
        removeLicenses: [],
      });
    });
    const mapping = {
      [estate.originalGroup]: estate.reachBackGroup,
      [onPremOriginal]: onPremReachBack,
    };
    for (let i = 0; i < 60; i++) {
      const u = await graph().get<GraphJson>(`/users/${onPrem.cloudId}?$select=licenseAssignmentStates`);
      if (u.licenseAssignmentStates?.some((x: GraphJson) => x.assignedByGroup === onPremOriginal)) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    beforehand = await reachBackTestUser(estate, "beforehand", bulk.users[BULK + 1].dn);
    await enableBeforehand(samba, pair, [beforehand], mapping);
    beforehandUsn = (await ad.getUser(beforehand.dn))?.usnChanged;

    dir = workDir("waves");
    mkdirSync(path.join(dir, "waves"), { recursive: true });
    csvPath = path.join(dir, "waves", "wave-e2e.csv");
    const line = (u: ReachBackTestUser, target = u.target, migration = "") =>
      [u.upn, target, u.routing, migration].join(",");
    // Rows: 2 cloud1, 3 a bad address, 4 cloud2 (crossTenant said), 5 direct, 6 no target identity,
    // 7 cloud3, 8 to 48 the bulk of cloud-group users, 49 on-premises group, 50 third-party path,
    // 51 enabled beforehand.
    writeFileSync(
      csvPath,
      `\uFEFF${[
        HEADER,
        line(cloud1),
        "bad.address@fabrikam.example,not-an-address,bad.address@contoso.mail.onmicrosoft.com,",
        line(cloud2, cloud2.target, "crossTenant"),
        line(direct),
        line(noTarget, `nobody-${noTarget.alias}@${TARGET_DOMAIN}`),
        `"${cloud3.upn}",${cloud3.target},${cloud3.routing},`,
        ...bulkUsers.map((u) => line(u)),
        line(onPrem),
        line(thirdParty, thirdParty.target, "thirdParty"),
        line(beforehand),
      ].join("\r\n")}\r\n`,
    );
    good = [
      { row: 2, user: cloud1 },
      { row: 4, user: cloud2 },
      { row: 5, user: direct },
      { row: 7, user: cloud3 },
      ...bulkUsers.map((user, i) => ({ row: 8 + i, user })),
      { row: 49, user: onPrem },
      { row: 50, user: thirdParty },
      { row: 51, user: beforehand },
    ];
    assert.equal(good.length + 2, ROWS);

    // The coexistence stack: another project on the same backend, already up with its outputs.
    const programDir = workDir("program-wave-coex");
    writeFileSync(
      path.join(programDir, "Pulumi.yaml"),
      [
        `name: ${COEX_PROJECT}`,
        "runtime:",
        "  name: nodejs",
        "  options:",
        "    typescript: false",
        `main: ${path.join(repoRoot, "dist/test/e2e/programs/coexistenceOutputs.js")}`,
        "",
      ].join("\n"),
    );
    const id = Date.now().toString(36);
    coexistence = new PulumiStack(`wcx${id}`, dir, programDir);
    await coexistence.init();
    writeFileSync(
      coexistence.configFile,
      JSON.stringify({
        config: {
          [`${COEX_PROJECT}:sourceTenantId`]: pair.connections.source.tenantId,
          [`${COEX_PROJECT}:targetTenantId`]: pair.connections.target.tenantId,
          [`${COEX_PROJECT}:licenseGroupMapping`]: mapping,
        },
      }),
    );
    await coexistence.expect(["up", "--yes"]);

    wave = new PulumiStack(`wave${id}`, dir);
    await wave.init();
    config = reachBackConfig(samba, pair, deltaSyncHook(pair));
  });

  after(async () => {
    wave?.dispose();
    await ad?.close();
    for (const s of scratches) await s.cleanup().catch(() => undefined);
    await bulkCleanup?.().catch(() => undefined);
    await pair?.close();
  });

  it("preview lists exactly the two bad rows (one from the CSV, one from the preconditions) and writes nothing", async () => {
    writeWaveConfig(false);
    const usns = await adUsns();
    noTargetUsn = usns[usns.length - 1];
    const since = logLength();
    const r = await wave.run(["preview"]);
    assert.notEqual(r.code, 0, r.output);
    const rows = r.output.split("\n").filter((l) => /^\s*- row \d+ \(/.test(l));
    assert.deepEqual(
      rows.map((l) => l.match(/row (\d+)/)?.[1]),
      ["3", "6"],
      r.output,
    );
    assert.match(
      rows[0],
      /row 3 \(bad\.address@fabrikam\.example\): targetEmailAddress "not-an-address" must be an SMTP address/,
    );
    assert.match(rows[1], new RegExp(`row 6 \\(${noTarget.upn.replace(/\./g, "\\.")}\\): .*target tenant`));
    assert.match(r.output, /2 bad row\(s\); nothing was written/);
    assert.match(r.output, /continueWithGoodRows/);
    assert.deepEqual(writesSince(since), [], "no write to either tenant");
    assert.deepEqual(await adUsns(), usns, "nothing written to AD");
    const state = await wave.exportState();
    assert.equal(
      (state.deployment.resources ?? []).filter((x) => String(x.type).endsWith(":ReachBackUser")).length,
      0,
      "no user registered",
    );
  });

  it("up with continueWithGoodRows warns about the bad rows and enables the good users; a failed one fails alone", async () => {
    // Another object of the source tenant holds row 7's target address: Graph refuses its invitation.
    const holder = (await emulatorAdmin(pair, "source", "POST", "/users", {
      userPrincipalName: `holder-${refused.alias}@fabrikam.example`,
      mail: refused.target,
    })) as GraphJson;
    holderId = holder.id;
    writeWaveConfig(true);
    const since = logLength();
    const up = await wave.run(["up", "--yes", "--parallel", String(ROWS)]);
    assert.notEqual(up.code, 0, up.output);
    assert.match(up.output, /reach-back progress: \d+ users: /, "the display counts the users per step");
    assert.deepEqual(
      writesSince(since).filter((w) => w.path.includes(beforehand.cloudId)),
      [],
      "the user enabled beforehand: nothing written in Graph",
    );
    assert.equal((await ad.getUser(beforehand.dn))?.usnChanged, beforehandUsn, "nor in AD");
    assert.match(up.output, /2 bad row\(s\), left out of this run/);
    assert.match(up.output, new RegExp(`${refused.upn}: step "invited" failed`));
    for (const { user } of good.filter((g) => g.user !== refused)) {
      const u = await ad.getUser(user.dn);
      assert.equal(u?.targetAddress, `SMTP:${user.routing}`, user.name);
      const cloud = await graph().get<GraphJson>(`/users/${user.cloudId}?$select=externalUserState`);
      assert.equal(cloud.externalUserState, "Accepted", user.name);
    }
    const state = await wave.exportState();
    assert.deepEqual(
      state.deployment.resources
        .filter((x) => String(x.type).endsWith(":ReachBackUser"))
        .map((x) => String(x.urn).split("::").pop())
        .sort(),
      good
        .filter((g) => g.user !== refused)
        .map((g) => g.user.upn.toLowerCase())
        .sort(),
      "the failed create left no resource",
    );
  });

  it("coex wave report shows the failed user's step and error from the journal", async () => {
    const csv = await report("csv");
    assert.equal(csv.code, 0, csv.output);
    const row7 = parseCsv(csv.stdout)
      .map((r) => r.fields ?? [])
      .find((f) => f[0] === "7");
    assert.ok(row7, csv.stdout);
    assert.equal(row7[1], refused.upn);
    assert.equal(row7[3], "synced", "the swap was synced; the invitation failed");
    assert.match(row7[4], /in progress \(no resource: its create failed\)/);
    assert.match(row7[5], /^at invitation sent: .*already exists in the directory/);
    const table = await report("table");
    assert.match(
      table.stdout,
      new RegExp(`${ROWS} user\\(s\\); not started: 2, synced: 1, verified: ${ROWS - 3}`),
    );
  });

  it("the re-run after the fix retries only the failed user", async () => {
    await graph().delete(`/users/${holderId}`);
    const others = good.filter((g) => g.user !== refused).map((g) => g.user);
    const usns = await Promise.all(others.map(async (u) => (await ad.getUser(u.dn))?.usnChanged));
    const since = logLength();
    const up = await wave.expect(["up", "--yes", "--parallel", String(ROWS)]);
    assert.match(up.output, new RegExp(`${refused.upn}: continuing from where AD and Entra ID are`));
    assert.deepEqual(
      await Promise.all(others.map(async (u) => (await ad.getUser(u.dn))?.usnChanged)),
      usns,
      "the users that had succeeded: nothing written in AD",
    );
    const invitations = writesSince(since).filter((r) => r.path.startsWith("/v1.0/invitations"));
    assert.equal(invitations.length, 1, "one invitation: the failed user's");
    for (const w of writesSince(since)) {
      for (const u of others)
        assert.ok(!w.path.includes(u.cloudId), `no write to ${u.name}: ${w.method} ${w.path}`);
    }
  });

  it("every good user is enabled; the bad rows' users are untouched", async () => {
    for (const { user } of good) {
      const u = await ad.getUser(user.dn);
      assert.equal(u?.targetAddress, `SMTP:${user.routing}`, user.name);
      assert.ok(
        u?.proxyAddresses.includes(`smtp:${user.target}`),
        `${user.name}: the target address kept as a secondary`,
      );
      const cloud = await graph().get<GraphJson>(`/users/${user.cloudId}?$select=externalUserState,mail`);
      assert.equal(cloud.externalUserState, "Accepted", user.name);
    }
    // The bad rows' users were never touched.
    const untouched = await ad.getUser(noTarget.dn);
    assert.equal(
      untouched?.usnChanged,
      noTargetUsn,
      "the user left out by its preconditions: nothing written",
    );
    assert.equal(untouched?.targetAddress, noTarget.before.targetAddress);
    const state = await wave.exportState();
    const users = state.deployment.resources.filter((x) => String(x.type).endsWith(":ReachBackUser"));
    assert.deepEqual(
      users.map((x) => String(x.urn).split("::").pop()).sort(),
      good.map((g) => g.user.upn.toLowerCase()).sort(),
      "one ReachBackUser per good row, named after the source UPN",
    );
    const outputs = (await wave.run(["stack", "output", "--json"])).stdout;
    assert.deepEqual(JSON.parse(outputs).waveSteps, { verified: ROWS - 2 });
    assert.deepEqual(JSON.parse(outputs).waveBadRows, [3, 6]);
  });

  it("refresh shows no drift, and a second up writes nothing", async () => {
    await wave.expect(["refresh", "--preview-only", "--expect-no-changes"]);
    const usns = await adUsns();
    const since = logLength();
    await wave.expect(["up", "--yes", "--parallel", String(ROWS)]);
    assert.deepEqual(writesSince(since), [], "no write to either tenant");
    assert.deepEqual(await adUsns(), usns, "nothing written to AD");
  });

  it("coex wave report matches the state and the tenants, as a table, Markdown and CSV", async () => {
    const state = await wave.exportState();
    const outputsOf = new Map(
      state.deployment.resources
        .filter((x) => String(x.type).endsWith(":ReachBackUser"))
        .map((x) => {
          const o = x.outputs as Record<string, string>;
          return [o.sourceUserPrincipalName.toLowerCase(), o];
        }),
    );
    const csv = await report("csv");
    assert.equal(csv.code, 0, csv.output);
    const records = parseCsv(csv.stdout).map((r) => r.fields ?? []);
    assert.deepEqual(records[0], ["row", "user", "target", "step", "state", "error"]);
    const byRow = new Map(records.slice(1).map((f) => [Number(f[0]), f]));
    assert.deepEqual(
      [...byRow.keys()],
      Array.from({ length: ROWS }, (_, i) => i + 2),
    );
    for (const { row, user } of good) {
      const [, upn, target, step, stateText, error] = byRow.get(row) ?? [];
      assert.equal(upn, user.upn);
      assert.equal(target, user.target);
      assert.equal(step, "verified");
      assert.equal(stateText, outputsOf.get(user.upn.toLowerCase())?.state);
      const cloud = await graph().get<GraphJson>(`/users/${user.cloudId}?$select=externalUserState`);
      assert.match(stateText, new RegExp(`externalUserState ${cloud.externalUserState}`));
      assert.equal(error, "");
    }
    assert.deepEqual(byRow.get(3)?.slice(3, 5), ["not started", "bad row"]);
    assert.match(byRow.get(3)?.[5] ?? "", /targetEmailAddress "not-an-address" must be an SMTP address/);
    // Left out by its preconditions at preview: never attempted, nothing in the journal.
    assert.deepEqual(byRow.get(6)?.slice(1, 5), [
      noTarget.upn,
      `nobody-${noTarget.alias}@${TARGET_DOMAIN}`,
      "not started",
      "not started",
    ]);

    const table = await report("table");
    assert.equal(table.code, 0, table.output);
    assert.match(table.stdout, new RegExp(`${ROWS} user\\(s\\); not started: 2, verified: ${ROWS - 2}`));
    for (const { user } of good)
      assert.match(table.stdout, new RegExp(`${user.upn.replace(/\./g, "\\.")}\\s+\\S+\\s+verified`));

    const md = await report("markdown");
    assert.equal(md.code, 0, md.output);
    assert.match(md.stdout, new RegExp(`\\| verified \\| ${ROWS - 2} \\|`));
    assert.match(md.stdout, /\| not started \| 2 \|/);
    const mdRows = md.stdout.split("\n").filter((l) => /^\| \d+ \|/.test(l));
    assert.equal(mdRows.length, ROWS);
  });

  it("coex wave new refuses a bad CSV, naming every bad row, and creates nothing", async () => {
    const bad = path.join(dir, "bad.csv");
    writeFileSync(
      bad,
      `${HEADER}\nx@fabrikam.example,x@contoso.example,x@contoso.mail.onmicrosoft.com,\nbroken,"open\n`,
    );
    const configFile = path.join(dir, "Pulumi.wave-bad.yaml");
    const r = await coex(["wave", "new", "wave-bad", bad, "--config-file", configFile]);
    assert.equal(r.code, 1, r.output);
    assert.match(r.stdout, /nothing was created/);
    assert.match(
      r.stdout,
      /row 3 \(no user\): cannot be read \(line 3\); the quote opened on line 3 is never closed/,
    );
    assert.ok(!existsSync(configFile), "no configuration written");
    assert.ok(!existsSync(path.join(dir, "waves", "wave-bad.csv")), "the CSV not copied");
    const stacks = await wave.run(["stack", "ls", "--json"]);
    assert.ok(!stacks.stdout.includes("wave-bad"), "no stack made");
  });

  it("a coexistence stack of other tenants is refused at preview, naming both, and nothing is written", async () => {
    const other = "0b9e3c1a-7d2f-4e5a-9c8b-1a2b3c4d5e6f";
    writeFileSync(
      coexistence.configFile,
      JSON.stringify({
        config: {
          [`${COEX_PROJECT}:sourceTenantId`]: other,
          [`${COEX_PROJECT}:targetTenantId`]: pair.connections.target.tenantId,
          [`${COEX_PROJECT}:licenseGroupMapping`]: { [estate.originalGroup]: estate.reachBackGroup },
        },
      }),
    );
    await coexistence.expect(["up", "--yes"]);
    const since = logLength();
    const r = await wave.run(["preview"]);
    assert.notEqual(r.code, 0, r.output);
    assert.match(
      r.output,
      new RegExp(
        `the wave's tenants are not the coexistence stack's .*entra-coexistence:source\\.tenantId is ${pair.connections.source.tenantId}, stack \\S+'s source is ${other}`,
      ),
    );
    assert.deepEqual(writesSince(since), []);
  });
});
