//! Plain SM3 hashing.

use sm3::{Digest, Sm3};

/// SM3 digest (GB/T 32905) of `data`, as 64 lowercase hex characters.
pub fn sm3_hex(data: &[u8]) -> String {
    hex::encode(Sm3::digest(data))
}
