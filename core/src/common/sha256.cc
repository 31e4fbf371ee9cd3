#include "common/sha256.h"

#include <openssl/evp.h>

#include <cstdlib>
#include <memory>

namespace coalition {

namespace {

struct ContextFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

}  // namespace

std::string sha256_hex(std::string_view data) {
  // Fetched once: OpenSSL 3 otherwise looks the algorithm up on every call (measured: a third
  // of the hashing time in the audit chain).
  static EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  // One context per thread, reinitialised per digest: the one-shot EVP_Digest allocates and
  // frees a context on every call (about a fifth of its time on the ~200-byte inputs of the
  // audit chain, which hashes several of them per committed step).
  thread_local const std::unique_ptr<EVP_MD_CTX, ContextFree> context(EVP_MD_CTX_new());
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  // These calls cannot fail for SHA-256 on valid memory short of an allocation failure inside
  // OpenSSL; treat that as fatal like any other out-of-memory.
  const bool hashed =
      context ? EVP_DigestInit_ex2(context.get(), kSha256, nullptr) == 1 &&
                    EVP_DigestUpdate(context.get(), data.data(), data.size()) == 1 &&
                    EVP_DigestFinal_ex(context.get(), digest, &length) == 1
              // No context of its own (none could be made): the one-shot call makes one.
              : EVP_Digest(data.data(), data.size(), digest, &length, kSha256, nullptr) == 1;
  if (!hashed) std::abort();
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex(length * 2, '0');
  for (unsigned int i = 0; i < length; ++i) {
    hex[2 * i] = kHex[digest[i] >> 4];
    hex[2 * i + 1] = kHex[digest[i] & 0xf];
  }
  return hex;
}

}  // namespace coalition
