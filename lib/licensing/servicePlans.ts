/**
 * Which service plans trigger proxy scrubbing, and so must be disabled in B2B reach-back license groups.
 *
 * Sources:
 * - Seed 000, "Service Plans That Trigger Proxy Scrubbing": friendly names from Microsoft 365 E5 as of
 *   June 5, 2024, plus the rule "any Exchange Online or Exchange Online add-on service plan".
 * - Microsoft Entra doc "Product names and service plan identifiers for licensing"
 *   (MicrosoftDocs/entra-docs, docs/identity/users/licensing-service-plan-reference.md, "last updated on
 *   October 29, 2025") and the CSV Microsoft publishes with it. Both post-date the seed.
 */

export interface ServicePlanRef {
  servicePlanId: string;
  servicePlanName: string;
}

export interface CataloguePlan extends ServicePlanRef {
  friendlyName: string;
}

/** The seed's list verbatim (21 items), in the seed's order. Kept so tests can prove nothing was dropped. */
export const SEED_000_FRIENDLY_NAMES: readonly string[] = [
  "Customer Lockbox",
  "Exchange Online",
  "Graph Connectors Search with Index",
  "Information Barriers",
  "Information Protection for Office 365 Premium",
  "Information Protection for Office 365 Standard",
  "Microsoft 365 Advanced Auditing",
  "Microsoft 365 Audit Platform",
  "Microsoft Communications DLP",
  "Microsoft Customer Key",
  "Microsoft Data Investigations",
  "Microsoft Defender for Office 365",
  "Microsoft Information Governance",
  "Microsoft ML-Based Classification",
  "Microsoft MyAnalytics",
  "Microsoft Records Management",
  "Office 365 Advanced eDiscovery",
  "Office 365 Privileged Access Management",
  "Office 365 SafeDocs",
  "RETIRED – Microsoft Communications Compliance",
  "RETIRED – Microsoft Insider Risk Management",
];

/**
 * Seed 000's list, with real ids and names, in the seed's order. friendlyName is the seed's wording.
 *
 * Mapping rule: a seed item matches the E5 plan whose reference friendly name equals it once dashes are
 * normalised; failing that, once a trailing "(...)" is dropped (the seed drops them). That makes
 * "Microsoft Defender for Office 365" two plans (Plan 1 and Plan 2), "Exchange Online" E5's
 * "Exchange Online (Plan 2)" and "Microsoft MyAnalytics" "Microsoft MyAnalytics (Full)".
 * The comment on each line is the reference's friendly name.
 */
