// The emulator's subscribedSku fixtures (Microsoft Graph v1.0 shape) and its own per-plan data:
// which service each plan belongs to. Test data of the emulator, shared by no product code; the
// emulator decides proxy scrubbing from this table alone (licensing.ts), so a wrong product
// catalogue (lib/licensing/servicePlans.ts) fails test/unit/catalogueAgreement.test.ts instead of
// agreeing with itself.
//
// Sources:
// - Ids and names: Microsoft's "Product names and service plan identifiers for licensing"
//   (MicrosoftDocs/entra-docs, docs/identity/users/licensing-service-plan-reference.md at commit
//   067a0c7b, "last updated on October 29, 2025"), and the CSV Microsoft publishes with it (same
//   date) for rows compared with the Markdown. Microsoft 365 A5 for faculty is the Markdown's row
//   (the CSV lags it by 11 plans). The two GCC SKUs (Office 365 G3 GCC, G5 GCC) are the CSV's rows.
//   The comment on each plan is the reference's friendly name.
// - Service: the reference has no service column. A plan is an Exchange plan when Microsoft lists
//   it among "the full set of current service plans that include Exchange Online" in "Cross-tenant
//   mailbox migration" (MicrosoftDocs/microsoft-365-docs,
//   microsoft-365/enterprise/cross-tenant-mailbox-migration.md, ms.date 06/20/2022, known issue
//   "MailUser objects with external primary SMTP addresses are modified"), "microsoft-list" below;
//   when seed 000 lists it as a plan that triggers proxy scrubbing ("seed-000"); or when the
//   reference names it the "for Government" twin of one of those ("government-twin"). Other plans
//   get the service their reference friendly name names ("reference-name"); (unv) marks our reading.
//
// Not from the reference: unit counts (made up) and appliesTo, which it does not publish. Plans are
// "User" except Exchange Foundation, which real tenants report as "Company" (unv per SKU).

/** The service a plan belongs to. */
export type PlanService =
  | "Exchange Online"
  | "Exchange Online add-on"
  | "Exchange Foundation"
  | "SharePoint"
  | "Teams"
  | "Microsoft 365 Apps"
  | "Entra ID"
  | "Intune"
  | "Windows"
  | "Defender"
  | "Purview"
  | "Power Platform"
  | "Viva"
  | "Other"
  | "Unknown";

export const PLAN_SERVICES: readonly PlanService[] = [
  "Exchange Online",
  "Exchange Online add-on",
  "Exchange Foundation",
  "SharePoint",
  "Teams",
  "Microsoft 365 Apps",
  "Entra ID",
  "Intune",
  "Windows",
  "Defender",
  "Purview",
  "Power Platform",
  "Viva",
  "Other",
  "Unknown",
];

/** Where a plan's service comes from (see the header). */
export type ServiceBasis = "microsoft-list" | "seed-000" | "government-twin" | "reference-name" | "unv";

/**
 * Services whose plans trigger proxy scrubbing. Seed 000: "User is licensed with an Exchange Online
 * or Exchange Online add-on service plan. This triggers proxy scrubbing regardless of Exchange
 * object status." Microsoft's cross-tenant mailbox migration page: "When any Exchange service plan
 * is applied to a MailUser, the Azure AD process starts to enforce proxy scrubbing", followed by the
 * list that includes Exchange Foundation. "Unknown" does not scrub: the emulator scrubs only where a
 * source says so.
 */
export const SCRUBBING_SERVICES: ReadonlySet<PlanService> = new Set<PlanService>([
  "Exchange Online",
  "Exchange Online add-on",
  "Exchange Foundation",
]);

export interface PlanData {
  servicePlanId: string;
  servicePlanName: string;
  service: PlanService;
  basis: ServiceBasis;
}

