// The kernel's words in a refusal: the extended ACK (NLMSGERR_ATTR_MSG) of an NLMSG_ERROR, or of
// the NLMSG_DONE a dump ended with an error. The addon hands the refusal's message on whole; its
// errno the addon has read already (it decides whether a chain goes on).
const NLMSG_ERROR = 2;
const NLM_F_CAPPED = 0x100;
const NLM_F_ACK_TLVS = 0x200;
const NLMSGERR_ATTR_MSG = 1;
const HEADER = 16;

/** The extended-ACK text of an error message; undefined when it carries none or is malformed. */
export function ackText(message: Buffer): string | undefined {
  if (message.length < HEADER + 4) return undefined;
  const len = Math.min(message.readUInt32LE(0), message.length);
  const flags = message.readUInt16LE(6);
  if (!(flags & NLM_F_ACK_TLVS)) return undefined;
  let at = HEADER + 4; // past the errno
  if (message.readUInt16LE(4) === NLMSG_ERROR) {
    // The request's header is echoed after the errno; uncapped, its whole payload too.
    if (len < at + HEADER) return undefined;
    at += flags & NLM_F_CAPPED ? HEADER : (message.readUInt32LE(at) + 3) & ~3;
  }
  while (at + 4 <= len) {
    const alen = message.readUInt16LE(at);
    if (alen < 4 || at + alen > len) return undefined;
    if ((message.readUInt16LE(at + 2) & 0x3fff) === NLMSGERR_ATTR_MSG) {
      const text = message.subarray(at + 4, at + alen);
      const nul = text.indexOf(0);
      return text.toString('utf8', 0, nul < 0 ? text.length : nul) || undefined;
    }
    at += (alen + 3) & ~3;
  }
  return undefined;
}
