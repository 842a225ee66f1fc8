// ReachBackUser's pure parts: the address edits of the swap and the revert, what each state of AD
// and Graph means, the drift words, the schema's rules and what diff says (no network).
import assert from "node:assert/strict";
import fc from "fast-check";
import { primarySmtp } from "../../lib/addresses/proxyAddresses";
import type { AdAttributes } from "../../lib/journal/records";
import { reachBackStepOf } from "../../lib/reachBack/procedure";
import {
  declaredLive,
  describeB2b,
  describeLive,
  isMailUser,
  isReverted,
  isSwapped,
  recipientTypeOf,
  redemptionOf,
  revertedAddresses,
  routesTo,
  swappedAddresses,
  targetIsPrimary,
} from "../../lib/reachBack/userState";
import { declaredOf } from "../../providers/kernel";
import { provider, reachBackUserInputsSchema } from "../../providers/reachBackUser";

const TARGET = "adele.vance@contoso.example";
const ROUTING = "adele.vance@contoso.mail.onmicrosoft.com";
const ORIGINAL = [
  "SMTP:adele.vance@fabrikam.example",
  "smtp:adele@fabrikam.mail.onmicrosoft.com",
  "X500:/o=Ex/cn=adele",
];
const ORIGINAL_GROUP = "11111111-1111-4111-8111-111111111111";
const REACH_BACK_GROUP = "22222222-2222-4222-8222-222222222222";

const remoteMailbox = (): AdAttributes => ({
  mail: "adele.vance@fabrikam.example",
  proxyAddresses: [...ORIGINAL],
  targetAddress: "SMTP:adele@fabrikam.mail.onmicrosoft.com",
  msExchRecipientDisplayType: -2147483642,
  msExchRecipientTypeDetails: 2147483648,
  msExchRemoteRecipientType: 4,
});

/** AD as the procedure leaves it. */
const enabled = (): AdAttributes => ({
  mail: "adele.vance@fabrikam.example",
  proxyAddresses: [...ORIGINAL, `smtp:${TARGET}`],
  targetAddress: `SMTP:${ROUTING}`,
  msExchRecipientDisplayType: 6,
  msExchRecipientTypeDetails: 128,
  msExchRemoteRecipientType: null,
});

