// How many bytes of provider code Pulumi keeps in state per dynamic resource: our shim, against
// the same provider serialized whole (the usual way of writing dynamic providers). Prints figures
// and the ratio; not part of the test suite's pass/fail.
import * as pulumi from "@pulumi/pulumi";
import { provider as automationImpl } from "../providers/automationApp";
import { provider as defaultImpl } from "../providers/crossTenantAccessDefault";
import { provider as partnerImpl } from "../providers/crossTenantAccessPartner";
import { provider as delegationImpl } from "../providers/directoryDelegation";
import { provider as licenseGroupImpl } from "../providers/reachBackLicenseGroup";
import { runtimeProvider } from "../providers/runtimeProvider";

async function bytes(make: () => unknown): Promise<number | string> {
  try {
    const s = await pulumi.runtime.serializeFunction(make as () => unknown);
    return s.text.length;
  } catch (e) {
    return `fails: ${(e as Error).message.split("\n")[0]}`;
  }
}

async function main() {
  const rows: Array<[string, number | string, number | string]> = [];
  for (const [name, moduleId, impl] of [
    ["CrossTenantAccessPartner", "dist/providers/crossTenantAccessPartner", partnerImpl],
    ["CrossTenantAccessDefault", "dist/providers/crossTenantAccessDefault", defaultImpl],
    ["ReachBackLicenseGroup", "dist/providers/reachBackLicenseGroup", licenseGroupImpl],
    ["AutomationApp", "dist/providers/automationApp", automationImpl],
    ["DirectoryDelegation", "dist/providers/directoryDelegation", delegationImpl],
  ] as const) {
    const shim = runtimeProvider(moduleId);
    rows.push([name, await bytes(() => shim), await bytes(() => impl)]);
  }
  console.log("resource                   shim bytes   whole-provider bytes   ratio");
  for (const [name, shim, whole] of rows) {
    const ratio =
      typeof whole === "number" && typeof shim === "number" ? `${(whole / shim).toFixed(1)}x` : "-";
    console.log(`${name.padEnd(26)} ${String(shim).padStart(10)}   ${String(whole).padStart(20)}   ${ratio}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
