//! The dashboard: its router answered without a server (status codes, JSON shape, escaping,
//! tokens) on both backends, the `automaintainer dashboard` binary, and every page in headless
//! Chromium over a seeded store.

mod browser;
mod change;
mod harness;
mod repositories;
mod rounds;
mod router;
mod seed;
mod skipped;
mod spend;
mod transcript;
