// How many bytes of provider code Pulumi keeps in state per dynamic resource (once in the inputs,
// once in the outputs): the module text this version writes (runtimeProvider.ts), the closure shim
// earlier versions serialized, and the provider serialized whole (the usual way of writing
// dynamic providers). Prints figures and the ratios; not part of the test suite's pass/fail.
// bench/stateSize.ts measures whole resources through the CLI.
import * as pulumi from "@pulumi/pulumi";
import { provider as automationImpl } from "../providers/automationApp";
import { provider as defaultImpl } from "../providers/crossTenantAccessDefault";
import { provider as partnerImpl } from "../providers/crossTenantAccessPartner";
import { provider as delegationImpl } from "../providers/directoryDelegation";
import { provider as licenseGroupImpl } from "../providers/reachBackLicenseGroup";
import { providerSource, runtimeProvider } from "../providers/runtimeProvider";

async function bytes(make: () => unknown): Promise<number | string> {
  try {
    const s = await pulumi.runtime.serializeFunction(make as () => unknown);
    return s.text.length;
  } catch (e) {
    return `fails: ${(e as Error).message.split("\n")[0]}`;
  }
}

async function main() {
  const rows: Array<[string, number, number | string, number | string]> = [];
  for (const [name, moduleId, impl] of [
    ["CrossTenantAccessPartner", "dist/providers/crossTenantAccessPartner", partnerImpl],
    ["CrossTenantAccessDefault", "dist/providers/crossTenantAccessDefault", defaultImpl],
    ["ReachBackLicenseGroup", "dist/providers/reachBackLicenseGroup", licenseGroupImpl],
    ["AutomationApp", "dist/providers/automationApp", automationImpl],
    ["DirectoryDelegation", "dist/providers/directoryDelegation", delegationImpl],
    ["ReachBackUser", "dist/providers/reachBackUser", undefined],
  ] as const) {
    const shim = runtimeProvider(moduleId);
    const text = JSON.stringify(providerSource(moduleId)).length;
    rows.push([name, text, await bytes(() => shim), impl ? await bytes(() => impl) : "-"]);
  }
  console.log("resource                   module text   closure shim   whole provider   shim/text");
  for (const [name, text, shim, whole] of rows) {
    const ratio = typeof shim === "number" ? `${(shim / text).toFixed(1)}x` : "-";
    console.log(
      `${name.padEnd(26)} ${String(text).padStart(11)}   ${String(shim).padStart(12)}   ${String(whole).padStart(14)}   ${ratio.padStart(9)}`,
    );
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
