/**
 * Which service plans trigger proxy scrubbing, and so must be disabled in B2B reach-back license groups.
 *
 * Sources:
 * - Seed 000, "Service Plans That Trigger Proxy Scrubbing": friendly names from Microsoft 365 E5 as of
 *   June 5, 2024, plus the rule "any Exchange Online or Exchange Online add-on service plan".
 * - Microsoft's "Cross-tenant mailbox migration" (MicrosoftDocs/microsoft-365-docs,
 *   microsoft-365/enterprise/cross-tenant-mailbox-migration.md, ms.date 06/20/2022), known issue "MailUser
 *   objects with external primary SMTP addresses are modified": "When any Exchange service plan is applied to
 *   a MailUser, the Azure AD process starts to enforce proxy scrubbing", then "the full set of current service
 *   plans that include Exchange Online" (friendly names only), and an example script disabling E5's.
 * - Microsoft Entra doc "Product names and service plan identifiers for licensing"
 *   (MicrosoftDocs/entra-docs, docs/identity/users/licensing-service-plan-reference.md, "last updated on
 *   October 29, 2025") and the CSV Microsoft publishes with it: every id and servicePlanName below, and the
 *   friendly names the two lists above are matched against. Both post-date the seed.
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
 * Microsoft's list of "service plans that include Exchange Online" (Cross-tenant mailbox migration), with
 * ids: friendlyName is Microsoft's wording there; each item is the plan whose reference friendly name
 * matches it, ignoring case and punctuation. Two items have no plan in the reference and are left out:
 * "eDiscovery (Premium) Storage (500 GB)" and "Exchange Online Inactive User Add-on". The page's older
 * names "Microsoft 365 Advanced Auditing" and "Office 365 Advanced eDiscovery" (its 2020 version) give
 * "Microsoft Purview Audit (Premium)" and "Office 365 eDiscovery (Premium)". Not on seed 000's list but on
 * this one, in E5 today: MYANALYTICS_P2, MICROSOFTBOOKINGS, PREMIUM_ENCRYPTION (all three also in the page's
 * example script), and EXCHANGE_S_FOUNDATION, which is why Exchange Foundation is disabled by default.
 */
