// DirectoryError: every failure of the directory client, naming the operation, the object (DN) and
// the LDAP result code with its RFC 4511 name, the server's own text, and what to do about it.
import { ResultCodeError } from "ldapts";

export class DirectoryError extends Error {
  /** The object the operation was about (for a bind: the bind name). */
  readonly dn?: string;
  /** The LDAP result code, when the server answered; absent for connection and TLS failures. */
  readonly resultCode?: number;

  constructor(message: string, options: { dn?: string; resultCode?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "DirectoryError";
    this.dn = options.dn;
    this.resultCode = options.resultCode;
  }
}

/** RFC 4511 § 4.1.9 names of the result codes a directory operation can end with. */
const RESULT_CODE_NAMES: Record<number, string> = {
  1: "operationsError",
  2: "protocolError",
  3: "timeLimitExceeded",
  4: "sizeLimitExceeded",
  7: "authMethodNotSupported",
  8: "strongerAuthRequired",
  10: "referral",
  11: "adminLimitExceeded",
  12: "unavailableCriticalExtension",
  13: "confidentialityRequired",
  14: "saslBindInProgress",
  16: "noSuchAttribute",
  17: "undefinedAttributeType",
  18: "inappropriateMatching",
  19: "constraintViolation",
  20: "attributeOrValueExists",
  21: "invalidAttributeSyntax",
  32: "noSuchObject",
  33: "aliasProblem",
  34: "invalidDNSyntax",
  36: "aliasDereferencingProblem",
  48: "inappropriateAuthentication",
  49: "invalidCredentials",
  50: "insufficientAccessRights",
  51: "busy",
  52: "unavailable",
  53: "unwillingToPerform",
  54: "loopDetect",
  64: "namingViolation",
  65: "objectClassViolation",
  66: "notAllowedOnNonLeaf",
  67: "notAllowedOnRDN",
  68: "entryAlreadyExists",
  69: "objectClassModsProhibited",
  71: "affectsMultipleDSAs",
  80: "other",
};

/** What a person can do about the codes one meets in practice. */
const RESULT_CODE_HINTS: Record<number, string> = {
  1: "if the text says a bind must be completed, the connection lost its bind; retry",
  8: "the server requires an encrypted connection: use ldaps:// or startTls",
  13: "the server requires an encrypted connection: use ldaps:// or startTls",
  16: "the attribute is not on the object, or not in the schema",
  17: "the schema has no such attribute: is the Exchange schema extension (setup /PrepareSchema) installed?",
  19: "a value breaks a schema constraint (length, range, single value)",
  20: "the value is already there (multi-valued attributes compare without case)",
  21: "a value has the wrong syntax for the attribute",
  32: "no object has this DN: moved, renamed or deleted, or outside what the account may read",
  34: "the DN is malformed",
  49: "wrong bind name or password, or the account cannot sign in",
  50: "the bind account lacks the permission: delegate it (for the Exchange attributes: Write on each of them for user objects in the OU)",
  51: "the server is busy: retry later",
  52: "the server is unavailable: retry later or use another domain controller",
  53: "the server refuses this operation",
  65: "the attribute is not allowed on this kind of object: is the Exchange schema extension installed?",
};

/** AD's "data NNN" in a failed bind's text says why the account could not sign in. */
const AD_BIND_DATA: Record<string, string> = {
  "525": "no such account",
  "52e": "wrong password (or wrong name)",
  "530": "sign-in not permitted at this time",
  "531": "sign-in not permitted from this workstation",
  "532": "password expired",
  "533": "account disabled",
  "701": "account expired",
  "773": "password must be changed before the first sign-in",
  "775": "account locked out",
};

/** Node's codes for a server certificate that does not verify. */
const TLS_VERIFY_CODES = new Set([
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_UNTRUSTED",
  "CERT_SIGNATURE_FAILURE",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

export function resultCodeName(code: number): string {
  return RESULT_CODE_NAMES[code] ?? "unknown result code";
}

/**
 * The DirectoryError for a failure of `operation` (e.g. "modify") on `target` (what the message
 * names: a DN, or the URL when connecting); `dn` is the object's DN where there is one. Errors that
 * already are DirectoryErrors pass through unchanged.
 */
export function directoryError(operation: string, target: string, err: unknown, dn?: string): DirectoryError {
  if (err instanceof DirectoryError) {
    return err;
  }
  const subject = `${operation} ${target}`;
  if (err instanceof ResultCodeError) {
    // ldapts appends " Code: 0x.." to the server's text; the code is in our message already.
    const serverText = err.message.replace(/\s*Code: 0x[0-9a-f]+$/i, "").trim();
    const hints = [RESULT_CODE_HINTS[err.code]];
    const data = err.code === 49 ? /\bdata ([0-9a-f]{3})\b/i.exec(serverText)?.[1]?.toLowerCase() : undefined;
    if (data && AD_BIND_DATA[data]) {
      hints.unshift(`AD says: ${AD_BIND_DATA[data]}`);
    }
    const hint = hints.filter(Boolean).join("; ");
    return new DirectoryError(
      `${subject}: LDAP ${err.code} ${resultCodeName(err.code)}${serverText ? `: ${serverText}` : ""}` +
        (hint ? ` (${hint})` : ""),
      { dn, resultCode: err.code, cause: err },
    );
  }
  const e = err as NodeJS.ErrnoException;
  const text = e?.message ?? String(err);
  if (e?.code && TLS_VERIFY_CODES.has(e.code)) {
    return new DirectoryError(
      `${subject}: TLS certificate verification failed (${e.code}: ${text}): give caCertPath the PEM of ` +
        "the CA that issued the directory's certificate, and use a host name or address the certificate names",
      { dn, cause: err },
    );
  }
  if (e?.code === "ECONNREFUSED") {
    return new DirectoryError(
      `${subject}: connection refused: is the directory server up and the URL right?`,
      { dn, cause: err },
    );
  }
  return new DirectoryError(`${subject}: ${text}`, { dn, cause: err });
}
