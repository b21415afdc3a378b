//! Per-class quotas of the cells: the exact dynamic programme over the
//! classes.

use super::bounds::Targets;
use super::cells::{Cells, FN, FS, MN, MS, boys, girls, sn, total};
use std::collections::BTreeMap;

/// How far each bound may be missed per class (0: the bounds as stated).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Relax {
    pub(super) size: u32,
    pub(super) sex: u32,
    pub(super) sn: u32,
}

/// One choice for a class: its size, girls, special needs, the range of
/// special-needs girls that completes it, and its cost.
#[derive(Clone, Copy, Debug)]
struct Opt {
    n: u32,
    g: u32,
    s: u32,
    l: u32,
    u: u32,
    viol: u32,
    imb: i128,
}

fn dist(x: u32, (lo, hi): (u32, u32)) -> u32 {
    lo.saturating_sub(x) + x.saturating_sub(hi)
}

fn options(t: &Targets, pre: &Cells, relax: Relax) -> Vec<Opt> {
    let (nlo, nhi) = t.size_range();
    let srange = t.special_needs_range();
    let (pre_n, pre_f, pre_m, pre_s) = (total(pre), girls(pre), boys(pre), sn(pre));
    let (s_all, g_all, sn_all, k_all) = (
        t.students as i128,
        t.girls as i128,
        t.special_needs as i128,
        t.classes as i128,
    );
    let mut out = Vec::new();
    let n_from = nlo.saturating_sub(relax.size).max(pre_n);
    let n_to = (nhi + relax.size).min(t.class_size);
    for n in n_from..=n_to {
        if n < pre_m {
            continue;
        }
        let grange = t.girls_range(n);
        let g_from = grange.0.saturating_sub(relax.sex).max(pre_f);
        let g_to = (grange.1 + relax.sex).min(n - pre_m);
        for g in g_from..=g_to {
            let s_from = srange.0.saturating_sub(relax.sn).max(pre_s);
            let s_to = (srange.1 + relax.sn).min(n);
            for s in s_from..=s_to {
                // Special-needs girls x: x >= pre FS, FN = g - x >= pre FN,
                // MS = s - x >= pre MS, MN = n - g - s + x >= pre MN.
                let l = (pre[FS] as i64).max(pre[MN] as i64 - n as i64 + g as i64 + s as i64);
                let u = (g as i64 - pre[FN] as i64).min(s as i64 - pre[MS] as i64);
                if l > u {
                    continue;
                }
                let viol = dist(n, (nlo, nhi)) + dist(g, grange) + dist(s, srange);
                // Squared distance to the proportional split, on a common
                // denominator (students^2 x classes^2).
                let dg = g as i128 * s_all - g_all * n as i128;
                let ds = s as i128 * k_all - sn_all;
                let dn = n as i128 * k_all - s_all;
                let imb = dg * dg * k_all * k_all + (ds * ds + dn * dn) * s_all * s_all;
                out.push(Opt {
                    n,
                    g,
                    s,
                    l: l as u32,
                    u: u as u32,
                    viol,
                    imb,
                });
            }
        }
    }
    out
}

type Key = (u32, u32, u32);

#[derive(Clone, Copy, Debug)]
struct Entry {
    viol: u32,
    imb: i128,
    l: u32,
    u: u32,
    back: Option<(Key, usize)>,
    opt: usize,
}

