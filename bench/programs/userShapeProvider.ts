// A stand-in for ReachBackUser with its state's exact shape and none of its calls, so that
// bench/stateSize.ts can measure the state of 100 users without a tenant: check and diff are
// ReachBackUser's own (its schema, canonical form and declared view); create records what an
// enabled user keeps: the declaration (its live drift values are left out while they are the
// declared ones) with the outputs ReachBackUser adds, in its words.
import { randomUUID } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { provider as reachBackUser } from "../../providers/reachBackUser";

export const provider: pulumi.dynamic.ResourceProvider = {
  configure: async () => {},
  check: (olds, news) => reachBackUser.check?.(olds, news) ?? Promise.resolve({ inputs: news }),
  diff: (id, olds, news) => reachBackUser.diff?.(id, olds, news) ?? Promise.resolve({}),
  async create(inputs) {
    const { __provider: _, ...declared } = inputs;
    return {
      id: randomUUID(),
      outs: {
        ...declared,
        ownership: { kind: "created" },
        step: "verified",
        state:
          "enabled: linked and redeemed (externalUserState Accepted, identity issued by ExternalAzureAD), as verified on 2026-11-28",
      },
    };
  },
  async delete() {},
};
