//! The lottery core: the documented test vectors, uniformity (chi-square
//! over 10,000 fixed seeds, with a check that the test has the power to see
//! a biased shuffle), groups never split, and properties of the ranking and
//! admission.

use catchment::lottery::{
    Applicant, DrawOptions, GroupOverflow, PriorityRule, Stream, Ticket, canonical_applicants,
    commitment, derive_seed, draw, draw_school, hex, largest_accepted, result_csv, school_key,
    sha256, tickets_by_school,
};
use proptest::prelude::*;
use std::collections::BTreeMap;

// ---------------------------------------------------------------- vectors

/// The ```json blocks under the "### Vector" headings of docs/lottery.md.
fn documented_vectors() -> Vec<serde_json::Value> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/lottery.md");
    let text = std::fs::read_to_string(path).expect("docs/lottery.md");
    text.split("\n### Vector")
        .skip(1)
        .filter_map(|part| {
            let start = part.find("```json\n")? + "```json\n".len();
            let len = part[start..].find("\n```")?;
            Some(serde_json::from_str(&part[start..start + len]).expect("vector JSON"))
        })
        .collect()
}

fn s(v: &serde_json::Value) -> &str {
    v.as_str().expect("a string")
}

/// Rows of a canonical list, parsed by hand.
fn parse_list(csv: &str) -> Vec<Applicant> {
    csv.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            let opt = |x: &str| (!x.is_empty()).then(|| x.to_string());
            Applicant {
                id: f[0].into(),
                school_id: f[1].into(),
                group: opt(f[2]),
                priority: opt(f[3]),
            }
        })
        .collect()
}

#[test]
fn documented_vectors_hold() {
    let vectors = documented_vectors();
    assert_eq!(vectors.len(), 3, "docs/lottery.md should hold 3 vectors");
    for v in &vectors {
        let name = s(&v["name"]);
        let csv = s(&v["applicants_csv"]);
        let mut applicants = parse_list(csv);
        // Canonicalisation restores the bytes from any order.
        applicants.reverse();
        assert_eq!(canonical_applicants(&applicants).unwrap(), csv, "{name}");
        let c = commitment(csv.as_bytes());
        assert_eq!(c, s(&v["commitment"]), "{name}");
        let seed = derive_seed(&c, s(&v["public_entropy"]), s(&v["notary"]));
        assert_eq!(hex(&seed), s(&v["seed"]), "{name}");
        for (school, key) in v["school_keys"].as_object().unwrap() {
            assert_eq!(hex(&school_key(&seed, school)), s(key), "{name} {school}");
        }
        for (school, words) in v["first_words"].as_object().unwrap() {
            let mut st = Stream::new(school_key(&seed, school));
            for w in words.as_array().unwrap() {
                assert_eq!(st.next_u64().to_string(), s(w), "{name} {school}");
            }
        }
        if let Some(b) = v.get("below") {
            let mut st = Stream::new(school_key(&seed, s(&b["school"])));
            let n: u64 = s(&b["n"]).parse().unwrap();
            for w in b["values"].as_array().unwrap() {
                assert_eq!(st.below(n).to_string(), s(w), "{name} below");
            }
            // The next word read is the one after `words_read`.
            let mut again = Stream::new(school_key(&seed, s(&b["school"])));
            let read = b["words_read"].as_u64().unwrap();
            for _ in 0..read {
                again.next_u64();
            }
            assert_eq!(again.next_u64(), st.next_u64(), "{name} words read");
        }
        let seats: BTreeMap<String, u64> = v["seats"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, n)| (k.clone(), n.as_u64().unwrap()))
            .collect();
        let opts = DrawOptions {
            priority: PriorityRule::parse(s(&v["priority"])).unwrap(),
            group_overflow: GroupOverflow::parse(s(&v["group_overflow"])).unwrap(),
        };
        let d = draw(&applicants, &seats, &seed, &opts).unwrap();
        let csv = result_csv(&d);
        assert_eq!(csv, s(&v["result_csv"]), "{name}");
        assert_eq!(
            hex(&sha256(csv.as_bytes())),
            s(&v["result_sha256"]),
            "{name}"
        );
    }
}

