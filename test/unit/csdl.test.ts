import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { CsdlModel, type CsdlViolation, MESSAGES } from "../../emulator/csdl";

const PARTNER = "microsoft.graph.crossTenantAccessPolicyConfigurationPartner";
const DEFAULT = "microsoft.graph.crossTenantAccessPolicyConfigurationDefault";
const SYNC = "microsoft.graph.crossTenantIdentitySyncPolicyPartner";

// Request body of "Create crossTenantAccessPolicyConfigurationPartner", copied from Microsoft's docs
// (microsoft-graph-docs-contrib, api-reference/v1.0/api/crosstenantaccesspolicy-post-partners.md).
const DOCS_CREATE_PARTNER_BODY = {
  tenantId: "3d0f5dec-5d3d-455c-8016-e2af1ae4d31a",
  b2bDirectConnectOutbound: {
    usersAndGroups: {
      accessType: "blocked",
      targets: [{ target: "6f546279-4da5-4b53-a095-09ea0cef9971", targetType: "group" }],
    },
  },
  b2bDirectConnectInbound: {
    applications: {
      accessType: "allowed",
      targets: [{ target: "Office365", targetType: "application" }],
    },
  },
};

// Compiled tests run from dist/test/unit; fall back to the working directory (the repository root under mocha).
const SCHEMA_FILE = [join(__dirname, "..", "..", ".."), process.cwd()]
  .map((root) => join(root, "emulator", "schema", "v1.0-Prod.csdl"))
  .find((file) => existsSync(file)) as string;

const notOnType = (prop: string, type: string) => MESSAGES.PROPERTY_NOT_ON_TYPE(prop, type);

/** The only violation, asserting there is exactly one. */
function only(violations: CsdlViolation[]): CsdlViolation {
  assert.equal(violations.length, 1, `expected one violation, got ${JSON.stringify(violations, null, 2)}`);
  return violations[0];
}

