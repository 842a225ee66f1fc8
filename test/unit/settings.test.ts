import assert from "node:assert/strict";
import {
  canonicalB2B,
  canonicalPartnerSettings,
  changedKeys,
  PARTNER_POLICY_KEYS,
  partnerSettingsFromGraph,
  sameValue,
} from "../../lib/crossTenantAccess/settings";

describe("cross-tenant settings algebra", () => {
  it("compares values whatever the order of their keys", () => {
    assert.ok(sameValue({ a: 1, b: { c: [1, { d: 2, e: 3 }] } }, { b: { c: [1, { e: 3, d: 2 }] }, a: 1 }));
    assert.ok(!sameValue({ a: [1, 2] }, { a: [2, 1] }));
    assert.ok(sameValue(null, undefined));
    assert.ok(!sameValue({ a: null }, { a: false }));
  });

  it("sorts targets so that Graph's order carries no meaning", () => {
    const a = canonicalB2B({
      usersAndGroups: {
        accessType: "allowed",
        targets: [
          { target: "g2", targetType: "group" },
          { target: "AllUsers", targetType: "user" },
          { target: "g1", targetType: "group" },
        ],
      },
    });
    assert.deepEqual(
      a?.usersAndGroups?.targets.map((t) => t.target),
      ["g1", "g2", "AllUsers"],
    );
    assert.equal(a?.applications, undefined);
  });

  it("reads a partner from Graph: null settings inherit, unset consent stays null", () => {
    const s = partnerSettingsFromGraph(
      {
        tenantId: "x",
        inboundTrust: null,
        automaticUserConsentSettings: { inboundAllowed: null, outboundAllowed: true },
        b2bCollaborationInbound: null,
      },
      { displayName: "sync", userSyncInbound: { isSyncAllowed: true } },
    );
    assert.equal(s.inboundTrust, null);
    assert.deepEqual(s.automaticUserConsentSettings, { inboundAllowed: null, outboundAllowed: true });
    assert.deepEqual(s.identitySynchronization, {
      displayName: "sync",
      userSyncInbound: { isSyncAllowed: true },
    });
  });

  it("names exactly the settings that differ", () => {
    const a = canonicalPartnerSettings({
      inboundTrust: {
        isMfaAccepted: true,
        isCompliantDeviceAccepted: false,
        isHybridAzureADJoinedDeviceAccepted: false,
      },
    });
    const b = canonicalPartnerSettings({
      inboundTrust: {
        isMfaAccepted: true,
        isCompliantDeviceAccepted: false,
        isHybridAzureADJoinedDeviceAccepted: false,
      },
      automaticUserConsentSettings: { inboundAllowed: true, outboundAllowed: false },
    });
    assert.deepEqual(changedKeys(a, b, PARTNER_POLICY_KEYS), ["automaticUserConsentSettings"]);
    assert.deepEqual(changedKeys(a, a, PARTNER_POLICY_KEYS), []);
  });

  it("gives the identity-sync policy a display name when none is declared", () => {
    const s = canonicalPartnerSettings({
      identitySynchronization: { userSyncInbound: { isSyncAllowed: true } },
    });
    assert.equal(s.identitySynchronization?.displayName, "entra-coexistence");
  });
});
