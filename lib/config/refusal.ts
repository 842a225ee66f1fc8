/** What the program refuses to deploy, with the reasons a person can act on: index.ts logs the
 * message (and nothing else), sets the exit code and registers nothing more. */
export class Refusal extends Error {}