/** Per-plan data: [service, basis, {servicePlanName: servicePlanId}], grouped so that each row is one plan. */
const PLAN_GROUPS: ReadonlyArray<readonly [PlanService, ServiceBasis, Readonly<Record<string, string>>]> = [
  // Exchange Online mailbox plans: on Microsoft's list.
  [
    "Exchange Online",
    "microsoft-list",
    {
      EXCHANGE_S_DESKLESS: "4a82b400-a79f-41a4-b4e2-e94f5787b113", // Exchange Online Kiosk
      EXCHANGE_S_ENTERPRISE: "efb87545-963c-4e0d-99df-69c6916d9eb0", // Exchange Online (Plan 2)
      EXCHANGE_S_STANDARD: "9aaf7827-d63c-4b61-89c3-182f06f82e5c", // Exchange Online (Plan 1)
    },
  ],
  // The GCC ("for Government") twin of a plan on Microsoft's list.
  [
    "Exchange Online",
    "government-twin",
    {
      EXCHANGE_S_ENTERPRISE_GOV: "8c3069c0-ccdb-44be-ab77-986203a67df2", // Exchange Online (Plan 2) for Government
    },
  ],
  // Exchange Foundation: on Microsoft's list ("Exchange Foundation").
  [
    "Exchange Foundation",
    "microsoft-list",
    {
      EXCHANGE_S_FOUNDATION: "113feb6c-3fe4-4440-bddc-54d774bf0318", // EXCHANGE FOUNDATION
    },
  ],
  // Exchange Online add-ons on Microsoft's list (MYANALYTICS_P2, MICROSOFTBOOKINGS and
  // PREMIUM_ENCRYPTION are on it and in its example script, though not on seed 000's list).
  [
    "Exchange Online add-on",
    "microsoft-list",
    {
      ATP_ENTERPRISE: "f20fedf3-f3c3-43c3-8267-2bfdd51c0939", // Microsoft Defender for Office 365 (Plan 1)
      EQUIVIO_ANALYTICS: "4de31727-a228-4ec3-a5bf-8e45b5ca48cc", // Office 365 Advanced eDiscovery
      EXCHANGE_ANALYTICS: "34c0d7a0-a70f-4668-9238-47f9fc208882", // Microsoft MyAnalytics (Full)
      INFORMATION_BARRIERS: "c4801e8a-cb58-4c35-aca6-f2dcc106f287", // Information Barriers
      LOCKBOX_ENTERPRISE: "9f431833-0334-42de-a7dc-70aa40db46db", // Customer Lockbox
      M365_ADVANCED_AUDITING: "2f442157-a11c-46b9-ae5b-6e39ff4e5849", // Microsoft 365 Advanced Auditing
      MICROSOFTBOOKINGS: "199a5c09-e0ca-4e37-8f7c-b05d533e1ea2", // Microsoft Bookings
      MIP_S_CLP1: "5136a095-5cf0-4aff-bec3-e84448b38ea5", // Information Protection for Office 365 - Standard
      MIP_S_CLP2: "efb0351d-3b08-4503-993d-383af8de41e3", // Information Protection for Office 365 - Premium
      MYANALYTICS_P2: "33c4f319-9bdd-48d6-9c4d-410b750a4a5a", // Insights by MyAnalytics
      PAM_ENTERPRISE: "b1188c4c-1b36-4018-b48b-ee07604f6feb", // Office 365 Privileged Access Management
      PREMIUM_ENCRYPTION: "617b097b-4b93-4ede-83de-5f075bb5fb2f", // Premium Encryption in Office 365
      THREAT_INTELLIGENCE: "8e0c0a52-6a6c-4d40-8370-dd62790dcd70", // Microsoft Defender for Office 365 (Plan 2)
    },
  ],
  // Exchange Online add-ons on seed 000's list only (its E5 list of June 2024).
  [
    "Exchange Online add-on",
    "seed-000",
    {
      COMMUNICATIONS_COMPLIANCE: "41fcdd7d-4733-4863-9cf4-c65b83ce2df4", // RETIRED - Microsoft Communications Compliance
      COMMUNICATIONS_DLP: "6dc145d6-95dd-4191-b9c3-185575ee6f6b", // Microsoft Communications DLP
      CUSTOMER_KEY: "6db1f1db-2b46-403f-be40-e39395f08dbb", // Microsoft Customer Key
      DATA_INVESTIGATIONS: "46129a58-a698-46f0-aa5b-17f6586297d9", // Microsoft Data Investigations
      GRAPH_CONNECTORS_SEARCH_INDEX: "a6520331-d7d4-4276-95f5-15c0933bc757", // Graph Connectors Search with Index
      INFO_GOVERNANCE: "e26c2fcc-ab91-4a61-b35c-03cdc8dddf66", // Microsoft Information Governance
      INSIDER_RISK_MANAGEMENT: "9d0c4ee5-e4a1-4625-ab39-d82b619b1a34", // RETIRED - Microsoft Insider Risk Management
      M365_AUDIT_PLATFORM: "f6de4823-28fa-440b-b886-4783fa86ddba", // Microsoft 365 Audit Platform
      ML_CLASSIFICATION: "d2d51368-76c9-4317-ada2-a12c004c432f", // Microsoft ML-Based Classification
      RECORDS_MANAGEMENT: "65cc641f-cccd-4643-97e0-a17e3045e541", // Microsoft Records Management
      SAFEDOCS: "bf6f5520-59e3-4f82-974b-7dbbc4fd27c7", // Office 365 SafeDocs
    },
  ],
  // GCC twins of Exchange Online add-ons: the reference names each "<twin> for Government".
  [
    "Exchange Online add-on",
    "government-twin",
    {
      ATP_ENTERPRISE_GOV: "493ff600-6a2b-4db6-ad37-a7d4eb214516", // Microsoft Defender for Office 365 (Plan 1) for Government
      EQUIVIO_ANALYTICS_GOV: "d1cbfb67-18a8-4792-b643-630b7f19aad1", // Office 365 Advanced eDiscovery for Government
      EXCHANGE_ANALYTICS_GOV: "208120d1-9adb-4daf-8c22-816bd5d237e7", // Microsoft MyAnalytics for Government (Full)
      LOCKBOX_ENTERPRISE_GOV: "89b5d3b1-3855-49fe-b46c-87c66dbc1526", // Customer Lockbox for Government
      MYANALYTICS_P2_GOV: "6e5b7995-bd4f-4cbd-9d19-0e32010c72f0", // Insights by MyAnalytics for Government
      THREAT_INTELLIGENCE_GOV: "900018f1-0cdb-4ecb-94d4-90281760fdc6", // Microsoft Defender for Office 365 (Plan 2) for Government
    },
  ],
  // (unv) On neither list; named after its Exchange component ("Data Classification in
  // Microsoft 365", in E5 since 2023 at least).
  [
    "Exchange Online add-on",
    "unv",
    {
      MIP_S_Exchange: "cd31b152-6326-4d1b-ae1b-997b625182e6", // Data Classification in Microsoft 365
    },
  ],
  // (unv) Added to E5/A5 after seed 000's list, on neither list: the emulator does not know their
  // service and does not scrub on them.
  [
    "Unknown",
    "unv",
    {
      COMMON_DEFENDER_PLATFORM_FOR_OFFICE: "a312bdeb-1e21-40d0-84b1-0e73f128144f", // Defender Platform for Office 365
      CustomerLockboxA_Enterprise: "3ec18638-bd4c-4d3b-8905-479ed636b83e", // Customer Lockbox (A)
    },
  ],
  // (unv) Successors of the seed's two RETIRED items, in E5 when the seed's list was made
  // (reference CSV of August 2023) yet not on it, nor on Microsoft's list.
  [
    "Purview",
    "unv",
    {
      INSIDER_RISK: "d587c7a3-bda9-4f99-8776-9bcf59c84f75", // Microsoft Insider Risk Management
      MICROSOFT_COMMUNICATION_COMPLIANCE: "a413a9ff-720c-4822-98ef-2f37c2a21f4c", // Microsoft 365 Communication Compliance
    },
  ],
  [
    "Purview",
    "reference-name",
    {
      Content_Explorer: "d9fa6af4-e046-4c89-9226-729a0786685d", // Information Protection and Governance Analytics - Premium
      ContentExplorer_Standard: "2b815d45-56e4-4e3a-b65c-66cb9175b560", // Information Protection and Governance Analytics – Standard
      MICROSOFTENDPOINTDLP: "64bfac92-2b17-4482-b5e5-a0304429de3e", // Microsoft Endpoint DLP
      PURVIEW_DISCOVERY: "c948ea65-2053-4a5a-8a62-9eaaaf11b522", // Purview Discovery
      RMS_S_ENTERPRISE: "bea4c11e-220a-4e6d-8eb8-8ea15d019f90", // Azure Rights Management
      RMS_S_ENTERPRISE_GOV: "6a76346d-5d6e-4051-9fe3-ed3f312b5597", // Azure Rights Management
      RMS_S_PREMIUM: "6c57d4b6-3b23-47a5-9bc9-69f17b4947b3", // Azure Information Protection Premium P1
      RMS_S_PREMIUM2: "5689bec4-755d-4753-8b61-40975025187c", // Azure Information Protection Premium P2
    },
  ],
  [
    "SharePoint",
    "reference-name",
    {
      SHAREPOINTDESKLESS: "902b47e5-dcb2-4fdc-858b-c63a90a2bdb9", // SharePoint Kiosk
      SHAREPOINTENTERPRISE: "5dbe027f-2339-4123-9542-606e4d348a72", // SharePoint (Plan 2)
      SHAREPOINTENTERPRISE_EDU: "63038b2c-28d0-45f6-bc36-33062963b498", // SharePoint (Plan 2) for Education
      SHAREPOINTENTERPRISE_GOV: "153f85dd-d912-4762-af6c-d6e0fb4f6692", // SharePoint Plan 2G
      SHAREPOINTWAC: "e95bec33-7c88-4a70-8e19-b10bd9d0c014", // Office for the Web
      SHAREPOINTWAC_EDU: "e03c7e47-402c-463c-ab25-949079bedb21", // Office for the Web for Education
      SHAREPOINTWAC_GOV: "8f9f0f3b-ca90-406c-a842-95579171f8ec", // Office for the Web for Government
    },
  ],
  [
    "Teams",
    "reference-name",
    {
      MCOEV: "4828c8ec-dc2e-4779-b502-87ac9ce28ab7", // Microsoft 365 Phone System
      MCOEV_GOV: "db23fce2-a974-42ef-9002-d78dd42a0f22", // Microsoft 365 Phone System for Government
      MCOIMP: "afc06cb0-b4f4-4473-8286-d644f70d8faf", // Skype for Business Online (Plan 1)
      MCOMEETADV: "3e26ee1f-8a5f-4d52-aee2-b81ce45c8f40", // Microsoft 365 Audio Conferencing
      MCOMEETADV_GOV: "f544b08d-1645-4287-82de-8d91f37c02a1", // Microsoft 365 Audio Conferencing for Government
      MCOSTANDARD: "0feaeb32-d00e-4d66-bd5a-43b5b83db82c", // Skype for Business Online (Plan 2)
      MCOSTANDARD_GOV: "a31ef4a2-f787-435e-8335-e47eb0cafc94", // Skype for Business Online (Plan 2) for Government
      MESH_AVATARS_ADDITIONAL_FOR_TEAMS: "3efbd4ed-8958-4824-8389-1321f8730af8", // Avatars for Teams (additional)
      MESH_AVATARS_FOR_TEAMS: "dcf9d2f4-772e-4434-b757-77a453cfbc02", // Avatars for Teams
      MESH_IMMERSIVE_FOR_TEAMS: "f0ff6ac6-297d-49cd-be34-6dfef97f0c28", // Immersive spaces for Teams
      TEAMS1: "57ff2da0-773e-42df-b2af-ffb7a2317929", // Microsoft Teams
      TEAMS_GOV: "304767db-7d23-49e8-a945-4a7eb65f9f28", // Microsoft Teams for Government
    },
  ],
  [
    "Microsoft 365 Apps",
    "reference-name",
    {
      EXCEL_PREMIUM: "531ee2f8-b1cb-453b-9c21-d2180d014ca5", // Microsoft Excel Advanced Analytics
      OFFICEMOBILE_SUBSCRIPTION: "c63d4d19-e8cb-460e-b37c-4d6c34603745", // Office Mobile Apps for Office 365
      OFFICESUBSCRIPTION: "43de0ff5-c92c-492b-9116-175376d08c38", // Microsoft 365 Apps for enterprise
      OFFICESUBSCRIPTION_GOV: "de9234ff-6483-44d9-b15e-dca72fdd27af", // Microsoft 365 Apps for enterprise G
    },
  ],
  [
    "Entra ID",
    "reference-name",
    {
      AAD_BASIC_EDU: "1d0f309f-fdf9-4b2a-9ae7-9c48b91f1426", // Azure Active Directory Basic for Education
      AAD_PREMIUM: "41781fb2-bc02-4b7c-bd55-b576c07bb09d", // Microsoft Entra ID P1
      AAD_PREMIUM_P2: "eec0eb4f-6444-4f95-aba0-50c24d67f998", // Microsoft Entra ID P2
      MFA_PREMIUM: "8a256a2b-b617-496d-b51b-e76466e88db0", // Microsoft Azure Multi-Factor Authentication
    },
  ],
  [
    "Intune",
    "reference-name",
    {
      INTUNE_A: "c1ec4a95-1f05-45b3-a911-aa3fa01094f5", // Microsoft Intune Plan 1
      INTUNE_EDU: "da24caf9-af8e-485c-b7c8-e73336da2693", // Microsoft Intune Plan 1 for Education
      INTUNE_O365: "882e1d05-acd1-4ccb-8708-6ee03664b117", // Mobile Device Management for Office 365
      Intune_ServiceNow: "3eeb8536-fecf-41bf-a3f8-d6f17a9f3efc", // Intune ServiceNow Integration
      REMOTE_HELP: "a4c6cf29-1168-4076-ba5c-e8fe0e62b17e", // Remote help
    },
  ],
  [
    "Windows",
    "reference-name",
    {
      UNIVERSAL_PRINT_01: "795f6fe0-cc4d-4773-b050-5dde4dc704c9", // Universal Print
      "Virtualization Rights for Windows 10 (E3/E5+VDA)": "e7c91390-7625-45be-94e0-e16907e03118", // Windows 10/11 Enterprise
      WIN10_ENT_LOC_F1: "e041597c-9c7f-4ed9-99b0-2663301576f7", // Windows 10 Enterprise E3 (Local Only)
      WIN10_PRO_ENT_SUB: "21b439ba-a0ca-424f-a6cc-52f954a5b111", // Windows 10/11 Enterprise (Original)
      Windows_Autopatch: "9a6eeb79-0b4b-4bf0-9808-39d99a2cd5a3", // Windows Autopatch
      WINDOWSUPDATEFORBUSINESS_DEPLOYMENTSERVICE: "7bf960f6-2cd9-443a-8046-5dbff9558365", // Windows Update for Business Deployment Service
    },
  ],
  [
    "Defender",
    "reference-name",
    {
      ADALLOM_S_DISCOVERY: "932ad362-64a8-4783-9106-97849a1a30b9", // Microsoft Defender for Cloud Apps Discovery
      ADALLOM_S_O365: "8c098270-9dd4-4350-9b30-ba4703f3b36b", // Office 365 Cloud App Security
      ADALLOM_S_STANDALONE: "2e2ddb96-6af9-4b1d-a3f0-d6ecfd22edb2", // Microsoft Defender for Cloud Apps
      ATA: "14ab5db5-e6c4-4b20-b4bc-13e36fd2227f", // Microsoft Defender for Identity
      Defender_for_Iot_Enterprise: "99cd49a9-0e54-4e07-aea1-d8d9f5f704f5", // Defender for IoT - Enterprise IoT Security
      MDE_LITE: "292cc034-7b7c-4950-aaf5-943befd3f1d4", // Microsoft Defender for Endpoint Plan 1
      MTP: "bf28f719-7844-4079-9c78-c1307898e192", // Microsoft 365 Defender
      WINDEFATP: "871d91ec-ec1a-452b-a83f-bd76c7d770ef", // Microsoft Defender for Endpoint
    },
  ],
  [
    "Power Platform",
    "reference-name",
    {
      BI_AZURE_P2: "70d33638-9c74-4d01-bfd3-562de28bd4ba", // Power BI Pro
      BI_AZURE_P_2_GOV: "944e9726-f011-4353-b654-5f7d2663db76", // Power BI Pro for Government
      CDS_O365_F1: "90db65a7-bf11-4904-a79f-ef657605145b", // Common Data Service for Teams
      CDS_O365_P2: "95b76021-6a53-4741-ab8b-1d1f3d66a95a", // Common Data Service for Teams
      CDS_O365_P2_GCC: "a70bbf38-cdda-470d-adb8-5804b8770f41", // Common Data Service for Teams
      CDS_O365_P3: "afa73018-811e-46e9-988f-f75d2b1b8430", // Common Data Service for Teams
      CDS_O365_P3_GCC: "bce5e5ca-c2fd-4d53-8ee2-58dfffed4c10", // Common Data Service for Teams
      DYN365_CDS_O365_F1: "ca6e61ec-d4f4-41eb-8b88-d96e0e14323f", // Common Data Service
      DYN365_CDS_O365_P2: "4ff01e01-1ba7-4d71-8cf8-ce96c3bbcf14", // Common Data Service
      DYN365_CDS_O365_P2_GCC: "06162da2-ebf9-4954-99a0-00fee96f95cc", // Common Data Service
      DYN365_CDS_O365_P3: "28b0fa46-c39a-4188-89e2-58e979a6b014", // Common Data Service
      DYN365_CDS_O365_P3_GCC: "a7d3fb37-b6df-4085-b509-50810d991a39", // Common Data Service
      FLOW_O365_P2: "76846ad7-7776-4c40-a281-a386362dd1b9", // Power Automate for Office 365
      FLOW_O365_P2_GOV: "c537f360-6a00-4ace-a7f5-9128d0ac1e4b", // Power Automate for Office 365 for Government
      FLOW_O365_P3: "07699545-9485-468e-95b6-2fca3738be01", // Power Automate for Office 365
      FLOW_O365_P3_GOV: "8055d84a-c172-42eb-b997-6c2ae4628246", // Power Automate for Office 365 for Government
      FLOW_O365_S1: "bd91b1a4-9f94-4ecf-b45b-3a65e5c8128a", // Power Automate for Office 365 F3
      POWER_VIRTUAL_AGENTS_O365_F1: "ba2fdb48-290b-4632-b46a-e4ecc58ac11a", // Power Virtual Agents for Office 365
      POWER_VIRTUAL_AGENTS_O365_P2: "041fe683-03e4-45b6-b1af-c0cdc516daee", // Power Virtual Agents for Office 365
      POWER_VIRTUAL_AGENTS_O365_P3: "ded3d325-1bdc-453e-8432-5bac26d7a014", // Power Virtual Agents for Office 365
      POWERAPPS_O365_P2: "c68f8d98-5534-41c8-bf36-22fa496fa792", // Power Apps for Office 365
      POWERAPPS_O365_P2_GOV: "0a20c815-5e81-4727-9bdc-2b5a117850c3", // Power Apps for Office 365 for Government
      POWERAPPS_O365_P3: "9c0dab89-a30c-4117-86e7-97bda240acd2", // Power Apps for Office 365 (Plan 3)
      POWERAPPS_O365_P3_GOV: "0eacfc38-458a-40d3-9eab-9671258f1a3e", // Power Apps for Office 365 for Government
      POWERAPPS_O365_S1: "e0287f9f-e222-4f98-9a83-f379e249159a", // Power Apps for Office 365 F3
    },
  ],
  [
    "Viva",
    "reference-name",
    {
      VIVA_LEARNING_SEEDED: "b76fb638-6ba6-402a-b9f9-83d28acb3d86", // Viva Learning Seeded
      VIVAENGAGE_CORE: "a82fbf69-b4d7-49f4-83a6-915b2cf354f4", // Viva Engage Core
      YAMMER_EDU: "2078e8df-cff6-4290-98cb-5408261a760a", // Yammer for Academic
      YAMMER_ENTERPRISE: "7547a3fe-08ee-4ccb-b430-5077c5041653", // Yammer Enterprise
    },
  ],
  // Other workloads (Forms, Planner, To-Do, Stream, Project, ...).
  [
    "Other",
    "reference-name",
    {
      Bing_Chat_Enterprise: "0d0c0d31-fae7-41f2-b909-eaf4d7f26dba", // Commercial data protection for Microsoft Copilot
      BPOS_S_TODO_1: "5e62787c-c316-451f-b873-1d05acd4d12c", // To-Do (Plan 1)
      BPOS_S_TODO_2: "c87f142c-d1e9-4363-8630-aaea9c4d9ae5", // To-Do (Plan 2)
      BPOS_S_TODO_3: "3fb82609-8c27-4f7b-bd51-30634711ee67", // To-Do (Plan 3)
      BPOS_S_TODO_FIRSTLINE: "80873e7a-cd2a-4e67-b061-1b5381a676a5", // To-Do (Firstline)
      CLIPCHAMP: "a1ace008-72f3-4ea0-8dac-33b3a23a2472", // Microsoft Clipchamp
      Deskless: "8c7d2df8-86f0-4902-b2ed-a0458298f3b3", // Microsoft StaffHub
      EducationAnalyticsP1: "a9b86446-fa4e-498f-a92a-41b447e03337", // Education Analytics
      FORMS_GOV_E3: "24af5f65-d0f3-467b-9f78-ea798c4aeffc", // Microsoft Forms for Government (Plan E3)
      FORMS_GOV_E5: "843da3a8-d2cc-4e7a-9e90-dc46019f964c", // Microsoft Forms for Government (Plan E5)
      FORMS_PLAN_E3: "2789c901-c14e-48ab-a76a-be334d9d793a", // Microsoft Forms (Plan E3)
      FORMS_PLAN_E5: "e212cbc7-0961-4c40-9825-01117710dcb1", // Microsoft Forms (Plan E5)
      FORMS_PLAN_K: "f07046bd-2a3c-4b96-b0be-dea79d7cbfb8", // Microsoft Forms (Plan F1)
      KAIZALA_O365_P1: "73b2a583-6a59-42e3-8e83-54db46bc3278", // Microsoft Kaizala Pro
      KAIZALA_O365_P3: "aebd3021-9f8f-4bf8-bbe3-0ed2f4f047a1", // Microsoft Kaizala Pro
      KAIZALA_STANDALONE: "0898bdbb-73b0-471a-81e5-20f1fe4dd66e", // Microsoft Kaizala Pro
      M365_LIGHTHOUSE_CUSTOMER_PLAN1: "6f23d6a9-adbf-481c-8538-b4c095654487", // Microsoft 365 Lighthouse (Plan 1)
      M365_LIGHTHOUSE_PARTNER_PLAN1: "d55411c9-cfff-40a9-87c7-240f14df7da5", // Microsoft 365 Lighthouse (Plan 2)
      MICROSOFT_LOOP: "c4b8c31a-fb44-4c65-9837-a21f55fcabda", // Microsoft Loop
      MICROSOFT_SEARCH: "94065c59-bc8e-4e8b-89e5-5138d471eaff", // Microsoft Search
      MINECRAFT_EDUCATION_EDITION: "4c246bbc-f513-4311-beff-eba54c353256", // Minecraft Education Edition
      Nucleus: "db4d623d-b514-490b-b7ef-8885eee514de", // Nucleus
      OFFICE_FORMS_PLAN_3: "96c1e14a-ef43-418d-b115-9636cdaa8eed", // Microsoft Forms (Plan 3)
      PROJECT_O365_F3: "7f6f28c2-34bb-4d4b-be36-48ca2e77e1ec", // Project for Office (Plan F)
      PROJECT_O365_P2: "31b4e2fc-4cd6-4e7d-9c1b-41407303bd66", // Project for Office (Plan E3)
      PROJECT_O365_P2_GOV: "e7d09ae4-099a-4c34-a2a2-3e166e95c44a", // Project for Government (Plan E3)
      PROJECT_O365_P3: "b21a6b06-1988-436e-a07b-51ec6d9f52ad", // Project for Office (Plan E5)
      PROJECT_O365_P3_GOV: "9b7c50ec-cd50-44f2-bf48-d72de6f90717", // Project for Government (Plan E5)
      PROJECTWORKMANAGEMENT: "b737dad2-2f6c-4c65-90e3-ca563267e8b9", // Microsoft Planner
      PROJECTWORKMANAGEMENT_GOV: "5b4ef465-7ea1-459a-9f91-033317755a51", // Office 365 Planner for Government
      SCHOOL_DATA_SYNC_P2: "500b6a2a-7a50-4f40-b5f9-160e5b8c2f48", // School Data Sync (Plan 2)
      STREAM_O365_E3: "9e700747-8b1d-45e5-ab8d-ef187ceec156", // Microsoft Stream for Office 365 E3
      STREAM_O365_E3_GOV: "2c1ada27-dbaa-46f9-bda6-ecb94445f758", // Stream for Office 365 for Government (E3)
      STREAM_O365_E5: "6c6042f5-6f01-4d67-b8c1-eb99d36eed3e", // Microsoft Stream for Office 365 E5
      STREAM_O365_E5_GOV: "92c2089d-9a53-49fe-b1a6-9e6bdf959547", // Stream for Office 365  for Government (E5)
      STREAM_O365_K: "3ffba0d2-38e5-4d5e-8ec0-98f2b05c09d9", // Microsoft Stream for Office 365 F3
      SWAY: "a23b959c-7ce8-4e57-9140-b90eb88a9e97", // Sway
      WHITEBOARD_FIRSTLINE1: "36b29273-c6d0-477a-aca6-6fbe24f538e3", // Whiteboard (Firstline)
      WHITEBOARD_PLAN2: "94a54592-cd8b-425e-87c6-97868b000b91", // Whiteboard (Plan 2)
      WHITEBOARD_PLAN3: "4a51bca5-1eff-43f5-878c-177680f191af", // Whiteboard (Plan 3)
    },
  ],
];
/** Every plan the fixtures hold, by servicePlanName. */
export const PLANS: ReadonlyMap<string, PlanData> = new Map(
  PLAN_GROUPS.flatMap(([service, basis, rows]) =>
    Object.entries(rows).map(([servicePlanName, servicePlanId]) => [
      servicePlanName,
      { servicePlanId, servicePlanName, service, basis },
    ]),
  ),
);

