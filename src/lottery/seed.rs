//! The seed and the per-school keys.
//!
//! `enc(x)` is the byte string `x` preceded by its length as an 8-byte
//! big-endian integer, so that no two different field lists hash the same
//! bytes (RFC 3797 separates its sources for the same reason).
//!
//! ```text
//! seed = SHA-256( enc("catchment-lottery/1 seed") || enc(commitment hex, ASCII)
//!                 || enc(public entropy, UTF-8) || enc(notary, UTF-8) )
//! key(school) = SHA-256( enc("catchment-lottery/1 school") || enc(seed, 32 raw bytes)
//!                        || enc(school_id, UTF-8) )
//! ```
//!
//! Each school draws from its own key, so the schools are independent and
//! adding a school to the draw does not change another school's ranking.

use super::ALGORITHM;
use sha2::{Digest, Sha256};

/// 32 bytes: a seed or a school's key.
pub type Seed = [u8; 32];

fn enc(h: &mut Sha256, bytes: &[u8]) {
    h.update((bytes.len() as u64).to_be_bytes());
    h.update(bytes);
}

/// The draw's seed from the commitment (hex, as published), the public
/// numbers (text exactly as recorded) and the notary's input ("" if none).
pub fn derive_seed(commitment_hex: &str, public_entropy: &str, notary: &str) -> Seed {
    let mut h = Sha256::new();
    enc(&mut h, format!("{ALGORITHM} seed").as_bytes());
    enc(&mut h, commitment_hex.as_bytes());
    enc(&mut h, public_entropy.as_bytes());
    enc(&mut h, notary.as_bytes());
    h.finalize().into()
}

/// One school's key: the seed of its random stream.
pub fn school_key(seed: &Seed, school_id: &str) -> Seed {
    let mut h = Sha256::new();
    enc(&mut h, format!("{ALGORITHM} school").as_bytes());
    enc(&mut h, seed);
    enc(&mut h, school_id.as_bytes());
    h.finalize().into()
}