#[test]
fn rejection_bounds_are_exact() {
    // 2^64 = 1 mod 3: the top word is rejected, 2^64 - 1 words remain (3 | it).
    assert_eq!(largest_accepted(3), u64::MAX - 1);
    assert_eq!((largest_accepted(3) as u128 + 1) % 3, 0);
    // Powers of two divide 2^64: nothing is rejected.
    assert_eq!(largest_accepted(1), u64::MAX);
    assert_eq!(largest_accepted(1 << 40), u64::MAX);
    // n = 2^63 + 1: exactly n words are accepted, almost half rejected.
    let n = (1u64 << 63) + 1;
    assert_eq!(largest_accepted(n), 1u64 << 63);
    for n in [5u64, 7, 10, 1000, 12345, u64::MAX] {
        assert_eq!((largest_accepted(n) as u128 + 1) % n as u128, 0, "{n}");
        assert!(
            u64::MAX as u128 - (largest_accepted(n) as u128) < n as u128,
            "{n}"
        );
    }
}

// ---------------------------------------------------------------- uniformity

/// The upper alpha = 0.001 point of chi-square with `df` degrees of freedom
/// (Wilson-Hilferty; 43.95 for df 19 against the table's 43.82).
fn chi2_critical_001(df: f64) -> f64 {
    let z = 3.0902;
    let a = 2.0 / (9.0 * df);
    df * (1.0 - a + z * a.sqrt()).powi(3)
}

const APPLICANTS: usize = 20;
const SEATS: u64 = 7;
const SEEDS: usize = 10_000;

fn singles(n: usize) -> Vec<Applicant> {
    (0..n)
        .map(|i| Applicant {
            id: format!("A{i:02}"),
            school_id: "J".into(),
            group: None,
            priority: None,
        })
        .collect()
}

/// The fixed seed set: seed i from the list's commitment and "chi-square i".
fn seeds(list: &[Applicant]) -> impl Iterator<Item = [u8; 32]> {
    let c = commitment(canonical_applicants(list).unwrap().as_bytes());
    (0..SEEDS).map(move |i| derive_seed(&c, &format!("chi-square {i}"), ""))
}

/// Admission counts (k applicants) and the rank matrix [applicant][rank].
fn tallies(list: &[Applicant], seats: u64) -> (Vec<u64>, Vec<Vec<u64>>) {
    let tickets = &tickets_by_school(list).unwrap()["J"];
    let k = list.len();
    let mut admitted = vec![0u64; k];
    let mut ranks = vec![vec![0u64; k]; k];
    for seed in seeds(list) {
        let d = draw_school("J", tickets, seats, &seed, &DrawOptions::default());
        for r in &d.ranking {
            let i: usize = r.ticket.members[0][1..].parse().unwrap();
            ranks[i][r.rank - 1] += 1;
            if r.admitted {
                admitted[i] += 1;
            }
        }
    }
    (admitted, ranks)
}

/// Admission counts of `n` draws of `seats` of `k` without replacement:
/// sum (O - np)^2 / (n p (1-p) k/(k-1)) is chi-square with k-1 degrees of
/// freedom (the counts are negatively correlated: they sum to n * seats).
fn admission_statistic(counts: &[u64], seats: u64, n: usize) -> f64 {
    let k = counts.len() as f64;
    let p = seats as f64 / k;
    let e = n as f64 * p;
    let var = n as f64 * p * (1.0 - p) * k / (k - 1.0);
    counts.iter().map(|&o| (o as f64 - e).powi(2)).sum::<f64>() / var
}

/// Rank matrix of `n` uniform permutations of k: (k-1)/n * sum (O - n/k)^2
/// is chi-square with (k-1)^2 degrees of freedom (covariance (P x P)/(k-1),
/// P the centring projection).
fn rank_statistic(ranks: &[Vec<u64>], n: usize) -> f64 {
    let k = ranks.len() as f64;
    let e = n as f64 / k;
    let ss: f64 = ranks
        .iter()
        .flatten()
        .map(|&o| (o as f64 - e).powi(2))
        .sum();
    (k - 1.0) * ss / n as f64
}

