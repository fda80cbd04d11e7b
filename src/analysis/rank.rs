//! Weighted, personalized PageRank by power iteration (petgraph's ignores weights and has no
//! personalization). Same conventions as networkx: each node's out-weights are normalised, and
//! the rank of nodes without out-edges is handed out by the personalization vector.

use rayon::prelude::*;

/// Edges one task of an iteration handles: a large graph's iterations are split between the
/// cores, a small one's are not.
const EDGES_PER_TASK: usize = 1 << 18;

/// A directed, weighted edge between node indices.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
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
    if nodes == 0 {
        return Vec::new();
    }
    let jump = jump_vector(nodes, personalization);
    let mut out_weight = vec![0.0; nodes];
    for edge in edges.iter().filter(|e| e.weight > 0.0) {
        out_weight[edge.from] += edge.weight;
    }
    // Each edge's share of its source's rank, once: the iterations only multiply.
    let shares: Vec<(usize, usize, f64)> = edges
        .iter()
        .filter(|e| e.weight > 0.0)
        .map(|e| {
            (
                e.from,
                e.to,
                options.damping * e.weight / out_weight[e.from],
            )
        })
        .collect();
    let dangling_nodes: Vec<usize> = (0..nodes).filter(|&i| out_weight[i] == 0.0).collect();
    let mut rank = vec![1.0 / nodes as f64; nodes];
    let mut next = vec![0.0; nodes];
    for _ in 0..options.max_iterations {
        let dangling: f64 = dangling_nodes.iter().map(|&i| rank[i]).sum();
        for (j, value) in next.iter_mut().enumerate() {
            *value = (1.0 - options.damping) * jump[j] + options.damping * dangling * jump[j];
        }
        // Both cores share the edges of a large graph, each chunk summed into a vector of its
        // own; the chunks are added in order, so the ranks do not depend on the scheduling.
        let flows: Vec<Vec<f64>> = shares
            .par_chunks(EDGES_PER_TASK)
            .map(|chunk| {
                let mut flow = vec![0.0; nodes];
                for &(from, to, share) in chunk {
                    flow[to] += rank[from] * share;
                }
                flow
            })
            .collect();
        for flow in &flows {
            next.iter_mut().zip(flow).for_each(|(x, y)| *x += y);
        }
        let change: f64 = rank.iter().zip(&next).map(|(a, b)| (a - b).abs()).sum();
        std::mem::swap(&mut rank, &mut next);
        if change < options.tolerance * nodes as f64 {
            break;
        }
    }
    rank
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
}
