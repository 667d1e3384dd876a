// Table-driven translation between netlink bytes and Value trees (see spec.h for the tables).
#pragma once
#include <linux/netlink.h>

#include <stdexcept>
#include <string>

#include "message.h"
#include "spec.h"
#include "value.h"

namespace nln {

Value decode_struct(const StructSpec& spec, const uint8_t* data, size_t len);
Value decode_attrs(const AttrSet& set, const uint8_t* data, size_t len);

void encode_struct(MessageWriter& w, const StructSpec& spec, const Value& v);
void encode_attrs(MessageWriter& w, const AttrSet& set, const Value& attrs, bool nested_flag,
                  const std::string& path);

// Appends one message { type, flags, header, attrs } built with the table for (protocol, type).
void encode_message(MessageWriter& w, int protocol, const Value& msg);
// { type, flags, seq, header, attrs } — or { type, flags, seq, payload } for a type without a table.
Value decode_message(int protocol, const nlmsghdr* h);

// Text forms used by the codec and its tests.
std::string format_mac(const uint8_t* p, size_t len);
bool parse_mac(const std::string& s, std::string* out);
std::string format_ip(const uint8_t* p, size_t len);
bool parse_ip(const std::string& s, std::string* out);

}  // namespace nln
