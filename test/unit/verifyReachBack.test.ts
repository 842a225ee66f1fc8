// The pure parts of `coex verify-reach-back`: seed 000's step 4 read from the journal's records
// (swapInvitationTrail), the B2B link's verdict (reachBackLinkOf), and where a user's declaration
// is found in a state export (no network).
import assert from "node:assert/strict";
import { declarationsInState } from "../../cli/verifyReachBack";
import type { JournalRecord, StepName } from "../../lib/journal/records";
import { reachBackLinkOf, swapInvitationTrail } from "../../lib/reachBack/userState";

const USER = "adele.vance@fabrikam.example";

/** A user's records in order: "found", a step name, "failed:<step>", "completed". */
function history(...kinds: string[]): JournalRecord[] {
  return kinds.map((k, i) => {
    const common = {
      schema: 1 as const,
      seq: i + 1,
      user: USER,
      at: `2026-01-01T00:00:${String(i).padStart(2, "0")}.000Z`,
      runId: "r",
    };
    if (k === "found") {
      return {
        ...common,
        kind: "found",
        original: {
          mailboxMigration: "crossTenant",
          sourceUserId: "00000000-0000-4000-8000-000000000001",
          ad: {
            distinguishedName: "CN=Adele,OU=Users,DC=fabrikam,DC=example",
            objectGuid: "00000000-0000-4000-8000-000000000002",
            attributes: {
              mail: USER,
              proxyAddresses: [`SMTP:${USER}`],
              targetAddress: null,
              msExchRecipientDisplayType: null,
              msExchRecipientTypeDetails: null,
              msExchRemoteRecipientType: null,
            },
          },
          groups: [],
          directLicenses: [],
        },
      };
    }
    if (k === "completed") return { ...common, kind: "completed" };
    if (k.startsWith("failed:"))
      return { ...common, kind: "failed", step: k.slice(7) as StepName, error: "x" };
    return { ...common, kind: "step", step: k as StepName };
  });
}

const seqs = (t: ReturnType<typeof swapInvitationTrail>) => [t.swapped?.seq, t.invited?.seq, t.reverted?.seq];

describe("verifyReachBack: the swap and the invitation in the journal (swapInvitationTrail)", () => {
  it("finds the swap, the invitation after it and the revert after that", () => {
    const t = swapInvitationTrail(
      history(
        "found",
        "ad.primarySwapped",
        "sync.swapArrived",
        "invite.sent",
        "ad.primaryReverted",
        "completed",
      ),
    );
    assert.deepEqual(seqs(t), [2, 4, 5]);
  });

  it("does not count an invitation that failed; the next run's does", () => {
    const failedOnly = history(
      "found",
      "ad.primarySwapped",
      "invite.sent",
      "ad.primaryReverted",
      "failed:invite.sent",
    );
    assert.deepEqual(seqs(swapInvitationTrail(failedOnly)), [2, undefined, undefined]);
    const retried = history(
      "found",
      "ad.primarySwapped",
      "invite.sent",
      "ad.primaryReverted",
      "failed:invite.sent",
      "ad.primarySwapped",
      "invite.sent",
      "ad.primaryReverted",
    );
    assert.deepEqual(seqs(swapInvitationTrail(retried)), [6, 7, 8]);
  });

  it("counts a crashed run's swap and invitation when the next run only reverts", () => {
    const t = swapInvitationTrail(history("found", "ad.primarySwapped", "invite.sent", "ad.primaryReverted"));
    assert.deepEqual(seqs(t), [2, 3, 4]);
  });

  it("has no revert when none follows the invitation, and nothing without a swap", () => {
    assert.deepEqual(seqs(swapInvitationTrail(history("found", "ad.primarySwapped", "invite.sent"))), [
      2,
      3,
      undefined,
    ]);
    assert.deepEqual(seqs(swapInvitationTrail(history("found", "invite.sent", "ad.primaryReverted"))), [
      undefined,
      undefined,
      undefined,
    ]);
  });

  it("reads only the latest cycle (after the last original values)", () => {
    const t = swapInvitationTrail(
      history("found", "ad.primarySwapped", "invite.sent", "ad.primaryReverted", "completed", "found"),
    );
    assert.deepEqual(seqs(t), [undefined, undefined, undefined]);
  });
});

