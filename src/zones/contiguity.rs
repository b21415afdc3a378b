//! Connected pieces of each zone over the unit adjacency graph.

use super::adjacency::Neighbours;

/// The connected pieces of every label's units over `adj` (neighbour lists
/// between the indices of `labels`; only neighbours with the same label
/// join a piece). Per label, pieces are sorted largest first by `weight`
/// (ties: lowest first index), each piece's indices ascending. Indices with
/// no label belong to no piece.
pub fn pieces(
    labels: &[Option<usize>],
    adj: &Neighbours,
    weight: &[u64],
    n_labels: usize,
) -> Vec<Vec<Vec<usize>>> {
    let n = labels.len();
    let mut seen = vec![false; n];
    let mut out: Vec<Vec<Vec<usize>>> = vec![Vec::new(); n_labels];
    let mut stack = Vec::new();
    for start in 0..n {
        let Some(l) = labels[start] else { continue };
        if seen[start] {
            continue;
        }
        seen[start] = true;
        stack.push(start);
        let mut piece = Vec::new();
        while let Some(v) = stack.pop() {
            piece.push(v);
            for &w in adj.of(v) {
                let w = w as usize;
                if !seen[w] && labels[w] == Some(l) {
                    seen[w] = true;
                    stack.push(w);
                }
            }
        }
        piece.sort_unstable();
        out[l].push(piece);
    }
    for ps in &mut out {
        ps.sort_by_key(|p| {
            (
                std::cmp::Reverse(p.iter().map(|&i| weight[i]).sum::<u64>()),
                p[0],
            )
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A path 0-1-2-3-4 labelled A A B A A: A has two pieces, B one.
    #[test]
    fn a_path_cut_by_another_zone_has_two_pieces() {
        let adj = vec![vec![1], vec![0, 2], vec![1, 3], vec![2, 4], vec![3]];
        let labels = [Some(0), Some(0), Some(1), Some(0), Some(0)];
        let p = pieces(&labels, &Neighbours::from_lists(&adj), &[1, 1, 5, 3, 1], 2);
        assert_eq!(p[0], vec![vec![3, 4], vec![0, 1]]);
        assert_eq!(p[1], vec![vec![2]]);
    }

    #[test]
    fn unlabelled_units_are_in_no_piece() {
        let adj = vec![vec![1], vec![0, 2], vec![1]];
        let p = pieces(
            &[Some(0), None, Some(0)],
            &Neighbours::from_lists(&adj),
            &[1, 1, 1],
            1,
        );
        assert_eq!(p[0], vec![vec![0], vec![2]]);
    }
}