describe("ReachBackUser: the swap and the revert of addresses", () => {
  it("swaps: the target address becomes mail and the one primary; the old primary stays as a secondary", () => {
    const w = swappedAddresses(remoteMailbox(), TARGET);
    assert.equal(w.mail, TARGET);
    assert.deepEqual(w.proxyAddresses, [
      `SMTP:${TARGET}`,
      "smtp:adele.vance@fabrikam.example",
      "smtp:adele@fabrikam.mail.onmicrosoft.com",
      "X500:/o=Ex/cn=adele",
    ]);
    assert.ok(isSwapped({ mail: w.mail, proxyAddresses: w.proxyAddresses }, TARGET));
    assert.ok(targetIsPrimary({ mail: w.mail, proxyAddresses: w.proxyAddresses }, TARGET));
  });

  it("reverts: the original mail and primary back, the target kept as a secondary, nothing else lost", () => {
    const swapped = swappedAddresses(remoteMailbox(), TARGET);
    const w = revertedAddresses(swapped.proxyAddresses, remoteMailbox(), TARGET);
    assert.equal(w.mail, "adele.vance@fabrikam.example");
    assert.deepEqual(w.proxyAddresses, [...ORIGINAL, `smtp:${TARGET}`], "exactly as found, plus the target");
    assert.ok(isReverted(w, remoteMailbox(), TARGET));
    assert.ok(!targetIsPrimary(w, TARGET));
  });

  it("reverts a user that had no primary SMTP address: the target is demoted, no primary is invented", () => {
    const original = { mail: null, proxyAddresses: ["X500:/o=Ex/cn=x"] };
    const w = revertedAddresses([`SMTP:${TARGET}`, "X500:/o=Ex/cn=x"], original, TARGET);
    assert.equal(w.mail, null);
    assert.deepEqual(w.proxyAddresses, ["X500:/o=Ex/cn=x", `smtp:${TARGET}`]);
    assert.equal(primarySmtp(w.proxyAddresses), undefined);
    assert.ok(isReverted(w, original, TARGET));
  });

  it("adds the target back as a secondary when someone removed it (a revert run after the fact)", () => {
    const w = revertedAddresses(ORIGINAL, remoteMailbox(), TARGET);
    assert.ok(w.proxyAddresses.includes(`smtp:${TARGET}`));
    assert.equal(primarySmtp(w.proxyAddresses), "adele.vance@fabrikam.example");
  });

  it("for any address list with a primary, revert after swap gives the original primary and mail, keeps every other entry, and the target only as a secondary", () => {
    const local = fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/);
    const address = fc.tuple(
      local,
      fc.constantFrom("fabrikam.example", "corp.fabrikam.example", "f.mail.onmicrosoft.com"),
    );
    fc.assert(
      fc.property(
        address,
        fc.array(address, { maxLength: 5 }),
        fc.array(fc.stringMatching(/^X500:\/o=[a-z]{1,6}$/), { maxLength: 2 }),
        ([pl, pd], secondaries, others) => {
          const primary = `${pl}@${pd}`;
          const original = {
            mail: primary,
            proxyAddresses: [
              `SMTP:${primary}`,
              ...secondaries
                .map(([l, d]) => `smtp:${l}@${d}`)
                .filter((s) => s.toLowerCase() !== `smtp:${primary}`),
              ...others,
            ],
          };
          const swapped = swappedAddresses(original, TARGET);
          const back = revertedAddresses(swapped.proxyAddresses, original, TARGET);
          assert.equal(back.mail, primary);
          assert.equal(primarySmtp(back.proxyAddresses), primary);
          assert.ok(isReverted(back, original, TARGET));
          for (const entry of original.proxyAddresses.filter((p) => !p.startsWith("SMTP:"))) {
            assert.ok(
              back.proxyAddresses.some((p) => p.toLowerCase() === entry.toLowerCase()),
              `${entry} kept in ${back.proxyAddresses}`,
            );
          }
          assert.equal(back.proxyAddresses.filter((p) => p.startsWith("SMTP:")).length, 1);
        },
      ),
    );
  });
});

