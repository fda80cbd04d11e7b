//! Building context.json: the tree walk, findings, the ranked repo map, eligible issues, history.
