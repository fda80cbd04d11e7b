//! The web dashboard (axum, server-rendered): live stats, timeline, analytics, run detail, JSON API.