describe("ReachBackUser: what AD and Graph show", () => {
  it("targetAddress routes to the coex routing address whatever the case of prefix and address", () => {
    assert.ok(routesTo(`smtp:${ROUTING.toUpperCase()}`, ROUTING));
    assert.ok(!routesTo("SMTP:adele@fabrikam.mail.onmicrosoft.com", ROUTING));
    assert.ok(!routesTo(null, ROUTING));
    assert.ok(!routesTo("X400:c=US;a= ;p=x", ROUTING));
  });

  it("a mail user is 6 / 128 / no msExchRemoteRecipientType; anything else is said in words", () => {
    assert.ok(isMailUser(enabled()));
    assert.ok(!isMailUser({ ...enabled(), msExchRemoteRecipientType: 4 }));
    assert.equal(recipientTypeOf(enabled()), "mail user");
    assert.match(
      recipientTypeOf(remoteMailbox()),
      /^remote mailbox \(msExchRecipientDisplayType -2147483642/,
    );
  });

  it("reports both redemption states as they are", () => {
    assert.equal(redemptionOf({ externalUserState: "Accepted" }), "redeemed");
    assert.equal(redemptionOf({ externalUserState: "PendingAcceptance" }), "pendingFirstSignIn");
    assert.equal(redemptionOf({ externalUserState: null }), undefined);
    assert.match(
      describeB2b({
        externalUserState: "Accepted",
        identities: [{ signInType: "federated", issuer: "ExternalAzureAD" }],
      }),
      /^linked and redeemed .*ExternalAzureAD/,
    );
    assert.match(
      describeB2b({ externalUserState: "PendingAcceptance", identities: [] }),
      /pending the user's first sign-in/,
    );
  });

  it("names each journal step's place in the procedure", () => {
    const table: Array<[Parameters<typeof reachBackStepOf>[0], string]> = [
      [undefined, "journaled"],
      ["license.reachBackGroupAdded", "licensed"],
      ["license.originalGroupRemoved", "licensed"],
      ["ad.targetAddressSet", "addressSwapped"],
      ["ad.primarySwapped", "addressSwapped"],
      ["sync.swapArrived", "synced"],
      ["invite.sent", "invited"],
      ["ad.primaryReverted", "reverted"],
      ["sync.revertArrived", "reverted"],
      ["verify.passed", "verified"],
    ];
    for (const [step, expected] of table) assert.equal(reachBackStepOf(step), expected, String(step));
  });
});

describe("ReachBackUser: drift in words", () => {
  const spec = {
    targetEmailAddress: TARGET,
    coexRoutingAddress: ROUTING,
    licenseGroupMapping: { [ORIGINAL_GROUP.toUpperCase()]: REACH_BACK_GROUP },
  };
  const group = (id: string, displayName: string) => ({
    id,
    displayName,
    onPremisesSyncEnabled: false,
    onPremisesSamAccountName: null,
  });
  const facts = (over: Partial<Parameters<typeof describeLive>[1]> = {}) => ({
    ad: enabled(),
    cloud: { externalUserState: "Accepted" },
    groups: [group(REACH_BACK_GROUP, "LIC-E5-ReachBack")],
    expectedReachBack: [{ id: REACH_BACK_GROUP, displayName: "LIC-E5-ReachBack" }],
    originalPrimary: "adele.vance@fabrikam.example",
    ...over,
  });

  it("an enabled user reads as declared", () => {
    assert.deepEqual(describeLive(spec, facts()), declaredLive(ROUTING));
  });

  const cases: Array<[string, Partial<Parameters<typeof describeLive>[1]>, string, RegExp]> = [
    [
      "back in the old license group",
      { groups: [group(REACH_BACK_GROUP, "LIC-E5-ReachBack"), group(ORIGINAL_GROUP, "LIC-E5")] },
      "licenseGroups",
      /^back in the original group LIC-E5$/,
    ],
    [
      "out of the reach-back group",
      { groups: [] },
      "licenseGroups",
      /^not in the reach-back group LIC-E5-ReachBack$/,
    ],
    [
      "the target address left as primary",
      { ad: { ...enabled(), proxyAddresses: [`SMTP:${TARGET}`, "smtp:adele.vance@fabrikam.example"] } },
      "primarySmtp",
      /the target address: the revert is missing/,
    ],
    [
      "primary SMTP changed",
      { ad: { ...enabled(), proxyAddresses: ["SMTP:a.vance@fabrikam.example", `smtp:${TARGET}`] } },
      "primarySmtp",
      /^a\.vance@fabrikam\.example \(changed from adele\.vance@fabrikam\.example\)$/,
    ],
    [
      "target address removed",
      { ad: { ...enabled(), proxyAddresses: [...ORIGINAL] } },
      "targetAddressSecondary",
      /^removed$/,
    ],
    [
      "targetAddress changed",
      { ad: { ...enabled(), targetAddress: "SMTP:x@y.example" } },
      "targetAddress",
      /^SMTP:x@y\.example$/,
    ],
    [
      "attributes changed back",
      { ad: { ...enabled(), msExchRemoteRecipientType: 4 } },
      "recipientType",
      /remote mailbox/,
    ],
    [
      "B2B link reset",
      { cloud: { externalUserState: null } },
      "b2bLinked",
      /^not linked \(the B2B link was reset/,
    ],
  ];
  for (const [what, over, key, words] of cases) {
    it(`${what}: ${key}`, () => {
      const live = describeLive(spec, facts(over));
      assert.match(live[key as keyof typeof live], words);
      for (const [k, v] of Object.entries(declaredLive(ROUTING))) {
        if (k !== key) assert.equal(live[k as keyof typeof live], v, `only ${key} differs (${k})`);
      }
    });
  }
  it("a pending redemption is linked, not drift", () => {
    assert.equal(
      describeLive(spec, facts({ cloud: { externalUserState: "PendingAcceptance" } })).b2bLinked,
      "linked",
    );
  });
});

describe("ReachBackUser inputs", () => {
  const valid = {
    sourceUserPrincipalName: "adele.vance@fabrikam.example",
    targetEmailAddress: TARGET,
    coexRoutingAddress: ROUTING,
    journalStack: "wave-01",
  };
  const rules: Array<[string, Record<string, unknown>, string]> = [
    ["the UPN must be one", { ...valid, sourceUserPrincipalName: "adele" }, "sourceUserPrincipalName"],
    [
      "the target address must be an address",
      { ...valid, targetEmailAddress: "adele@" },
      "targetEmailAddress",
    ],
    [
      "the routing address is not in the user's own target domain",
      { ...valid, coexRoutingAddress: "adele@contoso.example" },
      "coexRoutingAddress",
    ],
    [
      "the target address is not in the source user's domain",
      { ...valid, targetEmailAddress: "adele@fabrikam.example" },
      "targetEmailAddress",
    ],
    [
      "the mapping maps ids to ids",
      { ...valid, licenseGroupMapping: { "LIC-E5": REACH_BACK_GROUP } },
      "licenseGroupMapping",
    ],
    ["the stack's journal is named", { ...valid, journalStack: "" }, "journalStack"],
    ["an unknown key is refused", { ...valid, rollback: true }, ""],
  ];
  it("accepts a minimal declaration, with the defaults", () => {
    const r = reachBackUserInputsSchema.safeParse(valid);
    assert.ok(r.success);
    assert.equal(r.data.mailboxMigration, "crossTenant");
    assert.equal(r.data.rollbackOnDelete, false);
  });
  for (const [rule, input, at] of rules) {
    it(rule, () => {
      const r = reachBackUserInputsSchema.safeParse(input);
      assert.equal(r.success, false);
      assert.ok(
        r.error?.issues.some(
          (i) => i.path[0] === at || i.path.join(".") === at || (at === "" && i.code === "unrecognized_keys"),
        ),
        JSON.stringify(r.error?.issues),
      );
    });
  }

  it("diff: another user replaces, drift and a new mapping update, the last read's live values count", async () => {
    const stored = (
      await provider.check?.({}, { ...valid, licenseGroupMapping: { [ORIGINAL_GROUP]: REACH_BACK_GROUP } })
    )?.inputs as Record<string, unknown>;
    assert.equal(stored.licenseGroups, undefined, "the declared shape is implied, not stored");
    const checked = declaredOf("ReachBackUser", stored);
    assert.equal(checked.licenseGroups, "reach-back groups only", "the kernel says the declared shape");
    const outs = {
      ...checked,
      ownership: { kind: "created" },
      sourceUserId: "x",
      step: "verified",
      state: "enabled",
    };
    const table: Array<[string, Record<string, unknown>, Record<string, unknown>, boolean, string[]]> = [
      ["same", outs, checked, false, []],
      [
        "another user",
        outs,
        { ...checked, sourceUserPrincipalName: "megan@fabrikam.example" },
        true,
        ["sourceUserPrincipalName"],
      ],
      ["drift", { ...outs, licenseGroups: "back in the original group LIC-E5" }, checked, true, []],
      ["rollbackOnDelete", outs, { ...checked, rollbackOnDelete: true }, true, []],
      ["a new mapping", outs, { ...checked, licenseGroupMapping: {} }, true, []],
    ];
    for (const [what, olds, news, changes, replaces] of table) {
      const d = await provider.diff?.("id", olds, news);
      assert.equal(d?.changes, changes, what);
      assert.deepEqual(d?.replaces, replaces, what);
      assert.equal(d?.deleteBeforeReplace, false, what);
    }
  });
});
