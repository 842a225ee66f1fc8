// Microsoft Graph's application permissions as the app roles of its service principal (appId
// 00000003-0000-0000-c000-000000000000): the subset the emulator authorizes against. Ids, display
// names and descriptions are those of Graph's permissions reference (learn.microsoft.com/graph/
// permissions-reference, each permission's "Application" column), read 2025; every id below was
// confirmed there. Callers resolve ids by `value` from the service principal's appRoles, as
// graph-facts.md says, so a role missing here is a role the emulator cannot grant: add it here.
import type { JsonObject } from "./state";

export const MICROSOFT_GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";
/** The tenant Microsoft's first-party apps are registered in (the appOwnerOrganizationId of the
 * Graph service principal in every tenant). */
export const MICROSOFT_SERVICES_TENANT_ID = "f8cdef31-a31e-4b4a-93e4-5f571e91255a";

/** An app role as Graph returns it (CSDL microsoft.graph.appRole). */
export interface AppRole extends JsonObject {
  allowedMemberTypes: string[];
  description: string;
  displayName: string;
  id: string;
  isEnabled: boolean;
  origin: string;
  value: string;
}

const role = (value: string, id: string, displayName: string, description: string): AppRole => ({
  allowedMemberTypes: ["Application"],
  description,
  displayName,
  id,
  isEnabled: true,
  origin: "Application",
  value,
});

export const GRAPH_APP_ROLES: readonly AppRole[] = [
  role(
    "Application.Read.All",
    "9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30",
    "Read all applications",
    "Allows the app to read all applications and service principals without a signed-in user.",
  ),
  role(
    "Application.ReadWrite.All",
    "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9",
    "Read and write all applications",
    "Allows the app to create, read, update and delete applications and service principals without a signed-in user.  Does not allow management of consent grants.",
  ),
  role(
    "Application.ReadWrite.OwnedBy",
    "18a4783c-866b-4cc7-a460-3d5e5662c884",
    "Manage apps that this app creates or owns",
    "Allows the app to create other applications, and fully manage those applications (read, update, update application secrets and delete), without a signed-in user.  It cannot update any apps that it is not an owner of.",
  ),
  role(
    "AppRoleAssignment.ReadWrite.All",
    "06b708a9-e830-4db3-a914-8e69da51d44f",
    "Manage app permission grants and app role assignments",
    "Allows the app to manage permission grants for application permissions to any API (including Microsoft Graph) and application assignments for any app, without a signed-in user.",
  ),
  role(
    "Directory.Read.All",
    "7ab1d382-f21e-4acd-a863-ba3e13f7da61",
    "Read directory data",
    "Allows the app to read data in your organization's directory, such as users, groups and apps, without a signed-in user.",
  ),
  role(
    "Directory.ReadWrite.All",
    "19dbc75e-c2e2-444c-a770-ec69d8559fc7",
    "Read and write directory data",
    "Allows the app to read and write data in your organization's directory, such as users, and groups, without a signed-in user.  Does not allow user or group deletion.",
  ),
  role(
    "Domain.Read.All",
    "dbb9058a-0e50-45d7-ae91-66909b5d4664",
    "Read domains",
    "Allows the app to read all domain properties without a signed-in user.",
  ),
  role(
    "Group.Create",
    "bf7b1a76-6e77-406b-b258-bf5c7720e98f",
    "Create groups",
    "Allows the app to create groups without a signed-in user.",
  ),
  role(
    "Group.Read.All",
    "5b567255-7703-4780-807c-7be8301ae99b",
    "Read all groups",
    "Allows the app to read group properties and memberships, and read conversations for all groups, without a signed-in user.",
  ),
  role(
    "Group.ReadWrite.All",
    "62a82d76-70ea-41e2-9197-370581804d09",
    "Read and write all groups",
    "Allows the app to create groups, read all group properties and memberships, update group properties and memberships, and delete groups. Also allows the app to read and write conversations. All of these operations can be performed by the app without a signed-in user.",
  ),
  role(
    "GroupMember.Read.All",
    "98830695-27a2-44f7-8c18-0c3ebc9698f6",
    "Read all group memberships",
    "Allows the app to read memberships and basic group properties for all groups without a signed-in user.",
  ),
  role(
    "GroupMember.ReadWrite.All",
    "dbaae8cf-10b5-4b86-a4a1-f871c94c6695",
    "Read and write all group memberships",
    "Allows the app to list groups, read basic properties, read and update the membership of the groups this app has access to without a signed-in user. Group properties and owners cannot be updated and groups cannot be deleted.",
  ),
  role(
    "LicenseAssignment.ReadWrite.All",
    "5facf0c1-8979-4e95-abcf-ff3d079771c0",
    "Manage all license assignments",
    "Allows an app to manage license assignments for users and groups, without a signed-in user.",
  ),
  role(
    "MailboxSettings.Read",
    "40f97065-369a-49f4-947c-6a255697ae91",
    "Read all user mailbox settings",
    "Allows the app to read user's mailbox settings without a signed-in user. Does not include permission to send mail.",
  ),
  role(
    "MailboxSettings.ReadWrite",
    "6931bccd-447a-43d1-b442-00a195474933",
    "Read and write all user mailbox settings",
    "Allows the app to create, read, update, and delete user's mailbox settings without a signed-in user. Does not include permission to send mail.",
  ),
  role(
    "Organization.Read.All",
    "498476ce-e0fe-48b0-b801-37ba7e2685c6",
    "Read organization information",
    "Allows the app to read the organization and related resources, without a signed-in user. Related resources include things like subscribed skus and tenant branding information.",
  ),
  role(
    "Organization.ReadWrite.All",
    "292d869f-3427-49a8-9dab-8c70152b74e9",
    "Read and write organization information",
    "Allows the app to read and write the organization and related resources, without a signed-in user. Related resources include things like subscribed skus and tenant branding information.",
  ),
  role(
    "Policy.Read.All",
    "246dd0d5-5bd0-4def-940b-0421030a5b68",
    "Read your organization's policies",
    "Allows the app to read all your organization's policies without a signed in user.",
  ),
  role(
    "Policy.ReadWrite.CrossTenantAccess",
    "338163d7-f101-4c92-94ba-ca46fe52447c",
    "Read and write your organization's cross tenant access policies",
    "Allows the app to read and write your organization's cross-tenant access policies and configuration for automatic user consent settings to suppress consent prompts for users of the other tenant on behalf of the signed-in user.",
  ),
  role(
    "User.DeleteRestore.All",
    "eccc023d-eccf-4e7b-9683-8813ab36cecc",
    "Delete and restore all users",
    "Allows the app to delete and restore all users, without a signed-in user.",
  ),
  role(
    "User.Invite.All",
    "09850681-111b-4a89-9bed-3f2cae46d706",
    "Invite guest users to the organization",
    "Allows the app to invite guest users to the organization, without a signed-in user.",
  ),
  role(
    "User.Read.All",
    "df021288-bdef-4463-88db-98f22de89214",
    "Read all users' full profiles",
    "Allows the app to read user profiles without a signed in user.",
  ),
  role(
    "User.ReadWrite.All",
    "741f803b-c850-494e-b5df-cde7c675a1ca",
    "Read and write all users' full profiles",
    "Allows the app to read and update user profiles without a signed in user.",
  ),
];

/** The app role with this value (e.g. "User.Invite.All"), if Graph defines it here. */
export function graphAppRole(value: string): AppRole | undefined {
  return GRAPH_APP_ROLES.find((r) => r.value === value);
}
