// The nf_tables message tables (nft_spec.cc).
#pragma once
#include "rtnl_specs.h"

namespace nln {

const MessageSpec* find_nft_message_spec(uint16_t type);

}  // namespace nln
