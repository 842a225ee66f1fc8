// Change review and drift reports end to end through the real pulumi CLI, on stacks made like the
// sandbox's: a coexistence stack of the product's program (the paired cross-tenant settings) and
// a wave stack of the product's program (a CSV of users, its coexistence stack by reference; the
// reference's outputs come from a small program, as in the waves suite). `coex review` turns both
// previews into the reviewer's Markdown (the wave's users, the bad row the preview left out, a
// deletion called out first, a policy violation with its own exit code, a wave the preview
// refuses); `coex drift` reports a hand change on each stack, declared against live, in all three
// formats, without writing the state.
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { createScratchOu, type ScratchOu } from "../support/directoryFixtures";
import { driftEntries } from "../support/drift";
import {
  type PulumiResult,
  PulumiStack,
  REACH_BACK_SETTINGS,
  repoRoot,
  stackConfigFor,
} from "../support/pulumi";
import {
  deltaSyncHook,
  type ReachBackEstate,
  type ReachBackTestUser,
  reachBackConfig,
  reachBackEstate,
  reachBackTestUser,
} from "../support/reachBack";
import { type SambaUnderTest, sambaOrSkip } from "../support/samba";
import { type TenantPairUnderTest, workDir } from "../support/tenantPairs";

// biome-ignore lint/suspicious/noExplicitAny: assertions walk Graph's JSON freely
type GraphJson = any;
// The project name is the test program's configuration namespace.
const COEX_PROJECT = "wave-coex-test";
const HEADER = "sourceUserPrincipalName,targetEmailAddress,coexRoutingAddress,mailboxMigration";
const BAD_ROW = "bad.address@fabrikam.example,not-an-address,bad.address@contoso.mail.onmicrosoft.com,";

/** ENTRA_COEX_CAPTURE_DIR keeps the CLI's JSON and the reports, to refresh fixtures and the README. */
function capture(name: string, text: string): void {
  const dir = process.env.ENTRA_COEX_CAPTURE_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, name), text);
}

