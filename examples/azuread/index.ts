// The example as a Pulumi program: `pulumi up` in this directory, with the stack configuration
// below (`pulumi config set ...`) and the source tenant's connection as this project's README
// describes (entra-coexistence:source, entra-coexistence:cloud).
import { readFileSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { azureadExample } from "./program";

const config = new pulumi.Config("azuread-example");
const out = azureadExample({
  originalGroupName: config.require("originalGroupName"),
  reachBackGroupName: config.require("reachBackGroupName"),
  licenses: config.requireObject("licenses"),
  automationCertificatePem: readFileSync(config.require("automationCertificate"), "utf8"),
});

export const automationClientId = out.automationClientId;
export const reachBackGroupId = out.reachBackGroupId;