export const SCRUBBING_PLANS: readonly CataloguePlan[] = [
  // Customer Lockbox
  {
    friendlyName: "Customer Lockbox",
    servicePlanName: "LOCKBOX_ENTERPRISE",
    servicePlanId: "9f431833-0334-42de-a7dc-70aa40db46db",
  },
  // Exchange Online (Plan 2)
  {
    friendlyName: "Exchange Online",
    servicePlanName: "EXCHANGE_S_ENTERPRISE",
    servicePlanId: "efb87545-963c-4e0d-99df-69c6916d9eb0",
  },
  // Graph Connectors Search with Index
  {
    friendlyName: "Graph Connectors Search with Index",
    servicePlanName: "GRAPH_CONNECTORS_SEARCH_INDEX",
    servicePlanId: "a6520331-d7d4-4276-95f5-15c0933bc757",
  },
  // Information Barriers
  {
    friendlyName: "Information Barriers",
    servicePlanName: "INFORMATION_BARRIERS",
    servicePlanId: "c4801e8a-cb58-4c35-aca6-f2dcc106f287",
  },
  // Information Protection for Office 365 - Premium
  {
    friendlyName: "Information Protection for Office 365 Premium",
    servicePlanName: "MIP_S_CLP2",
    servicePlanId: "efb0351d-3b08-4503-993d-383af8de41e3",
  },
  // Information Protection for Office 365 - Standard
  {
    friendlyName: "Information Protection for Office 365 Standard",
    servicePlanName: "MIP_S_CLP1",
    servicePlanId: "5136a095-5cf0-4aff-bec3-e84448b38ea5",
  },
  // Microsoft 365 Advanced Auditing
  {
    friendlyName: "Microsoft 365 Advanced Auditing",
    servicePlanName: "M365_ADVANCED_AUDITING",
    servicePlanId: "2f442157-a11c-46b9-ae5b-6e39ff4e5849",
  },
  // Microsoft 365 Audit Platform
  {
    friendlyName: "Microsoft 365 Audit Platform",
    servicePlanName: "M365_AUDIT_PLATFORM",
    servicePlanId: "f6de4823-28fa-440b-b886-4783fa86ddba",
  },
  // Microsoft Communications DLP
  {
    friendlyName: "Microsoft Communications DLP",
    servicePlanName: "COMMUNICATIONS_DLP",
    servicePlanId: "6dc145d6-95dd-4191-b9c3-185575ee6f6b",
  },
  // Microsoft Customer Key
  {
    friendlyName: "Microsoft Customer Key",
    servicePlanName: "CUSTOMER_KEY",
    servicePlanId: "6db1f1db-2b46-403f-be40-e39395f08dbb",
  },
  // Microsoft Data Investigations
  {
    friendlyName: "Microsoft Data Investigations",
    servicePlanName: "DATA_INVESTIGATIONS",
    servicePlanId: "46129a58-a698-46f0-aa5b-17f6586297d9",
  },
  // Microsoft Defender for Office 365 (Plan 1)
  {
    friendlyName: "Microsoft Defender for Office 365",
    servicePlanName: "ATP_ENTERPRISE",
    servicePlanId: "f20fedf3-f3c3-43c3-8267-2bfdd51c0939",
  },
  // Microsoft Defender for Office 365 (Plan 2)
  {
    friendlyName: "Microsoft Defender for Office 365",
    servicePlanName: "THREAT_INTELLIGENCE",
    servicePlanId: "8e0c0a52-6a6c-4d40-8370-dd62790dcd70",
  },
  // Microsoft Information Governance
  {
    friendlyName: "Microsoft Information Governance",
    servicePlanName: "INFO_GOVERNANCE",
    servicePlanId: "e26c2fcc-ab91-4a61-b35c-03cdc8dddf66",
  },
  // Microsoft ML-Based Classification
  {
    friendlyName: "Microsoft ML-Based Classification",
    servicePlanName: "ML_CLASSIFICATION",
    servicePlanId: "d2d51368-76c9-4317-ada2-a12c004c432f",
  },
  // Microsoft MyAnalytics (Full)
  {
    friendlyName: "Microsoft MyAnalytics",
    servicePlanName: "EXCHANGE_ANALYTICS",
    servicePlanId: "34c0d7a0-a70f-4668-9238-47f9fc208882",
  },
  // Microsoft Records Management
  {
    friendlyName: "Microsoft Records Management",
    servicePlanName: "RECORDS_MANAGEMENT",
    servicePlanId: "65cc641f-cccd-4643-97e0-a17e3045e541",
  },
  // Office 365 Advanced eDiscovery
  {
    friendlyName: "Office 365 Advanced eDiscovery",
    servicePlanName: "EQUIVIO_ANALYTICS",
    servicePlanId: "4de31727-a228-4ec3-a5bf-8e45b5ca48cc",
  },
  // Office 365 Privileged Access Management
  {
    friendlyName: "Office 365 Privileged Access Management",
    servicePlanName: "PAM_ENTERPRISE",
    servicePlanId: "b1188c4c-1b36-4018-b48b-ee07604f6feb",
  },
  // Office 365 SafeDocs
  {
    friendlyName: "Office 365 SafeDocs",
    servicePlanName: "SAFEDOCS",
    servicePlanId: "bf6f5520-59e3-4f82-974b-7dbbc4fd27c7",
  },
  // RETIRED - Microsoft Communications Compliance (not MICROSOFT_COMMUNICATION_COMPLIANCE, which E5 also has)
  {
    friendlyName: "RETIRED – Microsoft Communications Compliance",
    servicePlanName: "COMMUNICATIONS_COMPLIANCE",
    servicePlanId: "41fcdd7d-4733-4863-9cf4-c65b83ce2df4",
  },
  // RETIRED - Microsoft Insider Risk Management (not INSIDER_RISK, which E5 also has)
  {
    friendlyName: "RETIRED – Microsoft Insider Risk Management",
    servicePlanName: "INSIDER_RISK_MANAGEMENT",
    servicePlanId: "9d0c4ee5-e4a1-4625-ab39-d82b619b1a34",
  },
];

/**
 * Plans in today's E5/A5 that look like siblings of seed items but are not on the seed's list (probably added
 * after June 2024) and are not caught by the Exchange rule. Unverified either way, so not disabled by default;
 * list them in forceDisable if migration testing shows they scrub.
 */
export const UNVERIFIED_CANDIDATE_PLANS: readonly CataloguePlan[] = [
  {
    friendlyName: "Customer Lockbox (A)",
    servicePlanName: "CustomerLockboxA_Enterprise",
    servicePlanId: "3ec18638-bd4c-4d3b-8905-479ed636b83e",
  },
  {
    friendlyName: "Defender Platform for Office 365",
    servicePlanName: "COMMON_DEFENDER_PLATFORM_FOR_OFFICE",
    servicePlanId: "a312bdeb-1e21-40d0-84b1-0e73f128144f",
  },
];

export type ScrubbingReason =
  | { kind: "seed-list"; friendlyName: string }
  | { kind: "exchange"; detail: string }
  | { kind: "override" };

/** Plan ids or servicePlanNames, compared case-insensitively. */
export interface ScrubbingOverrides {
  forceDisable?: readonly string[];
  neverDisable?: readonly string[];
}

