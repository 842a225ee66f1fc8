// `coex review [--stack S ...] [--format markdown|json]`: `pulumi preview --json` of each stack
// (read-only), as the Markdown a reviewer needs (lib/review/review.ts), with the coexistence
// invariants checked (lib/policy).
//   Exit codes: 0 the review is made and no policy is violated; 8 a policy is violated (the
//   review says which, on which resource, and the fix); 2 the review could not be made: a
//   preview failed or refused (the review then says what it said), or a usage error.
import { checkPolicies } from "../lib/policy/run";
import type { PreviewJson } from "../lib/review/previewJson";
import { refusedReview, reviewMarkdown, reviewOf, type StackReview } from "../lib/review/review";
import { declaredOf } from "../providers";
import { PulumiFailed, pulumiJson, type StackRef } from "./pulumiJson";

export const REVIEW_FORMATS = ["markdown", "json"] as const;
export type ReviewFormat = (typeof REVIEW_FORMATS)[number];
export const EXIT_REVIEW_CLEAN = 0;
export const EXIT_POLICY_VIOLATED = 8;
export const EXIT_REVIEW_FAILED = 2;

export async function reviewCommand(
  stacks: readonly StackRef[],
  format: ReviewFormat,
  out: (line: string) => void,
): Promise<number> {
  const reviews: StackReview[] = [];
  const previews: Array<{ stack: string; preview: PreviewJson }> = [];
  for (const ref of stacks) {
    try {
      // --show-sames: unchanged resources too, so that the policies see the whole stack.
      const preview = await pulumiJson(["preview", "--show-sames"], ref);
      previews.push({ stack: ref.stack, preview });
      reviews.push(reviewOf(ref.stack, preview, declaredOf));
    } catch (e) {
      if (!(e instanceof PulumiFailed)) throw e;
      reviews.push(refusedReview(ref.stack, e.errors));
    }
  }
  const violations = checkPolicies(previews);
  if (format === "json") out(JSON.stringify({ stacks: reviews, violations }, null, 2));
  else for (const l of reviewMarkdown(reviews, violations)) out(l);
  if (reviews.some((r) => r.refused)) return EXIT_REVIEW_FAILED;
  return violations.length > 0 ? EXIT_POLICY_VIOLATED : EXIT_REVIEW_CLEAN;
}
