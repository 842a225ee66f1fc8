// The properties Graph returns for users and groups when a request has no $select (its documented
// default sets), in one place for every endpoint that returns them.

/** What GET /users returns without $select (Graph's documented default set). */
export const USER_DEFAULTS = [
  "businessPhones",
  "displayName",
  "givenName",
  "jobTitle",
  "mail",
  "mobilePhone",
  "officeLocation",
  "preferredLanguage",
  "surname",
  "userPrincipalName",
  "id",
];

/** What GET /groups returns without $select. */
export const GROUP_DEFAULTS = [
  "id",
  "displayName",
  "description",
  "mail",
  "mailEnabled",
  "mailNickname",
  "securityEnabled",
  "groupTypes",
  "onPremisesSyncEnabled",
  "proxyAddresses",
];
