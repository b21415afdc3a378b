//! The random stream: SHA-256 in counter mode.
//!
//! Written out here rather than taken from `rand`: the stream is the
//! product's core and must be specified to the byte so that anyone can
//! recompute it (StdRng is not portable across rand versions; ChaCha20
//! would need a hand-written cipher in the Python reference, SHA-256 needs
//! only `hashlib`).
//!
//! ```text
//! block(i) = SHA-256( key || u64_be(i) ),  i = 0, 1, 2, ...
//! stream   = block(0) || block(1) || ...   read as 8-byte big-endian words
//! below(n) = draw x until x < 2^64 - (2^64 mod n); return x mod n
//! shuffle  = for i = m-1 down to 1: j = below(i+1); swap a[i], a[j]
//! ```
//!
//! `below` rejects the top `2^64 mod n` values, so every result in
//! `0..n` comes from the same number of words: no modulo bias.

use super::seed::Seed;
use sha2::{Digest, Sha256};

/// The largest word `below(n)` accepts: `2^64 - (2^64 mod n) - 1`, so
/// that the accepted words `0..=last` are a whole number of runs of `n`.
/// `n = 0` gives `u64::MAX`.
pub fn largest_accepted(n: u64) -> u64 {
    if n == 0 {
        return u64::MAX;
    }
    // 2^64 mod n, computed in 64 bits: (2^64 - n) mod n.
    let rem = n.wrapping_neg() % n;
    u64::MAX - rem
}

/// The stream of one key.
#[derive(Clone, Debug)]
pub struct Stream {
    key: Seed,
    counter: u64,
    block: [u8; 32],
    used: usize,
}

impl Stream {
    pub fn new(key: Seed) -> Stream {
        Stream {
            key,
            counter: 0,
            block: [0; 32],
            used: 32,
        }
    }

    /// The next 8 bytes of the stream as a big-endian integer.
    pub fn next_u64(&mut self) -> u64 {
        if self.used == 32 {
            let mut h = Sha256::new();
            h.update(self.key);
            h.update(self.counter.to_be_bytes());
            self.block = h.finalize().into();
            // 2^64 blocks are out of reach; wrapping keeps it panic-free.
            self.counter = self.counter.wrapping_add(1);
            self.used = 0;
        }
        let mut word = [0u8; 8];
        word.copy_from_slice(&self.block[self.used..self.used + 8]);
        self.used += 8;
        u64::from_be_bytes(word)
    }

    /// A uniform integer in `0..n` (rejection sampling). `n = 0` gives 0
    /// without reading the stream (no caller asks for it).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        let last = largest_accepted(n);
        loop {
            let x = self.next_u64();
            if x <= last {
                return x % n;
            }
        }
    }

    /// Fisher-Yates (Durstenfeld): every order equally likely.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            items.swap(i, j);
        }
    }
}