export const MICROSOFT_EXCHANGE_PLANS: readonly CataloguePlan[] = [
  ["Customer Lockbox", "LOCKBOX_ENTERPRISE", "9f431833-0334-42de-a7dc-70aa40db46db"],
  ["Data Loss Prevention", "BPOS_S_DlpAddOn", "9bec7e34-c9fa-40b7-a9d1-bd6d1165c7ed"],
  [
    "Exchange Enterprise CAL Services (EOP, DLP)",
    "EOP_ENTERPRISE_PREMIUM",
    "75badc48-628e-4446-8460-41344d73abd6",
  ],
  ["Exchange Essentials", "EXCHANGE_S_ESSENTIALS", "1126bef5-da20-4f07-b45e-ad25d2581aa8"],
  ["Exchange Foundation", "EXCHANGE_S_FOUNDATION", "113feb6c-3fe4-4440-bddc-54d774bf0318"],
  ["Exchange Online (P1)", "EXCHANGE_L_STANDARD", "d42bdbd6-c335-4231-ab3d-c8f348d5aff5"],
  ["Exchange Online (Plan 1)", "EXCHANGE_S_STANDARD", "9aaf7827-d63c-4b61-89c3-182f06f82e5c"],
  ["Exchange Online (Plan 2)", "EXCHANGE_S_ENTERPRISE", "efb87545-963c-4e0d-99df-69c6916d9eb0"],
  [
    "Exchange Online Archiving for Exchange Online",
    "EXCHANGE_S_ARCHIVE_ADDON",
    "176a09a6-7ec5-4039-ac02-b2791c6ba793",
  ],
  [
    "Exchange Online Archiving for Exchange Server",
    "EXCHANGE_S_ARCHIVE",
    "da040e0a-b393-4bea-bb76-928b3fa1cf5a",
  ],
  ["Exchange Online Kiosk", "EXCHANGE_S_DESKLESS", "4a82b400-a79f-41a4-b4e2-e94f5787b113"],
  ["Exchange Online Multi-Geo", "EXCHANGEONLINE_MULTIGEO", "897d51f1-2cfa-4848-9b30-469149f5e68e"],
  // The reference's friendly name is "EXCHANGE ONLINE PLAN" (unv that it is Microsoft's "Exchange Online Plan 1").
  ["Exchange Online Plan 1", "EXCHANGE_S_STANDARD_MIDMARKET", "fc52cc4b-ed7d-472d-bbe7-b081c23ecc56"],
  ["Exchange Online POP", "EXCHANGE_B_STANDARD", "90927877-dcff-4af6-b346-2332c0b15bb7"],
  ["Exchange Online Protection", "EOP_ENTERPRISE", "326e2b78-9d27-42c9-8509-46c827743a17"],
  ["Information Barriers", "INFORMATION_BARRIERS", "c4801e8a-cb58-4c35-aca6-f2dcc106f287"],
  ["Information Protection for Office 365 - Premium", "MIP_S_CLP2", "efb0351d-3b08-4503-993d-383af8de41e3"],
  ["Information Protection for Office 365 - Standard", "MIP_S_CLP1", "5136a095-5cf0-4aff-bec3-e84448b38ea5"],
  ["Insights by MyAnalytics", "MYANALYTICS_P2", "33c4f319-9bdd-48d6-9c4d-410b750a4a5a"],
  ["Microsoft Purview Audit (Premium)", "M365_ADVANCED_AUDITING", "2f442157-a11c-46b9-ae5b-6e39ff4e5849"],
  ["Microsoft Bookings", "MICROSOFTBOOKINGS", "199a5c09-e0ca-4e37-8f7c-b05d533e1ea2"],
  ["Microsoft Business Center", "MICROSOFT_BUSINESS_CENTER", "cca845f9-fd51-4df6-b563-976a37c56ce0"],
  ["Microsoft MyAnalytics (Full)", "EXCHANGE_ANALYTICS", "34c0d7a0-a70f-4668-9238-47f9fc208882"],
  ["Office 365 eDiscovery (Premium)", "EQUIVIO_ANALYTICS", "4de31727-a228-4ec3-a5bf-8e45b5ca48cc"],
  ["Microsoft Defender for Office 365 (Plan 1)", "ATP_ENTERPRISE", "f20fedf3-f3c3-43c3-8267-2bfdd51c0939"],
  [
    "Microsoft Defender for Office 365 (Plan 2)",
    "THREAT_INTELLIGENCE",
    "8e0c0a52-6a6c-4d40-8370-dd62790dcd70",
  ],
  ["Office 365 Privileged Access Management", "PAM_ENTERPRISE", "b1188c4c-1b36-4018-b48b-ee07604f6feb"],
  ["Premium Encryption in Office 365", "PREMIUM_ENCRYPTION", "617b097b-4b93-4ede-83de-5f075bb5fb2f"],
].map(([friendlyName, servicePlanName, servicePlanId]) => ({ friendlyName, servicePlanName, servicePlanId }));

/** A GCC plan that stands for a plan of seed 000's list or Microsoft's list. */
export interface GovernmentTwin extends CataloguePlan {
  /** The servicePlanName of the commercial plan it stands for. */
  twinOf: string;
}

/**
 * GCC ("_GOV") twins of listed plans, from the reference: friendlyName is the reference's, each the
 * commercial plan's name "for Government". GCC SKUs (Office 365 G3 GCC, G5 GCC, Microsoft 365 G3/G5 GCC)
 * carry these instead of the commercial ids; their other listed plans (INFORMATION_BARRIERS, MIP_S_CLP1/2,
 * M365_ADVANCED_AUDITING, COMMUNICATIONS_DLP, CUSTOMER_KEY, INFO_GOVERNANCE, RECORDS_MANAGEMENT,
 * GRAPH_CONNECTORS_SEARCH_INDEX, PREMIUM_ENCRYPTION, MICROSOFTBOOKINGS) keep the commercial ids.
 * Neither list names a GCC plan; that a twin scrubs as its commercial plan does is (unv).
 */
