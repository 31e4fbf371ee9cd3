// A self-signed certificate for 127.0.0.1 made with OpenSSL at test time (an EC P-256 key), so
// TLS tests carry no key material in the repository.
#ifndef COALITION_TESTS_SUPPORT_TLS_CERTIFICATE_H_
#define COALITION_TESTS_SUPPORT_TLS_CERTIFICATE_H_

#include <filesystem>

namespace coalition::test {

// Writes <dir>/cert.pem and <dir>/key.pem; false when OpenSSL refuses.
bool write_self_signed_certificate(const std::filesystem::path& dir);

}  // namespace coalition::test

#endif  // COALITION_TESTS_SUPPORT_TLS_CERTIFICATE_H_
