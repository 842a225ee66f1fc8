// Reach-back preconditions read from the emulated tenant pair and the real AD (Samba) synced into
// the source by Entra Connect: each unmet precondition is named, for its user, with the fix; a
// user that meets them all gets no line.
import assert from "node:assert/strict";
import { DEPLOYER_ROLES } from "../../emulator/tenantPair";
import { DirectoryClient } from "../../lib/directory/client";
import {
  checkPreconditions,
  describeProblem,
  type PreconditionContext,
} from "../../lib/reachBack/preconditions";
import { reachBackUserSchema } from "../../lib/reachBack/userSchema";
import { type SambaUnderTest, sambaOrSkip } from "../support/samba";
import { asEstate, emulatedPair, emulatorAdmin, type TenantPairUnderTest } from "../support/tenantPairs";

// biome-ignore lint/suspicious/noExplicitAny: assertions walk Graph's JSON freely
type Json = any;
const POLICY = "/policies/crossTenantAccessPolicy";

describe("integration: reach-back preconditions (emulator + Samba)", function () {
  this.timeout(120_000);
  let samba: SambaUnderTest;
  let pair: TenantPairUnderTest;
  let ad: DirectoryClient;
  let ctx: PreconditionContext;
  let licenseGroupId: string;
  const user = (upn: string, target: string, mapping: Record<string, string> = {}) =>
    reachBackUserSchema.parse({
      sourceUserPrincipalName: upn,
      targetEmailAddress: target,
      coexRoutingAddress: `${target.split("@")[0]}@contoso.mail.onmicrosoft.com`,
      licenseGroupMapping: mapping,
    });
  const check = async (users: ReturnType<typeof user>[], over: Partial<PreconditionContext> = {}) =>
    (await checkPreconditions(users, { ...ctx, ...over })).map(describeProblem);

  before(async function () {
    samba = sambaOrSkip(this);
    pair = await emulatedPair([...DEPLOYER_ROLES], {
      source: "fabrikam.example",
      target: "contoso.example",
    });
    const e = pair.emulator;
    assert.ok(e);
    // The modified sync rule B2B conversion needs: onPremisesUserPrincipalName is not written.
    await emulatorAdmin(pair, "source", "PATCH", "/entraConnect/settings", {
      writeOnPremisesUserPrincipalName: false,
    });
    const engine = e.attachEntraConnect(
      pair.connections.source.tenantId,
      samba.admin({ baseDn: samba.fabrikamOu }),
      { intervalMs: 60_000 },
    );
    await engine.requestCycle();
    await asEstate(pair, async () => {
      // The pairing reach-back needs, already in place.
      await pair.graph("source").post(`${POLICY}/partners`, {
        tenantId: pair.connections.target.tenantId,
        automaticUserConsentSettings: { inboundAllowed: true, outboundAllowed: false },
      });
      await pair.graph("target").post(`${POLICY}/partners`, {
        tenantId: pair.connections.source.tenantId,
        automaticUserConsentSettings: { inboundAllowed: false, outboundAllowed: true },
      });
      const group = (
        await pair.graph("source").list<Json>("/groups?$filter=displayName eq 'LIC-M365-E5'&$select=id")
      )[0];
      licenseGroupId = group.id;
      const e5 = (await pair.graph("source").list<Json>("/subscribedSkus")).find(
        (s: Json) => s.skuPartNumber === "SPE_E5",
      );
      await pair.graph("source").post(`/groups/${licenseGroupId}/assignLicense`, {
        addLicenses: [{ skuId: e5.skuId, disabledPlans: [] }],
        removeLicenses: [],
      });
    });
    // Group-based licensing is processed asynchronously: wait until Amara's license shows it.
    for (let i = 0; ; i++) {
      const amara = await pair
        .graph("source")
        .get<Json>("/users/amara.okafor@fabrikam.example?$select=id,licenseAssignmentStates");
      if ((amara.licenseAssignmentStates ?? []).some((l: Json) => l.assignedByGroup === licenseGroupId))
        break;
      assert.ok(i < 100, "the group's license reaches its members");
      await new Promise((r) => setTimeout(r, 200));
    }
    // Target identities: migrated (internal) users, and one still an external member from an
    // earlier B2B invitation.
    for (const alias of ["amara.okafor", "chen.wei"]) {
      await emulatorAdmin(pair, "target", "POST", "/users", {
        userPrincipalName: `${alias}@contoso.example`,
        mail: `${alias}@contoso.example`,
      });
    }
    await emulatorAdmin(pair, "target", "POST", "/users", {
      userPrincipalName: "dalia.haddad@contoso.example",
      mail: "dalia.haddad@contoso.example",
      external: { homeTenantId: pair.connections.source.tenantId, externalUserState: "Accepted" },
    });
    // A second domain the source has verified (an old brand).
    await emulatorAdmin(pair, "source", "POST", "/domains", { name: "fabrikam-legacy.example" });
    ad = new DirectoryClient(samba.serviceAccount());
    ctx = {
      source: pair.graph("source"),
      target: pair.graph("target"),
      sourceTenantId: pair.connections.source.tenantId,
      targetTenantId: pair.connections.target.tenantId,
      ad,
      userOus: [`OU=Migration Wave 01,${samba.fabrikamOu}`],
    };
  });
  after(async () => {
    await ad?.close();
    await pair?.close();
  });

  it("finds nothing wrong with a migrated user whose license group has its reach-back group", async () => {
    const mapping = { [licenseGroupId]: "5f0c2a4e-1b2c-4d3e-8f40-5a6b7c8d9e0f" };
    assert.deepEqual(
      await check([user("amara.okafor@fabrikam.example", "amara.okafor@contoso.example", mapping)]),
      [],
    );
  });

  it("names each unmet precondition for its user, with the fix", async () => {
    const problems = await check([
      // Licensed by LIC-M365-E5, which the (empty) mapping does not cover.
      user("amara.okafor@fabrikam.example", "amara.okafor@contoso.example"),
      user("nobody@fabrikam.example", "nobody@contoso.example"),
      user("dalia.haddad@fabrikam.example", "dalia.haddad@contoso.example", {
        [licenseGroupId]: licenseGroupId,
      }),
      user("chen.wei@fabrikam.example", "chen.wei@fabrikam-legacy.example", {
        [licenseGroupId]: licenseGroupId,
      }),
    ]);
    const expectations: Array<[string, RegExp]> = [
      [
        "amara",
        /^amara\.okafor@fabrikam\.example: is licensed by LIC-M365-E5 .* no reach-back group .*; run coex discover/,
      ],
      ["nobody", /^nobody@fabrikam\.example: does not exist in the source tenant; check the UPN/],
      ["nobody in AD", /^nobody@fabrikam\.example: is not found in Active Directory/],
      [
        "nobody in target",
        /^nobody@fabrikam\.example: has no user with the address nobody@contoso\.example in the target tenant/,
      ],
      [
        "dalia",
        /^dalia\.haddad@fabrikam\.example: the target identity .* is an external user in the target .*; convert it to an internal member first/,
      ],
      [
        "chen",
        /^chen\.wei@fabrikam\.example: the target address chen\.wei@fabrikam-legacy\.example is in fabrikam-legacy\.example, a domain verified in the source tenant/,
      ],
    ];
    for (const [what, pattern] of expectations) {
      assert.ok(
        problems.some((p) => pattern.test(p)),
        `${what}: ${pattern} in\n${problems.join("\n")}`,
      );
    }
    assert.equal(problems.length, expectations.length + 1, problems.join("\n")); // chen has no target user
  });

  it("does not refuse a direct license of a SKU the tenant lists; names a third-party user whose source mailbox is still in Exchange Online", async () => {
    const e3 = (await pair.graph("source").list<Json>("/subscribedSkus")).find(
      (x: Json) => x.skuPartNumber === "SPE_E3",
    );
    const emeka = await pair.graph("source").get<Json>("/users/emeka.nwosu@fabrikam.example?$select=id");
    await asEstate(pair, () =>
      pair.graph("source").post(`/users/${emeka.id}/assignLicense`, {
        addLicenses: [{ skuId: e3.skuId, disabledPlans: [] }],
        removeLicenses: [],
      }),
    );
    await emulatorAdmin(pair, "target", "POST", "/users", {
      userPrincipalName: "emeka.nwosu@contoso.example",
      mail: "emeka.nwosu@contoso.example",
    });
    // Emeka's source mailbox is still in Exchange Online: the third-party path is refused with the
    // seed's steps; once the mailbox is gone, the path has no objection.
    await emulatorAdmin(pair, "source", "PUT", `/users/${emeka.id}/mailbox`);
    const declared = {
      ...user("emeka.nwosu@fabrikam.example", "emeka.nwosu@contoso.example", {
        [licenseGroupId]: licenseGroupId,
      }),
      mailboxMigration: "thirdParty" as const,
    };
    const problems = await check([declared]);
    assert.deepEqual(
      problems.filter((p) => /licensed directly|SKU/.test(p)),
      [],
      "a direct license of a SKU the tenant lists is no precondition problem",
    );
    const thirdParty = problems.filter((p) => p.includes("thirdParty"));
    assert.equal(thirdParty.length, 1, problems.join("\n"));
    assert.ok(
      thirdParty[0].startsWith(
        'emeka.nwosu@fabrikam.example: uses mailboxMigration "thirdParty" and still has a mailbox in Exchange Online; ' +
          'the source mailbox must be gone first (seed 000, "Third-Party Mailbox Migration"); ',
      ),
      thirdParty[0],
    );
    for (const words of [
      "clear all its holds",
      "wait four hours",
      "ElcProcessingDisabled",
      "ComplianceTagHoldApplied",
    ]) {
      assert.ok(thirdParty[0].includes(words), `${words} in ${thirdParty[0]}`);
    }
    await emulatorAdmin(pair, "source", "DELETE", `/users/${emeka.id}/mailbox`);
    const gone = await check([declared]);
    assert.deepEqual(
      gone.filter((p) => /thirdParty|mailbox/.test(p)),
      [],
      "no line once the source mailbox is gone",
    );
  });

  it("says when the user is outside the OUs the automation may write", async () => {
    const problems = await check(
      [
        user("amara.okafor@fabrikam.example", "amara.okafor@contoso.example", {
          [licenseGroupId]: licenseGroupId,
        }),
      ],
      { userOus: [`OU=Users,${samba.fabrikamOu}`] },
    );
    assert.deepEqual(problems.length, 1, problems.join("\n"));
    assert.match(
      problems[0],
      /is in CN=Amara Okafor,OU=Migration Wave 01,.* outside the OUs the automation may write/,
    );
  });

  it("refuses a user that carries onPremisesUserPrincipalName, naming the sync-rule fix", async () => {
    await emulatorAdmin(pair, "source", "PATCH", "/entraConnect/settings", {
      writeOnPremisesUserPrincipalName: true,
    });
    await pair.emulator?.entraConnect.get(pair.connections.source.tenantId.toLowerCase())?.requestCycle();
    try {
      const problems = await check([
        user("amara.okafor@fabrikam.example", "amara.okafor@contoso.example", {
          [licenseGroupId]: licenseGroupId,
        }),
      ]);
      assert.equal(problems.length, 1, problems.join("\n"));
      assert.match(problems[0], /carries onPremisesUserPrincipalName .*change the Entra Connect sync rule/);
    } finally {
      await emulatorAdmin(pair, "source", "PATCH", "/entraConnect/settings", {
        writeOnPremisesUserPrincipalName: false,
      });
      await pair.emulator?.entraConnect.get(pair.connections.source.tenantId.toLowerCase())?.requestCycle();
    }
  });

  it("says once, for all users, when either tenant does not allow automatic redemption", async () => {
    await asEstate(pair, () =>
      pair.graph("target").patch(`${POLICY}/partners/${pair.connections.source.tenantId}`, {
        automaticUserConsentSettings: { inboundAllowed: false, outboundAllowed: false },
      }),
    );
    const problems = await check([
      user("amara.okafor@fabrikam.example", "amara.okafor@contoso.example", {
        [licenseGroupId]: licenseGroupId,
      }),
      user("chen.wei@fabrikam.example", "chen.wei@contoso.example", { [licenseGroupId]: licenseGroupId }),
    ]);
    assert.deepEqual(problems, [
      `(all users): the target tenant does not allow automatic redemption outbound to the source ${pair.connections.source.tenantId}; apply the coexistence stack (crossTenantAccess.automaticRedemption.targetOutbound: true) first`,
    ]);
  });
});
