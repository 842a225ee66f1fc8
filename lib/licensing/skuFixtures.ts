/**
 * subscribedSku fixtures (Microsoft Graph v1.0 shape) for the tenant emulator and unit tests.
 *
 * skuId, skuPartNumber and every servicePlanId/servicePlanName come from Microsoft's "Product names and
 * service plan identifiers for licensing": MicrosoftDocs/entra-docs,
 * docs/identity/users/licensing-service-plan-reference.md at commit 067a0c7b ("last updated on October 29,
 * 2025"). Rows were extracted from the CSV Microsoft publishes with that page and each row was compared with
 * the Markdown; they agree except Microsoft 365 A5 for faculty, where the CSV copy lags (11 plans fewer), so
 * that row is the Markdown's. Plan lists are complete and in the reference's order; the comment on each plan
 * is the reference's friendly name.
 *
 * Not from the reference: unit counts (made up) and appliesTo, which the reference does not publish.
 * Plans are "User" except Exchange Foundation, which real tenants report as "Company" (unverified per SKU).
 */

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

export type FixtureSkuPartNumber =
  | "SPE_E5"
  | "SPE_E3"
  | "ENTERPRISEPACK"
  | "M365EDU_A5_FACULTY"
  | "SPE_F1"
  | "EXCHANGESTANDARD"
  | "EMS";

const TENANT_LEVEL_PLANS = new Set(["EXCHANGE_S_FOUNDATION"]);

// Tuples keep 350 plan rows readable; expanded to the Graph shape here.
function plans(rows: ReadonlyArray<readonly [string, string]>): SubscribedSkuFixture["servicePlans"] {
  return rows.map(([servicePlanId, servicePlanName]) => ({
    servicePlanId,
    servicePlanName,
    provisioningStatus: "Success",
    appliesTo: TENANT_LEVEL_PLANS.has(servicePlanName) ? "Company" : "User",
  }));
}

const SKU_DEFAULTS = {
  appliesTo: "User",
  capabilityStatus: "Enabled",
  prepaidUnits: { enabled: 500, suspended: 0, warning: 0, lockedOut: 0 },
  consumedUnits: 0,
} as const;