describe("verifyReachBack: the B2B link's verdict (reachBackLinkOf)", () => {
  const member = { userType: "Member", externalUserState: null, identities: [] };
  const federated = (issuer: string) => [{ signInType: "federated", issuer, issuerAssignedId: "x" }];

  it("redeemed: Accepted with an identity issued by ExternalAzureAD (or a named home issuer)", () => {
    const u = { ...member, externalUserState: "Accepted", identities: federated("ExternalAzureAD") };
    assert.equal(reachBackLinkOf(u, false).kind, "redeemed");
    const home = { ...u, identities: federated("contoso.example") };
    assert.equal(reachBackLinkOf(home, true).kind, "notLinked");
    assert.equal(reachBackLinkOf(home, true, ["contoso.example"]).kind, "redeemed");
  });

  it("not linked when redeemed by another account (one-time passcode)", () => {
    const u = { ...member, externalUserState: "Accepted", identities: federated("mail") };
    const r = reachBackLinkOf(u, true);
    assert.equal(r.kind, "notLinked");
    assert.match(r.kind === "notLinked" ? r.problem : "", /not with the target identity.*federated\/mail/);
  });

  it("pending first sign-in only when automatic redemption is allowed on both sides", () => {
    const u = { ...member, externalUserState: "PendingAcceptance" };
    assert.equal(reachBackLinkOf(u, true).kind, "pending");
    const r = reachBackLinkOf(u, false);
    assert.equal(r.kind, "notLinked");
    assert.match(
      r.kind === "notLinked" ? r.problem : "",
      /automatic redemption is not allowed on both sides/,
    );
  });

  it("not linked: never invited, or a guest", () => {
    assert.equal(reachBackLinkOf(member, true).kind, "notLinked");
    const guest = {
      userType: "Guest",
      externalUserState: "Accepted",
      identities: federated("ExternalAzureAD"),
    };
    const r = reachBackLinkOf(guest, true);
    assert.match(r.kind === "notLinked" ? r.problem : "", /userType is Guest/);
  });
});

describe("verifyReachBack: declarations in a state export", () => {
  it("takes each ReachBackUser's declared values and ownership, nothing else", () => {
    const exported = {
      deployment: {
        resources: [
          { type: "pulumi:pulumi:Stack", urn: "urn:pulumi:s::p::pulumi:pulumi:Stack::p-s" },
          {
            type: "pulumi-nodejs:dynamic/entra-coexistence:ReachBackUser",
            urn: "urn:pulumi:s::p::pulumi-nodejs:dynamic/entra-coexistence:ReachBackUser::adele",
            outputs: {
              sourceUserPrincipalName: "Adele.Vance@fabrikam.example",
              targetEmailAddress: "adele.vance@contoso.example",
              coexRoutingAddress: "adele.vance@contoso.mail.onmicrosoft.com",
              licenseGroupMapping: { a: "b" },
              ownership: { kind: "adopted", found: {} },
            },
          },
        ],
      },
    };
    const d = declarationsInState(exported);
    assert.deepEqual([...d.keys()], ["adele.vance@fabrikam.example"]);
    const adele = d.get("adele.vance@fabrikam.example");
    assert.equal(adele?.targetEmailAddress, "adele.vance@contoso.example");
    assert.deepEqual(adele?.licenseGroupMapping, { a: "b" });
    assert.equal(adele?.adopted, true);
    assert.match(adele?.from ?? "", /the ReachBackUser adele in the stack's state/);
    assert.equal(declarationsInState({}).size, 0);
  });
});