export const GOVERNMENT_TWINS: readonly GovernmentTwin[] = [
  [
    "Exchange Online (Plan 2) for Government",
    "EXCHANGE_S_ENTERPRISE_GOV",
    "8c3069c0-ccdb-44be-ab77-986203a67df2",
    "EXCHANGE_S_ENTERPRISE",
  ],
  [
    "Exchange Online (Plan 1) for Government",
    "EXCHANGE_S_STANDARD_GOV",
    "e9b4930a-925f-45e2-ac2a-3f7788ca6fdd",
    "EXCHANGE_S_STANDARD",
  ],
  [
    "Exchange Online (Kiosk) for Government",
    "EXCHANGE_S_DESKLESS_GOV",
    "88f4d7ef-a73b-4246-8047-516022144c9f",
    "EXCHANGE_S_DESKLESS",
  ],
  // The reference also spells this one EXCHANGE_FOUNDATION_GOV, with the same id.
  [
    "Exchange Foundation for Government",
    "EXCHANGE_S_FOUNDATION_GOV",
    "922ba911-5694-4e99-a794-73aed9bfeec8",
    "EXCHANGE_S_FOUNDATION",
  ],
  [
    "Customer Lockbox for Government",
    "LOCKBOX_ENTERPRISE_GOV",
    "89b5d3b1-3855-49fe-b46c-87c66dbc1526",
    "LOCKBOX_ENTERPRISE",
  ],
  [
    "Microsoft Defender for Office 365 (Plan 1) for Government",
    "ATP_ENTERPRISE_GOV",
    "493ff600-6a2b-4db6-ad37-a7d4eb214516",
    "ATP_ENTERPRISE",
  ],
  [
    "Microsoft Defender for Office 365 (Plan 2) for Government",
    "THREAT_INTELLIGENCE_GOV",
    "900018f1-0cdb-4ecb-94d4-90281760fdc6",
    "THREAT_INTELLIGENCE",
  ],
  [
    "Office 365 Advanced eDiscovery for Government",
    "EQUIVIO_ANALYTICS_GOV",
    "d1cbfb67-18a8-4792-b643-630b7f19aad1",
    "EQUIVIO_ANALYTICS",
  ],
  [
    "Microsoft MyAnalytics for Government (Full)",
    "EXCHANGE_ANALYTICS_GOV",
    "208120d1-9adb-4daf-8c22-816bd5d237e7",
    "EXCHANGE_ANALYTICS",
  ],
  [
    "Insights by MyAnalytics for Government",
    "MYANALYTICS_P2_GOV",
    "6e5b7995-bd4f-4cbd-9d19-0e32010c72f0",
    "MYANALYTICS_P2",
  ],
].map(([friendlyName, servicePlanName, servicePlanId, twinOf]) => ({
  friendlyName,
  servicePlanName,
  servicePlanId,
  twinOf,
}));

/** A plan that might trigger scrubbing but is on no list: not disabled by default. */
export interface CandidatePlan extends CataloguePlan {
  /** Why it is a candidate and why it is not disabled. */
  reason: string;
}

/**
 * Plans in today's E5/A5 that look related to listed ones but are on neither list and are not caught by the
 * Exchange rule. List them in forceDisable if migration testing shows they scrub.
 */
