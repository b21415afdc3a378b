//! The coordinate systems of Chinese web maps, converted to WGS84.
//!
//! - GCJ-02 (国测局坐标, "Mars coordinates"): Amap/Gaode, Tencent, Google
//!   Maps in China. WGS84 plus a published, deliberately irregular offset
//!   of a few hundred metres, computed on the Krasovsky 1940 ellipsoid
//!   (a = 6,378,245 m, e² = 0.00669342162296594323).
//! - BD-09 (百度坐标): Baidu Maps. GCJ-02 with a further rotation and
//!   shift (x_pi = pi * 3000 / 180; z = sqrt(x² + y²) + 0.00002 sin(y x_pi),
//!   theta = atan2(y, x) + 0.000003 cos(x x_pi), bd = (z cos theta + 0.0065,
//!   z sin theta + 0.006)).
//!
//! The forward formulas (WGS84 to GCJ-02, GCJ-02 to BD-09) are the ones
//! published with open-source converters (coordtransform, eviltransform);
//! they have no closed-form inverse. The inverses here solve
//! `forward(w) = p` by fixed-point iteration (`w <- w - (forward(w) - p)`):
//! the offset changes slowly with position, so each step gains about three
//! digits and the forward image of the answer matches within 1e-9 degrees
//! (about 0.1 mm) after three to five steps; it goes on to 1e-12 degrees
//! (float noise), and is bounded at 40 steps.
//!
//! Outside China the offset is not applied: a point outside the box
//! lon 72.004..137.8347, lat 0.8293..55.8271 (eviltransform's box, which
//! holds all of China's land) is returned as given, by both systems, in
//! both directions.
//!
//! Hand-written rather than a crate: the formulas are a few lines, and the
//! Rust crates for them ship the one-step approximate inverse (metres off),
//! not an inverse to sub-millimetre.
//!
//! Pure: no I/O.

use std::f64::consts::PI;

/// A coordinate system input lon/lat may be in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CoordSystem {
    /// WGS84 (GPS, OpenStreetMap, GeoJSON by RFC 7946); also CGCS2000,
    /// equal to it within centimetres.
    #[default]
    Wgs84,
    /// GCJ-02: Amap/Gaode, Tencent.
    Gcj02,
    /// BD-09: Baidu.
    Bd09,
}

impl CoordSystem {
    pub const ALL: [CoordSystem; 3] = [CoordSystem::Wgs84, CoordSystem::Gcj02, CoordSystem::Bd09];

    /// The name used on the command line and in scenario.toml.
    pub fn as_str(self) -> &'static str {
        match self {
            CoordSystem::Wgs84 => "wgs84",
            CoordSystem::Gcj02 => "gcj02",
            CoordSystem::Bd09 => "bd09",
        }
    }

    /// From a name as [`CoordSystem::as_str`] gives it (case and `-`/`_`
    /// ignored, so "GCJ-02" and "BD09" are taken).
    pub fn parse(s: &str) -> Option<CoordSystem> {
        let k: String = s
            .trim()
            .chars()
            .filter(|c| !matches!(c, '-' | '_' | ' '))
            .flat_map(char::to_lowercase)
            .collect();
        match k.as_str() {
            "wgs84" => Some(CoordSystem::Wgs84),
            "gcj02" => Some(CoordSystem::Gcj02),
            "bd09" => Some(CoordSystem::Bd09),
            _ => None,
        }
    }

    /// A point of this system in WGS84.
    pub fn to_wgs84(self, lon: f64, lat: f64) -> (f64, f64) {
        match self {
            CoordSystem::Wgs84 => (lon, lat),
            CoordSystem::Gcj02 => gcj02_to_wgs84(lon, lat),
            CoordSystem::Bd09 => bd09_to_wgs84(lon, lat),
        }
    }

    /// A WGS84 point in this system.
    pub fn from_wgs84(self, lon: f64, lat: f64) -> (f64, f64) {
        match self {
            CoordSystem::Wgs84 => (lon, lat),
            CoordSystem::Gcj02 => wgs84_to_gcj02(lon, lat),
            CoordSystem::Bd09 => wgs84_to_bd09(lon, lat),
        }
    }
}

