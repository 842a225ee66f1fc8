// The journal's records (issue 10, item 2): before the per-user procedure writes anything it
// records every value a later step overwrites ("found"), then each step it is about to run
// ("step", write-ahead: with the values the step writes), and how the user's run ended. A re-run
// after a crash finishes or reverts the user from these records alone, so each one is validated
// on the way in and on the way out, and its stored form carries a checksum that tells a torn or
// damaged record from a whole one.
import { createHash } from "node:crypto";
import { z } from "zod";
import { tenantIdSchema } from "../crossTenantAccess/settings";

/** Bumped when a record's meaning changes; a reader refuses records newer than it knows. */
export const JOURNAL_SCHEMA_VERSION = 1;

const objectId = tenantIdSchema;

export const EXTENSION_ATTRIBUTE_NAMES = Array.from(
  { length: 15 },
  (_, i) => `extensionAttribute${i + 1}` as const,
);
export type ExtensionAttributeName = (typeof EXTENSION_ATTRIBUTE_NAMES)[number];

/** AD's INTEGER attributes as the directory client decodes them; null: not set on the object. */
const adInteger = z.number().int().nullable();

/** The AD attributes the procedure overwrites, as they were (or as a step writes them). null
 * means "not set" (so restoring it clears it); an empty proxyAddresses means none. */
export const adAttributesSchema = z.strictObject({
  mail: z.string().nullable(),
  /** In the directory's order and case: "SMTP:" marks the primary. */
  proxyAddresses: z.array(z.string()),
  targetAddress: z.string().nullable(),
  msExchRecipientDisplayType: adInteger,
  msExchRecipientTypeDetails: adInteger,
  msExchRemoteRecipientType: adInteger,
  /** Third-party path only (Disable-RemoteMailbox + Enable-MailUser clears them): every one of
   * extensionAttribute1..15, null where unset, so that restoring clears what was not there. */
  extensionAttributes: z.partialRecord(z.enum(EXTENSION_ATTRIBUTE_NAMES), z.string().nullable()).optional(),
});
export type AdAttributes = z.output<typeof adAttributesSchema>;
export type AdAttribute = keyof AdAttributes;
export const AD_ATTRIBUTES = Object.keys(adAttributesSchema.shape) as AdAttribute[];

/** A license group the user is (or was) in. On-premises groups change membership in AD, so their
 * DN is kept with them. */
export const groupRefSchema = z.strictObject({
  id: objectId,
  displayName: z.string().optional(),
  source: z.enum(["cloud", "onPremises"]),
  distinguishedName: z.string().optional(),
});
export type GroupRef = z.output<typeof groupRefSchema>;

/** A license assigned to the user directly (not through a group) and its disabled plans. */
export const directLicenseSchema = z.strictObject({
  skuId: objectId,
  skuPartNumber: z.string().optional(),
  disabledPlans: z.array(objectId),
});
export type DirectLicense = z.output<typeof directLicenseSchema>;

/** Everything the procedure may change on one user, as found before its first write. */
export const originalValuesSchema = z.strictObject({
  /** The path decides which attributes the AD step touches (extension attributes: thirdParty). */
  mailboxMigration: z.enum(["crossTenant", "thirdParty"]),
  /** The user's object id in the source tenant. */
  sourceUserId: objectId,
  ad: z.strictObject({
    distinguishedName: z.string().min(1),
    objectGuid: objectId,
    attributes: adAttributesSchema,
  }),
  /** License-group memberships: the groups the license step may leave. */
  groups: z.array(groupRefSchema),
  directLicenses: z.array(directLicenseSchema),
});
export type OriginalValues = z.output<typeof originalValuesSchema>;

/** The procedure's steps after the journal (DESIGN.md, "The per-user state machine", 3 to 8, and
 * the rollback that `rollbackOnDelete` runs), in the order a user normally meets them. */
export const STEPS = {
  "license.reachBackGroupAdded": { design: 3, text: "added to the reach-back license group" },
  "license.reachBackLicenseActive": { design: 3, text: "reach-back group's license active on the user" },
  "license.originalGroupRemoved": { design: 3, text: "removed from the original license group" },
  "license.directPlansDisabled": { design: 3, text: "scrubbing plans disabled in the direct assignment" },
  "ad.targetAddressSet": { design: 4, text: "targetAddress set to the coex routing address" },
  "ad.mailUserSet": { design: 4, text: "msExch attributes set to a mail user" },
  "ad.primarySwapped": { design: 4, text: "mail and primary SMTP set to the target address" },
  "sync.swapArrived": { design: 5, text: "Entra Connect synced the swap" },
  "invite.sent": { design: 6, text: "invitation sent" },
  "ad.primaryReverted": { design: 7, text: "original mail and primary SMTP put back" },
  "sync.revertArrived": { design: 8, text: "Entra Connect synced the revert" },
  "verify.passed": { design: 8, text: "verified" },
  "rollback.license": { design: 0, text: "rollback: license groups and plans put back" },
  "rollback.ad": { design: 0, text: "rollback: AD attributes put back" },
} as const;
export type StepName = keyof typeof STEPS;
export const stepNameSchema = z.enum(Object.keys(STEPS) as [StepName, ...StepName[]]);

