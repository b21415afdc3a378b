//! Deterministic synthetic transportation instances, for benchmarks and
//! scale studies. Pure: no I/O, no global state, no dependency beyond the
//! crate; the same arguments always give the same [`Transport`].
//!
//! The model is a planar stand-in for a rural county:
//!
//! * a square region of side `1 km x sqrt(units / 50)` (about 50 units per
//!   square kilometre);
//! * `max(1, schools / 3)` settlements, each a Gaussian cluster with a
//!   log-normal size (a few towns, many villages) and a spread growing with
//!   the square root of its size;
//! * units drawn into clusters in proportion to their size, each with
//!   1..=6 students;
//! * schools shared out over clusters in proportion to size (at least one
//!   each, so bigger settlements have more schools), placed near the centre;
//! * seats: each school's natural demand (the students for whom it is the
//!   nearest school) plus a small floor, times a log-normal skew (some
//!   schools scarce, some roomy), scaled so that total seats are
//!   `round(1.02 x total students)` exactly. Capacity then binds at many
//!   schools while nearly everyone can be placed;
//! * each unit gets arcs to its `candidates` nearest schools (all schools if
//!   fewer), costing the Euclidean distance in metres rounded to whole
//!   millimetres.
//!
//! The pseudo-random stream is a SplitMix64 written here, so the generator
//! needs no `rand` at run time and its output never changes with a crate
//! upgrade.

use crate::assign::Transport;

/// Metres of region side per `sqrt(units)`: 1 km per sqrt(50) units.
const SIDE_PER_SQRT_UNIT_M: f64 = 1000.0 / 7.071_067_811_865_475;
/// Total seats over total students.
const SEAT_RATIO: f64 = 1.02;
/// Standard deviation of the log of a cluster's size.
const CLUSTER_SIZE_LOG_SD: f64 = 1.0;
/// Standard deviation of the log of a school's seat skew.
const SEAT_SKEW_LOG_SD: f64 = 0.35;

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and good enough for
/// synthetic geography.
#[derive(Clone, Debug)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1), 53 bits.
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform integer in `lo..=hi` (bias below 2^-50, irrelevant here).
    fn range(&mut self, lo: u32, hi: u32) -> u32 {
        lo + (self.unit() * (hi - lo + 1) as f64) as u32
    }

    /// Standard normal (Box-Muller, one value per call).
    fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.unit(); // (0, 1]: ln is finite
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

/// Side of the square region, metres, for `units` units.
pub fn region_side_m(units: usize) -> f64 {
    SIDE_PER_SQRT_UNIT_M * (units.max(1) as f64).sqrt()
}

/// A clustered synthetic instance: `units` units, `schools` schools, arcs to
/// the `candidates` nearest schools of each unit; see the module docs for
/// the model. Deterministic in all four arguments.
///
/// Every unit has at least one student and (if `schools > 0` and
/// `candidates > 0`) at least one arc.
pub fn clustered(units: usize, schools: usize, candidates: usize, seed: u64) -> Transport {
    let mut rng = SplitMix64(seed ^ 0x6361_7463_686D_656E); // "catchmen"
    let side = region_side_m(units);
    let clamp = |v: f64| v.clamp(0.0, side);

    // Settlements: centre, size weight, spread.
    let n_clusters = (schools / 3).max(1);
    let centre: Vec<(f64, f64)> = (0..n_clusters)
        .map(|_| (side * rng.unit(), side * rng.unit()))
        .collect();
    let weight: Vec<f64> = (0..n_clusters)
        .map(|_| (CLUSTER_SIZE_LOG_SD * rng.normal()).exp())
        .collect();
    let total_weight: f64 = weight.iter().sum();
    let mean_weight = total_weight / n_clusters as f64;
    let base_sd = 0.15 * side / (n_clusters as f64).sqrt();
    let spread: Vec<f64> = weight
        .iter()
        .map(|w| base_sd * (w / mean_weight).sqrt())
        .collect();
    let mut cumulative = Vec::with_capacity(n_clusters);
    let mut acc = 0.0;
    for w in &weight {
        acc += w / total_weight;
        cumulative.push(acc);
    }

    // Schools per cluster: one each, the rest by largest remainder on size.
    let per_cluster = apportion(schools, &weight, if schools >= n_clusters { 1 } else { 0 });
    let mut school_xy: Vec<(f64, f64)> = Vec::with_capacity(schools);
    for (c, &n) in per_cluster.iter().enumerate() {
        for _ in 0..n {
            let (cx, cy) = centre[c];
            let sd = 0.6 * spread[c];
            school_xy.push((clamp(cx + sd * rng.normal()), clamp(cy + sd * rng.normal())));
        }
    }

    // Units, their students and their nearest schools.
    let k = candidates.min(schools);
    let mut t = Transport::new(vec![0; schools]);
    let mut natural = vec![0u64; schools];
    let mut total_students = 0u64;
    let mut d2: Vec<(f64, u32)> = Vec::with_capacity(schools);
    let mut arcs: Vec<(u32, i64)> = Vec::with_capacity(k);
    for _ in 0..units {
        let r = rng.unit();
        let c = cumulative.partition_point(|&p| p <= r).min(n_clusters - 1);
        let (cx, cy) = centre[c];
        let x = clamp(cx + spread[c] * rng.normal());
        let y = clamp(cy + spread[c] * rng.normal());
        let supply = rng.range(1, 6);
        total_students += supply as u64;

        arcs.clear();
        if k > 0 {
            d2.clear();
            d2.extend(school_xy.iter().enumerate().map(|(j, &(sx, sy))| {
                let (dx, dy) = (sx - x, sy - y);
                (dx * dx + dy * dy, j as u32)
            }));
            let by_distance =
                |a: &(f64, u32), b: &(f64, u32)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1));
            if k < d2.len() {
                d2.select_nth_unstable_by(k - 1, by_distance);
                d2.truncate(k);
            }
            d2.sort_unstable_by(by_distance);
            natural[d2[0].1 as usize] += supply as u64;
            arcs.extend(
                d2.iter()
                    .map(|&(dd, j)| (j, (dd.sqrt() * 1000.0).round() as i64)),
            );
        }
        t.push_unit(supply, &mut arcs);
    }

    // Seats: natural demand plus a floor, skewed, scaled to the seat ratio.
    if schools > 0 {
        let floor = 0.1 * total_students as f64 / schools as f64;
        let raw: Vec<f64> = natural
            .iter()
            .map(|&d| (d as f64 + floor) * (SEAT_SKEW_LOG_SD * rng.normal()).exp())
            .collect();
        let seats = (SEAT_RATIO * total_students as f64).round() as usize;
        t.capacity = apportion(seats, &raw, 0)
            .into_iter()
            .map(|s| u32::try_from(s).expect("seats fit in u32"))
            .collect();
    }
    t
}