#[test]
fn admission_is_uniform_over_10000_seeds() {
    let list = singles(APPLICANTS);
    let (admitted, ranks) = tallies(&list, SEATS);
    assert_eq!(admitted.iter().sum::<u64>(), SEATS * SEEDS as u64);
    let x = admission_statistic(&admitted, SEATS, SEEDS);
    let crit = chi2_critical_001((APPLICANTS - 1) as f64);
    eprintln!(
        "admission: rates {:.4}..{:.4} (expected {:.4}), chi-square {x:.2} on {} df, \
         critical (0.001) {crit:.2}",
        *admitted.iter().min().unwrap() as f64 / SEEDS as f64,
        *admitted.iter().max().unwrap() as f64 / SEEDS as f64,
        SEATS as f64 / APPLICANTS as f64,
        APPLICANTS - 1
    );
    assert!(
        x < crit,
        "admission chi-square {x:.2} >= {crit:.2}: {admitted:?}"
    );
    // Not suspiciously good either (lower 0.001 point of chi-square(19) is 5.41).
    assert!(
        x > 5.41,
        "admission chi-square {x:.2} is too small to be random"
    );

    let df = ((APPLICANTS - 1) * (APPLICANTS - 1)) as f64;
    let y = rank_statistic(&ranks, SEEDS);
    let crit = chi2_critical_001(df);
    eprintln!("ranks: chi-square {y:.1} on {df} df, critical (0.001) {crit:.1}");
    assert!(y < crit, "rank chi-square {y:.1} >= {crit:.1}");
}

#[test]
fn the_chi_square_test_sees_a_biased_shuffle() {
    // Sattolo's algorithm (j below i instead of below i+1) only makes cyclic
    // permutations: the tickets first in canonical order are admitted with
    // probability 6/19 instead of 7/20. The same test must reject it.
    let list = singles(APPLICANTS);
    let mut admitted = vec![0u64; APPLICANTS];
    for seed in seeds(&list) {
        let mut st = Stream::new(school_key(&seed, "J"));
        let mut a: Vec<usize> = (0..APPLICANTS).collect();
        for i in (1..a.len()).rev() {
            let j = st.below(i as u64) as usize;
            a.swap(i, j);
        }
        for &i in &a[..SEATS as usize] {
            admitted[i] += 1;
        }
    }
    let x = admission_statistic(&admitted, SEATS, SEEDS);
    let crit = chi2_critical_001((APPLICANTS - 1) as f64);
    eprintln!("Sattolo (biased): chi-square {x:.1}, critical {crit:.2}");
    assert!(x > crit, "a biased shuffle passed: {x:.2}");
}

#[test]
fn below_is_uniform_on_small_ranges() {
    let mut st = Stream::new(sha256(b"below test"));
    for n in [2u64, 3, 7, 10] {
        let draws = 5_000 * n as usize;
        let mut counts = vec![0u64; n as usize];
        for _ in 0..draws {
            counts[st.below(n) as usize] += 1;
        }
        let e = draws as f64 / n as f64;
        let x: f64 = counts.iter().map(|&o| (o as f64 - e).powi(2) / e).sum();
        let crit = chi2_critical_001((n - 1) as f64);
        assert!(
            x < crit,
            "below({n}): chi-square {x:.2} >= {crit:.2}: {counts:?}"
        );
    }
}

#[test]
fn priority_tier_is_uniform_within_and_ranked_first() {
    // 6 priority singles, 14 general; 4 seats: only priority applicants are
    // admitted, each with rate 4/6.
    let mut list = singles(APPLICANTS);
    for a in list.iter_mut().take(6) {
        a.priority = Some("military".into());
    }
    let (admitted, _) = tallies(&list, 4);
    assert!(admitted[6..].iter().all(|&c| c == 0), "{admitted:?}");
    let x = admission_statistic(&admitted[..6], 4, SEEDS);
    let crit = chi2_critical_001(5.0);
    assert!(x < crit, "priority tier chi-square {x:.2} >= {crit:.2}");
    // 8 seats: every priority applicant, and 2 general ones at rate 2/14.
    let (admitted, _) = tallies(&list, 8);
    assert!(admitted[..6].iter().all(|&c| c == SEEDS as u64));
    let x = admission_statistic(&admitted[6..], 2, SEEDS);
    assert!(
        x < chi2_critical_001(13.0),
        "general tier chi-square {x:.2}"
    );
}

