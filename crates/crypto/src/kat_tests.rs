//! Known-answer tests against the published standard vectors.
#![allow(clippy::unwrap_used)]

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use hmac::Mac as _;
use sm4::cipher::{BlockCipherDecrypt as _, BlockCipherEncrypt as _, KeyInit as _};

use crate::blind_index::keyed_hmac;
use crate::field_cipher::NONCE_LEN;
use crate::{Algorithm, CryptoError, FieldCipher, Keys, sm3_hex};

fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

/// `Keys` whose encryption key starts with `enc_prefix` (rest zero).
fn keys_with_enc_prefix(enc_prefix: &[u8]) -> Keys {
    let mut material = [0u8; 64];
    material[..enc_prefix.len()].copy_from_slice(enc_prefix);
    Keys::from_base64(&B64.encode(material)).unwrap()
}

/// GB/T 32905-2016 appendix A, example 1.
#[test]
fn sm3_abc() {
    assert_eq!(
        sm3_hex(b"abc"),
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    );
}

/// GB/T 32905-2016 appendix A, example 2: "abcd" × 16 (64 bytes).
#[test]
fn sm3_abcd_x16() {
    let input = "abcd".repeat(16);
    assert_eq!(input.len(), 64);
    assert_eq!(
        sm3_hex(input.as_bytes()),
        "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
    );
}

/// GB/T 32907-2016 appendix A, example 1: one block, key = plaintext.
#[test]
fn sm4_single_block() {
    let key: [u8; 16] = unhex("0123456789abcdeffedcba9876543210")
        .try_into()
        .unwrap();
    let cipher = sm4::Sm4::new(&key.into());
    let mut block = key.into();
    cipher.encrypt_block(&mut block);
    assert_eq!(hex::encode(block), "681edf34d206965e86b3e94f536e4246");
    cipher.decrypt_block(&mut block);
    assert_eq!(block.as_slice(), key.as_slice());
}

const GCM_KEY: &str = "0123456789ABCDEFFEDCBA9876543210";
const GCM_IV: &str = "00001234567800000000ABCD";
const GCM_AAD: &str = "FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2";
const GCM_PT: &str = "AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDD\
                      EEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA";
const GCM_CT: &str = "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735\
                      D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D";
const GCM_TAG: &str = "83DE3541E4C2B58177E065A9BF7B62EC";

/// RFC 8998 appendix A.1 (SM4-GCM), through `FieldCipher`'s own code path.
#[test]
fn sm4_gcm_rfc8998_a1() {
    let keys = keys_with_enc_prefix(&unhex(GCM_KEY));
    let cipher = FieldCipher::new(Algorithm::Sm4Gcm, &keys);
    let nonce: [u8; NONCE_LEN] = unhex(GCM_IV).try_into().unwrap();
    let aad = unhex(GCM_AAD);
    let stored = cipher
        .encrypt_with_nonce(Algorithm::Sm4Gcm, &nonce, &unhex(GCM_PT), &aad)
        .unwrap();

    let payload = stored.strip_prefix("sm4gcm:v1:").unwrap();
    let raw = B64.decode(payload).unwrap();
    let expected = [unhex(GCM_IV), unhex(GCM_CT), unhex(GCM_TAG)].concat();
    assert_eq!(hex::encode_upper(&raw), hex::encode_upper(&expected));
}

/// The RFC 8998 A.1 vector, assembled in the stored format, decrypts to the
/// published plaintext (whatever algorithm the cipher is configured to write).
#[test]
fn sm4_gcm_rfc8998_a1_decrypts() {
    let keys = keys_with_enc_prefix(&unhex(GCM_KEY));
    let cipher = FieldCipher::new(Algorithm::Aes256Gcm, &keys);
    let aad = unhex(GCM_AAD);
    let raw = [unhex(GCM_IV), unhex(GCM_CT), unhex(GCM_TAG)].concat();
    let stored = format!("sm4gcm:v1:{}", B64.encode(&raw));
    let plain = cipher.decrypt_bytes(&stored, &aad).unwrap();
    assert_eq!(plain.as_slice(), unhex(GCM_PT).as_slice());
    // The published plaintext (0xAA…) is not UTF-8: the text API reports Format.
    assert!(matches!(
        cipher.decrypt(&stored, &aad),
        Err(CryptoError::Format)
    ));

    let mut bad = raw.clone();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    let stored_bad = format!("sm4gcm:v1:{}", B64.encode(&bad));
    assert!(matches!(
        cipher.decrypt_bytes(&stored_bad, &aad),
        Err(CryptoError::Decrypt)
    ));
}

fn hmac_sm3_hex(key: &[u8], msg: &[u8]) -> String {
    let mut mac = keyed_hmac(key);
    mac.update(msg);
    hex::encode(mac.finalize().into_bytes())
}

/// GM/T 0042-2015 appendix D.3, vector 1: 32-byte key, 112-byte message.
#[test]
fn hmac_sm3_gmt0042_vector_1() {
    let key: Vec<u8> = (1u8..=0x20).collect();
    let msg = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".repeat(2);
    assert_eq!(
        hmac_sm3_hex(&key, msg.as_bytes()),
        "ca05e144ed05d1857840d1f318a4a8669e559fc8391f414485bfdf7bb408963a"
    );
}

/// GM/T 0042-2015 appendix D.3, vector 2: 37-byte key, 50 bytes of 0xcd.
#[test]
fn hmac_sm3_gmt0042_vector_2() {
    let key: Vec<u8> = (1u8..=0x25).collect();
    assert_eq!(
        hmac_sm3_hex(&key, &[0xcd; 50]),
        "220bf579ded555393f0159f66c99877822a3ecf610d1552154b41d44b94db3ae"
    );
}