/// Share `total` out in proportion to `weight`, each getting at least
/// `min_each`, by largest remainder (ties to the lower index). Sums to
/// `total` exactly when `total >= min_each * weight.len()`.
fn apportion(total: usize, weight: &[f64], min_each: usize) -> Vec<usize> {
    let n = weight.len();
    let mut out = vec![min_each; n];
    let rest = total.saturating_sub(min_each * n);
    let sum: f64 = weight.iter().sum();
    if n == 0 || rest == 0 || sum <= 0.0 {
        return out;
    }
    let mut frac: Vec<(f64, usize)> = Vec::with_capacity(n);
    let mut given = 0;
    for (j, w) in weight.iter().enumerate() {
        let q = rest as f64 * w / sum;
        let whole = q.floor() as usize;
        out[j] += whole;
        given += whole;
        frac.push((q - whole as f64, j));
    }
    frac.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, j) in frac.iter().cycle().take(rest.saturating_sub(given)) {
        out[j] += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn students(t: &Transport) -> u64 {
        t.supply.iter().map(|&s| s as u64).sum()
    }

    #[test]
    fn same_seed_same_instance() {
        let a = clustered(3_000, 30, 8, 7);
        let b = clustered(3_000, 30, 8, 7);
        assert_eq!(a, b);
        let c = clustered(3_000, 30, 8, 8);
        assert_ne!(a, c);
    }

    #[test]
    fn sizes() {
        let t = clustered(2_000, 20, 8, 1);
        assert_eq!(t.units(), 2_000);
        assert_eq!(t.schools(), 20);
        assert_eq!(t.arc_start.len(), 2_001);
        assert_eq!(t.arc_school.len(), 2_000 * 8);
        assert_eq!(t.arc_mm.len(), t.arc_school.len());
        assert!(t.supply.iter().all(|&s| (1..=6).contains(&s)));
        for i in 0..t.units() {
            let r = t.arcs(i);
            assert_eq!(r.len(), 8);
            assert!(t.arc_mm[r.clone()].windows(2).all(|w| w[0] <= w[1]));
            assert!(t.arc_mm[r].iter().all(|&mm| mm >= 0));
        }
        // Fewer schools than candidates: every school is a candidate.
        let small = clustered(100, 5, 8, 1);
        assert!((0..100).all(|i| small.arcs(i).len() == 5));
        // Degenerate sizes do not panic.
        assert_eq!(clustered(0, 3, 8, 1).units(), 0);
        let none = clustered(10, 0, 8, 1);
        assert!(none.arc_school.is_empty() && none.capacity.is_empty());
    }

    #[test]
    fn seats_track_students() {
        for (units, schools, seed) in [(2_000, 20, 1), (20_000, 60, 2), (5_000, 7, 3)] {
            let t = clustered(units, schools, 8, seed);
            let s = students(&t);
            let seats: u64 = t.capacity.iter().map(|&c| c as u64).sum();
            assert_eq!(seats, (1.02 * s as f64).round() as u64);
            // Skewed: some schools well below, some well above the mean.
            let mean = seats as f64 / schools as f64;
            assert!(t.capacity.iter().any(|&c| (c as f64) < 0.8 * mean));
            assert!(t.capacity.iter().any(|&c| (c as f64) > 1.2 * mean));
        }
    }

    #[test]
    fn capacity_binds_and_certifies() {
        let t = clustered(2_000, 20, 8, 5);
        let solved = crate::assign::ssp::solve(&t);
        crate::assign::certify(&t, &solved.flow, &solved.price).expect("optimal");
        assert!(solved.rounds > 0);
        let loads = solved.flow.loads(&t);
        let full = (0..t.schools())
            .filter(|&j| loads[j] == t.capacity[j] as u64)
            .count();
        assert!(full >= 3, "only {full} full schools");
    }

    #[test]
    fn apportion_is_exact() {
        assert_eq!(apportion(10, &[1.0, 1.0, 1.0], 0), vec![4, 3, 3]);
        assert_eq!(apportion(10, &[0.0, 1.0, 3.0], 1), vec![1, 3, 6]);
        assert_eq!(apportion(2, &[1.0, 1.0, 1.0], 1), vec![1, 1, 1]);
        let w = [0.3, 2.5, 1.1, 0.01, 7.0];
        assert_eq!(apportion(12_345, &w, 0).iter().sum::<usize>(), 12_345);
    }
}
