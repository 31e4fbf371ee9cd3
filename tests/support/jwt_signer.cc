#include "support/jwt_signer.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <sodium.h>

#include <stdexcept>

namespace coalition::test {

using nlohmann::json;

std::string JwtSigner::base64url(const std::string& bytes) {
  constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string text(sodium_base64_ENCODED_LEN(bytes.size(), kVariant), '\0');
  sodium_bin2base64(text.data(), text.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), kVariant);
  text.resize(text.find('\0'));
  return text;
}

namespace {

std::string bignum_param(EVP_PKEY* key, const char* name, size_t width = 0) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &bn) != 1) throw std::runtime_error(name);
  std::string out(width ? width : static_cast<size_t>(BN_num_bytes(bn)), '\0');
  if (width) {
    BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(width));
  } else {
    BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  }
  BN_free(bn);
  return out;
}

}  // namespace

JwtSigner::JwtSigner(Kind kind, std::string kid, int rsa_bits) : kind_(kind), kid_(std::move(kid)) {
  EVP_PKEY* key = kind == Kind::kRsa
                      ? EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(rsa_bits))
                      : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  if (key == nullptr) throw std::runtime_error("OpenSSL could not make a key");
  key_.reset(key, EVP_PKEY_free);
}

json JwtSigner::jwk() const {
  if (kind_ == Kind::kRsa) {
    return {{"kty", "RSA"},
            {"kid", kid_},
            {"use", "sig"},
            {"alg", "RS256"},
            {"n", base64url(bignum_param(key_.get(), OSSL_PKEY_PARAM_RSA_N))},
            {"e", base64url(bignum_param(key_.get(), OSSL_PKEY_PARAM_RSA_E))}};
  }
  return {{"kty", "EC"},
          {"kid", kid_},
          {"use", "sig"},
          {"alg", "ES256"},
          {"crv", "P-256"},
          {"x", base64url(bignum_param(key_.get(), OSSL_PKEY_PARAM_EC_PUB_X, 32))},
          {"y", base64url(bignum_param(key_.get(), OSSL_PKEY_PARAM_EC_PUB_Y, 32))}};
}

std::string JwtSigner::sign(const json& claims, const json& header) const {
  json h{{"alg", kind_ == Kind::kRsa ? "RS256" : "ES256"}, {"typ", "JWT"}, {"kid", kid_}};
  if (header.is_object()) h.update(header);
  const std::string input = base64url(h.dump()) + "." + base64url(claims.dump());
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  size_t length = 0;
  if (EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &length,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
    throw std::runtime_error("OpenSSL could not sign");
  }
  std::string signature(length, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
    throw std::runtime_error("OpenSSL could not sign");
  }
  signature.resize(length);
  if (kind_ == Kind::kP256) {  // DER ECDSA-Sig-Value -> r || s (RFC 7518 3.4)
    const auto* p = reinterpret_cast<const unsigned char*>(signature.data());
    ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(signature.size()));
    std::string raw(64, '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(raw.data()), 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
    ECDSA_SIG_free(sig);
    signature = raw;
  }
  return input + "." + base64url(signature);
}

std::string jwk_set(const std::vector<json>& keys) {
  return json{{"keys", keys}}.dump();
}

}  // namespace coalition::test
