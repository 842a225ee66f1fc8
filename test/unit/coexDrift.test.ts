import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { differences, driftMarkdown, driftOf, driftTable, hasDrift } from "../../lib/review/drift";
import { parsePreviewJson } from "../../lib/review/previewJson";
import { declaredOf } from "../../providers";

/** Real `pulumi preview --json` outputs (CLI 3.248, the emulator), the serialized provider cut. */
const fixture = (name: string) =>
  parsePreviewJson(readFileSync(path.join(__dirname, "../../../test/unit/fixtures", name), "utf8"), name);

describe("coex drift: declared against live from pulumi's JSON", () => {
  it("finds the setting changed by hand in a real preview --refresh, though detailedDiff is null", () => {
    const preview = fixture("preview-refresh-drift.json");
    const step = preview.steps.find((s) => s.op === "update");
    assert.equal(step?.detailedDiff, null, "the CLI gives no detailed diff for a dynamic provider");
    const d = driftOf("coexistence", preview);
    assert.deepEqual(d.drift, [
      {
        resource: "coexistence-source-partner",
        kind: "CrossTenantAccessPartner",
        property: "settings.inboundTrust.isMfaAccepted",
        declared: true,
        live: false,
      },
    ]);
    assert.deepEqual(d.gone, []);
    assert.deepEqual(d.pending, [], "the configuration did not change: nothing pending");
    assert.ok(hasDrift(d));
    const table = driftTable([d]);
    assert.equal(table[0], "drift in stack coexistence: 1 setting changed outside Pulumi (1 resource)");
    assert.match(
      table[2],
      /^ {2}coexistence-source-partner +CrossTenantAccessPartner +settings\.inboundTrust\.isMfaAccepted +true +false$/,
    );
    assert.ok(
      driftMarkdown([d]).includes(
        "| `coexistence-source-partner` | CrossTenantAccessPartner | `settings.inboundTrust.isMfaAccepted` | `true` | `false` |",
      ),
    );
  });

  it("finds a wave user put back in the original group by hand (a real preview --refresh of a wave stack)", () => {
    const d = driftOf("wave-01", fixture("preview-refresh-wave-drift.json"));
    assert.deepEqual(
      d.drift.map((x) => [x.resource, x.kind, x.property, x.declared, x.live]),
      [
        [
          "u-8feaeb-rva@fabrikam.example",
          "ReachBackUser",
          "licenseGroups",
          "reach-back groups only",
          "back in the original group LIC-RB-E5",
        ],
      ],
    );
    assert.deepEqual(d.gone, []);
  });

  it("a state of this version keeps no implied property in its inputs: the kernel says them", () => {
    const preview = fixture("preview-refresh-wave-drift.json");
    const implied = [
      "licenseGroups",
      "targetAddress",
      "recipientType",
      "primarySmtp",
      "targetAddressSecondary",
      "b2bLinked",
    ];
    for (const step of preview.steps) {
      const inputs = step.oldState?.inputs;
      if (inputs && step.oldState?.type.endsWith(":ReachBackUser")) for (const k of implied) delete inputs[k];
    }
    assert.deepEqual(driftOf("wave-01", preview).drift, [], "without the kernel, nothing to compare with");
    const d = driftOf("wave-01", preview, declaredOf);
    assert.deepEqual(
      d.drift.map((x) => [x.resource, x.property, x.declared, x.live]),
      [
        [
          "u-8feaeb-rva@fabrikam.example",
          "licenseGroups",
          "reach-back groups only",
          "back in the original group LIC-RB-E5",
        ],
      ],
    );
  });

  it("tells a declared change not yet applied from drift", () => {
    // A preview (no refresh) after the configuration changed: inputs differ, outputs match the old inputs.
    const d = driftOf("coexistence", fixture("preview-coexistence-update.json"));
    assert.deepEqual(d.drift, []);
    assert.deepEqual(d.pending, [
      { resource: "coexistence-source-partner", kind: "CrossTenantAccessPartner", property: "settings" },
    ]);
    assert.ok(!hasDrift(d));
    assert.deepEqual(driftTable([d]).slice(0, 1), ["no drift: stack coexistence matches both tenants"]);
  });

  it("reports a declared resource the refresh found gone", () => {
    const preview = fixture("preview-refresh-drift.json");
    const partner = preview.steps.find((s) => s.op === "update");
    assert.ok(partner?.oldState);
    const gone = { ...partner, op: "create", oldState: undefined, newState: partner.oldState };
    const d = driftOf("coexistence", {
      ...preview,
      steps: [...preview.steps.filter((s) => s !== partner), gone],
    });
    assert.deepEqual(d.gone, [{ resource: "coexistence-source-partner", kind: "CrossTenantAccessPartner" }]);
    assert.match(
      driftTable([d]).join("\n"),
      /coexistence-source-partner +CrossTenantAccessPartner +\(the object\) +exists +\(gone\)/,
    );
  });

  it("compares a list of values as a whole, not by position (a grant revoked, another granted)", () => {
    assert.deepEqual(
      differences(
        "permissions",
        ["User.Invite.All", "User.ReadWrite.All"],
        ["Group.Read.All", "User.ReadWrite.All"],
      ),
      [
        { property: "permissions", declared: "User.Invite.All" },
        { property: "permissions", live: "Group.Read.All" },
      ],
    );
    assert.deepEqual(differences("ownedGroupIds", ["a", "b"], ["b", "a"]), [], "moved items are no drift");
  });

  it("names an item added to an empty list (a broader right given by hand)", () => {
    assert.deepEqual(differences("broaderRights", [], ["OU=x: writes every property"]), [
      { property: "broaderRights", live: "OU=x: writes every property" },
    ]);
  });

  it("names the items of a list of objects by index, and cuts long values short in the table", () => {
    const declared = [{ der: "A".repeat(500), thumbprint: "8BAA" }];
    const live = [{ der: "B".repeat(500), thumbprint: "11C3" }];
    const diffs = differences("certificates", declared, live);
    assert.deepEqual(
      diffs.map((x) => x.property),
      ["certificates[0].der", "certificates[0].thumbprint"],
    );
    const table = driftTable([
      {
        stack: "s",
        drift: diffs.map((x) => ({ resource: "app", kind: "AutomationApp", ...x })),
        gone: [],
        pending: [],
      },
    ]);
    assert.match(table[2], /certificates\[0\]\.der +"A{59}… \(502 characters\) +"B{59}… \(502 characters\)$/);
  });

  it("reports nothing for a preview without changes", () => {
    const d = driftOf("coexistence", fixture("preview-coexistence-create.json"));
    assert.deepEqual(d, { stack: "coexistence", drift: [], gone: [], pending: [] });
  });
});
