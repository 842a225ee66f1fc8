// `coex verify-reach-back` through its real command line on users enabled by the real pulumi CLI
// (the ReachBackUser test program, the emulator with Entra Connect syncing the Samba AD): an
// enabled user passes every check of seed 000's test; one thing broken by hand (targetAddress
// cleared in AD, the user back in the original group, the target address primary again in AD and
// synced) fails exactly the check it breaks, with the fix; a redemption pending the first sign-in
// is reported as such and passes; a user never processed fails; a user the tenant does not have
// exits 2 naming it.
import assert from "node:assert/strict";
import * as path from "node:path";
import type { EntraConnectSync } from "../../emulator/entraConnect";
import { makePrimarySmtp } from "../../lib/addresses/proxyAddresses";
import type { DirectoryClient } from "../../lib/directory/client";
import { createScratchOu, type ScratchOu } from "../support/directoryFixtures";
import { type PulumiResult, type PulumiStack, repoRoot } from "../support/pulumi";
import {
  declareUsers,
  deltaSyncHook,
  reachBackConfig,
  reachBackEstate,
  reachBackStack,
  reachBackTestUser,
  type ReachBackTestUser as TestUser,
} from "../support/reachBack";
import { type SambaUnderTest, sambaOrSkip } from "../support/samba";
import { emulatorAdmin, type TenantPairUnderTest } from "../support/tenantPairs";

const PROJECT = "verify-reach-back-test";

/** The rows of one user's table: check name → result and the text after it (detail and fix). */
function rowsOf(out: string): Map<string, { result: string; text: string }> {
  const rows = new Map<string, { result: string; text: string }>();
  let last: { result: string; text: string } | undefined;
  for (const line of out.split("\n")) {
    const m = line.match(/^ {2}(\d) +(.+?) {2,}(pass|fail|pending|skipped) +(.*)$/);
    if (m) {
      last = { result: m[3], text: m[4] };
      rows.set(m[2].trim(), last);
    } else if (last && /^ {4,}\S/.test(line)) last.text += `\n${line.trim()}`;
    else last = undefined;
  }
  return rows;
}

const CHECKS = [
  "procedure completed",
  "original license group left",
  "reach-back license group joined",
  "reach-back license active",
  "AD mail user",
  "AD targetAddress",
  "swap and invitation recorded",
  "AD primary reverted",
  "Entra ID mail reverted",
  "B2B external member",
];