describe("e2e: change review and drift reports (coex review, coex drift)", function () {
  this.timeout(900_000);
  let samba: SambaUnderTest;
  let scratch: ScratchOu;
  let estate: ReachBackEstate;
  let pair: TenantPairUnderTest;
  let users: ReachBackTestUser[];
  let coexistence: PulumiStack;
  let wave: PulumiStack;
  let csvPath: string;
  /** The stack standing in for the coexistence stack's outputs. */
  let outputsName: string;

  const graph = () => pair.graph("source");
  const writeCsv = (rows: string[]) => writeFileSync(csvPath, `${[HEADER, ...rows].join("\n")}\n`);
  const row = (u: ReachBackTestUser) => [u.upn, u.target, u.routing, ""].join(",");
  const writeWaveConfig = (continueWithGoodRows: boolean, coexName: string) =>
    wave.writeConfig({
      ...reachBackConfig(samba, pair, deltaSyncHook(pair)),
      wave: {
        csv: csvPath,
        coexistenceStack: `organization/${COEX_PROJECT}/${coexName}`,
        continueWithGoodRows,
      },
    });
  /** `coex <args>` with the stacks' backend (one state directory for all three). */
  const coex = (args: string[]): Promise<PulumiResult> => wave.coexAsGiven(args);
  const both = () => [
    "--stack",
    coexistence.name,
    wave.name,
    "--config-file",
    coexistence.configFile,
    wave.configFile,
  ];

  before(async function () {
    samba = sambaOrSkip(this);
    scratch = await createScratchOu(samba.admin(), "rva");
    estate = await reachBackEstate(samba);
    pair = estate.pair;
    users = [
      await reachBackTestUser(estate, "rv1", scratch.userDn),
      await reachBackTestUser(estate, "rv2", scratch.outsideUserDn),
    ];
    const dir = workDir("review");
    mkdirSync(path.join(dir, "waves"), { recursive: true });
    csvPath = path.join(dir, "waves", "wave-review.csv");
    writeCsv([row(users[0]), BAD_ROW, row(users[1])]);

    const programDir = workDir("program-review-coex");
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
    const outputs = new PulumiStack(`rvo${id}`, dir, programDir);
    await outputs.init();
    writeFileSync(
      outputs.configFile,
      JSON.stringify({
        config: {
          [`${COEX_PROJECT}:sourceTenantId`]: pair.connections.source.tenantId,
          [`${COEX_PROJECT}:targetTenantId`]: pair.connections.target.tenantId,
          [`${COEX_PROJECT}:licenseGroupMapping`]: { [estate.originalGroup]: estate.reachBackGroup },
        },
      }),
    );
    await outputs.expect(["up", "--yes"]);

    coexistence = new PulumiStack(`rvc${id}`, dir);
    await coexistence.init();
    coexistence.writeConfig(stackConfigFor(pair, REACH_BACK_SETTINGS));
    wave = new PulumiStack(`rvw${id}`, dir);
    await wave.init();
    writeWaveConfig(true, outputs.name);
    outputsName = outputs.name;
  });

  after(async () => {
    coexistence?.dispose();
    wave?.dispose();
    await estate?.ad.close();
    await scratch?.cleanup().catch(() => undefined);
    await pair?.close();
  });

  it("coex review of a new coexistence stack and its wave: what is created, the wave's users and the bad row the preview left out; exit 0", async () => {
    capture("preview-coexistence-create.json", (await coexistence.run(["preview", "--json"])).stdout);
    capture("preview-wave-create.json", (await wave.run(["preview", "--json"])).stdout);
    const r = await coex(["review", ...both()]);
    capture("review-create.md", r.stdout);
    assert.equal(r.code, 0, r.output);
    const md = r.stdout;
    assert.ok(md.includes(`| \`${coexistence.name}\` | 4 | 0 | **0** | **0** |`), md);
    assert.ok(md.includes(`| \`${wave.name}\` | 2 | 0 | **0** | **0** |`), md);
    assert.match(md, /### Replacements and deletions\n\nNone: nothing is replaced or deleted\./);
    assert.match(md, /### Policy\n\nEvery coexistence invariant holds\./);
    assert.match(md, /CrossTenantAccessPartner/);
    assert.match(md, /Wave: 2 users\./);
    for (const u of users) {
      assert.ok(
        md.includes(
          `| \`${u.upn}\` | \`${u.target}\` | \`${u.routing}\` | crossTenant | create | met (checked read-only at preview) |`,
        ),
        `${u.upn} in\n${md}`,
      );
    }
    // What the preview said of the bad row, as it said it.
    assert.match(
      md,
      /The preview warned:[\s\S]*1 bad row\(s\), left out of this run[\s\S]*row 3 \(bad\.address@fabrikam\.example\): targetEmailAddress "not-an-address" must be an SMTP address/,
    );
    const json = await coex(["review", ...both(), "--format", "json"]);
    assert.equal(json.code, 0, json.output);
    const parsed = JSON.parse(json.stdout);
    assert.deepEqual(parsed.violations, []);
    assert.deepEqual(
      parsed.stacks[1].wave.map((u: GraphJson) => u.sourceUserPrincipalName),
      users.map((u) => u.upn).sort(),
    );
  });

  it("coex review of a wave the preview refuses says what the preview said, and exits 2", async () => {
    writeWaveConfig(false, outputsName);
    const r = await coex(["review", "--stack", wave.name, "--config-file", wave.configFile]);
    capture("review-refused.md", r.stdout);
    assert.equal(r.code, 2, r.output);
    assert.ok(r.stdout.includes(`| \`${wave.name}\` | preview refused |`), r.stdout);
    assert.match(r.stdout, /The preview refused the stack, and nothing would be written/);
    assert.match(
      r.stdout,
      /1 bad row\(s\); nothing was written[\s\S]*row 3 \(bad\.address@fabrikam\.example\)/,
    );
    writeWaveConfig(true, outputsName);
  });

  it("after up, coex drift of both stacks finds none (exit 0); hand changes on each are drift, declared against live, in every format (exit 7), and nothing is written", async () => {
    await coexistence.expect(["up", "--yes"]);
    await wave.expect(["up", "--yes"]);
    const clean = await coex(["drift", ...both()]);
    assert.equal(clean.code, 0, clean.output);
    assert.deepEqual(clean.stdout.trim().split("\n"), [
      `no drift: stack ${coexistence.name} matches both tenants`,
      `no drift: stack ${wave.name} matches both tenants`,
    ]);

    // By hand: the source stops trusting the target's MFA; a user is put back in the original group.
    assert.ok(pair.emulator);
    const res = await fetch(
      `${pair.emulator.url}/_emulator/tenants/${pair.connections.source.tenantId}/crossTenantAccessPolicy/partners/${pair.connections.target.tenantId}`,
      {
        method: "PATCH",
        headers: { "content-type": "application/json", "x-emulator-admin-key": pair.emulator.adminKey },
        body: JSON.stringify({
          inboundTrust: {
            isMfaAccepted: false,
            isCompliantDeviceAccepted: true,
            isHybridAzureADJoinedDeviceAccepted: true,
          },
        }),
      },
    );
    assert.equal(res.status, 204, await res.text());
    await graph().post(`/groups/${estate.originalGroup}/members/$ref`, {
      "@odata.id": `${graph().baseUrl}v1.0/directoryObjects/${users[0].cloudId}`,
    });
    const before = [await coexistence.exportState(), await wave.exportState()];
    capture(
      "preview-refresh-coexistence-drift.json",
      (await coexistence.run(["preview", "--refresh", "--json"])).stdout,
    );
    capture("preview-refresh-wave-drift.json", (await wave.run(["preview", "--refresh", "--json"])).stdout);

    const table = await coex(["drift", ...both()]);
    capture("drift.txt", table.stdout);
    assert.equal(table.code, 7, table.output);
    assert.match(
      table.stdout,
      new RegExp(`drift in stack ${coexistence.name}: 1 setting changed outside Pulumi \\(1 resource\\)`),
    );
    assert.match(
      table.stdout,
      /coexistence-source-partner +CrossTenantAccessPartner +settings\.inboundTrust\.isMfaAccepted +true +false/,
    );
    assert.match(table.stdout, new RegExp(`drift in stack ${wave.name}: `));

    const json = await coex(["drift", ...both(), "--format", "json"]);
    assert.equal(json.code, 7, json.output);
    const found = driftEntries(json.stdout);
    assert.ok(
      found.includes(
        "coexistence-source-partner CrossTenantAccessPartner settings.inboundTrust.isMfaAccepted declared true live false",
      ),
      found.join("\n"),
    );
    const userDrift = found.filter((l) =>
      l.startsWith(`${users[0].upn.toLowerCase()} ReachBackUser licenseGroups `),
    );
    assert.ok(userDrift.length > 0, found.join("\n"));
    assert.ok(!found.some((l) => l.startsWith(users[1].upn.toLowerCase())), "the other user has no drift");

    const md = await coex(["drift", ...both(), "--format", "markdown"]);
    capture("drift.md", md.stdout);
    assert.equal(md.code, 7, md.output);
    assert.ok(
      md.stdout.includes(
        "| `coexistence-source-partner` | CrossTenantAccessPartner | `settings.inboundTrust.isMfaAccepted` | `true` | `false` |",
      ),
      md.stdout,
    );
    assert.deepEqual(
      [await coexistence.exportState(), await wave.exportState()],
      before,
      "drift writes no state",
    );

    await coexistence.expect(["up", "--yes", "--refresh"]);
    await wave.expect(["up", "--yes", "--refresh"]);
    assert.equal((await coex(["drift", ...both()])).code, 0);
  });

  it("coex review names a policy violation, its resource and fix, and exits 8", async () => {
    coexistence.writeConfig(
      stackConfigFor(pair, {
        ...REACH_BACK_SETTINGS,
        inboundTrust: { ...REACH_BACK_SETTINGS.inboundTrust, isMfaAccepted: false },
      }),
    );
    capture("preview-coexistence-mfa-off.json", (await coexistence.run(["preview", "--json"])).stdout);
    const r = await coex(["review", ...both()]);
    capture("review-violation.md", r.stdout);
    assert.equal(r.code, 8, r.output);
    assert.match(r.stdout, /\*\*1 violation: do not apply\.\*\*/);
    assert.match(
      r.stdout,
      /`inbound-mfa-trust` in stack `[^`]+`, `coexistence-source-partner`: .*set entra-coexistence:crossTenantAccess\.inboundTrust\.isMfaAccepted to true/,
    );
    assert.ok(
      r.stdout.includes(
        "| `coexistence-source-partner` | CrossTenantAccessPartner | `settings.inboundTrust.isMfaAccepted` | `true` | `false` |",
      ),
      r.stdout,
    );
    coexistence.writeConfig(stackConfigFor(pair, REACH_BACK_SETTINGS));
  });

  it("coex review calls out a wave user's deletion before anything else", async () => {
    writeCsv([row(users[0])]);
    capture("preview-wave-delete.json", (await wave.run(["preview", "--json"])).stdout);
    const r = await coex(["review", ...both()]);
    capture("review-delete.md", r.stdout);
    assert.equal(r.code, 0, r.output);
    const risky = r.stdout.indexOf("### Replacements and deletions");
    const deleted = r.stdout.indexOf(
      `- **deleted**: \`${users[1].upn.toLowerCase()}\` (ReachBackUser) in stack \`${wave.name}\``,
    );
    assert.ok(risky >= 0 && deleted > risky && deleted < r.stdout.indexOf("### Policy"), r.stdout);
    assert.ok(
      r.stdout.includes(`| \`${users[1].upn}\` |`) &&
        r.stdout.includes("| delete | leaves the stack: left enabled as it is (no rollbackOnDelete) |"),
      r.stdout,
    );
    writeCsv([row(users[0]), BAD_ROW, row(users[1])]);
  });
});
