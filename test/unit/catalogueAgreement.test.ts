// The product's service-plan catalogue (lib/licensing/servicePlans.ts) and the emulator's own plan
// data (emulator/skus.ts, read through the emulator's licensing rule) are written from the same
// sources but share no code. On every fixture SKU they must agree plan by plan: what the product
// disables is exactly what, enabled on its own, makes the emulator scrub proxy addresses.
import assert from "node:assert/strict";
import { licenseProxyEffect } from "../../emulator/licensing";
import { planData, SKU_FIXTURES } from "../../emulator/skus";
import { skuFromFixture, type Tenant } from "../../emulator/state";
import { describeReason, scrubbingPlansOf } from "../../lib/licensing/servicePlans";

describe("catalogue agreement: product and emulator", () => {
  it("on every fixture SKU, the product disables exactly the plans on which the emulator scrubs", () => {
    const tenant = {
      id: "00000000-0000-0000-0000-000000000001",
      subscribedSkus: Object.keys(SKU_FIXTURES).map((k) =>
        skuFromFixture("00000000-0000-0000-0000-000000000001", k as keyof typeof SKU_FIXTURES),
      ),
      licensing: { processingDelayMs: 0 },
    } as unknown as Tenant;
    const disagreements: string[] = [];
    let checked = 0;
    for (const [key, sku] of Object.entries(SKU_FIXTURES)) {
      const product = new Map(scrubbingPlansOf(sku.servicePlans).map((p) => [p.servicePlanId, p.reason]));
      const all = sku.servicePlans.map((p) => p.servicePlanId);
      for (const plan of sku.servicePlans) {
        // A user holding the SKU with only this plan enabled.
        const user = {
          id: "u",
          assignedLicenses: [
            { skuId: sku.skuId, disabledPlans: all.filter((id) => id !== plan.servicePlanId) },
          ],
        };
        const scrubs = licenseProxyEffect(tenant, user).scrubbing;
        const reason = product.get(plan.servicePlanId);
        checked++;
        if (scrubs === (reason !== undefined)) continue;
        const data = planData(plan.servicePlanId);
        disagreements.push(
          `${key} ${plan.servicePlanName}: the product ${reason ? `disables it (${describeReason(reason)})` : "leaves it enabled"}, ` +
            `the emulator ${scrubs ? "scrubs" : "does not scrub"} on it (service ${data?.service ?? "none"}, ${data?.basis ?? "no data"})`,
        );
      }
    }
    assert.ok(checked > 300, `only ${checked} plans checked`);
    assert.deepEqual(disagreements, []);
  });
});
