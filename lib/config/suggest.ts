// Helpers for messages about what a person wrote: the known word they probably meant, and a
// value echoed short enough to read.

/** Edit distance with adjacent transpositions (optimal string alignment), case-insensitive:
 * "licenceGroups" → "licenseGroups" is 1, "inboundTrsut" → "inboundTrust" is 1. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const d: number[][] = Array.from({ length: s.length + 1 }, (_, i) => [
    i,
    ...Array<number>(t.length).fill(0),
  ]);
  for (let j = 1; j <= t.length; j++) d[0][j] = j;
  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[s.length][t.length];
}

/** The known word closest to `word`, if it is close enough to be a slip (at most a third of the
 * known word's letters, and at least one, may differ); undefined otherwise. */
export function closest(word: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const k of known) {
    const distance = editDistance(word, k);
    if (distance <= Math.max(1, Math.floor(k.length / 3)) && distance < bestDistance) {
      best = k;
      bestDistance = distance;
    }
  }
  return best;
}

/** "; did you mean X?" when a known word is close, else the list of known words. */
export function suggestion(word: string, known: readonly string[]): string {
  const near = closest(word, known);
  if (near) return `did you mean ${near}?`;
  return known.length > 0 ? `expected one of ${known.join(", ")}` : "nothing is expected here";
}

/** Values echoed in messages are cut to this many characters. */
export const ECHO_LIMIT = 80;

/** A value as JSON for a message, cut short (with "…") when it is long. */
export function echo(value: unknown, limit = ECHO_LIMIT): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > limit ? `${text.slice(0, limit)}…` : text;
}