/** What a step is about to write, recorded before it writes (so a crash inside the step still
 * leaves what it may have changed in the journal). */
export const stepWritesSchema = z.strictObject({
  ad: adAttributesSchema.partial().optional(),
  groupsAdded: z.array(groupRefSchema).optional(),
  groupsRemoved: z.array(groupRefSchema).optional(),
  directLicenses: z.array(directLicenseSchema).optional(),
});
export type StepWrites = z.output<typeof stepWritesSchema>;

/** Free text kept in records (a note, an error message); cut short, and see scrubSecrets. */
const text = z.string().max(2000);

const common = {
  schema: z.literal(JOURNAL_SCHEMA_VERSION),
  /** The record's place in the user's history, from 1, without gaps. */
  seq: z.number().int().positive(),
  /** The user's key: the source UPN, lowercase. */
  user: z.string().min(1),
  at: z.iso.datetime(),
  /** Which run wrote it (host, process and a random part), to tell a crashed run's records from the next one's. */
  runId: z.string().min(1).max(200),
};

export const foundRecordSchema = z.strictObject({
  ...common,
  kind: z.literal("found"),
  original: originalValuesSchema,
});
export const stepRecordSchema = z.strictObject({
  ...common,
  kind: z.literal("step"),
  step: stepNameSchema,
  writes: stepWritesSchema.optional(),
  note: text.optional(),
});
export const failedRecordSchema = z.strictObject({
  ...common,
  kind: z.literal("failed"),
  step: stepNameSchema,
  error: text,
});
export const completedRecordSchema = z.strictObject({
  ...common,
  kind: z.literal("completed"),
  note: text.optional(),
});
/** The user is back at the found values: the cycle is closed, and a later run may record new
 * originals (the user may have changed since). */
export const revertedRecordSchema = z.strictObject({
  ...common,
  kind: z.literal("reverted"),
  note: text.optional(),
});

export const journalRecordSchema = z.discriminatedUnion("kind", [
  foundRecordSchema,
  stepRecordSchema,
  failedRecordSchema,
  completedRecordSchema,
  revertedRecordSchema,
]);
export type JournalRecord = z.output<typeof journalRecordSchema>;
export type FoundRecord = z.output<typeof foundRecordSchema>;
export type StepRecord = z.output<typeof stepRecordSchema>;
export type RecordKind = JournalRecord["kind"];

/** The journal's key for a user: UPNs are case-insensitive. */
export function userKey(user: string): string {
  return user.trim().toLowerCase();
}

const SECRET_PATTERNS: RegExp[] = [
  // A JWT (access or id token, client assertion): three base64url parts, the first a JSON header.
  /eyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*/g,
  /\b(bearer)\s+[\w.~+/=-]{8,}/gi,
  // password=..., "client_secret": "...", and the like in an error's text.
  /\b(password|passwd|pwd|secret|client_secret|access_token|refresh_token|assertion)(["']?\s*[:=]\s*["']?)[^\s"'&,;]+/gi,
];

/** Free text with anything that looks like a credential replaced: error messages go into the
 * journal, and nothing secret may (a journal is kept for months beside the state). */
export function scrubSecrets(message: string): string {
  let out = message;
  for (const p of SECRET_PATTERNS) {
    out = out.replace(p, (_m, name?: string, sep?: string) =>
      typeof name === "string" && typeof sep === "string" ? `${name}${sep}[redacted]` : "[redacted]",
    );
  }
  return out.length > 2000 ? `${out.slice(0, 1990)}… (cut)` : out;
}

/** How a record is stored: its JSON on the first line, the SHA-256 of that line on the second.
 * A reader tells a whole record from a torn one by the second line alone. */
export function encodeRecord(record: JournalRecord): string {
  const line = JSON.stringify(journalRecordSchema.parse(record));
  return `${line}\nsha256=${sha256(line)}\n`;
}

export type Decoded = { ok: true; record: JournalRecord } | { ok: false; reason: string };

/** A stored record back, or why it is not a whole, valid record. */
export function decodeRecord(text: string): Decoded {
  if (text.length === 0) return { ok: false, reason: "the file is empty (the write was cut short)" };
  const lines = text.split("\n");
  const [line, sum] = lines;
  if (lines.length !== 3 || lines[2] !== "" || !sum?.startsWith("sha256=")) {
    return { ok: false, reason: "no checksum line at the end (the write was cut short or the file edited)" };
  }
  if (sum.slice("sha256=".length) !== sha256(line)) {
    return { ok: false, reason: "the checksum does not match the record (the file was damaged or edited)" };
  }
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return { ok: false, reason: "the record is not JSON" };
  }
  const version = (json as { schema?: unknown })?.schema;
  if (typeof version === "number" && version > JOURNAL_SCHEMA_VERSION) {
    return {
      ok: false,
      reason: `written with journal schema ${version}, newer than this version reads (${JOURNAL_SCHEMA_VERSION}): upgrade entra-coexistence`,
    };
  }
  const parsed = journalRecordSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      reason: `not a journal record: ${issue.path.join(".") || "record"}: ${issue.message}`,
    };
  }
  return { ok: true, record: parsed.data };
}

function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}
