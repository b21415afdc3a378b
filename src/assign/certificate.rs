//! A proof of optimality that does not trust the solver.
//!
//! The model (per level):
//!
//! ```text
//! minimise   sum_ij c_ij x_ij + U * sum_i y_i          (U: one unplaced student)
//! subject to sum_j x_ij + y_i = s_i        for each unit i      (dual u_i, free)
//!            sum_i x_ij      <= cap_j      for each school j    (dual -p_j, p_j >= 0)
//!            x, y >= 0, x_ij only on feasible arcs
//! ```
//!
//! with costs compared lexicographically (unplaced students first, then
//! millimetres). Given seat prices `p`, set `u_i = min(U, min_j c_ij + p_j)`:
//! that dual is feasible by construction. If the flow is feasible and
//! complementary slackness holds (students only on arcs where
//! `c_ij + p_j = u_i`, unplaced only where `u_i = U`, a priced school full),
//! primal and dual objectives are equal and the flow is optimal. Both
//! objectives are computed exactly in integers and compared.

use super::cost::{Cost, Total};
use super::transport::{Flow, Transport};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Certificate {
    /// Primal objective: unplaced students and total student-millimetres.
    pub primal: Total,
    /// Dual objective; equal to `primal` when the certificate holds.
    pub dual: Total,
}

/// Why a flow is not proven optimal (a solver bug if it ever happens).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CertificateError {
    Conservation { unit: usize },
    OverCapacity { school: usize },
    NegativePrice { school: usize },
    Slack { unit: usize, arc: Option<usize> },
    PricedNotFull { school: usize },
    Gap { primal: Total, dual: Total },
}

impl std::error::Error for CertificateError {}

impl std::fmt::Display for CertificateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "optimality certificate failed: {self:?}")
    }
}

/// Check `flow` against the prices; `Ok` is a proof of optimality.
pub fn certify(
    t: &Transport,
    flow: &Flow,
    price: &[Cost],
) -> Result<Certificate, CertificateError> {
    let loads = flow.loads(t);
    let mut primal = Total::default();
    let mut dual = Total::default();
    for i in 0..t.units() {
        let r = t.arcs(i);
        let placed: u64 = flow.arc[r.clone()].iter().map(|&x| x as u64).sum();
        if placed + flow.unplaced[i] as u64 != t.supply[i] as u64 {
            return Err(CertificateError::Conservation { unit: i });
        }
        let mut u = Cost::UNPLACED;
        for a in r.clone() {
            u = u.min(t.arc_cost(a) + price[t.arc_school[a] as usize]);
        }
        for a in r {
            if flow.arc[a] > 0 {
                if t.arc_cost(a) + price[t.arc_school[a] as usize] != u {
                    return Err(CertificateError::Slack {
                        unit: i,
                        arc: Some(a),
                    });
                }
                primal += flow.arc[a] * t.arc_cost(a);
            }
        }
        if flow.unplaced[i] > 0 {
            if u != Cost::UNPLACED {
                return Err(CertificateError::Slack { unit: i, arc: None });
            }
            primal += flow.unplaced[i] * Cost::UNPLACED;
        }
        dual += t.supply[i] * u;
    }
    for j in 0..t.schools() {
        if loads[j] > t.capacity[j] as u64 {
            return Err(CertificateError::OverCapacity { school: j });
        }
        if price[j] < Cost::ZERO {
            return Err(CertificateError::NegativePrice { school: j });
        }
        if price[j] > Cost::ZERO && loads[j] != t.capacity[j] as u64 {
            return Err(CertificateError::PricedNotFull { school: j });
        }
        dual = dual - t.capacity[j] * price[j];
    }
    if primal != dual {
        return Err(CertificateError::Gap { primal, dual });
    }
    Ok(Certificate { primal, dual })
}