#[test]
fn a_twin_ticket_is_one_ticket() {
    // 18 singles + one pair of twins = 19 tickets; 5 seats. Each ticket is
    // first with probability 1/19, whatever its size.
    let mut list = singles(APPLICANTS);
    list[3].group = Some("MB".into());
    list[4].group = Some("MB".into());
    let tickets = &tickets_by_school(&list).unwrap()["J"];
    assert_eq!(tickets.len(), APPLICANTS - 1);
    let mut first = BTreeMap::<String, u64>::new();
    for seed in seeds(&list) {
        let d = draw_school("J", tickets, 5, &seed, &DrawOptions::default());
        *first
            .entry(d.ranking[0].ticket.members[0].clone())
            .or_default() += 1;
        let twins: Vec<_> = d
            .ranking
            .iter()
            .filter(|r| r.ticket.group.is_some())
            .collect();
        assert_eq!(twins.len(), 1);
        assert_eq!(twins[0].ticket.members, ["A03", "A04"]);
    }
    assert_eq!(first.len(), APPLICANTS - 1);
    let e = SEEDS as f64 / (APPLICANTS - 1) as f64;
    let x: f64 = first.values().map(|&o| (o as f64 - e).powi(2) / e).sum();
    assert!(
        x < chi2_critical_001((APPLICANTS - 2) as f64),
        "first-ticket chi-square {x:.2}"
    );
}

// ---------------------------------------------------------------- properties

/// A random list: tickets of 1-3 members at schools S0..S2, some priority.
fn arb_list() -> impl Strategy<Value = Vec<Applicant>> {
    prop::collection::vec((1usize..=3, 0usize..3, prop::bool::weighted(0.2)), 0..30).prop_map(
        |tickets| {
            let mut out = Vec::new();
            for (t, (size, school, priority)) in tickets.into_iter().enumerate() {
                for m in 0..size {
                    out.push(Applicant {
                        id: format!("{:03}-{m}", (t * 37) % 101),
                        school_id: format!("S{school}"),
                        group: (size > 1).then(|| format!("G{t}")),
                        priority: priority.then(|| "talent".to_string()),
                    });
                }
            }
            out
        },
    )
}