const PLANS_BY_ID: ReadonlyMap<string, PlanData> = new Map(
  [...PLANS.values()].map((p) => [p.servicePlanId.toLowerCase(), p]),
);

/** The emulator's data on a plan id, or undefined for a plan it has no data on. */
export function planData(servicePlanId: string): PlanData | undefined {
  return PLANS_BY_ID.get(servicePlanId.toLowerCase());
}

export interface SubscribedSkuFixture {
  skuId: string;
  skuPartNumber: string;
  appliesTo: "User";
  capabilityStatus: "Enabled";
  prepaidUnits: { enabled: number; suspended: number; warning: number; lockedOut: number };
  consumedUnits: number;
  servicePlans: Array<{
    servicePlanId: string;
    servicePlanName: string;
    provisioningStatus: "Success";
    appliesTo: "User" | "Company";
  }>;
}

function sku(skuId: string, skuPartNumber: string, planNames: readonly string[]): SubscribedSkuFixture {
  return {
    skuId,
    skuPartNumber,
    appliesTo: "User",
    capabilityStatus: "Enabled",
    prepaidUnits: { enabled: 500, suspended: 0, warning: 0, lockedOut: 0 },
    consumedUnits: 0,
    servicePlans: planNames.map((name) => {
      const p = PLANS.get(name);
      if (!p) throw new Error(`emulator/skus.ts: ${skuPartNumber} names ${name}, which has no plan data`);
      return {
        servicePlanId: p.servicePlanId,
        servicePlanName: p.servicePlanName,
        provisioningStatus: "Success",
        appliesTo: p.service === "Exchange Foundation" ? "Company" : "User",
      };
    }),
  };
}