describe("e2e: coex verify-reach-back (verifyReachBack) on users enabled through the pulumi CLI", function () {
  this.timeout(600_000);
  let samba: SambaUnderTest;
  let pair: TenantPairUnderTest;
  let engine: EntraConnectSync;
  let scratch: ScratchOu;
  let scratch2: ScratchOu;
  let stack: PulumiStack;
  let ad: DirectoryClient;
  let config: Record<string, unknown>;
  let originalGroup: string;
  let reachBackGroup: string;
  let adele: TestUser;
  let pending: TestUser;
  let never: TestUser;

  const graph = () => pair.graph("source");
  const declared = (u: TestUser) => ({
    name: u.name,
    sourceUserPrincipalName: u.upn,
    targetEmailAddress: u.target,
    coexRoutingAddress: u.routing,
    licenseGroupMapping: { [originalGroup]: reachBackGroup },
  });
  const verify = (...users: string[]): Promise<PulumiResult> => stack.coex(["verify-reach-back", ...users]);
  /** Runs the command for one user, expects `code`, and returns its rows. */
  const verified = async (u: TestUser, code: number) => {
    const r = await verify(u.upn);
    assert.equal(r.code, code, r.output);
    const rows = rowsOf(r.stdout);
    assert.deepEqual([...rows.keys()], CHECKS, r.stdout);
    return { rows, out: r.stdout };
  };
  const failing = (rows: Map<string, { result: string }>) =>
    [...rows].filter(([, v]) => v.result === "fail").map(([k]) => k);

  before(async function () {
    samba = sambaOrSkip(this);
    scratch = await createScratchOu(samba.admin(), "vrb");
    scratch2 = await createScratchOu(samba.admin(), "vrb2");
    ({ pair, engine, ad, originalGroup, reachBackGroup } = await reachBackEstate(samba));
    const estate = { pair, engine, ad, originalGroup, reachBackGroup };
    adele = await reachBackTestUser(estate, "adele", scratch.userDn);
    pending = await reachBackTestUser(estate, "pending", scratch.outsideUserDn);
    never = await reachBackTestUser(estate, "never", scratch2.userDn);
    ({ stack } = await reachBackStack(PROJECT, "vrb"));
    config = reachBackConfig(samba, pair, deltaSyncHook(pair));
    // coex runs in the test program's directory: the credential files by absolute path.
    for (const role of ["source", "target"] as const) {
      const conn = config[role] as { credential: { certificatePath: string } };
      conn.credential.certificatePath = path.resolve(repoRoot, conn.credential.certificatePath);
    }
    declareUsers(stack, config, [declared(adele)]);
    await stack.expect(["up", "--yes"]);
  });

  after(async () => {
    await ad?.close();
    await scratch?.cleanup().catch(() => undefined);
    await scratch2?.cleanup().catch(() => undefined);
    await pair?.close();
  });

  it("passes every check of seed 000's test on a user pulumi up enabled (exit 0), writing nothing", async () => {
    const since = pair.emulator?.http.log.length ?? 0;
    const usn = (await ad.getUser(adele.dn))?.usnChanged;
    const { rows, out } = await verified(adele, 0);
    const writes = (pair.emulator?.http.log ?? []).slice(since).filter((r) => r.method !== "GET");
    assert.deepEqual(writes, [], "read-only in both tenants");
    assert.ok(since > 0 && (pair.emulator?.http.log.length ?? 0) > since, "it read the tenants");
    assert.equal((await ad.getUser(adele.dn))?.usnChanged, usn, "nothing written to AD");
    assert.deepEqual(failing(rows), [], out);
    for (const [check, row] of rows) assert.equal(row.result, "pass", `${check}: ${out}`);
    assert.match(out, new RegExp(`target ${adele.target}, routing ${adele.routing}`));
    assert.match(rows.get("AD targetAddress")?.text ?? "", new RegExp(`SMTP:${adele.routing}`));
    assert.match(rows.get("reach-back license group joined")?.text ?? "", /LIC-RB-E5-ReachBack/);
    assert.match(
      rows.get("swap and invitation recorded")?.text ?? "",
      /target address made primary #\d+ .*, invitation #\d+ .*, reverted #\d+/,
    );
    assert.match(
      rows.get("B2B external member")?.text ?? "",
      /linked and redeemed \(externalUserState Accepted/,
    );
    assert.match(out, /^all 10 checks passed for 1 user\(s\)$/m);
  });

  it("fails the targetAddress check, naming it and the fix, when targetAddress is cleared in AD (exit 1)", async () => {
    await ad.writeExchangeAttributes(adele.dn, { targetAddress: null });
    try {
      const { rows, out } = await verified(adele, 1);
      assert.deepEqual(failing(rows), ["AD targetAddress"], out);
      const row = rows.get("AD targetAddress")?.text ?? "";
      assert.match(row, new RegExp(`targetAddress is not set, not SMTP:${adele.routing}`));
      assert.match(row, /fix: run `pulumi up --refresh --stack test-vrb/);
      assert.match(out, new RegExp(`^1 of 10 checks failed: ${adele.upn} \\(AD targetAddress\\)$`, "m"));
    } finally {
      await ad.writeExchangeAttributes(adele.dn, { targetAddress: `SMTP:${adele.routing}` });
    }
  });

  it("fails the license check when the user is back in the original group (exit 1)", async () => {
    await graph().post(`/groups/${originalGroup}/members/$ref`, {
      "@odata.id": `${graph().baseUrl}v1.0/directoryObjects/${adele.cloudId}`,
    });
    try {
      const { rows, out } = await verified(adele, 1);
      assert.deepEqual(failing(rows), ["original license group left"], out);
      assert.match(rows.get("original license group left")?.text ?? "", /still in LIC-RB-E5 \(/);
    } finally {
      await graph().delete(`/groups/${originalGroup}/members/${adele.cloudId}/$ref`);
    }
  });

  it("fails the revert checks when the target address is primary again in AD and synced (exit 1)", async () => {
    const now = await ad.getUser(adele.dn);
    assert.ok(now);
    await ad.writeExchangeAttributes(adele.dn, {
      mail: adele.target,
      proxyAddresses: makePrimarySmtp(now.proxyAddresses, adele.target),
    });
    try {
      await engine.requestCycle();
      const { rows, out } = await verified(adele, 1);
      assert.deepEqual(failing(rows), ["AD primary reverted", "Entra ID mail reverted"], out);
      const row = rows.get("AD primary reverted")?.text ?? "";
      assert.match(row, /THE TARGET ADDRESS IS PRIMARY/);
      assert.match(row, /fix: run `pulumi up --stack test-vrb\S*` now: it reverts the primary/);
      assert.match(
        rows.get("Entra ID mail reverted")?.text ?? "",
        new RegExp(`Entra ID shows mail ${adele.target}`),
      );
    } finally {
      await ad.writeExchangeAttributes(adele.dn, {
        mail: now.mail ?? null,
        proxyAddresses: now.proxyAddresses,
      });
      await engine.requestCycle();
    }
    const { rows } = await verified(adele, 0);
    assert.deepEqual(failing(rows), [], "as enabled again once put back");
  });

  it("reports a redemption pending the first sign-in as such, not as a failure (exit 0)", async () => {
    await emulatorAdmin(pair, "source", "PATCH", "/invitations", { automaticRedemption: "firstSignIn" });
    try {
      declareUsers(stack, config, [declared(adele), declared(pending)]);
      await stack.expect(["up", "--yes"]);
    } finally {
      await emulatorAdmin(pair, "source", "PATCH", "/invitations", { automaticRedemption: "immediate" });
    }
    const { rows, out } = await verified(pending, 0);
    assert.deepEqual(failing(rows), [], out);
    const b2b = rows.get("B2B external member");
    assert.equal(b2b?.result, "pending", out);
    assert.match(
      b2b?.text ?? "",
      /enabled, pending first sign-in: invited; redemption pending the user's first sign-in \(externalUserState PendingAcceptance\); automatic redemption is allowed on both sides/,
    );
    assert.match(out, /all 10 checks passed for 1 user\(s\) \(1 pending the user's first sign-in\)/);
  });

  it("fails a user the stack never processed, saying so (exit 1)", async () => {
    const { rows, out } = await verified(never, 1);
    assert.match(out, new RegExp(`${never.upn}: the user is not declared in stack test-vrb`));
    assert.match(
      rows.get("procedure completed")?.text ?? "",
      new RegExp(
        `never processed by stack test-vrb\\S*: the journal has no records for ${never.upn.toLowerCase()}`,
      ),
    );
    assert.equal(rows.get("procedure completed")?.result, "fail");
    assert.equal(rows.get("AD targetAddress")?.result, "fail", "no routing address to compare with");
    assert.equal(rows.get("B2B external member")?.result, "fail");
    assert.match(rows.get("B2B external member")?.text ?? "", /not linked \(externalUserState null\)/);
  });

  it("exits 2 naming a user the source tenant does not have, and still checks the others", async () => {
    const nobody = "nobody.here@fabrikam.example";
    const r = await verify(adele.upn, nobody);
    assert.equal(r.code, 2, r.output);
    assert.match(r.stdout, new RegExp(`${nobody}: no such user in the source tenant .* nor in AD`));
    assert.match(r.stdout, /1 user\(s\) not checked: not in the source tenant/);
    assert.deepEqual(failing(rowsOf(r.stdout)), [], "adele was checked and passed");
    const none = await stack.coex(["verify-reach-back"]);
    assert.equal(none.code, 2, none.output);
    assert.match(none.stderr, /missing required argument 'user'/);
  });
});
