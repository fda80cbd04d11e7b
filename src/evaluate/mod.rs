//! The evolution score and its four components, each with how it was measured.