export const SKU_FIXTURES: Record<FixtureSkuPartNumber, SubscribedSkuFixture> = {
  // Microsoft 365 E5: 86 plans
  SPE_E5: {
    skuId: "06ebc4ee-1bb5-47dd-8120-11324bc54e06",
    skuPartNumber: "SPE_E5",
    ...SKU_DEFAULTS,
    servicePlans: plans([
      ["dcf9d2f4-772e-4434-b757-77a453cfbc02", "MESH_AVATARS_FOR_TEAMS"], // Avatars for Teams
      ["3efbd4ed-8958-4824-8389-1321f8730af8", "MESH_AVATARS_ADDITIONAL_FOR_TEAMS"], // Avatars for Teams (additional)
      ["bea4c11e-220a-4e6d-8eb8-8ea15d019f90", "RMS_S_ENTERPRISE"], // Azure Rights Management
      ["0d0c0d31-fae7-41f2-b909-eaf4d7f26dba", "Bing_Chat_Enterprise"], // Commercial data protection for Microsoft Copilot
      ["afa73018-811e-46e9-988f-f75d2b1b8430", "CDS_O365_P3"], // Common Data Service for Teams
      ["9f431833-0334-42de-a7dc-70aa40db46db", "LOCKBOX_ENTERPRISE"], // Customer Lockbox
      ["3ec18638-bd4c-4d3b-8905-479ed636b83e", "CustomerLockboxA_Enterprise"], // Customer Lockbox (A)
      ["cd31b152-6326-4d1b-ae1b-997b625182e6", "MIP_S_Exchange"], // Data Classification in Microsoft 365
      ["efb87545-963c-4e0d-99df-69c6916d9eb0", "EXCHANGE_S_ENTERPRISE"], // Exchange Online (Plan 2)
      ["a6520331-d7d4-4276-95f5-15c0933bc757", "GRAPH_CONNECTORS_SEARCH_INDEX"], // Graph Connectors Search with Index
      ["f0ff6ac6-297d-49cd-be34-6dfef97f0c28", "MESH_IMMERSIVE_FOR_TEAMS"], // Immersive spaces for Teams
      ["c4801e8a-cb58-4c35-aca6-f2dcc106f287", "INFORMATION_BARRIERS"], // Information Barriers
      ["d9fa6af4-e046-4c89-9226-729a0786685d", "Content_Explorer"], // Information Protection and Governance Analytics - Premium
      ["2b815d45-56e4-4e3a-b65c-66cb9175b560", "ContentExplorer_Standard"], // Information Protection and Governance Analytics – Standard
      ["efb0351d-3b08-4503-993d-383af8de41e3", "MIP_S_CLP2"], // Information Protection for Office 365 - Premium
      ["5136a095-5cf0-4aff-bec3-e84448b38ea5", "MIP_S_CLP1"], // Information Protection for Office 365 - Standard
      ["33c4f319-9bdd-48d6-9c4d-410b750a4a5a", "MYANALYTICS_P2"], // Insights by MyAnalytics
      ["2f442157-a11c-46b9-ae5b-6e39ff4e5849", "M365_ADVANCED_AUDITING"], // Microsoft 365 Advanced Auditing
      ["43de0ff5-c92c-492b-9116-175376d08c38", "OFFICESUBSCRIPTION"], // Microsoft 365 Apps for enterprise
      ["3e26ee1f-8a5f-4d52-aee2-b81ce45c8f40", "MCOMEETADV"], // Microsoft 365 Audio Conferencing
      ["f6de4823-28fa-440b-b886-4783fa86ddba", "M365_AUDIT_PLATFORM"], // Microsoft 365 Audit Platform
      ["a413a9ff-720c-4822-98ef-2f37c2a21f4c", "MICROSOFT_COMMUNICATION_COMPLIANCE"], // Microsoft 365 Communication Compliance
      ["bf28f719-7844-4079-9c78-c1307898e192", "MTP"], // Microsoft 365 Defender
      ["6f23d6a9-adbf-481c-8538-b4c095654487", "M365_LIGHTHOUSE_CUSTOMER_PLAN1"], // Microsoft 365 Lighthouse (Plan 1)
      ["4828c8ec-dc2e-4779-b502-87ac9ce28ab7", "MCOEV"], // Microsoft 365 Phone System
      ["199a5c09-e0ca-4e37-8f7c-b05d533e1ea2", "MICROSOFTBOOKINGS"], // Microsoft Bookings
      ["a1ace008-72f3-4ea0-8dac-33b3a23a2472", "CLIPCHAMP"], // Microsoft Clipchamp
      ["6dc145d6-95dd-4191-b9c3-185575ee6f6b", "COMMUNICATIONS_DLP"], // Microsoft Communications DLP
      ["6db1f1db-2b46-403f-be40-e39395f08dbb", "CUSTOMER_KEY"], // Microsoft Customer Key
      ["46129a58-a698-46f0-aa5b-17f6586297d9", "DATA_INVESTIGATIONS"], // Microsoft Data Investigations
      ["f20fedf3-f3c3-43c3-8267-2bfdd51c0939", "ATP_ENTERPRISE"], // Microsoft Defender for Office 365 (Plan 1)
      ["8e0c0a52-6a6c-4d40-8370-dd62790dcd70", "THREAT_INTELLIGENCE"], // Microsoft Defender for Office 365 (Plan 2)
      ["531ee2f8-b1cb-453b-9c21-d2180d014ca5", "EXCEL_PREMIUM"], // Microsoft Excel Advanced Analytics
      ["e212cbc7-0961-4c40-9825-01117710dcb1", "FORMS_PLAN_E5"], // Microsoft Forms (Plan E5)
      ["e26c2fcc-ab91-4a61-b35c-03cdc8dddf66", "INFO_GOVERNANCE"], // Microsoft Information Governance
      ["d587c7a3-bda9-4f99-8776-9bcf59c84f75", "INSIDER_RISK"], // Microsoft Insider Risk Management
      ["0898bdbb-73b0-471a-81e5-20f1fe4dd66e", "KAIZALA_STANDALONE"], // Microsoft Kaizala Pro
      ["c4b8c31a-fb44-4c65-9837-a21f55fcabda", "MICROSOFT_LOOP"], // Microsoft Loop
      ["d2d51368-76c9-4317-ada2-a12c004c432f", "ML_CLASSIFICATION"], // Microsoft ML-Based Classification
      ["34c0d7a0-a70f-4668-9238-47f9fc208882", "EXCHANGE_ANALYTICS"], // Microsoft MyAnalytics (Full)
      ["b737dad2-2f6c-4c65-90e3-ca563267e8b9", "PROJECTWORKMANAGEMENT"], // Microsoft Planner
      ["65cc641f-cccd-4643-97e0-a17e3045e541", "RECORDS_MANAGEMENT"], // Microsoft Records Management
      ["94065c59-bc8e-4e8b-89e5-5138d471eaff", "MICROSOFT_SEARCH"], // Microsoft Search
      ["8c7d2df8-86f0-4902-b2ed-a0458298f3b3", "Deskless"], // Microsoft StaffHub
      ["6c6042f5-6f01-4d67-b8c1-eb99d36eed3e", "STREAM_O365_E5"], // Microsoft Stream for Office 365 E5
      ["57ff2da0-773e-42df-b2af-ffb7a2317929", "TEAMS1"], // Microsoft Teams
      ["882e1d05-acd1-4ccb-8708-6ee03664b117", "INTUNE_O365"], // Mobile Device Management for Office 365
      ["db4d623d-b514-490b-b7ef-8885eee514de", "Nucleus"], // Nucleus
      ["4de31727-a228-4ec3-a5bf-8e45b5ca48cc", "EQUIVIO_ANALYTICS"], // Office 365 Advanced eDiscovery
      ["8c098270-9dd4-4350-9b30-ba4703f3b36b", "ADALLOM_S_O365"], // Office 365 Cloud App Security
      ["b1188c4c-1b36-4018-b48b-ee07604f6feb", "PAM_ENTERPRISE"], // Office 365 Privileged Access Management
      ["bf6f5520-59e3-4f82-974b-7dbbc4fd27c7", "SAFEDOCS"], // Office 365 SafeDocs
      ["e95bec33-7c88-4a70-8e19-b10bd9d0c014", "SHAREPOINTWAC"], // Office for the Web
      ["9c0dab89-a30c-4117-86e7-97bda240acd2", "POWERAPPS_O365_P3"], // Power Apps for Office 365 (Plan 3)
      ["70d33638-9c74-4d01-bfd3-562de28bd4ba", "BI_AZURE_P2"], // Power BI Pro
      ["617b097b-4b93-4ede-83de-5f075bb5fb2f", "PREMIUM_ENCRYPTION"], // Premium Encryption in Office 365
      ["b21a6b06-1988-436e-a07b-51ec6d9f52ad", "PROJECT_O365_P3"], // Project for Office (Plan E5)
      ["c948ea65-2053-4a5a-8a62-9eaaaf11b522", "PURVIEW_DISCOVERY"], // Purview Discovery
      ["41fcdd7d-4733-4863-9cf4-c65b83ce2df4", "COMMUNICATIONS_COMPLIANCE"], // RETIRED - Microsoft Communications Compliance
      ["9d0c4ee5-e4a1-4625-ab39-d82b619b1a34", "INSIDER_RISK_MANAGEMENT"], // RETIRED - Microsoft Insider Risk Management
      ["5dbe027f-2339-4123-9542-606e4d348a72", "SHAREPOINTENTERPRISE"], // SharePoint (Plan 2)
      ["0feaeb32-d00e-4d66-bd5a-43b5b83db82c", "MCOSTANDARD"], // Skype for Business Online (Plan 2)
      ["a23b959c-7ce8-4e57-9140-b90eb88a9e97", "SWAY"], // Sway
      ["3fb82609-8c27-4f7b-bd51-30634711ee67", "BPOS_S_TODO_3"], // To-Do (Plan 3)
      ["a82fbf69-b4d7-49f4-83a6-915b2cf354f4", "VIVAENGAGE_CORE"], // Viva Engage Core
      ["b76fb638-6ba6-402a-b9f9-83d28acb3d86", "VIVA_LEARNING_SEEDED"], // Viva Learning Seeded
      ["4a51bca5-1eff-43f5-878c-177680f191af", "WHITEBOARD_PLAN3"], // Whiteboard (Plan 3)
      ["7547a3fe-08ee-4ccb-b430-5077c5041653", "YAMMER_ENTERPRISE"], // Yammer Enterprise
      ["871d91ec-ec1a-452b-a83f-bd76c7d770ef", "WINDEFATP"], // Microsoft Defender for Endpoint
      ["64bfac92-2b17-4482-b5e5-a0304429de3e", "MICROSOFTENDPOINTDLP"], // Microsoft Endpoint DLP
      ["795f6fe0-cc4d-4773-b050-5dde4dc704c9", "UNIVERSAL_PRINT_01"], // Universal Print
      ["21b439ba-a0ca-424f-a6cc-52f954a5b111", "WIN10_PRO_ENT_SUB"], // Windows 10/11 Enterprise (Original)
      ["9a6eeb79-0b4b-4bf0-9808-39d99a2cd5a3", "Windows_Autopatch"], // Windows Autopatch
      ["7bf960f6-2cd9-443a-8046-5dbff9558365", "WINDOWSUPDATEFORBUSINESS_DEPLOYMENTSERVICE"], // Windows Update for Business Deployment Service
      ["6c57d4b6-3b23-47a5-9bc9-69f17b4947b3", "RMS_S_PREMIUM"], // Azure Information Protection Premium P1
      ["5689bec4-755d-4753-8b61-40975025187c", "RMS_S_PREMIUM2"], // Azure Information Protection Premium P2
      ["28b0fa46-c39a-4188-89e2-58e979a6b014", "DYN365_CDS_O365_P3"], // Common Data Service
      ["99cd49a9-0e54-4e07-aea1-d8d9f5f704f5", "Defender_for_Iot_Enterprise"], // Defender for IoT - Enterprise IoT Security
      ["8a256a2b-b617-496d-b51b-e76466e88db0", "MFA_PREMIUM"], // Microsoft Azure Multi-Factor Authentication
      ["2e2ddb96-6af9-4b1d-a3f0-d6ecfd22edb2", "ADALLOM_S_STANDALONE"], // Microsoft Defender for Cloud Apps
      ["14ab5db5-e6c4-4b20-b4bc-13e36fd2227f", "ATA"], // Microsoft Defender for Identity
      ["41781fb2-bc02-4b7c-bd55-b576c07bb09d", "AAD_PREMIUM"], // Microsoft Entra ID P1
      ["eec0eb4f-6444-4f95-aba0-50c24d67f998", "AAD_PREMIUM_P2"], // Microsoft Entra ID P2
      ["c1ec4a95-1f05-45b3-a911-aa3fa01094f5", "INTUNE_A"], // Microsoft Intune Plan 1
      ["07699545-9485-468e-95b6-2fca3738be01", "FLOW_O365_P3"], // Power Automate for Office 365
      ["ded3d325-1bdc-453e-8432-5bac26d7a014", "POWER_VIRTUAL_AGENTS_O365_P3"], // Power Virtual Agents for Office 365
    ]),
  },
  // Microsoft 365 E3: 50 plans
  SPE_E3: {
    skuId: "05e9a617-0261-4cee-bb44-138d3ef5d965",
    skuPartNumber: "SPE_E3",
    ...SKU_DEFAULTS,
    servicePlans: plans([
      ["dcf9d2f4-772e-4434-b757-77a453cfbc02", "MESH_AVATARS_FOR_TEAMS"], // Avatars for Teams
      ["3efbd4ed-8958-4824-8389-1321f8730af8", "MESH_AVATARS_ADDITIONAL_FOR_TEAMS"], // Avatars for Teams (additional)
      ["bea4c11e-220a-4e6d-8eb8-8ea15d019f90", "RMS_S_ENTERPRISE"], // Azure Rights Management
      ["95b76021-6a53-4741-ab8b-1d1f3d66a95a", "CDS_O365_P2"], // Common Data Service for Teams
      ["efb87545-963c-4e0d-99df-69c6916d9eb0", "EXCHANGE_S_ENTERPRISE"], // Exchange Online (Plan 2)
      ["a6520331-d7d4-4276-95f5-15c0933bc757", "GRAPH_CONNECTORS_SEARCH_INDEX"], // Graph Connectors Search with Index
      ["f0ff6ac6-297d-49cd-be34-6dfef97f0c28", "MESH_IMMERSIVE_FOR_TEAMS"], // Immersive spaces for Teams
      ["2b815d45-56e4-4e3a-b65c-66cb9175b560", "ContentExplorer_Standard"], // Information Protection and Governance Analytics – Standard
      ["5136a095-5cf0-4aff-bec3-e84448b38ea5", "MIP_S_CLP1"], // Information Protection for Office 365 - Standard
      ["33c4f319-9bdd-48d6-9c4d-410b750a4a5a", "MYANALYTICS_P2"], // Insights by MyAnalytics
      ["43de0ff5-c92c-492b-9116-175376d08c38", "OFFICESUBSCRIPTION"], // Microsoft 365 Apps for enterprise
      ["6f23d6a9-adbf-481c-8538-b4c095654487", "M365_LIGHTHOUSE_CUSTOMER_PLAN1"], // Microsoft 365 Lighthouse (Plan 1)
      ["d55411c9-cfff-40a9-87c7-240f14df7da5", "M365_LIGHTHOUSE_PARTNER_PLAN1"], // Microsoft 365 Lighthouse (Plan 2)
      ["199a5c09-e0ca-4e37-8f7c-b05d533e1ea2", "MICROSOFTBOOKINGS"], // Microsoft Bookings
      ["a1ace008-72f3-4ea0-8dac-33b3a23a2472", "CLIPCHAMP"], // Microsoft Clipchamp
      ["292cc034-7b7c-4950-aaf5-943befd3f1d4", "MDE_LITE"], // Microsoft Defender for Endpoint Plan 1
      ["2789c901-c14e-48ab-a76a-be334d9d793a", "FORMS_PLAN_E3"], // Microsoft Forms (Plan E3)
      ["aebd3021-9f8f-4bf8-bbe3-0ed2f4f047a1", "KAIZALA_O365_P3"], // Microsoft Kaizala Pro
      ["c4b8c31a-fb44-4c65-9837-a21f55fcabda", "MICROSOFT_LOOP"], // Microsoft Loop
      ["b737dad2-2f6c-4c65-90e3-ca563267e8b9", "PROJECTWORKMANAGEMENT"], // Microsoft Planner
      ["94065c59-bc8e-4e8b-89e5-5138d471eaff", "MICROSOFT_SEARCH"], // Microsoft Search
      ["8c7d2df8-86f0-4902-b2ed-a0458298f3b3", "Deskless"], // Microsoft StaffHub
      ["9e700747-8b1d-45e5-ab8d-ef187ceec156", "STREAM_O365_E3"], // Microsoft Stream for Office 365 E3
      ["57ff2da0-773e-42df-b2af-ffb7a2317929", "TEAMS1"], // Microsoft Teams
      ["882e1d05-acd1-4ccb-8708-6ee03664b117", "INTUNE_O365"], // Mobile Device Management for Office 365
      ["db4d623d-b514-490b-b7ef-8885eee514de", "Nucleus"], // Nucleus
      ["e95bec33-7c88-4a70-8e19-b10bd9d0c014", "SHAREPOINTWAC"], // Office for the Web
      ["31b4e2fc-4cd6-4e7d-9c1b-41407303bd66", "PROJECT_O365_P2"], // Project for Office (Plan E3)
      ["0d0c0d31-fae7-41f2-b909-eaf4d7f26dba", "Bing_Chat_Enterprise"], // RETIRED - Commercial data protection for Microsoft Copilot
      ["5dbe027f-2339-4123-9542-606e4d348a72", "SHAREPOINTENTERPRISE"], // SharePoint (Plan 2)
      ["0feaeb32-d00e-4d66-bd5a-43b5b83db82c", "MCOSTANDARD"], // Skype for Business Online (Plan 2)
      ["a23b959c-7ce8-4e57-9140-b90eb88a9e97", "SWAY"], // Sway
      ["c87f142c-d1e9-4363-8630-aaea9c4d9ae5", "BPOS_S_TODO_2"], // To-Do (Plan 2)
      ["a82fbf69-b4d7-49f4-83a6-915b2cf354f4", "VIVAENGAGE_CORE"], // Viva Engage Core
      ["b76fb638-6ba6-402a-b9f9-83d28acb3d86", "VIVA_LEARNING_SEEDED"], // Viva Learning Seeded
      ["94a54592-cd8b-425e-87c6-97868b000b91", "WHITEBOARD_PLAN2"], // Whiteboard (Plan 2)
      ["7547a3fe-08ee-4ccb-b430-5077c5041653", "YAMMER_ENTERPRISE"], // Yammer Enterprise
      ["795f6fe0-cc4d-4773-b050-5dde4dc704c9", "UNIVERSAL_PRINT_01"], // Universal Print
      ["21b439ba-a0ca-424f-a6cc-52f954a5b111", "WIN10_PRO_ENT_SUB"], // Windows 10/11 Enterprise (Original)
      ["9a6eeb79-0b4b-4bf0-9808-39d99a2cd5a3", "Windows_Autopatch"], // Windows Autopatch
      ["7bf960f6-2cd9-443a-8046-5dbff9558365", "WINDOWSUPDATEFORBUSINESS_DEPLOYMENTSERVICE"], // Windows Update for Business Deployment Service
      ["6c57d4b6-3b23-47a5-9bc9-69f17b4947b3", "RMS_S_PREMIUM"], // Azure Information Protection Premium P1
      ["4ff01e01-1ba7-4d71-8cf8-ce96c3bbcf14", "DYN365_CDS_O365_P2"], // Common Data Service
      ["8a256a2b-b617-496d-b51b-e76466e88db0", "MFA_PREMIUM"], // Microsoft Azure Multi-Factor Authentication
      ["932ad362-64a8-4783-9106-97849a1a30b9", "ADALLOM_S_DISCOVERY"], // Microsoft Defender for Cloud Apps Discovery
      ["41781fb2-bc02-4b7c-bd55-b576c07bb09d", "AAD_PREMIUM"], // Microsoft Entra ID P1
      ["c1ec4a95-1f05-45b3-a911-aa3fa01094f5", "INTUNE_A"], // Microsoft Intune Plan 1
      ["c68f8d98-5534-41c8-bf36-22fa496fa792", "POWERAPPS_O365_P2"], // Power Apps for Office 365
      ["76846ad7-7776-4c40-a281-a386362dd1b9", "FLOW_O365_P2"], // Power Automate for Office 365
      ["041fe683-03e4-45b6-b1af-c0cdc516daee", "POWER_VIRTUAL_AGENTS_O365_P2"], // Power Virtual Agents for Office 365
    ]),
  },
  // Office 365 E3: 36 plans
  ENTERPRISEPACK: {
    skuId: "6fd2c87f-b296-42f0-b197-1e91e994b900",
    skuPartNumber: "ENTERPRISEPACK",
    ...SKU_DEFAULTS,
    servicePlans: plans([
      ["dcf9d2f4-772e-4434-b757-77a453cfbc02", "MESH_AVATARS_FOR_TEAMS"], // Avatars for Teams
      ["3efbd4ed-8958-4824-8389-1321f8730af8", "MESH_AVATARS_ADDITIONAL_FOR_TEAMS"], // Avatars for Teams (additional)
      ["bea4c11e-220a-4e6d-8eb8-8ea15d019f90", "RMS_S_ENTERPRISE"], // Azure Rights Management
      ["0d0c0d31-fae7-41f2-b909-eaf4d7f26dba", "Bing_Chat_Enterprise"], // Commercial data protection for Microsoft Copilot
      ["95b76021-6a53-4741-ab8b-1d1f3d66a95a", "CDS_O365_P2"], // Common Data Service for Teams
      ["efb87545-963c-4e0d-99df-69c6916d9eb0", "EXCHANGE_S_ENTERPRISE"], // Exchange Online (Plan 2)
      ["f0ff6ac6-297d-49cd-be34-6dfef97f0c28", "MESH_IMMERSIVE_FOR_TEAMS"], // Immersive spaces for Teams
      ["2b815d45-56e4-4e3a-b65c-66cb9175b560", "ContentExplorer_Standard"], // Information Protection and Governance Analytics – Standard
      ["5136a095-5cf0-4aff-bec3-e84448b38ea5", "MIP_S_CLP1"], // Information Protection for Office 365 - Standard
      ["33c4f319-9bdd-48d6-9c4d-410b750a4a5a", "MYANALYTICS_P2"], // Insights by MyAnalytics
      ["43de0ff5-c92c-492b-9116-175376d08c38", "OFFICESUBSCRIPTION"], // Microsoft 365 Apps for Enterprise
      ["6f23d6a9-adbf-481c-8538-b4c095654487", "M365_LIGHTHOUSE_CUSTOMER_PLAN1"], // Microsoft 365 Lighthouse (Plan 1)
      ["199a5c09-e0ca-4e37-8f7c-b05d533e1ea2", "MICROSOFTBOOKINGS"], // Microsoft Bookings
      ["2789c901-c14e-48ab-a76a-be334d9d793a", "FORMS_PLAN_E3"], // Microsoft Forms (Plan E3)
      ["aebd3021-9f8f-4bf8-bbe3-0ed2f4f047a1", "KAIZALA_O365_P3"], // Microsoft Kaizala Pro
      ["b737dad2-2f6c-4c65-90e3-ca563267e8b9", "PROJECTWORKMANAGEMENT"], // Microsoft Planner
      ["94065c59-bc8e-4e8b-89e5-5138d471eaff", "MICROSOFT_SEARCH"], // Microsoft Search
      ["8c7d2df8-86f0-4902-b2ed-a0458298f3b3", "Deskless"], // Microsoft StaffHub
      ["9e700747-8b1d-45e5-ab8d-ef187ceec156", "STREAM_O365_E3"], // Microsoft Stream for Office 365 E3
      ["57ff2da0-773e-42df-b2af-ffb7a2317929", "TEAMS1"], // Microsoft Teams
      ["882e1d05-acd1-4ccb-8708-6ee03664b117", "INTUNE_O365"], // Mobile Device Management for Office 365
      ["db4d623d-b514-490b-b7ef-8885eee514de", "Nucleus"], // Nucleus
      ["e95bec33-7c88-4a70-8e19-b10bd9d0c014", "SHAREPOINTWAC"], // Office for the Web
      ["31b4e2fc-4cd6-4e7d-9c1b-41407303bd66", "PROJECT_O365_P2"], // Project for Office (Plan E3)
      ["5dbe027f-2339-4123-9542-606e4d348a72", "SHAREPOINTENTERPRISE"], // SharePoint (Plan 2)
      ["0feaeb32-d00e-4d66-bd5a-43b5b83db82c", "MCOSTANDARD"], // Skype for Business Online (Plan 2)
      ["a23b959c-7ce8-4e57-9140-b90eb88a9e97", "SWAY"], // Sway
      ["c87f142c-d1e9-4363-8630-aaea9c4d9ae5", "BPOS_S_TODO_2"], // To-Do (Plan 2)
      ["a82fbf69-b4d7-49f4-83a6-915b2cf354f4", "VIVAENGAGE_CORE"], // Viva Engage Core
      ["b76fb638-6ba6-402a-b9f9-83d28acb3d86", "VIVA_LEARNING_SEEDED"], // Viva Learning Seeded
      ["94a54592-cd8b-425e-87c6-97868b000b91", "WHITEBOARD_PLAN2"], // Whiteboard (Plan 2)
      ["7547a3fe-08ee-4ccb-b430-5077c5041653", "YAMMER_ENTERPRISE"], // Yammer Enterprise
      ["4ff01e01-1ba7-4d71-8cf8-ce96c3bbcf14", "DYN365_CDS_O365_P2"], // Common Data Service
      ["c68f8d98-5534-41c8-bf36-22fa496fa792", "POWERAPPS_O365_P2"], // Power Apps for Office 365
      ["76846ad7-7776-4c40-a281-a386362dd1b9", "FLOW_O365_P2"], // Power Automate for Office 365
      ["041fe683-03e4-45b6-b1af-c0cdc516daee", "POWER_VIRTUAL_AGENTS_O365_P2"], // Power Virtual Agents for Office 365
    ]),
  },
  // Microsoft 365 A5 for faculty: 87 plans (this row from the Markdown reference; the published CSV copy lags it)
  M365EDU_A5_FACULTY: {
    skuId: "e97c048c-37a4-45fb-ab50-922fbf07a370",
    skuPartNumber: "M365EDU_A5_FACULTY",
    ...SKU_DEFAULTS,
    servicePlans: plans([
      ["1d0f309f-fdf9-4b2a-9ae7-9c48b91f1426", "AAD_BASIC_EDU"], // Azure Active Directory Basic for Education
      ["bea4c11e-220a-4e6d-8eb8-8ea15d019f90", "RMS_S_ENTERPRISE"], // Azure Rights Management
      ["afa73018-811e-46e9-988f-f75d2b1b8430", "CDS_O365_P3"], // Common Data Service for Teams
      ["9f431833-0334-42de-a7dc-70aa40db46db", "LOCKBOX_ENTERPRISE"], // Customer Lockbox
      ["3ec18638-bd4c-4d3b-8905-479ed636b83e", "CustomerLockboxA_Enterprise"], // Customer Lockbox (A)
      ["cd31b152-6326-4d1b-ae1b-997b625182e6", "MIP_S_Exchange"], // Data Classification in Microsoft 365
      ["a312bdeb-1e21-40d0-84b1-0e73f128144f", "COMMON_DEFENDER_PLATFORM_FOR_OFFICE"], // Defender Platform for Office 365
      ["a9b86446-fa4e-498f-a92a-41b447e03337", "EducationAnalyticsP1"], // Education Analytics
      ["efb87545-963c-4e0d-99df-69c6916d9eb0", "EXCHANGE_S_ENTERPRISE"], // Exchange Online (Plan 2)
      ["a6520331-d7d4-4276-95f5-15c0933bc757", "GRAPH_CONNECTORS_SEARCH_INDEX"], // Graph Connectors Search with Index
      ["c4801e8a-cb58-4c35-aca6-f2dcc106f287", "INFORMATION_BARRIERS"], // Information Barriers
      ["d9fa6af4-e046-4c89-9226-729a0786685d", "Content_Explorer"], // Information Protection and Governance Analytics - Premium
      ["2b815d45-56e4-4e3a-b65c-66cb9175b560", "ContentExplorer_Standard"], // Information Protection and Governance Analytics – Standard
      ["efb0351d-3b08-4503-993d-383af8de41e3", "MIP_S_CLP2"], // Information Protection for Office 365 - Premium
      ["5136a095-5cf0-4aff-bec3-e84448b38ea5", "MIP_S_CLP1"], // Information Protection for Office 365 - Standard
      ["2f442157-a11c-46b9-ae5b-6e39ff4e5849", "M365_ADVANCED_AUDITING"], // Microsoft 365 Advanced Auditing
      ["43de0ff5-c92c-492b-9116-175376d08c38", "OFFICESUBSCRIPTION"], // Microsoft 365 Apps for enterprise
      ["3e26ee1f-8a5f-4d52-aee2-b81ce45c8f40", "MCOMEETADV"], // Microsoft 365 Audio Conferencing
      ["f6de4823-28fa-440b-b886-4783fa86ddba", "M365_AUDIT_PLATFORM"], // Microsoft 365 Audit Platform
      ["a413a9ff-720c-4822-98ef-2f37c2a21f4c", "MICROSOFT_COMMUNICATION_COMPLIANCE"], // Microsoft 365 Communication Compliance
      ["bf28f719-7844-4079-9c78-c1307898e192", "MTP"], // Microsoft 365 Defender
      ["6f23d6a9-adbf-481c-8538-b4c095654487", "M365_LIGHTHOUSE_CUSTOMER_PLAN1"], // Microsoft 365 Lighthouse (Plan 1)
      ["4828c8ec-dc2e-4779-b502-87ac9ce28ab7", "MCOEV"], // Microsoft 365 Phone System
      ["199a5c09-e0ca-4e37-8f7c-b05d533e1ea2", "MICROSOFTBOOKINGS"], // Microsoft Bookings
      ["a1ace008-72f3-4ea0-8dac-33b3a23a2472", "CLIPCHAMP"], // Microsoft Clipchamp
      ["6dc145d6-95dd-4191-b9c3-185575ee6f6b", "COMMUNICATIONS_DLP"], // Microsoft Communications DLP
      ["6db1f1db-2b46-403f-be40-e39395f08dbb", "CUSTOMER_KEY"], // Microsoft Customer Key
      ["f20fedf3-f3c3-43c3-8267-2bfdd51c0939", "ATP_ENTERPRISE"], // Microsoft Defender for Office 365 (Plan 1)
      ["8e0c0a52-6a6c-4d40-8370-dd62790dcd70", "THREAT_INTELLIGENCE"], // Microsoft Defender for Office 365 (Plan 2)
      ["531ee2f8-b1cb-453b-9c21-d2180d014ca5", "EXCEL_PREMIUM"], // Microsoft Excel Advanced Analytics
      ["96c1e14a-ef43-418d-b115-9636cdaa8eed", "OFFICE_FORMS_PLAN_3"], // Microsoft Forms (Plan 3)
      ["e26c2fcc-ab91-4a61-b35c-03cdc8dddf66", "INFO_GOVERNANCE"], // Microsoft Information Governance
      ["d587c7a3-bda9-4f99-8776-9bcf59c84f75", "INSIDER_RISK"], // Microsoft Insider Risk Management
      ["9d0c4ee5-e4a1-4625-ab39-d82b619b1a34", "INSIDER_RISK_MANAGEMENT"], // Microsoft Insider Risk Management - Exchange
      ["0898bdbb-73b0-471a-81e5-20f1fe4dd66e", "KAIZALA_STANDALONE"], // Microsoft Kaizala Pro
      ["c4b8c31a-fb44-4c65-9837-a21f55fcabda", "MICROSOFT_LOOP"], // Microsoft Loop
      ["d2d51368-76c9-4317-ada2-a12c004c432f", "ML_CLASSIFICATION"], // Microsoft ML-Based Classification
      ["34c0d7a0-a70f-4668-9238-47f9fc208882", "EXCHANGE_ANALYTICS"], // Microsoft MyAnalytics (Full)
      ["b737dad2-2f6c-4c65-90e3-ca563267e8b9", "PROJECTWORKMANAGEMENT"], // Microsoft Planner
      ["65cc641f-cccd-4643-97e0-a17e3045e541", "RECORDS_MANAGEMENT"], // Microsoft Records Management
      ["94065c59-bc8e-4e8b-89e5-5138d471eaff", "MICROSOFT_SEARCH"], // Microsoft Search
      ["8c7d2df8-86f0-4902-b2ed-a0458298f3b3", "Deskless"], // Microsoft StaffHub
      ["6c6042f5-6f01-4d67-b8c1-eb99d36eed3e", "STREAM_O365_E5"], // Microsoft Stream for Office 365 E5
      ["57ff2da0-773e-42df-b2af-ffb7a2317929", "TEAMS1"], // Microsoft Teams
      ["4c246bbc-f513-4311-beff-eba54c353256", "MINECRAFT_EDUCATION_EDITION"], // Minecraft Education Edition
      ["882e1d05-acd1-4ccb-8708-6ee03664b117", "INTUNE_O365"], // Mobile Device Management for Office 365
      ["db4d623d-b514-490b-b7ef-8885eee514de", "Nucleus"], // Nucleus
      ["4de31727-a228-4ec3-a5bf-8e45b5ca48cc", "EQUIVIO_ANALYTICS"], // Office 365 Advanced eDiscovery
      ["8c098270-9dd4-4350-9b30-ba4703f3b36b", "ADALLOM_S_O365"], // Office 365 Cloud App Security
      ["b1188c4c-1b36-4018-b48b-ee07604f6feb", "PAM_ENTERPRISE"], // Office 365 Privileged Access Management
      ["bf6f5520-59e3-4f82-974b-7dbbc4fd27c7", "SAFEDOCS"], // Office 365 SafeDocs
      ["e03c7e47-402c-463c-ab25-949079bedb21", "SHAREPOINTWAC_EDU"], // Office for the Web for Education
      ["9c0dab89-a30c-4117-86e7-97bda240acd2", "POWERAPPS_O365_P3"], // Power Apps for Office 365 (Plan 3)
      ["70d33638-9c74-4d01-bfd3-562de28bd4ba", "BI_AZURE_P2"], // Power BI Pro
      ["617b097b-4b93-4ede-83de-5f075bb5fb2f", "PREMIUM_ENCRYPTION"], // Premium Encryption in Office 365
      ["b21a6b06-1988-436e-a07b-51ec6d9f52ad", "PROJECT_O365_P3"], // Project for Office (Plan E5)
      ["c948ea65-2053-4a5a-8a62-9eaaaf11b522", "PURVIEW_DISCOVERY"], // Purview Discovery
      ["0d0c0d31-fae7-41f2-b909-eaf4d7f26dba", "Bing_Chat_Enterprise"], // RETIRED - Commercial data protection for Microsoft Copilot
      ["41fcdd7d-4733-4863-9cf4-c65b83ce2df4", "COMMUNICATIONS_COMPLIANCE"], // RETIRED - Microsoft Communications Compliance
      ["46129a58-a698-46f0-aa5b-17f6586297d9", "DATA_INVESTIGATIONS"], // Retired - Microsoft Data Investigations
      ["500b6a2a-7a50-4f40-b5f9-160e5b8c2f48", "SCHOOL_DATA_SYNC_P2"], // School Data Sync (Plan 2)
      ["63038b2c-28d0-45f6-bc36-33062963b498", "SHAREPOINTENTERPRISE_EDU"], // SharePoint (Plan 2) for Education
      ["0feaeb32-d00e-4d66-bd5a-43b5b83db82c", "MCOSTANDARD"], // Skype for Business Online (Plan 2)
      ["a23b959c-7ce8-4e57-9140-b90eb88a9e97", "SWAY"], // Sway
      ["3fb82609-8c27-4f7b-bd51-30634711ee67", "BPOS_S_TODO_3"], // To-Do (Plan 3)
      ["b76fb638-6ba6-402a-b9f9-83d28acb3d86", "VIVA_LEARNING_SEEDED"], // Viva Learning Seeded
      ["4a51bca5-1eff-43f5-878c-177680f191af", "WHITEBOARD_PLAN3"], // Whiteboard (Plan 3)
      ["2078e8df-cff6-4290-98cb-5408261a760a", "YAMMER_EDU"], // Yammer for Academic
      ["871d91ec-ec1a-452b-a83f-bd76c7d770ef", "WINDEFATP"], // Microsoft Defender for Endpoint
      ["64bfac92-2b17-4482-b5e5-a0304429de3e", "MICROSOFTENDPOINTDLP"], // Microsoft Endpoint DLP
      ["795f6fe0-cc4d-4773-b050-5dde4dc704c9", "UNIVERSAL_PRINT_01"], // Universal Print
      ["e7c91390-7625-45be-94e0-e16907e03118", "Virtualization Rights for Windows 10 (E3/E5+VDA)"], // Windows 10/11 Enterprise
      ["7bf960f6-2cd9-443a-8046-5dbff9558365", "WINDOWSUPDATEFORBUSINESS_DEPLOYMENTSERVICE"], // Windows Update for Business Deployment Service
      ["6c57d4b6-3b23-47a5-9bc9-69f17b4947b3", "RMS_S_PREMIUM"], // Azure Information Protection Premium P1
      ["5689bec4-755d-4753-8b61-40975025187c", "RMS_S_PREMIUM2"], // Azure Information Protection Premium P2
      ["28b0fa46-c39a-4188-89e2-58e979a6b014", "DYN365_CDS_O365_P3"], // Common Data Service
      ["3eeb8536-fecf-41bf-a3f8-d6f17a9f3efc", "Intune_ServiceNow"], // Intune ServiceNow Integration
      ["8a256a2b-b617-496d-b51b-e76466e88db0", "MFA_PREMIUM"], // Microsoft Azure Multi-Factor Authentication
      ["2e2ddb96-6af9-4b1d-a3f0-d6ecfd22edb2", "ADALLOM_S_STANDALONE"], // Microsoft Defender for Cloud Apps
      ["14ab5db5-e6c4-4b20-b4bc-13e36fd2227f", "ATA"], // Microsoft Defender for Identity
      ["41781fb2-bc02-4b7c-bd55-b576c07bb09d", "AAD_PREMIUM"], // Microsoft Entra ID P1
      ["eec0eb4f-6444-4f95-aba0-50c24d67f998", "AAD_PREMIUM_P2"], // Microsoft Entra ID P2
      ["c1ec4a95-1f05-45b3-a911-aa3fa01094f5", "INTUNE_A"], // Microsoft Intune Plan 1
      ["da24caf9-af8e-485c-b7c8-e73336da2693", "INTUNE_EDU"], // Microsoft Intune Plan 1 for Education
      ["07699545-9485-468e-95b6-2fca3738be01", "FLOW_O365_P3"], // Power Automate for Office 365
      ["ded3d325-1bdc-453e-8432-5bac26d7a014", "POWER_VIRTUAL_AGENTS_O365_P3"], // Power Virtual Agents for Office 365
      ["a4c6cf29-1168-4076-ba5c-e8fe0e62b17e", "REMOTE_HELP"], // Remote help
    ]),
  },
  // Microsoft 365 F3: 39 plans
  SPE_F1: {
    skuId: "66b55226-6b4f-492c-910c-a3b7a3c9d993",
    skuPartNumber: "SPE_F1",
    ...SKU_DEFAULTS,
    servicePlans: plans([
      ["bea4c11e-220a-4e6d-8eb8-8ea15d019f90", "RMS_S_ENTERPRISE"], // Azure Rights Management
      ["0d0c0d31-fae7-41f2-b909-eaf4d7f26dba", "Bing_Chat_Enterprise"], // Commercial data protection for Microsoft Copilot
      ["90db65a7-bf11-4904-a79f-ef657605145b", "CDS_O365_F1"], // Common Data Service for Teams
      ["4a82b400-a79f-41a4-b4e2-e94f5787b113", "EXCHANGE_S_DESKLESS"], // Exchange Online Kiosk
      ["6f23d6a9-adbf-481c-8538-b4c095654487", "M365_LIGHTHOUSE_CUSTOMER_PLAN1"], // Microsoft 365 Lighthouse (Plan 1)
      ["199a5c09-e0ca-4e37-8f7c-b05d533e1ea2", "MICROSOFTBOOKINGS"], // Microsoft Bookings
      ["f07046bd-2a3c-4b96-b0be-dea79d7cbfb8", "FORMS_PLAN_K"], // Microsoft Forms (Plan F1)
      ["73b2a583-6a59-42e3-8e83-54db46bc3278", "KAIZALA_O365_P1"], // Microsoft Kaizala Pro
      ["b737dad2-2f6c-4c65-90e3-ca563267e8b9", "PROJECTWORKMANAGEMENT"], // Microsoft Planner
      ["94065c59-bc8e-4e8b-89e5-5138d471eaff", "MICROSOFT_SEARCH"], // Microsoft Search
      ["8c7d2df8-86f0-4902-b2ed-a0458298f3b3", "Deskless"], // Microsoft StaffHub
      ["57ff2da0-773e-42df-b2af-ffb7a2317929", "TEAMS1"], // Microsoft Teams
      ["882e1d05-acd1-4ccb-8708-6ee03664b117", "INTUNE_O365"], // Mobile Device Management for Office 365
      ["db4d623d-b514-490b-b7ef-8885eee514de", "Nucleus"], // Nucleus
      ["e95bec33-7c88-4a70-8e19-b10bd9d0c014", "SHAREPOINTWAC"], // Office for the Web
      ["c63d4d19-e8cb-460e-b37c-4d6c34603745", "OFFICEMOBILE_SUBSCRIPTION"], // Office Mobile Apps for Office 365
      ["7f6f28c2-34bb-4d4b-be36-48ca2e77e1ec", "PROJECT_O365_F3"], // Project for Office (Plan F)
      ["902b47e5-dcb2-4fdc-858b-c63a90a2bdb9", "SHAREPOINTDESKLESS"], // SharePoint Kiosk
      ["afc06cb0-b4f4-4473-8286-d644f70d8faf", "MCOIMP"], // Skype for Business Online (Plan 1)
      ["a23b959c-7ce8-4e57-9140-b90eb88a9e97", "SWAY"], // Sway
      ["80873e7a-cd2a-4e67-b061-1b5381a676a5", "BPOS_S_TODO_FIRSTLINE"], // To-Do (Firstline)
      ["a82fbf69-b4d7-49f4-83a6-915b2cf354f4", "VIVAENGAGE_CORE"], // Viva Engage Core
      ["b76fb638-6ba6-402a-b9f9-83d28acb3d86", "VIVA_LEARNING_SEEDED"], // Viva Learning Seeded
      ["36b29273-c6d0-477a-aca6-6fbe24f538e3", "WHITEBOARD_FIRSTLINE1"], // Whiteboard (Firstline)
      ["e041597c-9c7f-4ed9-99b0-2663301576f7", "WIN10_ENT_LOC_F1"], // Windows 10 Enterprise E3 (Local Only)
      ["7547a3fe-08ee-4ccb-b430-5077c5041653", "YAMMER_ENTERPRISE"], // Yammer Enterprise
      ["795f6fe0-cc4d-4773-b050-5dde4dc704c9", "UNIVERSAL_PRINT_01"], // Universal Print
      ["9a6eeb79-0b4b-4bf0-9808-39d99a2cd5a3", "Windows_Autopatch"], // Windows Autopatch
      ["7bf960f6-2cd9-443a-8046-5dbff9558365", "WINDOWSUPDATEFORBUSINESS_DEPLOYMENTSERVICE"], // Windows Update for Business Deployment Service
      ["6c57d4b6-3b23-47a5-9bc9-69f17b4947b3", "RMS_S_PREMIUM"], // Azure Information Protection Premium P1
      ["ca6e61ec-d4f4-41eb-8b88-d96e0e14323f", "DYN365_CDS_O365_F1"], // Common Data Service
      ["8a256a2b-b617-496d-b51b-e76466e88db0", "MFA_PREMIUM"], // Microsoft Azure Multi-Factor Authentication
      ["932ad362-64a8-4783-9106-97849a1a30b9", "ADALLOM_S_DISCOVERY"], // Microsoft Defender for Cloud Apps Discovery
      ["41781fb2-bc02-4b7c-bd55-b576c07bb09d", "AAD_PREMIUM"], // Microsoft Entra ID P1
      ["c1ec4a95-1f05-45b3-a911-aa3fa01094f5", "INTUNE_A"], // Microsoft Intune Plan 1
      ["3ffba0d2-38e5-4d5e-8ec0-98f2b05c09d9", "STREAM_O365_K"], // Microsoft Stream for Office 365 F3
      ["e0287f9f-e222-4f98-9a83-f379e249159a", "POWERAPPS_O365_S1"], // Power Apps for Office 365 F3
      ["bd91b1a4-9f94-4ecf-b45b-3a65e5c8128a", "FLOW_O365_S1"], // Power Automate for Office 365 F3
      ["ba2fdb48-290b-4632-b46a-e4ecc58ac11a", "POWER_VIRTUAL_AGENTS_O365_F1"], // Power Virtual Agents for Office 365
    ]),
  },
  // Exchange Online (Plan 1): 3 plans
  EXCHANGESTANDARD: {
    skuId: "4b9405b0-7788-4568-add1-99614e613b69",
    skuPartNumber: "EXCHANGESTANDARD",
    ...SKU_DEFAULTS,
    servicePlans: plans([
      ["9aaf7827-d63c-4b61-89c3-182f06f82e5c", "EXCHANGE_S_STANDARD"], // Exchange Online (Plan 1)
      ["882e1d05-acd1-4ccb-8708-6ee03664b117", "INTUNE_O365"], // Mobile Device Management for Office 365
      ["5e62787c-c316-451f-b873-1d05acd4d12c", "BPOS_S_TODO_1"], // To-Do (Plan 1)
    ]),
  },
  // Enterprise Mobility + Security E3: 7 plans
  EMS: {
    skuId: "efccb6f7-5641-4e0e-bd10-b4976e1bf68e",
    skuPartNumber: "EMS",
    ...SKU_DEFAULTS,
    servicePlans: plans([
      ["41781fb2-bc02-4b7c-bd55-b576c07bb09d", "AAD_PREMIUM"], // Microsoft Entra ID P1
      ["6c57d4b6-3b23-47a5-9bc9-69f17b4947b3", "RMS_S_PREMIUM"], // AZURE INFORMATION PROTECTION PREMIUM P1
      ["932ad362-64a8-4783-9106-97849a1a30b9", "ADALLOM_S_DISCOVERY"], // CLOUD APP SECURITY DISCOVERY
      ["113feb6c-3fe4-4440-bddc-54d774bf0318", "EXCHANGE_S_FOUNDATION"], // EXCHANGE FOUNDATION
      ["bea4c11e-220a-4e6d-8eb8-8ea15d019f90", "RMS_S_ENTERPRISE"], // Microsoft Entra RIGHTS
      ["8a256a2b-b617-496d-b51b-e76466e88db0", "MFA_PREMIUM"], // MICROSOFT AZURE MULTI-FACTOR AUTHENTICATION
      ["c1ec4a95-1f05-45b3-a911-aa3fa01094f5", "INTUNE_A"], // MICROSOFT INTUNE
    ]),
  },
};
