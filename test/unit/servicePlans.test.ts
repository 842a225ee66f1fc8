import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { SKU_FIXTURES } from "../../emulator/skus";
import {
  describeReason,
  GOVERNMENT_TWINS,
  isExchangeOnlinePlan,
  MICROSOFT_EXCHANGE_PLANS,
  SCRUBBING_PLANS,
  SEED_000_FRIENDLY_NAMES,
  type ServicePlanRef,
  scrubbingPlansOf,
  scrubbingReason,
  UNVERIFIED_CANDIDATE_PLANS,
} from "../../lib/licensing/servicePlans";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const names = (plans: readonly ServicePlanRef[]) => plans.map((p) => p.servicePlanName).sort();
const planIn = (sku: keyof typeof SKU_FIXTURES, name: string): ServicePlanRef => {
  const plan = SKU_FIXTURES[sku].servicePlans.find((p) => p.servicePlanName === name);
  assert.ok(plan, `${name} not in ${sku}`);
  return plan;
};

describe("servicePlans: proxy scrubbing classification", () => {
  describe("SCRUBBING_PLANS", () => {
    it("covers every item of seed 000's list, in the seed's order, with GUID ids", () => {
      assert.equal(SEED_000_FRIENDLY_NAMES.length, 21);
      const seen = [...new Set(SCRUBBING_PLANS.map((p) => p.friendlyName))];
      assert.deepEqual(seen, SEED_000_FRIENDLY_NAMES);
      for (const p of SCRUBBING_PLANS) assert.match(p.servicePlanId, GUID, p.servicePlanName);
    });

    it("has unique ids and names", () => {
      assert.equal(new Set(SCRUBBING_PLANS.map((p) => p.servicePlanId)).size, SCRUBBING_PLANS.length);
      assert.equal(new Set(SCRUBBING_PLANS.map((p) => p.servicePlanName)).size, SCRUBBING_PLANS.length);
    });

    it("maps the seed's ambiguous names as documented", () => {
      const of = (friendly: string) => names(SCRUBBING_PLANS.filter((p) => p.friendlyName === friendly));
      assert.deepEqual(of("Microsoft Defender for Office 365"), ["ATP_ENTERPRISE", "THREAT_INTELLIGENCE"]);
      assert.deepEqual(of("Exchange Online"), ["EXCHANGE_S_ENTERPRISE"]);
      assert.deepEqual(of("Microsoft MyAnalytics"), ["EXCHANGE_ANALYTICS"]);
      assert.deepEqual(of("Customer Lockbox"), ["LOCKBOX_ENTERPRISE"]);
      assert.deepEqual(of("RETIRED – Microsoft Insider Risk Management"), ["INSIDER_RISK_MANAGEMENT"]);
    });

    it("uses the same id for a plan as the E5 fixture (both from the reference)", () => {
      const e5 = new Map(SKU_FIXTURES.SPE_E5.servicePlans.map((p) => [p.servicePlanName, p.servicePlanId]));
      for (const p of SCRUBBING_PLANS)
        assert.equal(e5.get(p.servicePlanName), p.servicePlanId, p.servicePlanName);
    });
  });

  describe("MICROSOFT_EXCHANGE_PLANS", () => {
    it("are 28 of Microsoft's 30 items, with GUID ids, each plan once", () => {
      assert.equal(MICROSOFT_EXCHANGE_PLANS.length, 28);
      for (const p of MICROSOFT_EXCHANGE_PLANS) assert.match(p.servicePlanId, GUID, p.servicePlanName);
      assert.equal(new Set(MICROSOFT_EXCHANGE_PLANS.map((p) => p.servicePlanId)).size, 28);
    });

    it("disables the plans only Microsoft's list names, with that reason", () => {
      for (const n of [
        "MYANALYTICS_P2",
        "MICROSOFTBOOKINGS",
        "PREMIUM_ENCRYPTION",
        "EXCHANGE_S_FOUNDATION",
      ]) {
        const plan = MICROSOFT_EXCHANGE_PLANS.find((p) => p.servicePlanName === n);
        assert.ok(plan, n);
        assert.equal(scrubbingReason(plan)?.kind, "microsoft-list", n);
      }
    });

    it("uses the fixtures' ids for the plans they hold (both from the reference)", () => {
      const ids = new Map(
        Object.values(SKU_FIXTURES).flatMap((s) =>
          s.servicePlans.map((p) => [p.servicePlanName, p.servicePlanId]),
        ),
      );
      for (const p of MICROSOFT_EXCHANGE_PLANS) {
        if (ids.has(p.servicePlanName))
          assert.equal(ids.get(p.servicePlanName), p.servicePlanId, p.servicePlanName);
      }
    });

    it("disables Exchange Foundation by default, because Microsoft's list names it", () => {
      const r = scrubbingReason(planIn("EMS", "EXCHANGE_S_FOUNDATION"));
      assert.deepEqual(r, { kind: "microsoft-list", friendlyName: "Exchange Foundation" });
      assert.doesNotMatch(describeReason(r), /unv/);
    });
  });

  describe("GOVERNMENT_TWINS", () => {
    it("each stands for a plan on seed 000's list or Microsoft's list, and is named after it", () => {
      const listed = new Set([...SCRUBBING_PLANS, ...MICROSOFT_EXCHANGE_PLANS].map((p) => p.servicePlanName));
      for (const t of GOVERNMENT_TWINS) {
        assert.ok(listed.has(t.twinOf), t.servicePlanName);
        assert.match(t.servicePlanName, new RegExp(`^${t.twinOf.replace("_S_", "_(S_)?")}_GOV$`), t.twinOf);
        assert.match(t.friendlyName, /for Government/);
        assert.match(t.servicePlanId, GUID);
      }
    });

    it("are disabled as GCC twins, by id or by the reference's other spelling", () => {
      for (const t of GOVERNMENT_TWINS) {
        const r = scrubbingReason(t);
        assert.ok(r?.kind === "government-twin" || r?.kind === "exchange", t.servicePlanName);
      }
      const lockbox = GOVERNMENT_TWINS.find((t) => t.servicePlanName === "LOCKBOX_ENTERPRISE_GOV");
      assert.ok(lockbox);
      assert.deepEqual(scrubbingReason(lockbox), { kind: "government-twin", twinOf: "LOCKBOX_ENTERPRISE" });
      const foundation = {
        servicePlanId: "922ba911-5694-4e99-a794-73aed9bfeec8",
        servicePlanName: "EXCHANGE_FOUNDATION_GOV",
      };
      assert.deepEqual(scrubbingReason(foundation), {
        kind: "government-twin",
        twinOf: "EXCHANGE_S_FOUNDATION",
      });
    });
  });

  describe("isExchangeOnlinePlan (identity rule)", () => {
    const plan = (servicePlanName: string): ServicePlanRef => ({
      servicePlanId: randomUUID(),
      servicePlanName,
    });

    it("recognises Exchange Online and add-on plans by name", () => {
      for (const n of [
        "EXCHANGE_S_ENTERPRISE",
        "EXCHANGE_S_STANDARD",
        "EXCHANGE_S_DESKLESS",
        "EXCHANGE_S_ARCHIVE_ADDON",
        "EXCHANGE_S_ENTERPRISE_GOV",
        "EXCHANGE_ANALYTICS",
        "EXCHANGE_S_FOUNDATION",
        "EXCHANGEONLINE_MULTIGEO",
        "EOP_ENTERPRISE",
        "MIP_S_Exchange",
        "PRIVACY_MANGEMENT_RISK_EXCHANGE",
      ]) {
        assert.ok(isExchangeOnlinePlan(plan(n)), n);
      }
    });

    it("leaves other plans alone, including ones merely containing the letters", () => {
      for (const n of [
        "TEAMS1",
        "AAD_PREMIUM",
        "SHAREPOINTENTERPRISE",
        "INTUNE_A",
        "MYEXCHANGERATE",
        "EOPX",
      ]) {
        assert.equal(isExchangeOnlinePlan(plan(n)), false, n);
      }
    });

    it("classifies a plan Microsoft adds later by its identity", () => {
      const added = plan("EXCHANGE_S_NEW_ADDON");
      assert.ok(isExchangeOnlinePlan(added));
      assert.deepEqual(scrubbingReason(added), { kind: "exchange", detail: "name EXCHANGE_S_NEW_ADDON" });
      const sku = [...SKU_FIXTURES.EMS.servicePlans, added];
      assert.ok(scrubbingPlansOf(sku).some((p) => p.servicePlanId === added.servicePlanId));
    });

    it("ignores case and separators (property)", () => {
      const word = fc.stringMatching(/^[A-Z0-9]{1,8}$/).filter((w) => !w.startsWith("EXCHANGE"));
      fc.assert(
        fc.property(fc.array(word, { maxLength: 3 }), fc.array(word, { maxLength: 3 }), (pre, post) => {
          const n = [...pre, "eXcHaNgE", ...post].join("_");
          return isExchangeOnlinePlan(plan(n)) && isExchangeOnlinePlan(plan(n.replaceAll("_", " ")));
        }),
      );
    });
  });

  describe("scrubbingPlansOf on real SKUs", () => {
    it("E5: every seed plan present plus Microsoft's list and Exchange plans, nothing else, sorted by id", () => {
      const e5 = SKU_FIXTURES.SPE_E5.servicePlans;
      const got = scrubbingPlansOf(e5);
      const seedInE5 = SCRUBBING_PLANS.filter((s) => e5.some((p) => p.servicePlanId === s.servicePlanId));
      assert.equal(seedInE5.length, SCRUBBING_PLANS.length, "the current E5 still has every seed plan");
      const microsoft = MICROSOFT_EXCHANGE_PLANS.filter((m) =>
        e5.some((p) => p.servicePlanId === m.servicePlanId),
      );
      const exchange = e5.filter(isExchangeOnlinePlan).map((p) => p.servicePlanName);
      const expected = [
        ...new Set([...seedInE5, ...microsoft].map((p) => p.servicePlanName).concat(exchange)),
      ].sort();
      assert.deepEqual(names(got), expected);
      assert.deepEqual(names(got.filter((p) => p.reason.kind === "microsoft-list")), [
        "MICROSOFTBOOKINGS",
        "MYANALYTICS_P2",
        "PREMIUM_ENCRYPTION",
      ]);
      // The only non-seed addition today: Data Classification in Microsoft 365 (named after Exchange).
      assert.deepEqual(
        got.filter((p) => p.reason.kind === "exchange").map((p) => p.servicePlanName),
        ["MIP_S_Exchange"],
      );
      for (const n of ["TEAMS1", "AAD_PREMIUM", "INSIDER_RISK", "MICROSOFT_COMMUNICATION_COMPLIANCE"]) {
        assert.ok(!got.some((p) => p.servicePlanName === n), n);
      }
      const ids = got.map((p) => p.servicePlanId);
      assert.deepEqual(ids, [...ids].sort());
    });

    it("E3: Exchange Online, Information Protection Standard, MyAnalytics and Bookings, plus Graph Connectors in Microsoft 365 E3", () => {
      assert.deepEqual(names(scrubbingPlansOf(SKU_FIXTURES.SPE_E3.servicePlans)), [
        "EXCHANGE_S_ENTERPRISE",
        "GRAPH_CONNECTORS_SEARCH_INDEX",
        "MICROSOFTBOOKINGS",
        "MIP_S_CLP1",
        "MYANALYTICS_P2",
      ]);
      assert.deepEqual(names(scrubbingPlansOf(SKU_FIXTURES.ENTERPRISEPACK.servicePlans)), [
        "EXCHANGE_S_ENTERPRISE",
        "MICROSOFTBOOKINGS",
        "MIP_S_CLP1",
        "MYANALYTICS_P2",
      ]);
    });

    it("Office 365 G5 GCC: the GCC twins and the commercial ids GCC keeps", () => {
      const got = scrubbingPlansOf(SKU_FIXTURES.ENTERPRISEPREMIUM_GOV.servicePlans);
      assert.deepEqual(names(got.filter((p) => p.reason.kind === "government-twin")), [
        "ATP_ENTERPRISE_GOV",
        "EQUIVIO_ANALYTICS_GOV",
        "EXCHANGE_ANALYTICS_GOV",
        "EXCHANGE_S_ENTERPRISE_GOV",
        "LOCKBOX_ENTERPRISE_GOV",
        "THREAT_INTELLIGENCE_GOV",
      ]);
      for (const n of [
        "INFORMATION_BARRIERS",
        "MIP_S_CLP2",
        "CUSTOMER_KEY",
        "PREMIUM_ENCRYPTION",
        "MICROSOFTBOOKINGS",
      ])
        assert.ok(
          got.some((p) => p.servicePlanName === n),
          n,
        );
      assert.ok(!got.some((p) => p.servicePlanName === "TEAMS_GOV"));
    });

    it("A5 for faculty: the same plans as E5 but Insights by MyAnalytics, which A5 does not have", () => {
      const a5 = names(scrubbingPlansOf(SKU_FIXTURES.M365EDU_A5_FACULTY.servicePlans));
      const e5 = names(scrubbingPlansOf(SKU_FIXTURES.SPE_E5.servicePlans));
      assert.deepEqual(
        a5,
        e5.filter((n) => n !== "MYANALYTICS_P2"),
      );
    });

    it("F3 and Exchange Online (Plan 1): their Exchange plan (and Bookings in F3)", () => {
      const f3 = scrubbingPlansOf(SKU_FIXTURES.SPE_F1.servicePlans);
      assert.deepEqual(f3, [
        {
          servicePlanId: "199a5c09-e0ca-4e37-8f7c-b05d533e1ea2",
          servicePlanName: "MICROSOFTBOOKINGS",
          reason: { kind: "microsoft-list", friendlyName: "Microsoft Bookings" },
        },
        {
          servicePlanId: "4a82b400-a79f-41a4-b4e2-e94f5787b113",
          servicePlanName: "EXCHANGE_S_DESKLESS",
          reason: { kind: "microsoft-list", friendlyName: "Exchange Online Kiosk" },
        },
      ]);
      assert.deepEqual(names(scrubbingPlansOf(SKU_FIXTURES.EXCHANGESTANDARD.servicePlans)), [
        "EXCHANGE_S_STANDARD",
      ]);
    });

    it("EMS: only Exchange Foundation; nothing once the stack opts it out", () => {
      const ems = SKU_FIXTURES.EMS.servicePlans;
      assert.deepEqual(names(scrubbingPlansOf(ems)), ["EXCHANGE_S_FOUNDATION"]);
      assert.deepEqual(scrubbingPlansOf(ems, { neverDisable: ["exchange_s_foundation"] }), []);
    });
  });

  describe("UNVERIFIED_CANDIDATE_PLANS", () => {
    it("are real A5 plans on no list, off by default with a reason each, and can be forced", () => {
      const a5 = SKU_FIXTURES.M365EDU_A5_FACULTY.servicePlans;
      const listed = [...SCRUBBING_PLANS, ...MICROSOFT_EXCHANGE_PLANS, ...GOVERNMENT_TWINS];
      for (const c of UNVERIFIED_CANDIDATE_PLANS) {
        assert.ok(
          a5.some((p) => p.servicePlanId === c.servicePlanId && p.servicePlanName === c.servicePlanName),
        );
        assert.ok(!listed.some((p) => p.servicePlanId === c.servicePlanId), c.servicePlanName);
        assert.ok(c.reason.length > 20, c.servicePlanName);
        assert.equal(scrubbingReason(c), undefined, c.servicePlanName);
      }
      const forced = scrubbingPlansOf(a5, {
        forceDisable: UNVERIFIED_CANDIDATE_PLANS.map((c) => c.servicePlanId),
      });
      assert.equal(
        forced.filter((p) => p.reason.kind === "override").length,
        UNVERIFIED_CANDIDATE_PLANS.length,
      );
    });
  });

  describe("overrides", () => {
    const teams = planIn("SPE_E5", "TEAMS1");
    const lockbox = planIn("SPE_E5", "LOCKBOX_ENTERPRISE");

    it("forceDisable adds a plan, by id or by name, case-insensitively", () => {
      assert.equal(scrubbingReason(teams), undefined);
      assert.deepEqual(scrubbingReason(teams, { forceDisable: [teams.servicePlanId.toUpperCase()] }), {
        kind: "override",
      });
      assert.deepEqual(scrubbingReason(teams, { forceDisable: ["teams1"] }), { kind: "override" });
      const got = scrubbingPlansOf(SKU_FIXTURES.SPE_E3.servicePlans, { forceDisable: ["Teams1"] });
      assert.ok(got.some((p) => p.servicePlanName === "TEAMS1" && p.reason.kind === "override"));
    });

    it("keeps the intrinsic reason when a forced plan would be disabled anyway", () => {
      assert.deepEqual(scrubbingReason(lockbox, { forceDisable: ["LOCKBOX_ENTERPRISE"] }), {
        kind: "seed-list",
        friendlyName: "Customer Lockbox",
      });
    });

    it("neverDisable removes a plan, by id or by name, and wins over everything", () => {
      assert.equal(scrubbingReason(lockbox, { neverDisable: ["lockbox_enterprise"] }), undefined);
      assert.equal(
        scrubbingReason(lockbox, { neverDisable: [lockbox.servicePlanId.toUpperCase()] }),
        undefined,
      );
      assert.equal(scrubbingReason(teams, { forceDisable: ["TEAMS1"], neverDisable: ["TEAMS1"] }), undefined);
      const exo = planIn("SPE_E5", "EXCHANGE_S_ENTERPRISE");
      assert.equal(scrubbingReason(exo, { neverDisable: ["EXCHANGE_S_ENTERPRISE"] }), undefined);
      const got = scrubbingPlansOf(SKU_FIXTURES.SPE_E5.servicePlans, {
        neverDisable: ["LOCKBOX_ENTERPRISE"],
      });
      assert.ok(!got.some((p) => p.servicePlanName === "LOCKBOX_ENTERPRISE"));
    });
  });

  describe("describeReason", () => {
    it("reads well for people", () => {
      assert.equal(
        describeReason({ kind: "seed-list", friendlyName: "Customer Lockbox" }),
        "on seed 000's list (Customer Lockbox)",
      );
      assert.equal(
        describeReason({ kind: "exchange", detail: "name EXCHANGE_S_STANDARD" }),
        "Exchange Online plan (name EXCHANGE_S_STANDARD)",
      );
      assert.equal(
        describeReason({ kind: "microsoft-list", friendlyName: "Microsoft Bookings" }),
        "on Microsoft's list of Exchange service plans (Microsoft Bookings)",
      );
      assert.equal(
        describeReason({ kind: "government-twin", twinOf: "LOCKBOX_ENTERPRISE" }),
        "GCC twin of LOCKBOX_ENTERPRISE",
      );
      assert.equal(describeReason({ kind: "override" }), "forced by the stack's forceDisable");
    });
  });

  describe("SKU_FIXTURES", () => {
    it("are keyed by their skuPartNumber, with GUID ids and unique plans", () => {
      for (const [key, sku] of Object.entries(SKU_FIXTURES)) {
        assert.equal(sku.skuPartNumber, key);
        assert.match(sku.skuId, GUID, key);
        assert.ok(sku.servicePlans.length > 0, key);
        const ids = sku.servicePlans.map((p) => p.servicePlanId);
        assert.equal(new Set(ids).size, ids.length, `${key} repeats a plan id`);
        assert.equal(new Set(sku.servicePlans.map((p) => p.servicePlanName)).size, ids.length, key);
        for (const p of sku.servicePlans) assert.match(p.servicePlanId, GUID, `${key} ${p.servicePlanName}`);
        assert.ok(sku.consumedUnits <= sku.prepaidUnits.enabled);
      }
    });

    it("agree with each other: a plan name has one id across SKUs", () => {
      const idOf = new Map<string, string>();
      for (const sku of Object.values(SKU_FIXTURES)) {
        for (const p of sku.servicePlans) {
          const prior = idOf.get(p.servicePlanName);
          if (prior) assert.equal(p.servicePlanId, prior, p.servicePlanName);
          idOf.set(p.servicePlanName, p.servicePlanId);
        }
      }
    });

    it("carry the real SKU ids", () => {
      assert.equal(SKU_FIXTURES.SPE_E5.skuId, "06ebc4ee-1bb5-47dd-8120-11324bc54e06");
      assert.equal(SKU_FIXTURES.SPE_E3.skuId, "05e9a617-0261-4cee-bb44-138d3ef5d965");
      assert.equal(SKU_FIXTURES.ENTERPRISEPACK.skuId, "6fd2c87f-b296-42f0-b197-1e91e994b900");
    });
  });
});
