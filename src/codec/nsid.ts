// rtnetlink namespace ids (RTM_NEWNSID/DELNSID/GETNSID): rtgenmsg + NETNSA_* (linux/net_namespace.h).
// The id a namespace gives another is what a link's IFLA_LINK_NETNSID refers to.
import { Kind, type MessageSpec, attrSet, struct } from './schema';

/** rtgenmsg: one byte of family, padded to 4 as the kernel reads its attributes after it. */
export const rtgenmsg = struct('rtgenmsg', 4, [['family', 0, 1]]);

export const nsidAttrs = attrSet('nsid', [
  [1, 'nsid', Kind.S32], // NETNSA_NSID (-1: NETNSA_NSID_NOT_ASSIGNED)
  [2, 'pid', Kind.U32], // NETNSA_PID
  [3, 'fd', Kind.U32], // NETNSA_FD
  [4, 'target_nsid', Kind.S32], // NETNSA_TARGET_NSID
  [5, 'current_nsid', Kind.S32], // NETNSA_CURRENT_NSID
]);

export const nsidMessage: MessageSpec = { header: rtgenmsg, attrs: nsidAttrs, nestedFlag: false };