export type FixtureSkuPartNumber =
  | "SPE_E5"
  | "SPE_E3"
  | "ENTERPRISEPACK"
  | "M365EDU_A5_FACULTY"
  | "SPE_F1"
  | "EXCHANGESTANDARD"
  | "EMS"
  | "ENTERPRISEPREMIUM_GOV"
  | "ENTERPRISEPACK_GOV";

/** Each SKU's plans in the reference's order. */
export const SKU_FIXTURES: Record<FixtureSkuPartNumber, SubscribedSkuFixture> = {
  // Microsoft 365 E5: 86 plans
  SPE_E5: sku("06ebc4ee-1bb5-47dd-8120-11324bc54e06", "SPE_E5", [
    "MESH_AVATARS_FOR_TEAMS",
    "MESH_AVATARS_ADDITIONAL_FOR_TEAMS",
    "RMS_S_ENTERPRISE",
    "Bing_Chat_Enterprise",
    "CDS_O365_P3",
    "LOCKBOX_ENTERPRISE",
    "CustomerLockboxA_Enterprise",
    "MIP_S_Exchange",
    "EXCHANGE_S_ENTERPRISE",
    "GRAPH_CONNECTORS_SEARCH_INDEX",
    "MESH_IMMERSIVE_FOR_TEAMS",
    "INFORMATION_BARRIERS",
    "Content_Explorer",
    "ContentExplorer_Standard",
    "MIP_S_CLP2",
    "MIP_S_CLP1",
    "MYANALYTICS_P2",
    "M365_ADVANCED_AUDITING",
    "OFFICESUBSCRIPTION",
    "MCOMEETADV",
    "M365_AUDIT_PLATFORM",
    "MICROSOFT_COMMUNICATION_COMPLIANCE",
    "MTP",
    "M365_LIGHTHOUSE_CUSTOMER_PLAN1",
    "MCOEV",
    "MICROSOFTBOOKINGS",
    "CLIPCHAMP",
    "COMMUNICATIONS_DLP",
    "CUSTOMER_KEY",
    "DATA_INVESTIGATIONS",
    "ATP_ENTERPRISE",
    "THREAT_INTELLIGENCE",
    "EXCEL_PREMIUM",
    "FORMS_PLAN_E5",
    "INFO_GOVERNANCE",
    "INSIDER_RISK",
    "KAIZALA_STANDALONE",
    "MICROSOFT_LOOP",
    "ML_CLASSIFICATION",
    "EXCHANGE_ANALYTICS",
    "PROJECTWORKMANAGEMENT",
    "RECORDS_MANAGEMENT",
    "MICROSOFT_SEARCH",
    "Deskless",
    "STREAM_O365_E5",
    "TEAMS1",
    "INTUNE_O365",
    "Nucleus",
    "EQUIVIO_ANALYTICS",
    "ADALLOM_S_O365",
    "PAM_ENTERPRISE",
    "SAFEDOCS",
    "SHAREPOINTWAC",
    "POWERAPPS_O365_P3",
    "BI_AZURE_P2",
    "PREMIUM_ENCRYPTION",
    "PROJECT_O365_P3",
    "PURVIEW_DISCOVERY",
    "COMMUNICATIONS_COMPLIANCE",
    "INSIDER_RISK_MANAGEMENT",
    "SHAREPOINTENTERPRISE",
    "MCOSTANDARD",
    "SWAY",
    "BPOS_S_TODO_3",
    "VIVAENGAGE_CORE",
    "VIVA_LEARNING_SEEDED",
    "WHITEBOARD_PLAN3",
    "YAMMER_ENTERPRISE",
    "WINDEFATP",
    "MICROSOFTENDPOINTDLP",
    "UNIVERSAL_PRINT_01",
    "WIN10_PRO_ENT_SUB",
    "Windows_Autopatch",
    "WINDOWSUPDATEFORBUSINESS_DEPLOYMENTSERVICE",
    "RMS_S_PREMIUM",
    "RMS_S_PREMIUM2",
    "DYN365_CDS_O365_P3",
    "Defender_for_Iot_Enterprise",
    "MFA_PREMIUM",
    "ADALLOM_S_STANDALONE",
    "ATA",
    "AAD_PREMIUM",
    "AAD_PREMIUM_P2",
    "INTUNE_A",
    "FLOW_O365_P3",
    "POWER_VIRTUAL_AGENTS_O365_P3",
  ]),
  // Microsoft 365 E3: 50 plans
  SPE_E3: sku("05e9a617-0261-4cee-bb44-138d3ef5d965", "SPE_E3", [
    "MESH_AVATARS_FOR_TEAMS",
    "MESH_AVATARS_ADDITIONAL_FOR_TEAMS",
    "RMS_S_ENTERPRISE",
    "CDS_O365_P2",
    "EXCHANGE_S_ENTERPRISE",
    "GRAPH_CONNECTORS_SEARCH_INDEX",
    "MESH_IMMERSIVE_FOR_TEAMS",
    "ContentExplorer_Standard",
    "MIP_S_CLP1",
    "MYANALYTICS_P2",
    "OFFICESUBSCRIPTION",
    "M365_LIGHTHOUSE_CUSTOMER_PLAN1",
    "M365_LIGHTHOUSE_PARTNER_PLAN1",
    "MICROSOFTBOOKINGS",
    "CLIPCHAMP",
    "MDE_LITE",
    "FORMS_PLAN_E3",
    "KAIZALA_O365_P3",
    "MICROSOFT_LOOP",
    "PROJECTWORKMANAGEMENT",
    "MICROSOFT_SEARCH",
    "Deskless",
    "STREAM_O365_E3",
    "TEAMS1",
    "INTUNE_O365",
    "Nucleus",
    "SHAREPOINTWAC",
    "PROJECT_O365_P2",
    "Bing_Chat_Enterprise",
    "SHAREPOINTENTERPRISE",
    "MCOSTANDARD",
    "SWAY",
    "BPOS_S_TODO_2",
    "VIVAENGAGE_CORE",
    "VIVA_LEARNING_SEEDED",
    "WHITEBOARD_PLAN2",
    "YAMMER_ENTERPRISE",
    "UNIVERSAL_PRINT_01",
    "WIN10_PRO_ENT_SUB",
    "Windows_Autopatch",
    "WINDOWSUPDATEFORBUSINESS_DEPLOYMENTSERVICE",
    "RMS_S_PREMIUM",
    "DYN365_CDS_O365_P2",
    "MFA_PREMIUM",
    "ADALLOM_S_DISCOVERY",
    "AAD_PREMIUM",
    "INTUNE_A",
    "POWERAPPS_O365_P2",
    "FLOW_O365_P2",
    "POWER_VIRTUAL_AGENTS_O365_P2",
  ]),
  // Office 365 E3: 36 plans
  ENTERPRISEPACK: sku("6fd2c87f-b296-42f0-b197-1e91e994b900", "ENTERPRISEPACK", [
    "MESH_AVATARS_FOR_TEAMS",
    "MESH_AVATARS_ADDITIONAL_FOR_TEAMS",
    "RMS_S_ENTERPRISE",
    "Bing_Chat_Enterprise",
    "CDS_O365_P2",
    "EXCHANGE_S_ENTERPRISE",
    "MESH_IMMERSIVE_FOR_TEAMS",
    "ContentExplorer_Standard",
    "MIP_S_CLP1",
    "MYANALYTICS_P2",
    "OFFICESUBSCRIPTION",
    "M365_LIGHTHOUSE_CUSTOMER_PLAN1",
    "MICROSOFTBOOKINGS",
    "FORMS_PLAN_E3",
    "KAIZALA_O365_P3",
    "PROJECTWORKMANAGEMENT",
    "MICROSOFT_SEARCH",
    "Deskless",
    "STREAM_O365_E3",
    "TEAMS1",
    "INTUNE_O365",
    "Nucleus",
    "SHAREPOINTWAC",
    "PROJECT_O365_P2",
    "SHAREPOINTENTERPRISE",
    "MCOSTANDARD",
    "SWAY",
    "BPOS_S_TODO_2",
    "VIVAENGAGE_CORE",
    "VIVA_LEARNING_SEEDED",
    "WHITEBOARD_PLAN2",
    "YAMMER_ENTERPRISE",
    "DYN365_CDS_O365_P2",
    "POWERAPPS_O365_P2",
    "FLOW_O365_P2",
    "POWER_VIRTUAL_AGENTS_O365_P2",
  ]),
  // Microsoft 365 A5 for faculty: 87 plans
  M365EDU_A5_FACULTY: sku("e97c048c-37a4-45fb-ab50-922fbf07a370", "M365EDU_A5_FACULTY", [
    "AAD_BASIC_EDU",
    "RMS_S_ENTERPRISE",
    "CDS_O365_P3",
    "LOCKBOX_ENTERPRISE",
    "CustomerLockboxA_Enterprise",
    "MIP_S_Exchange",
    "COMMON_DEFENDER_PLATFORM_FOR_OFFICE",
    "EducationAnalyticsP1",
    "EXCHANGE_S_ENTERPRISE",
    "GRAPH_CONNECTORS_SEARCH_INDEX",
    "INFORMATION_BARRIERS",
    "Content_Explorer",
    "ContentExplorer_Standard",
    "MIP_S_CLP2",
    "MIP_S_CLP1",
    "M365_ADVANCED_AUDITING",
    "OFFICESUBSCRIPTION",
    "MCOMEETADV",
    "M365_AUDIT_PLATFORM",
    "MICROSOFT_COMMUNICATION_COMPLIANCE",
    "MTP",
    "M365_LIGHTHOUSE_CUSTOMER_PLAN1",
    "MCOEV",
    "MICROSOFTBOOKINGS",
    "CLIPCHAMP",
    "COMMUNICATIONS_DLP",
    "CUSTOMER_KEY",
    "ATP_ENTERPRISE",
    "THREAT_INTELLIGENCE",
    "EXCEL_PREMIUM",
    "OFFICE_FORMS_PLAN_3",
    "INFO_GOVERNANCE",
    "INSIDER_RISK",
    "INSIDER_RISK_MANAGEMENT",
    "KAIZALA_STANDALONE",
    "MICROSOFT_LOOP",
    "ML_CLASSIFICATION",
    "EXCHANGE_ANALYTICS",
    "PROJECTWORKMANAGEMENT",
    "RECORDS_MANAGEMENT",
    "MICROSOFT_SEARCH",
    "Deskless",
    "STREAM_O365_E5",
    "TEAMS1",
    "MINECRAFT_EDUCATION_EDITION",
    "INTUNE_O365",
    "Nucleus",
    "EQUIVIO_ANALYTICS",
    "ADALLOM_S_O365",
    "PAM_ENTERPRISE",
    "SAFEDOCS",
    "SHAREPOINTWAC_EDU",
    "POWERAPPS_O365_P3",
    "BI_AZURE_P2",
    "PREMIUM_ENCRYPTION",
    "PROJECT_O365_P3",
    "PURVIEW_DISCOVERY",
    "Bing_Chat_Enterprise",
    "COMMUNICATIONS_COMPLIANCE",
    "DATA_INVESTIGATIONS",
    "SCHOOL_DATA_SYNC_P2",
    "SHAREPOINTENTERPRISE_EDU",
    "MCOSTANDARD",
    "SWAY",
    "BPOS_S_TODO_3",
    "VIVA_LEARNING_SEEDED",
    "WHITEBOARD_PLAN3",
    "YAMMER_EDU",
    "WINDEFATP",
    "MICROSOFTENDPOINTDLP",
    "UNIVERSAL_PRINT_01",
    "Virtualization Rights for Windows 10 (E3/E5+VDA)",
    "WINDOWSUPDATEFORBUSINESS_DEPLOYMENTSERVICE",
    "RMS_S_PREMIUM",
    "RMS_S_PREMIUM2",
    "DYN365_CDS_O365_P3",
    "Intune_ServiceNow",
    "MFA_PREMIUM",
    "ADALLOM_S_STANDALONE",
    "ATA",
    "AAD_PREMIUM",
    "AAD_PREMIUM_P2",
    "INTUNE_A",
    "INTUNE_EDU",
    "FLOW_O365_P3",
    "POWER_VIRTUAL_AGENTS_O365_P3",
    "REMOTE_HELP",
  ]),
  // Microsoft 365 F3: 39 plans
  SPE_F1: sku("66b55226-6b4f-492c-910c-a3b7a3c9d993", "SPE_F1", [
    "RMS_S_ENTERPRISE",
    "Bing_Chat_Enterprise",
    "CDS_O365_F1",
    "EXCHANGE_S_DESKLESS",
    "M365_LIGHTHOUSE_CUSTOMER_PLAN1",
    "MICROSOFTBOOKINGS",
    "FORMS_PLAN_K",
    "KAIZALA_O365_P1",
    "PROJECTWORKMANAGEMENT",
    "MICROSOFT_SEARCH",
    "Deskless",
    "TEAMS1",
    "INTUNE_O365",
    "Nucleus",
    "SHAREPOINTWAC",
    "OFFICEMOBILE_SUBSCRIPTION",
    "PROJECT_O365_F3",
    "SHAREPOINTDESKLESS",
    "MCOIMP",
    "SWAY",
    "BPOS_S_TODO_FIRSTLINE",
    "VIVAENGAGE_CORE",
    "VIVA_LEARNING_SEEDED",
    "WHITEBOARD_FIRSTLINE1",
    "WIN10_ENT_LOC_F1",
    "YAMMER_ENTERPRISE",
    "UNIVERSAL_PRINT_01",
    "Windows_Autopatch",
    "WINDOWSUPDATEFORBUSINESS_DEPLOYMENTSERVICE",
    "RMS_S_PREMIUM",
    "DYN365_CDS_O365_F1",
    "MFA_PREMIUM",
    "ADALLOM_S_DISCOVERY",
    "AAD_PREMIUM",
    "INTUNE_A",
    "STREAM_O365_K",
    "POWERAPPS_O365_S1",
    "FLOW_O365_S1",
    "POWER_VIRTUAL_AGENTS_O365_F1",
  ]),
  // Exchange Online (Plan 1): 3 plans
  EXCHANGESTANDARD: sku("4b9405b0-7788-4568-add1-99614e613b69", "EXCHANGESTANDARD", [
    "EXCHANGE_S_STANDARD",
    "INTUNE_O365",
    "BPOS_S_TODO_1",
  ]),
  // Enterprise Mobility + Security E3: 7 plans
  EMS: sku("efccb6f7-5641-4e0e-bd10-b4976e1bf68e", "EMS", [
    "AAD_PREMIUM",
    "RMS_S_PREMIUM",
    "ADALLOM_S_DISCOVERY",
    "EXCHANGE_S_FOUNDATION",
    "RMS_S_ENTERPRISE",
    "MFA_PREMIUM",
    "INTUNE_A",
  ]),
  // Office 365 G5 GCC: 44 plans
  ENTERPRISEPREMIUM_GOV: sku("8900a2c0-edba-4079-bdf3-b276e293b6a8", "ENTERPRISEPREMIUM_GOV", [
    "CDS_O365_P3_GCC",
    "LOCKBOX_ENTERPRISE_GOV",
    "MIP_S_Exchange",
    "EXCHANGE_S_ENTERPRISE_GOV",
    "GRAPH_CONNECTORS_SEARCH_INDEX",
    "INFORMATION_BARRIERS",
    "Content_Explorer",
    "ContentExplorer_Standard",
    "MIP_S_CLP2",
    "MIP_S_CLP1",
    "M365_ADVANCED_AUDITING",
    "OFFICESUBSCRIPTION_GOV",
    "MCOMEETADV_GOV",
    "MICROSOFT_COMMUNICATION_COMPLIANCE",
    "MTP",
    "MCOEV_GOV",
    "MICROSOFTBOOKINGS",
    "COMMUNICATIONS_DLP",
    "CUSTOMER_KEY",
    "ATP_ENTERPRISE_GOV",
    "THREAT_INTELLIGENCE_GOV",
    "FORMS_GOV_E5",
    "INFO_GOVERNANCE",
    "EXCHANGE_ANALYTICS_GOV",
    "RECORDS_MANAGEMENT",
    "MICROSOFT_SEARCH",
    "TEAMS_GOV",
    "INTUNE_O365",
    "EQUIVIO_ANALYTICS_GOV",
    "ADALLOM_S_O365",
    "PROJECTWORKMANAGEMENT_GOV",
    "SHAREPOINTWAC_GOV",
    "BI_AZURE_P_2_GOV",
    "PREMIUM_ENCRYPTION",
    "PROJECT_O365_P3_GOV",
    "SHAREPOINTENTERPRISE_GOV",
    "MCOSTANDARD_GOV",
    "STREAM_O365_E5_GOV",
    "BPOS_S_TODO_3",
    "WHITEBOARD_PLAN3",
    "RMS_S_ENTERPRISE_GOV",
    "DYN365_CDS_O365_P3_GCC",
    "POWERAPPS_O365_P3_GOV",
    "FLOW_O365_P3_GOV",
  ]),
  // Office 365 G3 GCC: 24 plans
  ENTERPRISEPACK_GOV: sku("535a3a29-c5f0-42fe-8215-d3b9e1f38c4a", "ENTERPRISEPACK_GOV", [
    "CDS_O365_P2_GCC",
    "EXCHANGE_S_ENTERPRISE_GOV",
    "Content_Explorer",
    "ContentExplorer_Standard",
    "MIP_S_CLP1",
    "MYANALYTICS_P2_GOV",
    "OFFICESUBSCRIPTION_GOV",
    "MICROSOFTBOOKINGS",
    "FORMS_GOV_E3",
    "MICROSOFT_SEARCH",
    "TEAMS_GOV",
    "INTUNE_O365",
    "PROJECTWORKMANAGEMENT_GOV",
    "SHAREPOINTWAC_GOV",
    "PROJECT_O365_P2_GOV",
    "SHAREPOINTENTERPRISE_GOV",
    "MCOSTANDARD_GOV",
    "STREAM_O365_E3_GOV",
    "BPOS_S_TODO_2",
    "WHITEBOARD_PLAN2",
    "RMS_S_ENTERPRISE_GOV",
    "DYN365_CDS_O365_P2_GCC",
    "POWERAPPS_O365_P2_GOV",
    "FLOW_O365_P2_GOV",
  ]),
};