/// Krasovsky 1940 semi-major axis (m), as the GCJ-02 formula uses it.
const A: f64 = 6_378_245.0;
/// Krasovsky 1940 first eccentricity squared (published as
/// 0.00669342162296594323; this is the same f64).
const EE: f64 = 0.006_693_421_622_965_943;
/// Baidu's constant: pi * 3000 / 180.
const X_PI: f64 = PI * 3000.0 / 180.0;

/// The inverses' guarantee: the forward image of an answer is this close
/// to the point converted (degrees; about 0.1 mm).
pub const TOLERANCE_DEG: f64 = 1e-9;
/// Iterations go on to this (well within [`TOLERANCE_DEG`]), so that a
/// point typed with six decimals comes back as typed, not with noise in
/// the eleventh.
const STOP_DEG: f64 = 1e-12;
/// At most this many iteration steps (four to six are needed in China).
const MAX_STEPS: usize = 40;

/// Whether a point is outside the box in which the Chinese offsets apply.
pub fn out_of_china(lon: f64, lat: f64) -> bool {
    !((72.004..=137.8347).contains(&lon) && (0.8293..=55.8271).contains(&lat))
}

fn transform_lat(x: f64, y: f64) -> f64 {
    let mut r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    r
}

fn transform_lon(x: f64, y: f64) -> f64 {
    let mut r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    r
}

/// The GCJ-02 image of a WGS84 point, without the out-of-China test.
fn gcj_forward(lon: f64, lat: f64) -> (f64, f64) {
    let dlat = transform_lat(lon - 105.0, lat - 35.0);
    let dlon = transform_lon(lon - 105.0, lat - 35.0);
    let radlat = lat / 180.0 * PI;
    let magic = 1.0 - EE * radlat.sin() * radlat.sin();
    let sqrt_magic = magic.sqrt();
    let dlat = (dlat * 180.0) / ((A * (1.0 - EE)) / (magic * sqrt_magic) * PI);
    let dlon = (dlon * 180.0) / (A / sqrt_magic * radlat.cos() * PI);
    (lon + dlon, lat + dlat)
}

/// The BD-09 image of a GCJ-02 point, without the out-of-China test.
fn bd_forward(lon: f64, lat: f64) -> (f64, f64) {
    let z = (lon * lon + lat * lat).sqrt() + 0.00002 * (lat * X_PI).sin();
    let theta = lat.atan2(lon) + 0.000003 * (lon * X_PI).cos();
    (z * theta.cos() + 0.0065, z * theta.sin() + 0.006)
}

/// The point whose `forward` image is (lon, lat): fixed-point iteration
/// from (lon, lat) itself, stopping within [`STOP_DEG`] or after
/// [`MAX_STEPS`] (the best point met is returned).
fn invert(forward: impl Fn(f64, f64) -> (f64, f64), lon: f64, lat: f64) -> (f64, f64) {
    if !(lon.is_finite() && lat.is_finite()) {
        return (lon, lat);
    }
    let (mut x, mut y) = (lon, lat);
    let mut best = ((x, y), f64::INFINITY);
    for _ in 0..MAX_STEPS {
        let (fx, fy) = forward(x, y);
        let (dx, dy) = (fx - lon, fy - lat);
        let err = dx.abs().max(dy.abs());
        if err < best.1 {
            best = ((x, y), err);
        }
        if err < STOP_DEG || err.is_nan() {
            // Within tolerance (or NaN, which cannot improve).
            break;
        }
        x -= dx;
        y -= dy;
    }
    best.0
}

