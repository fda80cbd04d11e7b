//! Weighted, personalized PageRank by power iteration (petgraph's ignores weights and has no
//! personalization). Same conventions as networkx: each node's out-weights are normalised, and
//! the rank of nodes without out-edges is handed out by the personalization vector.
//!
//! A repo map's graph links each file referencing an identifier to every file defining it: a
//! few hundred thousand references become millions of edges. [`pagerank_grouped`] takes the
//! references as they are, links to a group of nodes, so an iteration costs the references and
//! the groups, not their product.

/// A directed, weighted edge between node indices.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    pub weight: f64,
}

/// A link from a node to every node of a group but itself, each with the link's weight: the
/// same as one [`Edge`] to each of them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GroupLink {
    pub from: usize,
    /// Index into the groups.
    pub group: usize,
    pub weight: f64,
}

/// How the iteration runs.
#[derive(Debug, Clone, Copy)]
pub struct PageRankOptions {
    pub damping: f64,
    /// Stop when the summed change of all ranks falls below `tolerance * nodes`.
    pub tolerance: f64,
    pub max_iterations: usize,
}

impl Default for PageRankOptions {
    fn default() -> Self {
        Self {
            damping: 0.85,
            tolerance: 1e-9,
            max_iterations: 200,
        }
    }
}

/// The rank of each of `nodes` nodes, summing to 1. `personalization` (one non-negative weight
/// per node, normalised here) is where random jumps land; uniform when None or all zero.
pub fn pagerank(
    nodes: usize,
    edges: &[Edge],
    personalization: Option<&[f64]>,
    options: PageRankOptions,
) -> Vec<f64> {
    let groups: Vec<Vec<usize>> = edges.iter().map(|e| vec![e.to]).collect();
    let links: Vec<GroupLink> = edges
        .iter()
        .enumerate()
        .map(|(group, e)| GroupLink {
            from: e.from,
            group,
            weight: e.weight,
        })
        .collect();
    pagerank_grouped(nodes, &groups, &links, personalization, options).ranks
}

/// The ranks, and what each group's links carried into it at those ranks (each member of the
/// group received all of it but its own links' part).
#[derive(Debug, Clone, PartialEq)]
pub struct GroupedRanks {
    pub ranks: Vec<f64>,
    /// Per group: the sum over its links of `rank[from] · weight / out_weight[from]`.
    pub carried: Vec<f64>,
    /// Per node: its out-weight (for a link's part: `rank[from] · weight / out_weight[from]`).
    pub out_weight: Vec<f64>,
}

/// [`pagerank`] of the graph whose edges are `links` to `groups` (node indices, each group
/// without repeats).
pub fn pagerank_grouped(
    nodes: usize,
    groups: &[Vec<usize>],
    links: &[GroupLink],
    personalization: Option<&[f64]>,
    options: PageRankOptions,
) -> GroupedRanks {
    if nodes == 0 {
        return GroupedRanks {
            ranks: Vec::new(),
            carried: vec![0.0; groups.len()],
            out_weight: Vec::new(),
        };
    }
    let jump = jump_vector(nodes, personalization);
    // A link reaches its group but its source: (link, whether the source is in the group).
    let links: Vec<(GroupLink, bool)> = links
        .iter()
        .filter(|l| l.weight > 0.0)
        .map(|l| (*l, groups[l.group].contains(&l.from)))
        .filter(|(l, inside)| groups[l.group].len() > usize::from(*inside))
        .collect();
    let mut out_weight = vec![0.0; nodes];
    for (link, inside) in &links {
        out_weight[link.from] +=
            link.weight * (groups[link.group].len() - usize::from(*inside)) as f64;
    }
    let dangling_nodes: Vec<usize> = (0..nodes).filter(|&i| out_weight[i] == 0.0).collect();
    let mut rank = vec![1.0 / nodes as f64; nodes];
    let mut next = vec![0.0; nodes];
    let mut carried = vec![0.0; groups.len()];
    let flow = |rank: &[f64], carried: &mut [f64], next: &mut [f64], damping: f64| {
        carried.iter_mut().for_each(|c| *c = 0.0);
        for (link, inside) in &links {
            let part = rank[link.from] * link.weight / out_weight[link.from];
            carried[link.group] += part;
            if *inside {
                // Every member gets the group's inflow below; the source not its own part.
                next[link.from] -= damping * part;
            }
        }
        for (group, &inflow) in groups.iter().zip(carried.iter()) {
            if inflow != 0.0 {
                for &member in group {
                    next[member] += damping * inflow;
                }
            }
        }
    };
    for _ in 0..options.max_iterations {
        let dangling: f64 = dangling_nodes.iter().map(|&i| rank[i]).sum();
        for (j, value) in next.iter_mut().enumerate() {
            *value = (1.0 - options.damping) * jump[j] + options.damping * dangling * jump[j];
        }
        flow(&rank, &mut carried, &mut next, options.damping);
        let change: f64 = rank.iter().zip(&next).map(|(a, b)| (a - b).abs()).sum();
        std::mem::swap(&mut rank, &mut next);
        if change < options.tolerance * nodes as f64 {
            break;
        }
    }
    // What the groups carry at the final ranks.
    flow(&rank, &mut carried, &mut next, 0.0);
    GroupedRanks {
        ranks: rank,
        carried,
        out_weight,
    }
}

