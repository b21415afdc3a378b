//! Outputs for publication (`plan --public`): household ids replaced by
//! keyed pseudonyms, household points rounded to about 100 m, per-household
//! travel rounded to 100 m. Application numbers (lottery) are pseudonymous
//! already and stay; children have no names in any output.
//!
//! Why a keyed hash (HMAC-SHA-256 with a key the bureau keeps) and not a
//! plain hash: household ids are short and sequential (`H000123`), so a
//! plain SHA-256 of each is undone by hashing every possible id. Without the
//! key that dictionary cannot be built; with it, the bureau (only) can
//! link a published row back to its household, and the same key gives the
//! same pseudonyms in every year's publication. Dropping the ids instead
//! would lose that link and the per-household rows the public asks about
//! ("which school is my address zoned to").

use crate::assign::LevelAssignment;
use crate::model::Unit;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use std::collections::HashMap;

/// The shortest `--public-key` accepted: a short key is guessed, and with
/// it the dictionary attack is back.
pub const MIN_KEY_CHARS: usize = 12;

/// Degrees of the rounding grid of published points: 0.001 degree is
/// 111 m north-south and 87 m east-west at 38 degrees north.
pub const POINT_GRID_DEG: f64 = 0.001;

/// Metres of the rounding of published per-household travel.
pub const TRAVEL_ROUND_M: f64 = 100.0;

/// HMAC-SHA-256 (RFC 2104) of `msg` under `key`.
pub fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    // HMAC takes a key of any length, so this cannot fail.
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(msg);
    mac.finalize().into_bytes().into()
}

/// The published pseudonym of household id `id`: `u` and the first 16 hex
/// digits (64 bits) of HMAC-SHA-256(key, id).
pub fn pseudonym(key: &str, id: &str) -> String {
    let mac = hmac_sha256(key.as_bytes(), id.as_bytes());
    let mut s = String::from("u");
    for b in &mac[..8] {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// Why households cannot be published under a key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PublicKeyError {
    /// The key has fewer than [`MIN_KEY_CHARS`] characters (trimmed).
    TooShort { chars: usize },
    /// Two household ids get the same pseudonym (2^-64 odds per pair).
    SamePseudonym {
        first: String,
        second: String,
        pseudonym: String,
    },
}

impl std::fmt::Display for PublicKeyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PublicKeyError::TooShort { chars } => write!(
                f,
                "--public-key: expected a secret of at least {MIN_KEY_CHARS} characters, kept by \
                 the bureau (the pseudonyms are only as safe as the key), found {chars} characters"
            ),
            PublicKeyError::SamePseudonym {
                first,
                second,
                pseudonym,
            } => write!(
                f,
                "--public-key: households {first} and {second} get the same pseudonym \
                 {pseudonym}: choose another key"
            ),
        }
    }
}

impl std::error::Error for PublicKeyError {}

/// Err unless `key` is long enough to key the pseudonyms.
pub fn check_key(key: &str) -> Result<(), PublicKeyError> {
    let n = key.trim().chars().count();
    if n < MIN_KEY_CHARS {
        return Err(PublicKeyError::TooShort { chars: n });
    }
    Ok(())
}

/// The units as published: pseudonymous ids, points on the 0.001 degree
/// grid. Err if the key is too short, or (2^-64 odds per pair) two ids
/// share a pseudonym.
pub fn public_units(units: &[Unit], key: &str) -> Result<Vec<Unit>, PublicKeyError> {
    check_key(key)?;
    let grid = |x: f64| (x / POINT_GRID_DEG).round() * POINT_GRID_DEG;
    let mut seen: HashMap<String, &str> = HashMap::new();
    let mut out = Vec::with_capacity(units.len());
    for u in units {
        let p = pseudonym(key, &u.id);
        if let Some(other) = seen.insert(p.clone(), &u.id) {
            return Err(PublicKeyError::SamePseudonym {
                first: other.to_string(),
                second: u.id.clone(),
                pseudonym: p,
            });
        }
        out.push(Unit {
            id: p,
            lon: (grid(u.lon) * 1e6).round() / 1e6,
            lat: (grid(u.lat) * 1e6).round() / 1e6,
            town: u.town.clone(),
            village: u.village.clone(),
            demand: crate::model::Demand::Direct {
                primary: 0,
                junior: 0,
            },
        });
    }
    Ok(out)
}

/// The assignment as published: per-household travel rounded to 100 m
/// (an exact distance to a known school would place the household on a
/// circle); minutes to whole minutes. Students, schools and reasons as
/// they are.
pub fn public_levels(levels: &[LevelAssignment]) -> Vec<LevelAssignment> {
    levels
        .iter()
        .map(|la| {
            let mut la = la.clone();
            for p in &mut la.placements {
                p.travel_m = p
                    .travel_m
                    .map(|m| (m / TRAVEL_ROUND_M).round() * TRAVEL_ROUND_M);
                p.travel_min = p.travel_min.map(f64::round);
            }
            la
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    /// RFC 4231 test cases 1, 2 and 6 (a key longer than the block).
    #[test]
    fn hmac_matches_rfc_4231() {
        assert_eq!(
            hex(&hmac_sha256(&[0x0b; 20], b"Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
        assert_eq!(
            hex(&hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            hex(&hmac_sha256(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn pseudonyms_are_keyed_and_stable() {
        let a = pseudonym("bureau secret 2023", "H000001");
        assert_eq!(a, pseudonym("bureau secret 2023", "H000001"));
        assert_eq!(a.len(), 17);
        assert_ne!(a, pseudonym("bureau secret 2024", "H000001"));
        assert_ne!(a, pseudonym("bureau secret 2023", "H000002"));
    }
}
