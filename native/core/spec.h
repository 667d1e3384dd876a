// Netlink families described as data: structs (fixed headers) and attribute sets. The codec
// (codec.h) walks these tables, so supporting a new attribute is one table row, not new code.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace nln {

enum class Kind : uint8_t {
  U8, U16, U32, U64, S32,
  U16BE, U32BE, U64BE,  // network byte order (nfnetlink)
  String,               // text, sent NUL-terminated
  Chars,                // text, sent without the NUL (as iproute2 sends IFLA_INFO_KIND)
  Binary,               // raw bytes (Buffer in JS)
  Mac,                  // link-layer address, "aa:bb:cc:dd:ee:ff"
  IPAddr,               // 4 or 16 bytes, dotted quad / RFC 5952 text
  Flag,                 // no payload: present or not
  Nested,               // another attribute set
  Struct,               // a fixed C struct (e.g. rtnl_link_stats64)
  SubMessage,           // attribute set chosen by a sibling's value (IFLA_INFO_DATA by IFLA_INFO_KIND)
  HeaderNested,         // a struct followed by attributes (VETH_INFO_PEER: ifinfomsg + IFLA_*)
  Nexthops,             // RTA_MULTIPATH: a list of struct rtnexthop, each followed by attributes
};

struct FieldSpec {
  const char* name;
  uint16_t offset;
  uint8_t size;       // 1, 2, 4 or 8; 8 decodes to a BigInt
  bool is_signed = false;
  bool big_endian = false;
};

struct StructSpec {
  const char* name;
  uint16_t size;      // the size we write; reads accept shorter (older) and longer (newer) structs
  std::vector<FieldSpec> fields;
};

struct AttrSet;

struct SubMessageSpec {
  const char* selector;  // name of the sibling attribute whose string value picks the set
  std::vector<std::pair<const char*, const AttrSet*>> choices;
  const AttrSet* find(const std::string& key) const;
};

struct AttrSpec {
  uint16_t type;
  const char* name;
  Kind kind;
  const AttrSet* nested = nullptr;      // Nested, HeaderNested
  const StructSpec* st = nullptr;       // Struct, HeaderNested
  const SubMessageSpec* sub = nullptr;  // SubMessage
  bool multi = false;                   // may repeat: decoded as a list, a list encodes as repeats
};

struct AttrSet {
  const char* name;
  std::vector<AttrSpec> attrs;
  const AttrSpec* by_type(uint16_t type) const;
  const AttrSpec* by_name(const std::string& name) const;
};

struct MessageSpec {
  const StructSpec* header;
  const AttrSet* attrs;
  bool nested_flag = false;  // set NLA_F_NESTED on nests (nfnetlink does, rtnetlink/iproute2 doesn't)
};

// Which header and attribute set a message of this protocol and type carries; nullptr if unknown.
const MessageSpec* find_message_spec(int protocol, uint16_t type);

}  // namespace nln