/** Exchange Foundation ships in most non-Exchange SKUs (EMS, Entra ID P1, Power BI...). */
export const EXCHANGE_FOUNDATION_PLAN_IDS: readonly string[] = [
  "113feb6c-3fe4-4440-bddc-54d774bf0318", // EXCHANGE_S_FOUNDATION
  "922ba911-5694-4e99-a794-73aed9bfeec8", // EXCHANGE_S_FOUNDATION_GOV / EXCHANGE_FOUNDATION_GOV
];

const seedById = new Map(SCRUBBING_PLANS.map((p) => [p.servicePlanId.toLowerCase(), p]));
const seedByName = new Map(SCRUBBING_PLANS.map((p) => [p.servicePlanName.toUpperCase(), p]));

function nameWords(servicePlanName: string): string[] {
  return servicePlanName
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter((w) => w.length > 0);
}

function isFoundation(plan: ServicePlanRef): boolean {
  if (EXCHANGE_FOUNDATION_PLAN_IDS.includes(plan.servicePlanId.toLowerCase())) return true;
  const words = nameWords(plan.servicePlanName);
  return words[0] === "EXCHANGE" && words.includes("FOUNDATION");
}

/**
 * Exchange identity rule: the name is split into words on anything but letters and digits, case-ignored.
 * A plan is an Exchange Online or Exchange Online add-on plan when
 * - one word is exactly EXCHANGE (EXCHANGE_S_ENTERPRISE, EXCHANGE_S_STANDARD, EXCHANGE_S_DESKLESS,
 *   EXCHANGE_S_ARCHIVE_ADDON, EXCHANGE_ANALYTICS, and add-ons named after their Exchange component such as
 *   MIP_S_Exchange, PRIVACY_MANGEMENT_RISK_EXCHANGE), or
 * - one word starts with EXCHANGEONLINE (EXCHANGEONLINE_MULTIGEO), or
 * - the first word is EOP (Exchange Online Protection: EOP_ENTERPRISE, EOP_ENTERPRISE_PREMIUM).
 * Names, not ids, so a plan Microsoft adds later (seed 000 warns it does) is still caught.
 * EXCHANGE_S_FOUNDATION counts too, but unverified: no source found says whether it triggers scrubbing.
 */
export function isExchangeOnlinePlan(plan: ServicePlanRef): boolean {
  const words = nameWords(plan.servicePlanName);
  return (
    words.includes("EXCHANGE") || words.some((w) => w.startsWith("EXCHANGEONLINE")) || words[0] === "EOP"
  );
}

function listHas(list: readonly string[] | undefined, plan: ServicePlanRef): boolean {
  if (!list) return false;
  const id = plan.servicePlanId.toLowerCase();
  const name = plan.servicePlanName.toLowerCase();
  return list.some((entry) => {
    const e = entry.trim().toLowerCase();
    return e === id || e === name;
  });
}

/**
 * Why this plan triggers proxy scrubbing, or undefined if it does not.
 * Order: neverDisable wins over everything; then the seed list; then the Exchange rule; then forceDisable
 * (an intrinsic reason is more useful to a reader than "forced").
 */
export function scrubbingReason(
  plan: ServicePlanRef,
  overrides?: ScrubbingOverrides,
): ScrubbingReason | undefined {
  if (listHas(overrides?.neverDisable, plan)) return undefined;
  // By id first; by name too, because a reviewer may paste a plan whose id differs in another cloud.
  const seed =
    seedById.get(plan.servicePlanId.toLowerCase()) ?? seedByName.get(plan.servicePlanName.toUpperCase());
  if (seed) return { kind: "seed-list", friendlyName: seed.friendlyName };
  if (isExchangeOnlinePlan(plan)) {
    const detail = isFoundation(plan)
      ? `name ${plan.servicePlanName} (unv): Exchange Foundation, not confirmed to trigger scrubbing`
      : `name ${plan.servicePlanName}`;
    return { kind: "exchange", detail };
  }
  if (listHas(overrides?.forceDisable, plan)) return { kind: "override" };
  return undefined;
}

/** For a SKU's plans: the ids to disable for reach-back (sorted by id), with reasons. */
export function scrubbingPlansOf(
  plans: readonly ServicePlanRef[],
  overrides?: ScrubbingOverrides,
): Array<ServicePlanRef & { reason: ScrubbingReason }> {
  const byId = new Map<string, ServicePlanRef & { reason: ScrubbingReason }>();
  for (const plan of plans) {
    const reason = scrubbingReason(plan, overrides);
    if (!reason) continue;
    const key = plan.servicePlanId.toLowerCase();
    if (!byId.has(key)) {
      byId.set(key, { servicePlanId: plan.servicePlanId, servicePlanName: plan.servicePlanName, reason });
    }
  }
  return [...byId.values()].sort((a, b) =>
    a.servicePlanId.toLowerCase() < b.servicePlanId.toLowerCase() ? -1 : 1,
  );
}

export function describeReason(r: ScrubbingReason): string {
  switch (r.kind) {
    case "seed-list":
      return `on seed 000's list (${r.friendlyName})`;
    case "exchange":
      return `Exchange Online plan (${r.detail})`;
    case "override":
      return "forced by the stack's forceDisable";
  }
}
