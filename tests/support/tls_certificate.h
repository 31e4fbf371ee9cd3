// Certificates for 127.0.0.1 made with OpenSSL at test time (EC P-256 keys), so TLS tests carry
// no key material in the repository.
#ifndef COALITION_TESTS_SUPPORT_TLS_CERTIFICATE_H_
#define COALITION_TESTS_SUPPORT_TLS_CERTIFICATE_H_

#include <filesystem>

namespace coalition::test {

// Writes <dir>/cert.pem and <dir>/key.pem; false when OpenSSL refuses.
bool write_self_signed_certificate(const std::filesystem::path& dir);

// A test certificate authority and a server certificate it signed: <dir>/ca.pem (the CA, to
// trust), <dir>/cert.pem and <dir>/key.pem (the server's, for 127.0.0.1 and localhost). A
// client that trusts ca.pem verifies the server; one that trusts the system's CAs refuses it.
bool write_test_authority(const std::filesystem::path& dir);

}  // namespace coalition::test

#endif  // COALITION_TESTS_SUPPORT_TLS_CERTIFICATE_H_
