#include <stytch/mock/certificates.hpp>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <memory>
#include <stdexcept>

namespace stytch::mock {
namespace {

template <auto Free>
struct deleter {
    template <class T>
    void operator()(T* p) const noexcept {
        Free(p);
    }
};

using pkey_ptr = std::unique_ptr<EVP_PKEY, deleter<EVP_PKEY_free>>;
using x509_ptr = std::unique_ptr<X509, deleter<X509_free>>;
using name_ptr = std::unique_ptr<X509_NAME, deleter<X509_NAME_free>>;
using bio_ptr = std::unique_ptr<BIO, deleter<BIO_free_all>>;
using bn_ptr = std::unique_ptr<BIGNUM, deleter<BN_free>>;
using ext_ptr = std::unique_ptr<X509_EXTENSION, deleter<X509_EXTENSION_free>>;
using gens_ptr = std::unique_ptr<GENERAL_NAMES, deleter<GENERAL_NAMES_free>>;
using gen_ptr = std::unique_ptr<GENERAL_NAME, deleter<GENERAL_NAME_free>>;
using ia5_ptr = std::unique_ptr<ASN1_IA5STRING, deleter<ASN1_IA5STRING_free>>;
using octet_ptr = std::unique_ptr<ASN1_OCTET_STRING, deleter<ASN1_OCTET_STRING_free>>;

[[noreturn]] void fail(const std::string& what) {
    std::string message = "stytch::mock::make_tls_identity: " + what;
    if (unsigned long code = ERR_get_error(); code != 0) {
        char text[256];
        ERR_error_string_n(code, text, sizeof text);
        message += ": ";
        message += text;
    }
    ERR_clear_error();
    throw std::runtime_error(message);
}

void check(int rc, const char* what) {
    if (rc <= 0) {
        fail(what);
    }
}

pkey_ptr make_key() {
    pkey_ptr key{EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")};
    if (!key) {
        fail("EC P-256 key generation failed");
    }
    return key;
}

name_ptr make_name(const std::string& common_name, const std::string& organization) {
    name_ptr name{X509_NAME_new()};
    if (!name) {
        fail("X509_NAME_new failed");
    }
    auto add = [&](const char* field, const std::string& value) {
        check(X509_NAME_add_entry_by_txt(name.get(), field, MBSTRING_UTF8,
                                         reinterpret_cast<const unsigned char*>(value.c_str()),
                                         static_cast<int>(value.size()), -1, 0),
              "X509_NAME_add_entry_by_txt failed");
    };
    add("O", organization);
    add("CN", common_name);
    return name;
}

void set_random_serial(X509* cert) {
    bn_ptr bn{BN_new()};
    if (!bn) {
        fail("BN_new failed");
    }
    // 127 random bits, top bit clear: a positive serial of at most 16 bytes.
    check(BN_rand(bn.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY), "BN_rand failed");
    if (BN_is_zero(bn.get())) {
        check(BN_set_word(bn.get(), 1), "BN_set_word failed");
    }
    if (BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) == nullptr) {
        fail("BN_to_ASN1_INTEGER failed");
    }
}

void set_validity(X509* cert, std::chrono::seconds not_before, std::chrono::seconds not_after) {
    if (X509_gmtime_adj(X509_getm_notBefore(cert), static_cast<long>(not_before.count())) ==
            nullptr ||
        X509_gmtime_adj(X509_getm_notAfter(cert), static_cast<long>(not_after.count())) ==
            nullptr) {
        fail("setting the validity window failed");
    }
}

void add_extension(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    ext_ptr ext{X509V3_EXT_nconf_nid(nullptr, &ctx, nid, value)};
    if (!ext) {
        fail(std::string("building extension ") + OBJ_nid2sn(nid) + "=" + value + " failed");
    }
    check(X509_add_ext(cert, ext.get(), -1), "X509_add_ext failed");
}

void add_subject_alt_names(X509* cert, const certificate_options& options) {
    if (options.dns_names.empty() && options.ip_addresses.empty()) {
        return;
    }
    gens_ptr names{GENERAL_NAMES_new()};
    if (!names) {
        fail("GENERAL_NAMES_new failed");
    }
    auto push = [&](gen_ptr name) {
        if (sk_GENERAL_NAME_push(names.get(), name.get()) <= 0) {
            fail("sk_GENERAL_NAME_push failed");
        }
        name.release();  // owned by `names` now
    };
    for (const auto& dns : options.dns_names) {
        ia5_ptr text{ASN1_IA5STRING_new()};
        if (!text || ASN1_STRING_set(text.get(), dns.data(), static_cast<int>(dns.size())) <= 0) {
            fail("encoding DNS name '" + dns + "' failed");
        }
        gen_ptr name{GENERAL_NAME_new()};
        if (!name) {
            fail("GENERAL_NAME_new failed");
        }
        GENERAL_NAME_set0_value(name.get(), GEN_DNS, text.release());
        push(std::move(name));
    }
    for (const auto& ip : options.ip_addresses) {
        octet_ptr octets{a2i_IPADDRESS(ip.c_str())};
        if (!octets) {
            ERR_clear_error();
            throw std::runtime_error("stytch::mock::make_tls_identity: invalid IP address '" + ip +
                                     "'");
        }
        gen_ptr name{GENERAL_NAME_new()};
        if (!name) {
            fail("GENERAL_NAME_new failed");
        }
        GENERAL_NAME_set0_value(name.get(), GEN_IPADD, octets.release());
        push(std::move(name));
    }
    check(X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT),
          "adding subjectAltName failed");
}

x509_ptr new_certificate(EVP_PKEY* key, X509_NAME* subject, X509_NAME* issuer) {
    x509_ptr cert{X509_new()};
    if (!cert) {
        fail("X509_new failed");
    }
    check(X509_set_version(cert.get(), X509_VERSION_3), "X509_set_version failed");
    set_random_serial(cert.get());
    check(X509_set_subject_name(cert.get(), subject), "X509_set_subject_name failed");
    check(X509_set_issuer_name(cert.get(), issuer), "X509_set_issuer_name failed");
    check(X509_set_pubkey(cert.get(), key), "X509_set_pubkey failed");
    return cert;
}

std::string bio_to_string(BIO* bio) {
    char* data = nullptr;
    long size = BIO_get_mem_data(bio, &data);
    if (size < 0 || (size > 0 && data == nullptr)) {
        fail("reading a memory BIO failed");
    }
    return std::string(data, static_cast<std::size_t>(size));
}

bio_ptr new_memory_bio() {
    bio_ptr bio{BIO_new(BIO_s_mem())};
    if (!bio) {
        fail("BIO_new failed");
    }
    return bio;
}

std::string to_pem(X509* cert) {
    auto bio = new_memory_bio();
    check(PEM_write_bio_X509(bio.get(), cert), "PEM_write_bio_X509 failed");
    return bio_to_string(bio.get());
}

std::string to_pem(EVP_PKEY* key) {
    auto bio = new_memory_bio();
    check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr),
          "PEM_write_bio_PrivateKey failed");
    return bio_to_string(bio.get());
}

}  // namespace

