// The Pulumi program: validated stack configuration in, the coexistence components out.
import * as pulumi from "@pulumi/pulumi";
import { CrossTenantCoexistence } from "./components/crossTenantCoexistence";
import { CONFIG_NAMESPACE, ConfigError, loadStackConfig } from "./lib/config/stackConfig";

const raw = new pulumi.Config(CONFIG_NAMESPACE);
let config: ReturnType<typeof loadStackConfig>;
try {
  config = loadStackConfig((key) => raw.get(key));
} catch (e) {
  // RunError prints the message alone, without a stack trace, and stops before any resource
  // is registered, so nothing is written anywhere.
  if (e instanceof ConfigError) throw new pulumi.RunError(e.message);
  throw e;
}

const coexistence = new CrossTenantCoexistence("coexistence", {
  sourceTenantId: config.source.tenantId,
  targetTenantId: config.target.tenantId,
  settings: config.crossTenantAccess,
});

export const sourcePartner = coexistence.sourcePartner.settings;
export const targetPartner = coexistence.targetPartner.settings;
export const sourceDefaultIsServiceDefault = coexistence.sourceDefault.isServiceDefault;
export const targetDefaultIsServiceDefault = coexistence.targetDefault.isServiceDefault;
