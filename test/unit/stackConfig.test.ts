import assert from "node:assert/strict";
import * as path from "node:path";
import { ConfigError, loadStackConfig } from "../../lib/config/stackConfig";

const SOURCE = "5a0c6e1e-3c1b-4c52-9d0e-1f5b0c4a7e01";
const TARGET = "b7d2f3a4-8e6c-4d19-a2f5-3c9e7b1d0f02";

function valid(): Record<string, unknown> {
  return {
    source: {
      tenantId: SOURCE,
      domain: "fabrikam.example",
      clientId: "0f4a1c2e-6b7d-4e8f-9a0b-1c2d3e4f5a01",
      credential: { kind: "certificate", certificatePath: "certs/source.pem" },
    },
    target: { tenantId: TARGET, domain: "contoso.example", credential: { kind: "default" } },
  };
}

/** Pulumi hands over object values as JSON text. */
function load(values: Record<string, unknown>) {
  return loadStackConfig((key) => (key in values ? JSON.stringify(values[key]) : undefined), "/project");
}

function errorOf(values: Record<string, unknown>): string {
  try {
    load(values);
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.message;
  }
  assert.fail("the configuration was accepted");
}

describe("stack configuration", () => {
  it("accepts a minimal configuration and fills in the seed's defaults", () => {
    const c = load(valid());
    assert.equal(c.cloud.graphEndpoint, "https://graph.microsoft.com");
    assert.equal(c.cloud.disableInstanceDiscovery, false);
    assert.deepEqual(c.crossTenantAccess.inboundTrust, {
      isMfaAccepted: true,
      isCompliantDeviceAccepted: true,
      isHybridAzureADJoinedDeviceAccepted: true,
    });
    assert.deepEqual(c.crossTenantAccess.automaticRedemption, { sourceInbound: true, targetOutbound: true });
    assert.deepEqual(c.crossTenantAccess.sourceDefault, {});
  });

  it("resolves certificate paths against the project directory", () => {
    const c = load(valid());
    assert.equal(
      c.source.credential.kind === "certificate" && c.source.credential.certificatePath,
      path.resolve("/project/certs/source.pem"),
    );
  });

  it("turns off instance discovery for an authority that is not the public cloud's", () => {
    const c = load({
      ...valid(),
      cloud: {
        authorityHost: "https://login.microsoftonline.us",
        graphEndpoint: "https://graph.microsoft.us",
      },
    });
    assert.equal(c.cloud.disableInstanceDiscovery, true);
  });

  it("names the key and the value of a tenant id that is not a GUID", () => {
    const v = valid();
    (v.source as Record<string, unknown>).tenantId = "fabrikam";
    assert.match(errorOf(v), /entra-coexistence:source\.tenantId: must be a tenant id .*\(got "fabrikam"\)/);
  });

  it("names a missing connection", () => {
    const v = valid();
    delete v.target;
    assert.match(errorOf(v), /entra-coexistence:target: .*\(missing\)/);
  });

  it("rejects a misspelt key instead of ignoring it", () => {
    assert.match(
      errorOf({ ...valid(), crossTenantAccess: { inboundTrusts: {} } }),
      /entra-coexistence:crossTenantAccess: .*inboundTrusts/,
    );
  });

  it("names a value of the wrong type deep inside", () => {
    const message = errorOf({
      ...valid(),
      crossTenantAccess: {
        inboundTrust: {
          isMfaAccepted: "yes",
          isCompliantDeviceAccepted: true,
          isHybridAzureADJoinedDeviceAccepted: true,
        },
      },
    });
    assert.match(
      message,
      /entra-coexistence:crossTenantAccess\.inboundTrust\.isMfaAccepted: .*boolean.*\(got "yes"\)/,
    );
  });

  it("requires clientId with a certificate credential", () => {
    const v = valid();
    delete (v.source as Record<string, unknown>).clientId;
    assert.match(
      errorOf(v),
      /entra-coexistence:source\.clientId: clientId is required with a certificate credential/,
    );
  });

  it("refuses an http:// Graph endpoint", () => {
    assert.match(
      errorOf({ ...valid(), cloud: { graphEndpoint: "http://graph.microsoft.com" } }),
      /cloud\.graphEndpoint: must be an https:\/\/ URL/,
    );
  });

  it("refuses the same tenant as source and target", () => {
    const v = valid();
    (v.target as Record<string, unknown>).tenantId = SOURCE.toUpperCase();
    assert.match(errorOf(v), /target\.tenantId: the target tenant must differ from the source tenant/);
  });

  it("refuses an automaticUserConsentSettings key on a tenant default", () => {
    assert.match(
      errorOf({ ...valid(), crossTenantAccess: { sourceDefault: { automaticUserConsentSettings: {} } } }),
      /crossTenantAccess\.sourceDefault: .*automaticUserConsentSettings/,
    );
  });
});