tls_identity make_tls_identity(const certificate_options& options) {
    using std::chrono::seconds;
    ERR_clear_error();

    // The CA: valid now and over the whole leaf window, so a verification failure is always
    // about the leaf.
    const seconds leaf_not_before = options.not_before_offset;
    const seconds leaf_not_after = options.not_before_offset + options.validity;
    const seconds day{86400};
    const seconds ca_not_before = std::min({leaf_not_before, leaf_not_after, seconds{0}}) - day;
    const seconds ca_not_after = std::max({leaf_not_before, leaf_not_after, seconds{0}}) + day;

    pkey_ptr ca_key = make_key();
    name_ptr ca_name = make_name("stytch-mock test CA", "stytch-mock");
    x509_ptr ca = new_certificate(ca_key.get(), ca_name.get(), ca_name.get());
    set_validity(ca.get(), ca_not_before, ca_not_after);
    add_extension(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE");
    add_extension(ca.get(), ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
    add_extension(ca.get(), ca.get(), NID_subject_key_identifier, "hash");
    add_extension(ca.get(), ca.get(), NID_authority_key_identifier, "keyid:always");
    check(X509_sign(ca.get(), ca_key.get(), EVP_sha256()), "signing the CA certificate failed");

    pkey_ptr leaf_key = make_key();
    const std::string common_name = !options.common_name.empty()    ? options.common_name
                                    : !options.dns_names.empty()    ? options.dns_names.front()
                                    : !options.ip_addresses.empty() ? options.ip_addresses.front()
                                                                    : std::string("stytch-mock");
    name_ptr leaf_name = make_name(common_name, "stytch-mock");
    x509_ptr leaf = new_certificate(leaf_key.get(), leaf_name.get(), ca_name.get());
    set_validity(leaf.get(), leaf_not_before, leaf_not_after);
    add_extension(leaf.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE");
    add_extension(leaf.get(), ca.get(), NID_key_usage, "critical,digitalSignature,keyAgreement");
    add_extension(leaf.get(), ca.get(), NID_ext_key_usage, "serverAuth");
    add_extension(leaf.get(), ca.get(), NID_subject_key_identifier, "hash");
    add_extension(leaf.get(), ca.get(), NID_authority_key_identifier, "keyid:always");
    add_subject_alt_names(leaf.get(), options);
    check(X509_sign(leaf.get(), ca_key.get(), EVP_sha256()),
          "signing the server certificate failed");

    return tls_identity{to_pem(ca.get()), to_pem(leaf.get()), to_pem(leaf_key.get())};
}

}  // namespace stytch::mock
