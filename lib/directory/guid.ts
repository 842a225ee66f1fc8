// objectGUID as AD stores it and as people and Entra write it. AD keeps the 16 bytes in the
// Windows GUID layout: the first three fields little-endian, the last eight bytes as they are, so
// the bytes 33 22 11 00 55 44 77 66 88 99 aa bb cc dd ee ff read 00112233-4455-6677-8899-aabbccddeeff.

const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Byte positions, in AD's order, of the hex digit pairs of the canonical form read left to right. */
const CANONICAL_ORDER = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];

export function isGuid(text: string): boolean {
  return GUID_PATTERN.test(text);
}

/** The canonical lowercase dashed form of objectGUID's 16 bytes. */
export function guidFromBytes(bytes: Buffer): string {
  if (bytes.length !== 16) {
    throw new Error(`objectGUID has ${bytes.length} bytes, not 16`);
  }
  const hex = CANONICAL_ORDER.map((i) => bytes[i].toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The 16 bytes AD stores for a GUID written in the canonical form (either case). */
export function guidToBytes(guid: string): Buffer {
  if (!isGuid(guid)) {
    throw new Error(`"${guid}" is not a GUID (expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)`);
  }
  const hex = guid.replace(/-/g, "");
  const bytes = Buffer.alloc(16);
  CANONICAL_ORDER.forEach((byteIndex, pair) => {
    bytes[byteIndex] = Number.parseInt(hex.slice(pair * 2, pair * 2 + 2), 16);
  });
  return bytes;
}

/** Entra Connect's default sourceAnchor, the user's immutableId in Entra: base64 of the raw bytes
 * (mS-DS-ConsistencyGuid, once Connect has written it, holds the same bytes). */
export function immutableIdFromBytes(bytes: Buffer): string {
  return bytes.toString("base64");
}
