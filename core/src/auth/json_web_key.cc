#include "auth/json_web_key.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "auth/jwt.h"
#include "common/json_text.h"

namespace coalition {

using nlohmann::json;

std::optional<JwsAlgorithm> parse_jws_algorithm(std::string_view name) {
  if (name == "RS256") return JwsAlgorithm::kRs256;
  if (name == "ES256") return JwsAlgorithm::kEs256;
  return std::nullopt;
}

std::string_view to_string(JwsAlgorithm algorithm) {
  return algorithm == JwsAlgorithm::kRs256 ? "RS256" : "ES256";
}

namespace {

constexpr int kMinRsaBits = 2048;
constexpr size_t kP256Bytes = 32;

template <class T, void (*Free)(T*)>
struct Freer {
  void operator()(T* p) const { Free(p); }
};
using Bignum = std::unique_ptr<BIGNUM, Freer<BIGNUM, BN_free>>;
using ParamBuilder = std::unique_ptr<OSSL_PARAM_BLD, Freer<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using Params = std::unique_ptr<OSSL_PARAM, Freer<OSSL_PARAM, OSSL_PARAM_free>>;
using KeyContext = std::unique_ptr<EVP_PKEY_CTX, Freer<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using DigestContext = std::unique_ptr<EVP_MD_CTX, Freer<EVP_MD_CTX, EVP_MD_CTX_free>>;
using EcdsaSignature = std::unique_ptr<ECDSA_SIG, Freer<ECDSA_SIG, ECDSA_SIG_free>>;

std::optional<std::string> member_bytes(const json& jwk, const char* name) {
  auto it = jwk.find(name);
  if (it == jwk.end() || !it->is_string()) return std::nullopt;
  return base64url_decode(it->get<std::string>());
}

Bignum bignum(const std::string& bytes) {
  return Bignum(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()), nullptr));
}

// A public key from OpenSSL parameters, checked (an EC point on its curve).
std::shared_ptr<EVP_PKEY> public_key(const char* type, OSSL_PARAM_BLD* builder) {
  Params params(OSSL_PARAM_BLD_to_param(builder));
  KeyContext ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return nullptr;
  }
  std::shared_ptr<EVP_PKEY> owned(key, EVP_PKEY_free);
  KeyContext check(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) return nullptr;
  return owned;
}

std::shared_ptr<EVP_PKEY> rsa_key(const json& jwk) {
  auto n = member_bytes(jwk, "n");
  auto e = member_bytes(jwk, "e");
  if (!n || !e || n->empty() || e->empty()) return nullptr;
  Bignum bn_n = bignum(*n);
  Bignum bn_e = bignum(*e);
  ParamBuilder builder(OSSL_PARAM_BLD_new());
  if (!bn_n || !bn_e || !builder ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1) {
    return nullptr;
  }
  auto key = public_key("RSA", builder.get());
  if (key && EVP_PKEY_get_bits(key.get()) < kMinRsaBits) return nullptr;
  return key;
}

// A member that must be a string: "" when absent or not one (never an exception).
std::string text_member(const json& jwk, const char* name) {
  auto it = jwk.find(name);
  return it != jwk.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::shared_ptr<EVP_PKEY> p256_key(const json& jwk) {
  if (text_member(jwk, "crv") != "P-256") return nullptr;
  auto x = member_bytes(jwk, "x");
  auto y = member_bytes(jwk, "y");
  if (!x || !y || x->size() != kP256Bytes || y->size() != kP256Bytes) return nullptr;
  std::string point("\x04");  // uncompressed (SEC 1): 04 || x || y
  point.append(*x);
  point.append(*y);
  ParamBuilder builder(OSSL_PARAM_BLD_new());
  if (!builder ||
      OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) !=
          1 ||
      OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return nullptr;
  }
  return public_key("EC", builder.get());
}

// ES256's r||s as the DER ECDSA-Sig-Value OpenSSL verifies.
std::optional<std::string> der_signature(std::string_view raw) {
  if (raw.size() != 2 * kP256Bytes) return std::nullopt;
  EcdsaSignature sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()), kP256Bytes, nullptr);
  BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()) + kP256Bytes, kP256Bytes,
                        nullptr);
  if (!sig || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return std::nullopt;
  }
  const int length = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (length <= 0) return std::nullopt;
  std::string der(static_cast<size_t>(length), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_ECDSA_SIG(sig.get(), &out) != length) return std::nullopt;
  return der;
}

}  // namespace

Result<std::vector<JsonWebKey>> parse_jwk_set(std::string_view text) {
  auto doc = parse_json(text);
  if (!doc || !doc->is_object() || !doc->contains("keys") || !(*doc)["keys"].is_array()) {
    return Error::configuration("a JWK Set is an object with a \"keys\" array");
  }
  std::vector<JsonWebKey> keys;
  for (const auto& jwk : (*doc)["keys"]) {
    if (!jwk.is_object()) continue;
    if (jwk.contains("use") && jwk["use"] != "sig") continue;
    const std::string kty = text_member(jwk, "kty");
    JsonWebKey key;
    key.kid = text_member(jwk, "kid");
    if (kty == "RSA") {
      key.algorithm = JwsAlgorithm::kRs256;
      key.key = rsa_key(jwk);
    } else if (kty == "EC") {
      key.algorithm = JwsAlgorithm::kEs256;
      key.key = p256_key(jwk);
    }
    if (!key.key) {
      ERR_clear_error();  // what OpenSSL said of a refused key stays out of later calls
      continue;
    }
    if (jwk.contains("alg") && jwk["alg"] != std::string(to_string(key.algorithm))) continue;
    keys.push_back(std::move(key));
  }
  if (keys.empty()) {
    return Error::configuration(
        "the JWK Set holds no usable signing key (RSA of 2048 bits or more, EC P-256)");
  }
  return keys;
}

bool verify_jws(const JsonWebKey& key, std::string_view signing_input, std::string_view signature) {
  std::string der;
  if (key.algorithm == JwsAlgorithm::kEs256) {
    auto converted = der_signature(signature);
    if (!converted) return false;
    der = std::move(*converted);
    signature = der;
  }
  DigestContext ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.key.get()) != 1) {
    return false;
  }
  const bool good =
      EVP_DigestVerify(
          ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
          reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size()) == 1;
  if (!good) ERR_clear_error();
  return good;
}

}  // namespace coalition
