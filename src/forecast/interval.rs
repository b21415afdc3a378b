//! Prediction intervals from the empirical errors of a rolling-origin
//! backtest, by horizon.
//!
//! The errors are `ln(actual / forecast)` of totals (a school's, or the
//! district's) from origins before the one being forecast. At a horizon with
//! at least [`EMPIRICAL_MIN`] errors the band is their empirical quantiles
//! (`(1 - level) / 2` and `(1 + level) / 2`, linear interpolation); with at
//! least [`NORMAL_MIN`] it is `±z · rms` (a centred normal: a few district
//! errors give a poor quantile but a usable spread); with fewer it is the
//! band of the longest shorter horizon that has one, widened by
//! `sqrt(h / h0)` (errors of a cohort model grow roughly like a random walk).

/// Errors needed at a horizon for empirical quantiles.
pub const EMPIRICAL_MIN: usize = 20;
/// Errors needed at a horizon for the normal band.
pub const NORMAL_MIN: usize = 3;

/// Band `(lo, hi)` on the log scale for horizon `h` (1-based) from errors by
/// horizon (`errors[h - 1]`); `None` when no horizon up to `h` has enough.
pub fn log_band(errors: &[Vec<f64>], h: usize, level: f64) -> Option<(f64, f64)> {
    let own = |k: usize| -> Option<(f64, f64)> {
        let e = errors.get(k - 1)?;
        if e.len() >= EMPIRICAL_MIN {
            let mut s = e.clone();
            s.sort_by(f64::total_cmp);
            Some((
                quantile(&s, (1.0 - level) / 2.0),
                quantile(&s, (1.0 + level) / 2.0),
            ))
        } else if e.len() >= NORMAL_MIN {
            let rms = (e.iter().map(|x| x * x).sum::<f64>() / e.len() as f64).sqrt();
            let z = normal_quantile((1.0 + level) / 2.0);
            Some((-z * rms, z * rms))
        } else {
            None
        }
    };
    (1..=h).rev().find_map(|k| {
        own(k).map(|(lo, hi)| {
            let w = (h as f64 / k as f64).sqrt();
            (lo * w, hi * w)
        })
    })
}

/// Quantile of sorted values, linear interpolation between order statistics
/// (R's type 7).
pub fn quantile(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    if n == 1 {
        return sorted[0];
    }
    let x = p.clamp(0.0, 1.0) * (n - 1) as f64;
    let i = x.floor() as usize;
    let f = x - i as f64;
    if i + 1 >= n {
        sorted[n - 1]
    } else {
        sorted[i] + f * (sorted[i + 1] - sorted[i])
    }
}

/// Inverse of the standard normal CDF (Acklam's rational approximation,
/// relative error below 1.2e-9), for `p` in (0, 1).
pub fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969683028665376e+01,
        2.209460984245205e+02,
        -2.759285104469687e+02,
        1.383_577_518_672_69e2,
        -3.066479806614716e+01,
        2.506628277459239e+00,
    ];
    const B: [f64; 5] = [
        -5.447609879822406e+01,
        1.615858368580409e+02,
        -1.556989798598866e+02,
        6.680131188771972e+01,
        -1.328068155288572e+01,
    ];
    const C: [f64; 6] = [
        -7.784894002430293e-03,
        -3.223964580411365e-01,
        -2.400758277161838e+00,
        -2.549732539343734e+00,
        4.374664141464968e+00,
        2.938163982698783e+00,
    ];
    const D: [f64; 4] = [
        7.784695709041462e-03,
        3.224671290700398e-01,
        2.445134137142996e+00,
        3.754408661907416e+00,
    ];
    let p = p.clamp(1e-12, 1.0 - 1e-12);
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    if p < 0.02425 {
        tail((-2.0 * p.ln()).sqrt())
    } else if p > 1.0 - 0.02425 {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_quantile_known_values() {
        assert!((normal_quantile(0.9) - 1.281_551_565_5).abs() < 1e-8);
        assert!((normal_quantile(0.975) - 1.959_963_985).abs() < 1e-8);
        assert!(normal_quantile(0.5).abs() < 1e-12);
    }

    #[test]
    fn quantile_type7() {
        let s = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(quantile(&s, 0.1), 1.4);
        assert_eq!(quantile(&s, 0.9), 4.6);
    }

    #[test]
    fn band_widens_from_shorter_horizon() {
        let errs = vec![vec![-0.1, 0.1, 0.1, -0.1], vec![]];
        let (lo1, hi1) = log_band(&errs, 1, 0.8).unwrap();
        let (lo2, hi2) = log_band(&errs, 2, 0.8).unwrap();
        assert!((hi1 - 0.1 * normal_quantile(0.9)).abs() < 1e-12);
        assert!((hi2 - hi1 * 2f64.sqrt()).abs() < 1e-12 && (lo2 - lo1 * 2f64.sqrt()).abs() < 1e-12);
        assert!(log_band(&[vec![0.1]], 1, 0.8).is_none());
    }
}
