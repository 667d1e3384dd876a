// How the other families name a link and find it. Below link/types.ts (which takes their option
// types), so addresses, routes, neighbours and nftables need nothing else of links.
/** A link by name or by ifindex. */
export type LinkRef = string | number;

/** What other families ask of a namespace's links; Netns hands them its Links, which does both. */
export interface LinkLookup {
  /** The ifindex of ref (a name is looked up); ENODEV names the field. */
  index(ref: LinkRef, operation: string, field: string): Promise<number>;
  /** Every link, by ifindex and name (to name an ifindex). */
  list(): Promise<Array<{ index: number; name: string }>>;
}
