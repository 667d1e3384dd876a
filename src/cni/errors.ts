// The CNI spec's error result: a code (1–99 the spec's, 100+ the plugin's), a message and details.
// Every failure the plugin reports leaves as one of these; run.ts writes it as the spec's JSON.

/** Error codes as CNI 1.1.0 numbers them ("Error codes" in SPEC.md). */
export const CNI_ERR = {
  /** Incompatible CNI version. */
  incompatibleVersion: 1,
  /** Unsupported field in network configuration. */
  unsupportedField: 2,
  /** Container unknown or does not exist. */
  unknownContainer: 3,
  /** Invalid necessary environment variables (CNI_COMMAND, CNI_CONTAINERID, …). */
  invalidEnv: 4,
  /** I/O failure. */
  io: 5,
  /** Failed to decode content. */
  decoding: 6,
  /** Invalid network config. */
  invalidConfig: 7,
  /** Try again later (a transient condition: the store's lock not had in time). */
  tryAgain: 11,
  /** STATUS: the plugin cannot serve ADD requests. */
  notAvailable: 50,
  /** Our own: the kernel refused or failed a step (the NetlinkError's text is the details). */
  kernel: 100,
  /** Our own: CHECK found the container's network not as the result says. */
  checkFailed: 101,
  /** Our own: the IPAM range has no free address, or the address asked for is taken. */
  noAddress: 102,
} as const;

export class CniError extends Error {
  constructor(readonly code: number, msg: string, readonly details = '') {
    super(msg);
    this.name = 'CniError';
  }
}

/** Shorthand for the invalid-config error, the one validation raises most. */
export const badConfig = (msg: string, details = ''): CniError => new CniError(CNI_ERR.invalidConfig, msg, details);