/// WGS84 to GCJ-02 (the published forward formula).
pub fn wgs84_to_gcj02(lon: f64, lat: f64) -> (f64, f64) {
    if out_of_china(lon, lat) {
        return (lon, lat);
    }
    gcj_forward(lon, lat)
}

/// GCJ-02 to WGS84: the inverse of [`wgs84_to_gcj02`], by iteration.
pub fn gcj02_to_wgs84(lon: f64, lat: f64) -> (f64, f64) {
    if out_of_china(lon, lat) {
        return (lon, lat);
    }
    invert(gcj_forward, lon, lat)
}

/// GCJ-02 to BD-09 (Baidu's published forward formula).
pub fn gcj02_to_bd09(lon: f64, lat: f64) -> (f64, f64) {
    if out_of_china(lon, lat) {
        return (lon, lat);
    }
    bd_forward(lon, lat)
}

/// BD-09 to GCJ-02: the inverse of [`gcj02_to_bd09`], by iteration.
pub fn bd09_to_gcj02(lon: f64, lat: f64) -> (f64, f64) {
    if out_of_china(lon, lat) {
        return (lon, lat);
    }
    invert(bd_forward, lon, lat)
}

/// WGS84 to BD-09: GCJ-02, then BD-09.
pub fn wgs84_to_bd09(lon: f64, lat: f64) -> (f64, f64) {
    if out_of_china(lon, lat) {
        return (lon, lat);
    }
    let (x, y) = gcj_forward(lon, lat);
    bd_forward(x, y)
}

/// BD-09 to WGS84: the inverse of [`wgs84_to_bd09`] (the two steps
/// together), by iteration.
pub fn bd09_to_wgs84(lon: f64, lat: f64) -> (f64, f64) {
    if out_of_china(lon, lat) {
        return (lon, lat);
    }
    invert(
        |x, y| {
            let (gx, gy) = gcj_forward(x, y);
            bd_forward(gx, gy)
        },
        lon,
        lat,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for c in CoordSystem::ALL {
            assert_eq!(CoordSystem::parse(c.as_str()), Some(c));
        }
        assert_eq!(CoordSystem::parse(" GCJ-02 "), Some(CoordSystem::Gcj02));
        assert_eq!(CoordSystem::parse("BD_09"), Some(CoordSystem::Bd09));
        assert_eq!(CoordSystem::parse("gcj"), None);
        assert_eq!(CoordSystem::parse("epsg:4326"), None);
    }

    #[test]
    fn outside_china_is_the_identity() {
        for (lon, lat) in [(2.35, 48.85), (-74.0, 40.7), (139.7, 35.7), (100.0, 60.0)] {
            for c in CoordSystem::ALL {
                assert_eq!(c.to_wgs84(lon, lat), (lon, lat), "{c:?}");
                assert_eq!(c.from_wgs84(lon, lat), (lon, lat), "{c:?}");
            }
        }
    }

    #[test]
    fn non_finite_input_does_not_loop_or_panic() {
        let (x, y) = gcj02_to_wgs84(f64::NAN, 39.0);
        assert!(x.is_nan() && y == 39.0);
        let (x, _) = bd09_to_wgs84(116.0, f64::INFINITY);
        assert_eq!(x, 116.0);
    }

    #[test]
    fn inverse_matches_the_forward_image_within_tolerance() {
        for (lon, lat) in [(111.8, 38.9), (121.47, 31.23), (87.6, 43.8), (126.6, 45.75)] {
            let (wx, wy) = gcj02_to_wgs84(lon, lat);
            let (fx, fy) = wgs84_to_gcj02(wx, wy);
            assert!((fx - lon).abs() < TOLERANCE_DEG && (fy - lat).abs() < TOLERANCE_DEG);
            let (wx, wy) = bd09_to_wgs84(lon, lat);
            let (fx, fy) = wgs84_to_bd09(wx, wy);
            assert!((fx - lon).abs() < TOLERANCE_DEG && (fy - lat).abs() < TOLERANCE_DEG);
        }
    }
}