/// Per-class cell counts meeting the bounds (relaxed by `relax`) with the
/// groups' children `pre` kept, closest to the proportional split; `None`
/// when there are none. Exact: a dynamic programme over the classes whose
/// state is the running (students, girls, special needs); the
/// special-needs girls of a path are a range, kept as a Pareto set.
pub(super) fn quotas(
    t: &Targets,
    pre: &[Cells],
    totals: &Cells,
    relax: Relax,
) -> Option<Vec<Cells>> {
    let k_all = pre.len();
    let opts: Vec<Vec<Opt>> = pre.iter().map(|p| options(t, p, relax)).collect();
    if opts.iter().any(|o| o.is_empty()) {
        return None;
    }
    let fs_all = totals[FS];
    let goal: Key = (t.students, t.girls, t.special_needs);
    // Suffix sums of the smallest and largest choices, for pruning.
    let mut suf_min = vec![[0u32; 5]; k_all + 1];
    let mut suf_max = vec![[0u32; 5]; k_all + 1];
    for k in (0..k_all).rev() {
        let o = &opts[k];
        let mn = [
            o.iter().map(|x| x.n).min().unwrap_or(0),
            o.iter().map(|x| x.g).min().unwrap_or(0),
            o.iter().map(|x| x.s).min().unwrap_or(0),
            o.iter().map(|x| x.l).min().unwrap_or(0),
            0,
        ];
        let mx = [
            o.iter().map(|x| x.n).max().unwrap_or(0),
            o.iter().map(|x| x.g).max().unwrap_or(0),
            o.iter().map(|x| x.s).max().unwrap_or(0),
            0,
            o.iter().map(|x| x.u).max().unwrap_or(0),
        ];
        for i in 0..5 {
            suf_min[k][i] = suf_min[k + 1][i] + mn[i];
            suf_max[k][i] = suf_max[k + 1][i] + mx[i];
        }
    }
    let within = |sum: u32, want: u32, k: usize, i: usize| {
        sum <= want && want - sum >= suf_min[k][i] && want - sum <= suf_max[k][i]
    };
    let mut layers: Vec<BTreeMap<Key, Vec<Entry>>> = Vec::with_capacity(k_all + 1);
    let mut first = BTreeMap::new();
    first.insert(
        (0, 0, 0),
        vec![Entry {
            viol: 0,
            imb: 0,
            l: 0,
            u: 0,
            back: None,
            opt: 0,
        }],
    );
    layers.push(first);
    for (k, class_opts) in opts.iter().enumerate() {
        let mut next: BTreeMap<Key, Vec<Entry>> = BTreeMap::new();
        for (&key, entries) in &layers[k] {
            for (ei, e) in entries.iter().enumerate() {
                for (oi, o) in class_opts.iter().enumerate() {
                    let nk = (key.0 + o.n, key.1 + o.g, key.2 + o.s);
                    let l = e.l + o.l;
                    let u = (e.u + o.u).min(fs_all);
                    if !within(nk.0, goal.0, k + 1, 0)
                        || !within(nk.1, goal.1, k + 1, 1)
                        || !within(nk.2, goal.2, k + 1, 2)
                        || l + suf_min[k + 1][3] > fs_all
                        || u + suf_max[k + 1][4] < fs_all
                    {
                        continue;
                    }
                    let cand = Entry {
                        viol: e.viol + o.viol,
                        imb: e.imb + o.imb,
                        l,
                        u,
                        back: Some((key, ei)),
                        opt: oi,
                    };
                    insert_pareto(next.entry(nk).or_default(), cand);
                }
            }
        }
        if next.is_empty() {
            return None;
        }
        layers.push(next);
    }
    let last = layers[k_all].get(&goal)?;
    let (mut ei, _) = last
        .iter()
        .enumerate()
        .filter(|(_, e)| e.l <= fs_all && fs_all <= e.u)
        .min_by_key(|(_, e)| (e.viol, e.imb))?;
    // Walk back: the option of each class.
    let mut chosen = vec![opts[0][0]; k_all];
    let mut key = goal;
    for k in (0..k_all).rev() {
        let e = layers[k + 1][&key][ei];
        chosen[k] = opts[k][e.opt];
        let (pk, pi) = e.back?;
        key = pk;
        ei = pi;
    }
    // Special-needs girls: each class its least, the rest one at a time to
    // the class with the fewest that has room.
    let mut fs: Vec<u32> = chosen.iter().map(|o| o.l).collect();
    let mut left = fs_all.checked_sub(fs.iter().sum())?;
    while left > 0 {
        let k = (0..k_all)
            .filter(|&k| fs[k] < chosen[k].u)
            .min_by_key(|&k| (fs[k], k))?;
        fs[k] += 1;
        left -= 1;
    }
    Some(
        chosen
            .iter()
            .zip(&fs)
            .map(|(o, &x)| [o.g - x, x, o.n + x - o.g - o.s, o.s - x])
            .collect(),
    )
}

/// Keep `v` a Pareto set: lower cost, lower `l`, higher `u` are better.
fn insert_pareto(v: &mut Vec<Entry>, e: Entry) {
    let better_eq =
        |a: &Entry, b: &Entry| (a.viol, a.imb) <= (b.viol, b.imb) && a.l <= b.l && a.u >= b.u;
    if v.iter().any(|x| better_eq(x, &e)) {
        return;
    }
    v.retain(|x| !better_eq(&e, x));
    v.push(e);
}
