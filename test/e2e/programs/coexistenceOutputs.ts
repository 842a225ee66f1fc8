// A test program standing in for the coexistence stack: it only exports what a wave stack reads
// by stack reference (the tenants and the license-group mapping), from its own configuration:
//   wave-coex-test:sourceTenantId, wave-coex-test:targetTenantId, wave-coex-test:licenseGroupMapping
import * as pulumi from "@pulumi/pulumi";

export = async (): Promise<Record<string, unknown>> => {
  const config = new pulumi.Config("wave-coex-test");
  return {
    sourceTenantId: config.require("sourceTenantId"),
    targetTenantId: config.require("targetTenantId"),
    licenseGroupMapping: config.requireObject<Record<string, string>>("licenseGroupMapping"),
  };
};
