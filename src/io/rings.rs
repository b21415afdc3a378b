//! Polygon rings as RFC 7946 and the simple-features rules want them:
//! closed (the last position repeats the first) and simple (no edge
//! crosses or touches another, but for neighbours at their shared corner).
//! Each check returns what was found, for the caller's `InputError`.

use geo::algorithm::line_intersection::{LineIntersection, line_intersection};
use geo::{Coord, Line};
use rstar::RTree;
use rstar::primitives::{GeomWithData, Rectangle};

/// `None` when a ring of `len` positions from `first` to `last` (raw
/// [lon, lat, ...] positions of at least two numbers) is closed; else what
/// was found, naming the ring by `name()`.
pub fn unclosed(
    (first, last): (&[f64], &[f64]),
    len: usize,
    name: impl FnOnce() -> String,
) -> Option<String> {
    if first.get(..2) == last.get(..2) {
        return None;
    }
    Some(format!(
        "{} of {len} positions ending at ({}, {}) instead of ({}, {})",
        name(),
        last.first()?,
        last.get(1)?,
        first.first()?,
        first.get(1)?
    ))
}

/// Whether every position of the ring lies on one straight line (a ring
/// with no area at all: the caller's zero-area rule names it).
pub fn flat(ring: &[Coord<f64>]) -> bool {
    let Some(&a) = ring.first() else {
        return true;
    };
    let Some(&b) = ring.iter().find(|&&c| c != a) else {
        return true;
    };
    ring.iter()
        .all(|&c| (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x) == 0.0)
}

/// `None` when the closed ring is simple; else the point near which it
/// first crosses (or touches, or folds back along) itself. Repeated
/// consecutive positions are ignored. Edges are paired through an R-tree of
/// their boxes, so a ring of a million positions is checked in
/// O(n log n) for real outlines.
pub fn crossing(ring: &[Coord<f64>]) -> Option<Coord<f64>> {
    let mut pts: Vec<Coord<f64>> = Vec::with_capacity(ring.len());
    for &c in ring {
        if pts.last() != Some(&c) {
            pts.push(c);
        }
    }
    let n = pts.len().checked_sub(1)?; // edges of the closed ring
    if n < 3 {
        return None;
    }
    let edge = |i: usize| Line::new(pts[i], pts[i + 1]);
    let boxes: Vec<GeomWithData<Rectangle<[f64; 2]>, usize>> = (0..n)
        .map(|i| {
            let (a, b) = (pts[i], pts[i + 1]);
            GeomWithData::new(
                Rectangle::from_corners([a.x.min(b.x), a.y.min(b.y)], [a.x.max(b.x), a.y.max(b.y)]),
                i,
            )
        })
        .collect();
    let tree = RTree::bulk_load(boxes);
    let mut found: Option<(usize, usize, Coord<f64>)> = None;
    for i in 0..n {
        for other in tree.locate_in_envelope_intersecting(&rstar::AABB::from_corners(
            [pts[i].x.min(pts[i + 1].x), pts[i].y.min(pts[i + 1].y)],
            [pts[i].x.max(pts[i + 1].x), pts[i].y.max(pts[i + 1].y)],
        )) {
            let j = other.data;
            if j <= i {
                continue;
            }
            let Some(x) = line_intersection(edge(i), edge(j)) else {
                continue;
            };
            let neighbours = j == i + 1 || (i == 0 && j == n - 1);
            let at = match x {
                // Neighbours meet at their shared corner; that is no crossing.
                LineIntersection::SinglePoint { .. } if neighbours => continue,
                LineIntersection::SinglePoint { intersection, .. } => intersection,
                LineIntersection::Collinear { intersection } => intersection.start,
            };
            // The first crossing in ring order, whatever order the tree gave.
            if found.is_none_or(|(fi, fj, _)| (i, j) < (fi, fj)) {
                found = Some((i, j, at));
            }
        }
        if found.is_some_and(|(fi, _, _)| fi == i) {
            break;
        }
    }
    found.map(|(_, _, at)| at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring(p: &[(f64, f64)]) -> Vec<Coord<f64>> {
        p.iter().map(|&(x, y)| Coord { x, y }).collect()
    }

    #[test]
    fn closure() {
        let name = || "ring 0".to_string();
        assert_eq!(unclosed((&[0.0, 0.0], &[0.0, 0.0, 5.0]), 4, name), None);
        assert_eq!(
            unclosed((&[0.5, 0.0], &[0.0, 1.0]), 4, name).as_deref(),
            Some("ring 0 of 4 positions ending at (0, 1) instead of (0.5, 0)")
        );
    }

    #[test]
    fn simple_rings_pass_and_bowties_do_not() {
        let square = ring(&[(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0), (0.0, 0.0)]);
        assert_eq!(crossing(&square), None);
        // A repeated position is no crossing.
        let dup = ring(&[
            (0.0, 0.0),
            (1.0, 0.0),
            (1.0, 0.0),
            (1.0, 1.0),
            (0.0, 1.0),
            (0.0, 0.0),
        ]);
        assert_eq!(crossing(&dup), None);
        let bowtie = ring(&[(0.0, 0.0), (1.0, 1.0), (1.0, 0.0), (0.0, 1.0), (0.0, 0.0)]);
        assert_eq!(crossing(&bowtie), Some(Coord { x: 0.5, y: 0.5 }));
        // A spike folding back along its own edge.
        let spike = ring(&[
            (0.0, 0.0),
            (2.0, 0.0),
            (3.0, 0.0),
            (2.0, 0.0),
            (2.0, 1.0),
            (0.0, 1.0),
            (0.0, 0.0),
        ]);
        assert!(crossing(&spike).is_some());
        // A figure eight touching itself at one corner.
        let eight = ring(&[
            (0.0, 0.0),
            (1.0, 0.0),
            (1.0, 1.0),
            (2.0, 1.0),
            (2.0, 2.0),
            (1.0, 2.0),
            (1.0, 1.0),
            (0.0, 1.0),
            (0.0, 0.0),
        ]);
        assert_eq!(crossing(&eight), Some(Coord { x: 1.0, y: 1.0 }));
        assert!(flat(&ring(&[
            (0.0, 0.0),
            (1.0, 1.0),
            (2.0, 2.0),
            (0.0, 0.0)
        ])));
        assert!(!flat(&bowtie));
    }
}
