//! The cheap first pass over source files: a tokenizer per language family (strings and
//! comments skipped), the definitions and references the tree-sitter tags would give, closely
//! enough to rank files, and an estimate of the most complex function. It reads every file of a
//! large tree in a fraction of the time parsing takes, so the context parses only the files its
//! map and findings end up showing.

mod complexity;
mod keywords;
mod names;
mod scan;
mod tokens;

pub use keywords::is_keyword;
pub use scan::{scan, Lexed};
pub use tokens::{tokenize, Kind, Token};
