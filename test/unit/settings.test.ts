import assert from "node:assert/strict";
import {
  b2bSettingSchema,
  canonicalB2B,
  canonicalPartnerSettings,
  changedKeys,
  PARTNER_POLICY_KEYS,
  partnerSettingsFromGraph,
  partnerSettingsSchema,
  sameValue,
} from "../../lib/crossTenantAccess/settings";

const OBJECT_ID = "3f0c8a51-2b7d-4e1a-9c6f-8d5e4b3a2f10";

/** The messages of a B2B setting with one target in `part`, or [] when it is accepted. */
function targetIssues(part: "usersAndGroups" | "applications", target: string, targetType: string): string[] {
  const r = b2bSettingSchema.safeParse({
    [part]: { accessType: "allowed", targets: [{ target, targetType }] },
  });
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
}

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

  describe("targets: a keyword or an object id, of the kind its part holds", () => {
    it("accepts AllUsers as a user under usersAndGroups", () => {
      assert.deepEqual(targetIssues("usersAndGroups", "AllUsers", "user"), []);
    });

    it("accepts each application keyword as an application under applications", () => {
      for (const k of ["AllApplications", "AllMicrosoftApps", "Office365"]) {
        assert.deepEqual(targetIssues("applications", k, "application"), [], k);
      }
    });

    it("accepts an object id as a user or group under usersAndGroups and an application under applications", () => {
      assert.deepEqual(targetIssues("usersAndGroups", OBJECT_ID, "user"), []);
      assert.deepEqual(targetIssues("usersAndGroups", OBJECT_ID.toUpperCase(), "group"), []);
      assert.deepEqual(targetIssues("applications", OBJECT_ID, "application"), []);
    });

    it("refuses AllUsers under applications, naming where it belongs", () => {
      assert.deepEqual(targetIssues("applications", "AllUsers", "user"), [
        "applications.targets.0.target: AllUsers is a user target: put it under usersAndGroups, not applications",
      ]);
    });

    it("refuses an application keyword under usersAndGroups", () => {
      assert.deepEqual(targetIssues("usersAndGroups", "Office365", "application"), [
        "usersAndGroups.targets.0.target: Office365 is an application target: put it under applications, not usersAndGroups",
      ]);
    });

    it("refuses a keyword with the wrong targetType", () => {
      assert.deepEqual(targetIssues("usersAndGroups", "AllUsers", "group"), [
        "usersAndGroups.targets.0.target: AllUsers needs targetType user, not group",
      ]);
      assert.deepEqual(targetIssues("applications", "AllApplications", "user"), [
        "applications.targets.0.target: AllApplications needs targetType application, not user",
      ]);
    });

    it("refuses an object id of the wrong kind for its part", () => {
      assert.deepEqual(targetIssues("usersAndGroups", OBJECT_ID, "application"), [
        "usersAndGroups.targets.0.target: an object id under usersAndGroups has targetType user or group, not application",
      ]);
      assert.deepEqual(targetIssues("applications", OBJECT_ID, "group"), [
        "applications.targets.0.target: an object id under applications has targetType application, not group",
      ]);
    });

    it("refuses a value that is neither, and names the keyword a slip was meant to be", () => {
      assert.deepEqual(targetIssues("usersAndGroups", "allusers", "user"), [
        "usersAndGroups.targets.0.target: must be an object id (a GUID) or AllUsers; did you mean AllUsers?",
      ]);
      assert.deepEqual(targetIssues("applications", "Ofice365", "application"), [
        "applications.targets.0.target: must be an object id (a GUID) or AllApplications, AllMicrosoftApps, Office365; did you mean Office365?",
      ]);
      assert.deepEqual(targetIssues("usersAndGroups", "sales-team", "group"), [
        "usersAndGroups.targets.0.target: must be an object id (a GUID) or AllUsers",
      ]);
    });

    it("refuses a targetType Graph does not have", () => {
      assert.equal(targetIssues("usersAndGroups", OBJECT_ID, "device").length, 1);
    });
  });

  describe("automaticUserConsentSettings", () => {
    it("inherits when left out: null both ways, as Graph reads back an entry that never set it", () => {
      assert.equal(partnerSettingsSchema.parse({}).automaticUserConsentSettings, null);
      assert.deepEqual(canonicalPartnerSettings({}).automaticUserConsentSettings, {
        inboundAllowed: null,
        outboundAllowed: null,
      });
      assert.deepEqual(
        canonicalPartnerSettings({ automaticUserConsentSettings: { inboundAllowed: true } })
          .automaticUserConsentSettings,
        { inboundAllowed: true, outboundAllowed: null },
      );
    });

    it("shows no change on an adopted entry that never set it", () => {
      const adopted = partnerSettingsFromGraph(
        {
          tenantId: OBJECT_ID,
          inboundTrust: null,
          automaticUserConsentSettings: { inboundAllowed: null, outboundAllowed: null },
        },
        undefined,
      );
      const declared = canonicalPartnerSettings({});
      assert.deepEqual(changedKeys(adopted, declared, PARTNER_POLICY_KEYS), []);
      // Declaring false is a change: the entry then overrides the default instead of inheriting.
      const explicit = canonicalPartnerSettings({
        automaticUserConsentSettings: { inboundAllowed: false, outboundAllowed: false },
      });
      assert.deepEqual(changedKeys(adopted, explicit, PARTNER_POLICY_KEYS), ["automaticUserConsentSettings"]);
    });
  });
});
