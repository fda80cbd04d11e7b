//! The evolution score and its four components, each with how it was measured.

pub mod changed_functions;
pub mod code_quality;
pub mod coverage;
pub mod duplication;
pub mod evaluator;
pub mod judge;
pub mod lcov;
pub mod lint;
pub mod maintainability;
pub mod readability;
pub mod score;
pub mod test_coverage;
pub mod test_functions;