describe("CsdlModel", () => {
  let model: CsdlModel;
  before(() => {
    model = CsdlModel.load();
  });

  describe("load", () => {
    it("parses the bundled schema once and shares it", () => {
      assert.equal(CsdlModel.load(), model);
    });

    it("parses an explicit file into a new model in well under 2 seconds", function () {
      this.timeout(10_000);
      const start = process.hrtime.bigint();
      const fresh = CsdlModel.load(SCHEMA_FILE);
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      assert.notEqual(fresh, model);
      assert.ok(fresh.hasType(PARTNER));
      assert.ok(ms < 2000, `load took ${ms.toFixed(0)} ms`);
    });
  });

  describe("hasType", () => {
    it("accepts the namespace-qualified, alias-qualified and bare names", () => {
      assert.ok(model.hasType(PARTNER));
      assert.ok(model.hasType("graph.crossTenantAccessPolicyConfigurationPartner"));
      assert.ok(model.hasType("crossTenantAccessPolicyConfigurationPartner"));
    });

    it("knows complex and enum types and the other schemas of the file", () => {
      assert.ok(model.hasType("microsoft.graph.crossTenantAccessPolicyInboundTrust"));
      assert.ok(model.hasType("microsoft.graph.crossTenantAccessPolicyTargetType"));
      assert.ok(model.hasType("microsoft.graph.callRecords.callRecord"));
      // microsoft.graph.security declares the alias "self".
      assert.ok(model.hasType("self.incident"));
      assert.ok(model.hasType("microsoft.graph.security.incident"));
    });

    it("rejects names that are not in the schema", () => {
      assert.equal(model.hasType("microsoft.graph.noSuchType"), false);
      assert.equal(model.hasType("graph.crossTenantAccessPolicyConfigurationPartnr"), false);
      assert.equal(model.hasType("callRecords.callRecord"), false); // that schema has no alias
      assert.equal(model.hasType("microsoft.graph.incident"), false); // only in microsoft.graph.security
      assert.equal(model.hasType(""), false);
    });
  });

  describe("propertyNames", () => {
    it("lists declared structural properties", () => {
      const names = model.propertyNames(PARTNER);
      for (const p of [
        "tenantId",
        "inboundTrust",
        "automaticUserConsentSettings",
        "b2bCollaborationInbound",
      ]) {
        assert.ok(names.includes(p), p);
      }
      assert.equal(names.includes("id"), false); // the partner type has no base type
    });

    it("includes properties inherited along the BaseType chain", () => {
      const names = model.propertyNames(DEFAULT);
      assert.ok(names.includes("id"), "id comes from microsoft.graph.entity");
      assert.ok(names.includes("isServiceDefault"));
    });

    it("leaves out navigation properties", () => {
      assert.equal(model.propertyNames(PARTNER).includes("identitySynchronization"), false);
    });

    it("throws for an unknown or non-structured type", () => {
      assert.throws(() => model.propertyNames("microsoft.graph.noSuchType"));
      assert.throws(() => model.propertyNames("microsoft.graph.crossTenantAccessPolicyTargetType"));
    });
  });

  describe("validate", () => {
    it("accepts the documented create-partner body", () => {
      assert.deepEqual(model.validate(PARTNER, DOCS_CREATE_PARTNER_BODY, "create"), []);
    });

    it("requires the body to be a JSON object", () => {
      assert.deepEqual(only(model.validate(PARTNER, [DOCS_CREATE_PARTNER_BODY], "create")), {
        path: "",
        code: "Request_BadRequest",
        message: MESSAGES.UNEXPECTED_NODE("StartObject", "StartArray"),
      });
      assert.equal(
        only(model.validate(PARTNER, "tenantId", "create")).message,
        MESSAGES.UNEXPECTED_NODE("StartObject", "PrimitiveValue"),
      );
      assert.equal(model.validate(PARTNER, null, "update").length, 1);
    });

    it("rejects an unknown top-level property, naming it and the type", () => {
      const v = only(model.validate(PARTNER, { ...DOCS_CREATE_PARTNER_BODY, tenantID: "x" }, "create"));
      assert.equal(v.path, "tenantID");
      assert.equal(v.code, "Request_BadRequest");
      assert.equal(
        v.message,
        "The property 'tenantID' does not exist on type 'microsoft.graph.crossTenantAccessPolicyConfigurationPartner'. Make sure to only use property names that are defined by the type or mark the type as open type.",
      );
    });

    it("rejects an unknown property inside a complex value, naming the complex type", () => {
      const v = only(
        model.validate(PARTNER, { inboundTrust: { isMfaAccepted: true, isMFAAccepted: true } }, "update"),
      );
      assert.equal(v.path, "inboundTrust.isMFAAccepted");
      assert.equal(
        v.message,
        notOnType("isMFAAccepted", "microsoft.graph.crossTenantAccessPolicyInboundTrust"),
      );
    });

    it("rejects an unknown property in an item of a complex collection", () => {
      const body = {
        b2bCollaborationInbound: {
          usersAndGroups: {
            accessType: "allowed",
            targets: [{ target: "AllUsers", targetType: "user", kind: "x" }],
          },
        },
      };
      const v = only(model.validate(PARTNER, body, "update"));
      assert.equal(v.path, "b2bCollaborationInbound.usersAndGroups.targets[0].kind");
      assert.equal(v.message, notOnType("kind", "microsoft.graph.crossTenantAccessPolicyTarget"));
    });

    it("rejects a boolean given as a string", () => {
      const v = only(model.validate(PARTNER, { inboundTrust: { isMfaAccepted: "true" } }, "update"));
      assert.equal(v.path, "inboundTrust.isMfaAccepted");
      assert.equal(v.message, "Cannot convert the literal 'true' to the expected type 'Edm.Boolean'.");
    });

    it("rejects a number or boolean given for a string, printing the literal as .NET does", () => {
      assert.equal(
        only(model.validate(PARTNER, { tenantId: 42 }, "create")).message,
        "Cannot convert the literal '42' to the expected type 'Edm.String'.",
      );
      assert.equal(
        only(model.validate(SYNC, { displayName: false }, "update")).message,
        "Cannot convert the literal 'False' to the expected type 'Edm.String'.",
      );
    });

    it("rejects an object or array where a primitive is expected", () => {
      const obj = only(
        model.validate(PARTNER, { automaticUserConsentSettings: { inboundAllowed: {} } }, "update"),
      );
      assert.equal(obj.path, "automaticUserConsentSettings.inboundAllowed");
      assert.equal(
        obj.message,
        "An unexpected 'StartObject' node was found for property named 'inboundAllowed' when reading from the JSON reader. A 'PrimitiveValue' node was expected.",
      );
      const arr = only(
        model.validate(PARTNER, { automaticUserConsentSettings: { outboundAllowed: [true] } }, "update"),
      );
      assert.equal(
        arr.message,
        "An unexpected 'StartArray' node was found when reading from the JSON reader. A 'PrimitiveValue' node was expected.",
      );
    });

    it("rejects a primitive or array where a complex value is expected", () => {
      const prim = only(model.validate(PARTNER, { inboundTrust: true }, "update"));
      assert.equal(prim.path, "inboundTrust");
      assert.equal(prim.message, MESSAGES.NESTED_RESOURCE_PRIMITIVE("inboundTrust"));
      const arr = only(model.validate(PARTNER, { inboundTrust: [] }, "update"));
      assert.equal(arr.message, MESSAGES.NESTED_RESOURCE_SINGLE("StartArray", "inboundTrust"));
    });

    it("rejects a misspelt enum value", () => {
      const body = {
        b2bCollaborationInbound: {
          applications: {
            accessType: "alowed",
            targets: [{ target: "Office365", targetType: "application" }],
          },
        },
      };
      const v = only(model.validate(PARTNER, body, "update"));
      assert.equal(v.path, "b2bCollaborationInbound.applications.accessType");
      assert.equal(v.message, "Requested value 'alowed' was not found.");
    });

    it("matches enum member names case-sensitively and wants a JSON string", () => {
      const target = (targetType: unknown) => ({
        b2bCollaborationInbound: { usersAndGroups: { targets: [{ target: "AllUsers", targetType }] } },
      });
      assert.equal(
        only(model.validate(PARTNER, target("User"), "update")).message,
        MESSAGES.ENUM_VALUE_NOT_FOUND("User"),
      );
      assert.equal(
        only(model.validate(PARTNER, target(1), "update")).message,
        "Cannot read the value '1' as a quoted JSON string value.",
      );
      assert.deepEqual(model.validate(PARTNER, target("unknownFutureValue"), "update"), []);
    });

    it("accepts comma-separated names for a flags enum only", () => {
      const type = "microsoft.graph.conditionalAccessGuestsOrExternalUsers";
      assert.deepEqual(
        model.validate(type, { guestOrExternalUserTypes: "internalGuest,b2bCollaborationGuest" }, "update"),
        [],
      );
      assert.deepEqual(
        model.validate(type, { guestOrExternalUserTypes: "internalGuest, serviceProvider" }, "update"),
        [],
      );
      const v = only(model.validate(type, { guestOrExternalUserTypes: "internalGuest,nobody" }, "update"));
      assert.equal(v.message, MESSAGES.ENUM_VALUE_NOT_FOUND("internalGuest,nobody"));
      // crossTenantAccessPolicyTargetType is not a flags enum.
      const notFlags = {
        b2bCollaborationInbound: { usersAndGroups: { targets: [{ targetType: "user,group" }] } },
      };
      assert.equal(model.validate(PARTNER, notFlags, "update").length, 1);
    });

    it("rejects a collection given as an object", () => {
      const body = {
        b2bCollaborationInbound: {
          usersAndGroups: { accessType: "allowed", targets: { target: "AllUsers", targetType: "user" } },
        },
      };
      const v = only(model.validate(PARTNER, body, "update"));
      assert.equal(v.path, "b2bCollaborationInbound.usersAndGroups.targets");
      assert.equal(
        v.message,
        "A node of type 'StartObject' was read from the JSON reader when trying to read the contents of the property 'targets'; however, a 'StartArray' node was expected.",
      );
    });

    it("checks every item of a primitive collection and wants an array", () => {
      const type = "microsoft.graph.conditionalAccessLocations";
      assert.deepEqual(
        model.validate(type, { includeLocations: ["All"], excludeLocations: [] }, "update"),
        [],
      );
      const item = only(model.validate(type, { includeLocations: ["All", 7] }, "update"));
      assert.equal(item.path, "includeLocations[1]");
      assert.equal(item.message, MESSAGES.CANNOT_CONVERT_LITERAL("7", "Edm.String"));
      const obj = only(model.validate(type, { includeLocations: { a: "All" } }, "update"));
      assert.equal(
        obj.message,
        MESSAGES.UNEXPECTED_NODE_FOR_PROPERTY("StartArray", "StartObject", "includeLocations"),
      );
      const str = only(model.validate(type, { includeLocations: "All" }, "update"));
      assert.equal(str.message, MESSAGES.UNEXPECTED_NODE("StartArray", "PrimitiveValue"));
      // Nullable="false" on a collection forbids null items.
      const nullItem = only(model.validate(type, { includeLocations: ["All", null] }, "update"));
      assert.equal(nullItem.path, "includeLocations[1]");
      assert.equal(nullItem.message, MESSAGES.NULL_COLLECTION_ITEM);
    });

    it("rejects null on a Nullable=false property", () => {
      const v = only(model.validate(SYNC, { displayName: "Contoso", tenantId: null }, "create"));
      assert.equal(v.path, "tenantId");
      assert.equal(
        v.message,
        "A null value was found for the property named 'tenantId', which has the expected type 'Edm.String[Nullable=False]'. The expected type 'Edm.String[Nullable=False]' does not allow null values.",
      );
    });

    it("accepts null on nullable properties, primitive and complex", () => {
      assert.deepEqual(model.validate(SYNC, { displayName: null, userSyncInbound: null }, "update"), []);
      assert.deepEqual(
        model.validate(PARTNER, { inboundTrust: null, b2bCollaborationInbound: null }, "update"),
        [],
      );
      const nested = { b2bCollaborationInbound: { usersAndGroups: { accessType: null, targets: null } } };
      assert.deepEqual(model.validate(PARTNER, nested, "update"), []);
    });

    it("does not require Nullable=false properties on create or replace", () => {
      assert.deepEqual(model.validate(SYNC, { userSyncInbound: { isSyncAllowed: true } }, "create"), []);
      assert.deepEqual(model.validate(SYNC, {}, "replace"), []);
      assert.deepEqual(model.validate(SYNC, { displayName: "Contoso" }, "update"), []);
    });

    it("accepts properties inherited from microsoft.graph.entity and checks their type", () => {
      assert.deepEqual(model.validate(DEFAULT, { id: "default", isServiceDefault: false }, "update"), []);
      const v = only(model.validate(DEFAULT, { id: 5 }, "update"));
      assert.equal(v.path, "id");
      assert.equal(v.message, MESSAGES.CANNOT_CONVERT_LITERAL("5", "Edm.String"));
      // ...but the partner type, which has no base type, has no id.
      assert.equal(only(model.validate(PARTNER, { id: "x" }, "update")).message, notOnType("id", PARTNER));
    });

    it("allows instance and property annotations", () => {
      const body = {
        "@odata.type": "#microsoft.graph.crossTenantAccessPolicyConfigurationPartner",
        "@odata.context":
          "https://graph.microsoft.com/v1.0/$metadata#policies/crossTenantAccessPolicy/partners/$entity",
        "@odata.id": "policies/crossTenantAccessPolicy/partners/3d0f5dec-5d3d-455c-8016-e2af1ae4d31a",
        "inboundTrust@odata.type": "#microsoft.graph.crossTenantAccessPolicyInboundTrust",
        ...DOCS_CREATE_PARTNER_BODY,
        inboundTrust: {
          "@odata.type": "microsoft.graph.crossTenantAccessPolicyInboundTrust",
          isMfaAccepted: true,
        },
      };
      assert.deepEqual(model.validate(PARTNER, body, "create"), []);
    });

    it("validates against the derived type named by @odata.type", () => {
      // crossTenantAccessPolicyTenantRestrictions derives from crossTenantAccessPolicyB2BSetting and adds devices.
      const devices = { mode: "allowed", rule: "device.isCompliant -eq True" };
      const plain = only(model.validate(PARTNER, { b2bCollaborationInbound: { devices } }, "update"));
      assert.equal(plain.message, notOnType("devices", "microsoft.graph.crossTenantAccessPolicyB2BSetting"));
      const derived = {
        b2bCollaborationInbound: {
          "@odata.type": "#microsoft.graph.crossTenantAccessPolicyTenantRestrictions",
          devices,
        },
      };
      assert.deepEqual(model.validate(PARTNER, derived, "update"), []);
      // The derived type's own properties are type-checked too.
      const bad = {
        b2bCollaborationInbound: { ...derived.b2bCollaborationInbound, devices: { mode: "allow" } },
      };
      const v = only(model.validate(PARTNER, bad, "update"));
      assert.equal(v.path, "b2bCollaborationInbound.devices.mode");
      assert.equal(v.message, MESSAGES.ENUM_VALUE_NOT_FOUND("allow"));
    });

    it("rejects an @odata.type that is unknown, unrelated or of another kind", () => {
      const at = (type: unknown) =>
        model.validate(PARTNER, { inboundTrust: { "@odata.type": type } }, "update");
      const unknown = only(at("#microsoft.graph.noSuchTrust"));
      assert.equal(unknown.path, "inboundTrust.@odata.type");
      assert.equal(unknown.message, MESSAGES.UNRECOGNIZED_TYPE_NAME("microsoft.graph.noSuchTrust"));
      assert.equal(
        only(at("#microsoft.graph.inboundOutboundPolicyConfiguration")).message,
        MESSAGES.TYPE_NOT_ASSIGNABLE(
          "microsoft.graph.inboundOutboundPolicyConfiguration",
          "microsoft.graph.crossTenantAccessPolicyInboundTrust",
        ),
      );
      assert.equal(
        only(at("#microsoft.graph.crossTenantIdentitySyncPolicyPartner")).message,
        MESSAGES.INCORRECT_TYPE_KIND(
          "microsoft.graph.crossTenantIdentitySyncPolicyPartner",
          "Complex",
          "Entity",
        ),
      );
      assert.equal(only(at(7)).message, MESSAGES.INVALID_TYPE_NAME("7"));
    });

    it("rejects a navigation property value but accepts @odata.bind on it", () => {
      const inline = only(
        model.validate(PARTNER, { identitySynchronization: { displayName: "x" } }, "update"),
      );
      assert.equal(inline.path, "identitySynchronization");
      assert.equal(inline.message, MESSAGES.NAVIGATION_VALUE("identitySynchronization", PARTNER));
      const bind = {
        "identitySynchronization@odata.bind":
          "policies/crossTenantAccessPolicy/partners/x/identitySynchronization",
      };
      assert.deepEqual(model.validate(PARTNER, bind, "update"), []);
      const dangling = only(model.validate(PARTNER, { "owners@odata.bind": ["users/1"] }, "update"));
      assert.equal(dangling.path, "owners@odata.bind");
      assert.equal(dangling.message, MESSAGES.ANNOTATION_ONLY_PROPERTY("owners"));
    });

    it("accepts undeclared properties on open types", () => {
      // microsoft.graph.averageComparativeScore is OpenType="true"; its declared properties are still checked.
      const type = "microsoft.graph.averageComparativeScore";
      assert.deepEqual(model.validate(type, { averageScore: 1.5, anything: { x: 1 } }, "update"), []);
      assert.equal(model.validate(type, { averageScore: "high" }, "update").length, 1);
    });

    it("reports every violation with the JSON path of the bad value", () => {
      const body = {
        tenantId: "3d0f5dec-5d3d-455c-8016-e2af1ae4d31a",
        inboundTrust: { isMfaAccepted: "yes" },
        b2bCollaborationInbound: {
          usersAndGroups: {
            accessType: "allowed",
            targets: [
              { target: "AllUsers", targetType: "user" },
              { target: "g", targetType: "groups" },
            ],
          },
        },
        automaticUserConsentSettings: { inboundAllowed: true, sideways: true },
      };
      const paths = model.validate(PARTNER, body, "replace").map((v) => v.path);
      assert.deepEqual(paths, [
        "inboundTrust.isMfaAccepted",
        "b2bCollaborationInbound.usersAndGroups.targets[1].targetType",
        "automaticUserConsentSettings.sideways",
      ]);
    });
  });

  describe("Edm primitive values", () => {
    // [type, property holder, property, accepted values, rejected values]
    const cases: [string, string, string, unknown[], unknown[]][] = [
      [
        "Edm.Guid",
        "microsoft.graph.addIn",
        "id",
        ["3d0f5dec-5d3d-455c-8016-e2af1ae4d31a", "{3D0F5DEC-5D3D-455C-8016-E2AF1AE4D31A}"],
        ["3d0f5dec", 12, "3d0f5dec-5d3d-455c-8016-e2af1ae4d31g"],
      ],
      [
        "Edm.DateTimeOffset",
        "microsoft.graph.alertHistoryState",
        "updatedDateTime",
        ["2024-02-29T10:00:00Z", "2024-01-01T00:00:00.1234567+05:30", "2024-01-01T10:00Z"],
        ["2024-01-01", "2024-01-01T10:00:00", "2023-02-29T10:00:00Z", "yesterday", 1704067200],
      ],
      [
        "Edm.Date",
        "microsoft.graph.applicationRiskFactorGeneralInfo",
        "domainRegistrationDate",
        ["2024-02-29"],
        ["2023-02-29", "2024-01-01T00:00:00Z", "20240101"],
      ],
      [
        "Edm.TimeOfDay",
        "microsoft.graph.bookingWorkTimeSlot",
        "endTime",
        ["17:30:00", "08:00", "23:59:59.9999999"],
        ["24:00:00", "5pm", 1730],
      ],
      [
        "Edm.Duration",
        "microsoft.graph.accessPackageApprovalStage",
        "durationBeforeAutomaticDenial",
        ["P14D", "PT1H30M", "P1DT12H", "-PT0.5S"],
        ["P1Y", "P1M", "PT", "P", "14 days", 14],
      ],
      [
        "Edm.Binary",
        "microsoft.graph.agreementFileData",
        "data",
        ["aGVsbG8=", "aGVsbG8h", "a-_b"],
        ["base64Y3YxN2E1MWFlYw==", "aGVsbG8", "%%%%", 1],
      ],
      [
        "Edm.Int32",
        "microsoft.graph.accessPackageSuggestionRelatedPeopleBased",
        "relatedPeopleAssignmentCount",
        [0, -5, 2147483647],
        [2147483648, 1.5, "3", true],
      ],
      [
        "Edm.Int64",
        "microsoft.graph.attachmentInfo",
        "size",
        [0, 123456789012, "9223372036854775807", "-42"],
        ["9223372036854775808", "12kb", 1.5, false],
      ],
      ["Edm.Int16", "microsoft.graph.audio", "disc", [1, -32768], [32768, "1"]],
      ["Edm.Byte", "microsoft.graph.rgbColor", "b", [0, 255], [256, -1]],
      [
        "Edm.Double",
        "microsoft.graph.averageComparativeScore",
        "averageScore",
        [1, 1.5, -2e10, "NaN", "INF", "-INF"],
        ["1.5", true],
      ],
      ["Edm.Single", "microsoft.graph.applicationRiskScore", "compliance", [0.25], ["0.25"]],
      [
        "Edm.Decimal",
        "microsoft.graph.callRecords.pstnCallLogRow",
        "charge",
        [0.05, "0.05"],
        ["five cents", true],
      ],
      ["Edm.Stream", "microsoft.graph.deviceAndAppManagementData", "content", ["aGVsbG8="], [42, true]],
    ];

    for (const [edm, holder, prop, good, bad] of cases) {
      it(`${edm} (${holder}.${prop})`, () => {
        for (const value of good) {
          assert.deepEqual(
            model.validate(holder, { [prop]: value }, "update"),
            [],
            `${JSON.stringify(value)} should pass`,
          );
        }
        for (const value of bad) {
          const violations = model.validate(holder, { [prop]: value }, "update");
          assert.equal(violations.length, 1, `${JSON.stringify(value)} should fail`);
          assert.equal(violations[0].path, prop);
          const lit = typeof value === "boolean" ? (value ? "True" : "False") : String(value);
          assert.equal(violations[0].message, MESSAGES.CANNOT_CONVERT_LITERAL(lit, edm));
        }
      });
    }
  });
});
