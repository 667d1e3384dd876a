// What the fuzz targets share: a reader that splits libFuzzer's input into fields (running short
// is not an error: the rest reads as zeros/empty), a copy of bytes into a buffer of exactly their
// size (so AddressSanitizer sees a read one byte past the end; malloc's alignment is what a
// receive buffer has), and a check that aborts with a message (a finding, not a skipped input).
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

namespace nln_fuzz {

class Input {
 public:
  Input(const uint8_t* data, size_t size) : p_(data), left_(size) {}
  size_t left() const { return left_; }
  uint8_t u8() { return left_ ? (--left_, *p_++) : 0; }
  uint16_t u16() {  // little-endian
    uint16_t lo = u8();
    return static_cast<uint16_t>(lo | (u8() << 8));
  }
  std::string bytes(size_t n) {
    n = n < left_ ? n : left_;
    std::string s(reinterpret_cast<const char*>(p_), n);
    p_ += n;
    left_ -= n;
    return s;
  }
  std::string rest() { return bytes(left_); }

 private:
  const uint8_t* p_;
  size_t left_;
};

// Bytes in a heap block of exactly their length (at least 1 byte, so data() is never null).
class Exact {
 public:
  Exact(const void* data, size_t size) : buf_(new uint8_t[size ? size : 1]), size_(size) {
    if (size) std::memcpy(buf_.get(), data, size);
  }
  explicit Exact(const std::string& s) : Exact(s.data(), s.size()) {}
  const uint8_t* data() const { return buf_.get(); }
  size_t size() const { return size_; }

 private:
  std::unique_ptr<uint8_t[]> buf_;
  size_t size_;
};

#define FUZZ_CHECK(cond)                                                              \
  do {                                                                                \
    if (!(cond)) {                                                                    \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                   \
    }                                                                                 \
  } while (0)

}  // namespace nln_fuzz