fn arb_opts() -> impl Strategy<Value = DrawOptions> {
    (prop::bool::ANY, prop::bool::ANY).prop_map(|(p, g)| DrawOptions {
        priority: if p {
            PriorityRule::First
        } else {
            PriorityRule::Ignore
        },
        group_overflow: if g {
            GroupOverflow::Skip
        } else {
            GroupOverflow::Admit
        },
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn draws_keep_every_rule(
        list in arb_list(),
        seats in prop::collection::vec(0u64..25, 3),
        opts in arb_opts(),
        entropy in "[0-9 ]{1,12}",
        order in any::<u64>(),
    ) {
        let seats: BTreeMap<String, u64> =
            seats.iter().enumerate().map(|(i, &n)| (format!("S{i}"), n)).collect();
        let canonical = canonical_applicants(&list).unwrap();
        let seed = derive_seed(&commitment(canonical.as_bytes()), &entropy, "");
        let d = draw(&list, &seats, &seed, &opts).unwrap();

        // Input order never matters.
        let mut shuffled = list.clone();
        Stream::new(sha256(&order.to_be_bytes())).shuffle(&mut shuffled);
        prop_assert_eq!(&canonical_applicants(&shuffled).unwrap(), &canonical);
        let d2 = draw(&shuffled, &seats, &seed, &opts).unwrap();
        prop_assert_eq!(result_csv(&d2), result_csv(&d));

        let groups: BTreeMap<&str, usize> = list.iter().filter_map(|a| a.group.as_deref())
            .fold(BTreeMap::new(), |mut m, g| { *m.entry(g).or_default() += 1; m });
        let mut listed = 0;
        for s in &d.schools {
            // Ranks are 1..T, each ticket once.
            let ranks: Vec<usize> = s.ranking.iter().map(|r| r.rank).collect();
            prop_assert_eq!(ranks, (1..=s.ranking.len()).collect::<Vec<_>>());
            listed += s.applicants();
            // A group is one ticket holding all its members: never split.
            for r in &s.ranking {
                if let Some(g) = &r.ticket.group {
                    prop_assert_eq!(r.ticket.members.len(), groups[g.as_str()]);
                }
            }
            // Priority first: every priority ticket before every other.
            if opts.priority == PriorityRule::First {
                let last_p = s.ranking.iter().rposition(|r| r.ticket.priority);
                let first_g = s.ranking.iter().position(|r| !r.ticket.priority);
                if let (Some(p), Some(g)) = (last_p, first_g) {
                    prop_assert!(p < g);
                }
            }
            // Admission replayed by hand.
            let mut left = s.seats;
            for r in &s.ranking {
                let k = r.ticket.members.len() as u64;
                let want = if left == 0 {
                    false
                } else if k <= left {
                    left -= k;
                    true
                } else if opts.group_overflow == GroupOverflow::Admit {
                    left = 0;
                    true
                } else {
                    false
                };
                prop_assert_eq!(r.admitted, want);
            }
            let (applicants, admitted) = (s.applicants() as u64, s.admitted() as u64);
            if applicants <= s.seats {
                prop_assert_eq!(admitted, applicants);
            }
            match opts.group_overflow {
                GroupOverflow::Skip => {
                    prop_assert!(admitted <= s.seats);
                    // No seat left while a ticket that fits waits.
                    let rest = s.seats - admitted;
                    prop_assert!(s.ranking.iter()
                        .all(|r| r.admitted || r.ticket.members.len() as u64 > rest));
                }
                GroupOverflow::Admit => {
                    prop_assert!(s.over_plan() < 3);
                    prop_assert!(admitted >= s.seats.min(applicants));
                }
            }
        }
        prop_assert_eq!(listed, list.len());
    }

    #[test]
    fn one_byte_of_any_seed_input_changes_the_seed(
        entropy in "[a-z0-9 ]{1,20}",
        notary in "[a-z0-9]{0,8}",
        at in any::<prop::sample::Index>(),
        delta in 1u8..=255,
    ) {
        let list = singles(5);
        let csv = canonical_applicants(&list).unwrap().into_bytes();
        let c = commitment(&csv);
        let seed = derive_seed(&c, &entropy, &notary);
        // The list: one byte changed gives another commitment.
        let mut bad = csv.clone();
        let i = at.index(bad.len());
        bad[i] = bad[i].wrapping_add(delta);
        prop_assert_ne!(commitment(&bad), c.clone());
        // The seed inputs: moving text between fields changes the seed too.
        let mut e2 = entropy.clone().into_bytes();
        let j = at.index(e2.len());
        e2[j] = if e2[j] == b'x' { b'y' } else { b'x' };
        let e2 = String::from_utf8(e2).unwrap();
        prop_assert_ne!(derive_seed(&c, &e2, &notary), seed);
        let moved = format!("{entropy}{notary}");
        if !notary.is_empty() {
            prop_assert_ne!(derive_seed(&c, &moved, ""), seed);
        }
    }
}

#[test]
fn schools_are_independent() {
    let mut list = singles(12);
    let seed = derive_seed("00", "schools", "");
    let seats: BTreeMap<String, u64> = [("J".to_string(), 4)].into();
    let alone = draw(&list, &seats, &seed, &DrawOptions::default()).unwrap();
    list.extend((0..5).map(|i| Applicant {
        id: format!("K{i}"),
        school_id: "K".into(),
        group: None,
        priority: None,
    }));
    let seats: BTreeMap<String, u64> = [("J".to_string(), 4), ("K".to_string(), 2)].into();
    let both = draw(&list, &seats, &seed, &DrawOptions::default()).unwrap();
    assert_eq!(both.schools[0], alone.schools[0]);
    assert_eq!(both.schools[1].admitted(), 2);
}

#[test]
fn inconsistent_lists_are_refused_by_the_core() {
    let a = |id: &str, school: &str, group: Option<&str>, p: Option<&str>| Applicant {
        id: id.into(),
        school_id: school.into(),
        group: group.map(Into::into),
        priority: p.map(Into::into),
    };
    let e = tickets_by_school(&[a("1", "J", None, None), a("1", "K", None, None)]).unwrap_err();
    assert!(e.to_string().contains("appears twice"), "{e}");
    let e = tickets_by_school(&[a("1", "J", Some("G"), None), a("2", "K", Some("G"), None)])
        .unwrap_err();
    assert!(e.to_string().contains("members at J and K"), "{e}");
    let e = tickets_by_school(&[
        a("1", "J", Some("G"), None),
        a("2", "J", Some("G"), Some("x")),
    ])
    .unwrap_err();
    assert!(e.to_string().contains("different priorities"), "{e}");
    let e = draw(
        &[a("1", "J", None, None)],
        &BTreeMap::new(),
        &[0; 32],
        &DrawOptions::default(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("no seat count"), "{e}");
    let e = canonical_applicants(&[a("1,2", "J", None, None)]).unwrap_err();
    assert!(e.to_string().contains("a comma"), "{e}");
    // An empty ticket is left out rather than panicking.
    let d = draw_school(
        "J",
        &[Ticket {
            members: vec![],
            group: None,
            priority: false,
        }],
        3,
        &[0; 32],
        &DrawOptions::default(),
    );
    assert!(d.ranking.is_empty());
}