fn jump_vector(nodes: usize, personalization: Option<&[f64]>) -> Vec<f64> {
    let uniform = || vec![1.0 / nodes as f64; nodes];
    let Some(weights) = personalization.filter(|w| w.len() == nodes) else {
        return uniform();
    };
    let total: f64 = weights.iter().map(|w| w.max(0.0)).sum();
    if total <= 0.0 {
        return uniform();
    }
    weights.iter().map(|w| w.max(0.0) / total).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edge(from: usize, to: usize, weight: f64) -> Edge {
        Edge { from, to, weight }
    }

    fn assert_close(actual: &[f64], expected: &[f64]) {
        for (a, e) in actual.iter().zip(expected) {
            assert!((a - e).abs() < 1e-6, "{actual:?} vs {expected:?}");
        }
    }

    /// A→B (1), A→C (3), B→C, C→A; d = 0.85, uniform jumps. By hand:
    /// b = 0.05 + 0.85·a/4, c = 0.05 + 0.85·(3a/4 + b), a = 0.05 + 0.85·c
    /// gives a = 0.128625 / 0.30459375 = 0.4222838, b = 0.1397353, c = 0.4379809.
    #[test]
    fn weights_split_a_nodes_rank_between_its_edges() {
        let ranks = pagerank(
            3,
            &[
                edge(0, 1, 1.0),
                edge(0, 2, 3.0),
                edge(1, 2, 1.0),
                edge(2, 0, 1.0),
            ],
            None,
            PageRankOptions::default(),
        );
        assert_close(&ranks, &[0.4222838, 0.1397353, 0.4379809]);
    }

    /// A→B, B has no out-edges, all jumps land on A: a = 0.15 + 0.85·b (B's rank jumps to A),
    /// b = 0.85·a, so a = 0.15 / (1 − 0.7225) = 0.5405405 and b = 0.4594595.
    #[test]
    fn personalization_and_dangling_nodes() {
        let ranks = pagerank(
            2,
            &[edge(0, 1, 1.0)],
            Some(&[1.0, 0.0]),
            PageRankOptions::default(),
        );
        assert_close(&ranks, &[0.5405405, 0.4594595]);
    }

    #[test]
    fn empty_and_edgeless_graphs() {
        assert!(pagerank(0, &[], None, PageRankOptions::default()).is_empty());
        assert_close(
            &pagerank(4, &[], None, PageRankOptions::default()),
            &[0.25; 4],
        );
    }

    /// Links to groups rank as the edges they stand for: a pseudo-random graph both ways.
    #[test]
    fn grouped_links_rank_as_their_edges() {
        let mut state = 11u64;
        let mut next = move |n: u64| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 33) % n) as usize
        };
        let nodes = 40;
        let groups: Vec<Vec<usize>> = (0..25)
            .map(|_| {
                let mut group: Vec<usize> = (0..1 + next(4)).map(|_| next(nodes as u64)).collect();
                group.sort_unstable();
                group.dedup();
                group
            })
            .collect();
        let links: Vec<GroupLink> = (0..60)
            .map(|_| GroupLink {
                from: next(nodes as u64),
                group: next(groups.len() as u64),
                weight: 1.0 + next(9) as f64,
            })
            .collect();
        let edges: Vec<Edge> = links
            .iter()
            .flat_map(|l| {
                groups[l.group]
                    .iter()
                    .filter(move |&&to| to != l.from)
                    .map(move |&to| edge(l.from, to, l.weight))
            })
            .collect();
        let focus: Vec<f64> = (0..nodes)
            .map(|i| if i % 7 == 0 { 5.0 } else { 1.0 })
            .collect();
        let grouped = pagerank_grouped(
            nodes,
            &groups,
            &links,
            Some(&focus),
            PageRankOptions::default(),
        );
        let expanded = {
            // The edge-by-edge power iteration, written out.
            let jump: Vec<f64> = focus
                .iter()
                .map(|f| f / focus.iter().sum::<f64>())
                .collect();
            let mut out = vec![0.0; nodes];
            for e in &edges {
                out[e.from] += e.weight;
            }
            let mut rank = vec![1.0 / nodes as f64; nodes];
            for _ in 0..500 {
                let dangling: f64 = (0..nodes).filter(|&i| out[i] == 0.0).map(|i| rank[i]).sum();
                let mut next: Vec<f64> = jump
                    .iter()
                    .map(|j| 0.15 * j + 0.85 * dangling * j)
                    .collect();
                for e in &edges {
                    next[e.to] += 0.85 * rank[e.from] * e.weight / out[e.from];
                }
                rank = next;
            }
            rank
        };
        assert_close(&grouped.ranks, &expanded);
        assert!((grouped.ranks.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        // What a group carried is what its links sent, at the final ranks.
        let sent: f64 = links
            .iter()
            .filter(|l| l.group == 3 && grouped.out_weight[l.from] > 0.0)
            .filter(|l| groups[3] != [l.from])
            .map(|l| grouped.ranks[l.from] * l.weight / grouped.out_weight[l.from])
            .sum();
        assert!((grouped.carried[3] - sent).abs() < 1e-12);
    }
}
