// CrossTenantAccessPartner and CrossTenantAccessDefault: each schema rule on its own, and what
// diff says for each kind of change (no network).
import assert from "node:assert/strict";
import {
  defaultInputsSchema,
  provider as defaultProvider,
} from "../../../providers/crossTenantAccessDefault";
import {
  partnerInputsSchema,
  provider as partnerProvider,
} from "../../../providers/crossTenantAccessPartner";

const TENANT = "b7d2f3a4-8e6c-4d19-a2f5-3c9e7b1d0f02";
const TRUST = {
  isMfaAccepted: true,
  isCompliantDeviceAccepted: false,
  isHybridAzureADJoinedDeviceAccepted: false,
};

describe("CrossTenantAccessPartner inputs", () => {
  const valid = { tenant: "source", partnerTenantId: TENANT, settings: {} };
  const rules: Array<[string, Record<string, unknown>, string]> = [
    ["tenant must be source or target", { ...valid, tenant: "other" }, "tenant"],
    ["partnerTenantId must be a tenant id", { ...valid, partnerTenantId: "contoso.com" }, "partnerTenantId"],
    ["an unknown setting is refused", { ...valid, settings: { inboundTrusts: TRUST } }, "settings"],
    [
      "trust flags are booleans",
      { ...valid, settings: { inboundTrust: { ...TRUST, isMfaAccepted: "yes" } } },
      "settings.inboundTrust.isMfaAccepted",
    ],
    ["an unknown top-level key is refused", { ...valid, partner: TENANT }, ""],
  ];
  it("accepts a minimal declaration", () => {
    assert.ok(partnerInputsSchema.safeParse(valid).success);
  });
  for (const [rule, input, path] of rules) {
    it(rule, () => {
      const r = partnerInputsSchema.safeParse(input);
      assert.equal(r.success, false);
      assert.ok(
        r.error?.issues.some(
          (i) => i.path.join(".") === path || (path === "" && i.code === "unrecognized_keys"),
        ),
        JSON.stringify(r.error?.issues),
      );
    });
  }

  it("diff: what replaces, what updates, and live drift", async () => {
    const checked = (await partnerProvider.check?.({}, { ...valid }))?.inputs as Record<string, unknown>;
    const settings = checked.settings as Record<string, unknown>;
    const table: Array<[string, Record<string, unknown>, Record<string, unknown>, boolean, string[]]> = [
      ["same", { ...checked, ownership: { kind: "created" } }, checked, false, []],
      ["another tenant holds it", checked, { ...checked, tenant: "target" }, true, ["tenant"]],
      [
        "another partner",
        checked,
        { ...checked, partnerTenantId: TENANT.replace("b7", "c7") },
        true,
        ["partnerTenantId"],
      ],
      [
        "a setting changed",
        checked,
        { ...checked, settings: { ...settings, inboundTrust: TRUST } },
        true,
        [],
      ],
      [
        "the tenant drifted (live value from refresh)",
        { ...checked, settings: { ...settings, inboundTrust: TRUST } },
        checked,
        true,
        [],
      ],
    ];
    for (const [what, olds, news, changes, replaces] of table) {
      const d = await partnerProvider.diff?.(TENANT, olds, news);
      assert.equal(d?.changes, changes, what);
      assert.deepEqual(d?.replaces, replaces, what);
      assert.equal(d?.deleteBeforeReplace, false, what);
    }
  });

  it("check lower-cases the partner id, so one tenant is one entry", async () => {
    const r = await partnerProvider.check?.({}, { ...valid, partnerTenantId: TENANT.toUpperCase() });
    assert.equal((r?.inputs as { partnerTenantId?: string } | undefined)?.partnerTenantId, TENANT);
  });
});

describe("CrossTenantAccessDefault inputs", () => {
  it("manages only the keys given", () => {
    assert.ok(defaultInputsSchema.safeParse({ tenant: "source", settings: {} }).success);
    assert.ok(defaultInputsSchema.safeParse({ tenant: "source", settings: { inboundTrust: TRUST } }).success);
  });
  it("refuses automaticUserConsentSettings, which is read-only on the default", () => {
    const r = defaultInputsSchema.safeParse({
      tenant: "source",
      settings: { automaticUserConsentSettings: { inboundAllowed: true, outboundAllowed: false } },
    });
    assert.equal(r.success, false);
  });
  it("refuses an unknown tenant role", () => {
    assert.equal(defaultInputsSchema.safeParse({ tenant: "both", settings: {} }).success, false);
  });
  it("diff: a managed key changed or drifted is an update; another tenant is a replacement", async () => {
    const checked = (
      await defaultProvider.check?.({}, { tenant: "source", settings: { inboundTrust: TRUST } })
    )?.inputs as Record<string, unknown>;
    const drifted = { ...checked, settings: { inboundTrust: { ...TRUST, isMfaAccepted: false } } };
    assert.equal((await defaultProvider.diff?.("source-default", checked, checked))?.changes, false);
    assert.equal((await defaultProvider.diff?.("source-default", drifted, checked))?.changes, true);
    assert.equal(
      (await defaultProvider.diff?.("source-default", checked, { ...checked, settings: {} }))?.changes,
      true,
    );
    assert.deepEqual(
      (await defaultProvider.diff?.("source-default", checked, { ...checked, tenant: "target" }))?.replaces,
      ["tenant"],
    );
  });
});