export const UNVERIFIED_CANDIDATE_PLANS: readonly CandidatePlan[] = [
  {
    friendlyName: "Customer Lockbox (A)",
    servicePlanName: "CustomerLockboxA_Enterprise",
    servicePlanId: "3ec18638-bd4c-4d3b-8905-479ed636b83e",
    reason: "a sibling of Customer Lockbox (on both lists) added to E5 after the seed's list; no source says",
  },
  {
    friendlyName: "Defender Platform for Office 365",
    servicePlanName: "COMMON_DEFENDER_PLATFORM_FOR_OFFICE",
    servicePlanId: "a312bdeb-1e21-40d0-84b1-0e73f128144f",
    reason:
      "a sibling of Defender for Office 365 (on both lists) added after the seed's list; no source says",
  },
  {
    friendlyName: "Microsoft Insider Risk Management",
    servicePlanName: "INSIDER_RISK",
    servicePlanId: "d587c7a3-bda9-4f99-8776-9bcf59c84f75",
    reason:
      "successor of the seed's RETIRED INSIDER_RISK_MANAGEMENT; in E5 when the seed's list was made (reference of August 2023) but not on it",
  },
  {
    friendlyName: "Microsoft 365 Communication Compliance",
    servicePlanName: "MICROSOFT_COMMUNICATION_COMPLIANCE",
    servicePlanId: "a413a9ff-720c-4822-98ef-2f37c2a21f4c",
    reason:
      "successor of the seed's RETIRED COMMUNICATIONS_COMPLIANCE; in E5 when the seed's list was made (reference of August 2023) but not on it",
  },
];

export type ScrubbingReason =
  | { kind: "seed-list"; friendlyName: string }
  | { kind: "microsoft-list"; friendlyName: string }
  | { kind: "government-twin"; twinOf: string }
  | { kind: "exchange"; detail: string }
  | { kind: "override" };

/** Plan ids or servicePlanNames, compared case-insensitively. */
export interface ScrubbingOverrides {
  forceDisable?: readonly string[];
  neverDisable?: readonly string[];
}

/** By id, and by name too: a reviewer may paste a plan whose id differs in another cloud. */
function lookup<P extends CataloguePlan>(plans: readonly P[]): (plan: ServicePlanRef) => P | undefined {
  const byId = new Map(plans.map((p) => [p.servicePlanId.toLowerCase(), p]));
  const byName = new Map(plans.map((p) => [p.servicePlanName.toUpperCase(), p]));
  return (plan) =>
    byId.get(plan.servicePlanId.toLowerCase()) ?? byName.get(plan.servicePlanName.toUpperCase());
}
const onSeedList = lookup(SCRUBBING_PLANS);
const onMicrosoftList = lookup(MICROSOFT_EXCHANGE_PLANS);
const governmentTwin = lookup(GOVERNMENT_TWINS);

function nameWords(servicePlanName: string): string[] {
  return servicePlanName
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter((w) => w.length > 0);
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
 * Order: neverDisable wins over everything; then seed 000's list, Microsoft's list, a GCC twin of a listed
 * plan, the Exchange rule; then forceDisable (an intrinsic reason is more useful to a reader than "forced").
 */
export function scrubbingReason(
  plan: ServicePlanRef,
  overrides?: ScrubbingOverrides,
): ScrubbingReason | undefined {
  if (listHas(overrides?.neverDisable, plan)) return undefined;
  const seed = onSeedList(plan);
  if (seed) return { kind: "seed-list", friendlyName: seed.friendlyName };
  const listed = onMicrosoftList(plan);
  if (listed) return { kind: "microsoft-list", friendlyName: listed.friendlyName };
  const twin = governmentTwin(plan);
  if (twin) return { kind: "government-twin", twinOf: twin.twinOf };
  if (isExchangeOnlinePlan(plan)) return { kind: "exchange", detail: `name ${plan.servicePlanName}` };
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
    case "microsoft-list":
      return `on Microsoft's list of Exchange service plans (${r.friendlyName})`;
    case "government-twin":
      return `GCC twin of ${r.twinOf}`;
    case "exchange":
      return `Exchange Online plan (${r.detail})`;
    case "override":
      return "forced by the stack's forceDisable";
  }
}
