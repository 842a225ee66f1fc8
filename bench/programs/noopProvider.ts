// A provider on the kernel that touches nothing: what Pulumi's engine and checkpoints cost for N
// resources, apart from any tenant (bench/stateSize.ts). Its configure ignores the stack's
// configuration: the bench stacks have none.
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { defineProvider } from "../../providers/kernel";

const defined = defineProvider({
  type: "BenchNoop",
  module: "dist/bench/programs/noopProvider",
  schema: z.object({ index: z.number().int() }),
  infoKeys: [],
  observed: [],
  replaceOn: [],
  objectKey: (id) => `bench ${id}`,
  async create() {
    return { id: randomUUID(), ownership: { kind: "created" } };
  },
  async observe() {
    return { live: {}, info: {} };
  },
  async update() {
    return undefined;
  },
  async remove() {},
  async restore() {},
});

export const provider = { ...defined.provider, configure: async () => {} };
export const BenchNoop = defined.Resource;
