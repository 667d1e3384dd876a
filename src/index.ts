// netlink-native: Linux network namespaces, links and more, over netlink from a native addon.
export { NetlinkError } from './errors';
export { Netns, type NetnsRef } from './netns';
export { Links, type LinkFilter } from './link/links';
export type * from './link/types';
